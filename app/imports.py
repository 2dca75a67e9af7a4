"""Importing a workbook: read it, check it, store all of it or nothing, as one batch."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app import yearcol
from app.errors import ImportRefused
from app.store import Database, current_user
from app.values import format_value
from db.models import (
    ChangeLog, FiscalYear, ImportBatch, Kpi, MonthlyValue, PlanItem, PlanPillar, Setting, YearValue,
)
from importers import identify
from importers.base import Extraction, Problem, ValueRecord, Where
from importers.workbook import load_book


@dataclass
class ImportReport:
    """What an import read and did (the command line prints it, the GUI shows it)."""
    file: str
    layout: str = ""
    batch_id: int | None = None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edits: int = 0
    plan_items: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    stored: bool = False

    def as_dict(self) -> dict:
        def probs(ps):
            return [{"file": p.where.file, "sheet": p.where.sheet, "cell": p.where.cell,
                     "message": p.message, **({"proposal": p.proposal} if p.proposal is not None else {})}
                    for p in ps]
        return {"file": self.file, "layout": self.layout, "stored": self.stored, "batch": self.batch_id,
                "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged, "kept_edits": self.kept_edits,
                "plan_items": self.plan_items, "errors": probs(self.errors),
                "warnings": probs(self.warnings), "conflicts": probs(self.conflicts)}


def read_workbook(path: str | Path, catalogue, default_branch: str | None = None, on_sheet=None) -> Extraction:
    """Identify and extract a workbook, without touching the database."""
    book = load_book(path, on_sheet)
    importer = identify(book)
    ext = importer.extract(book, catalogue, default_branch=default_branch)
    ext.book = book
    ext.problems.extend(check_year_figures(ext, catalogue))
    ext.problems.extend(_duplicates(ext))
    return ext


def import_workbook(db: Database, path: str | Path, branch: str | None = None, dry_run: bool = False,
                    prefer: str | None = None) -> ImportReport:
    """Store a workbook as one batch, or nothing when it has errors or unresolved conflicts."""
    return import_files(db, [path], branch, dry_run, prefer)[0]


def import_files(db: Database, paths, branch: str | None = None, dry_run: bool = False,
                 prefer: str | None = None) -> list[ImportReport]:
    """Read every file, then store them all in one transaction (a batch each), or nothing.

    ``prefer``: None (conflicts stop the import), 'file' or 'edits' — which side wins where a
    value was changed by hand since it was imported.
    """
    read = [read_report(db, p, branch) for p in paths]
    if any(r.errors for r, _ in read):
        return [r for r, _ in read]
    store_extractions(db, read, dry_run=dry_run, prefer=prefer)
    return [r for r, _ in read]


def read_report(db: Database, path: str | Path, branch: str | None = None,
                on_sheet=None) -> tuple[ImportReport, Extraction | None]:
    """Read one file into an extraction and a report of its problems (nothing stored)."""
    path = Path(path)
    report = ImportReport(path.name)
    try:
        ext = read_workbook(path, db.catalogue, default_branch=branch or db.home_branch, on_sheet=on_sheet)
    except ImportRefused as exc:
        report.errors.append(Problem(str(exc).removeprefix(f"{path.name}: "), Where(path.name)))
        return report, None
    ext.path = path
    report.layout = ext.layout
    report.errors, report.warnings = ext.errors, ext.warnings
    return report, ext


def store_extractions(db: Database, read: list[tuple[ImportReport, Extraction]], dry_run: bool = False,
                      prefer: str | None = None) -> None:
    """One transaction for all: each extraction a batch; conflicts or a dry run store nothing.
    A SQLite database is backed up first (bounded number of backups beside it)."""
    from app.access import check_import

    for _, ext in read:
        check_import(db, current_user(), ext)
    if not dry_run:
        from app.backups import auto_backup

        auto_backup(db, "before-import")
    with db.sessions.begin() as s:
        for report, ext in read:
            _store_one(s, report, ext, prefer)
        if dry_run or any(r.conflicts for r, _ in read):
            s.rollback()
            for r, _ in read:
                r.batch_id = None
            return
    for r, _ in read:
        r.stored = r.batch_id is not None


def _store_one(s: Session, report: ImportReport, ext: Extraction, prefer: str | None) -> None:
    batch = ImportBatch(file_name=ext.file, file_sha256=_sha256(ext.path), layout=ext.layout,
                        imported_at=datetime.now(), imported_by=current_user(), warnings=len(report.warnings))
    s.add(batch)
    s.flush()
    _ensure_years(s, {v.fiscal_year for v in ext.values} | ({ext.fiscal_year} if ext.fiscal_year else set()))
    _store_values(s, ext, batch.id, prefer, report)
    if ext.plan:
        report.plan_items = _store_plan(s, ext, batch.id)
    if s.get(Setting, "home_branch") is None and ext.branch and ext.branch != "00":
        s.add(Setting(key="home_branch", value=ext.branch))
    batch.inserted, batch.updated = report.inserted, report.updated
    if report.inserted or report.updated or report.plan_items:
        report.batch_id = batch.id
    else:                                   # the same file again: no batch, "変更はありません"
        s.delete(batch)
        s.flush()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ensure_years(s: Session, years: set[int]) -> None:
    have = set(s.scalars(select(FiscalYear.year)))
    s.add_all(FiscalYear(year=y) for y in sorted(years - have))
    s.flush()


def _store_values(s: Session, ext: Extraction, batch_id: int, prefer: str | None, report: ImportReport) -> None:
    """Bulk insert new values, bulk update changed ones, log every change old → new."""
    now, who = datetime.now(), current_user()
    for model in (MonthlyValue, YearValue):
        monthly = model is MonthlyValue
        records = {((v.branch, v.fiscal_year, v.month, v.indicator) if monthly
                    else (v.branch, v.fiscal_year, v.indicator)): v
                   for v in ext.values if (v.month is not None) == monthly}
        if not records:
            continue
        keycols = [model.branch_code, model.fiscal_year, *([model.month] if monthly else []), model.indicator_code]
        existing = {}
        q = select(model.id, model.value, model.edited_by if monthly else model.id, *keycols).where(
            model.branch_code.in_({k[0] for k in records}), model.fiscal_year.in_({k[1] for k in records}))
        for row in s.execute(q):
            existing[tuple(row[3:])] = row
        names = [c.key for c in keycols] + ["value", "batch_id", "source_file", "source_sheet", "source_cell"]
        names += ["note", "version"] if monthly else ["decimals"]
        inserts, updates, logs = [], [], []
        for key, v in records.items():
            row = existing.get(key)
            if row is None:
                where = v.where
                inserts.append((*key, v.value, batch_id, where.file, where.sheet, where.cell,
                                *((v.note, 1) if monthly else (v.decimals,))))
                continue
            if abs(row.value - v.value) < 1e-9:
                report.unchanged += monthly
                continue
            if monthly and row[2]:                      # edited by hand since
                if prefer is None:
                    report.conflicts.append(Problem(
                        f"手で修正された値 {_fmt(row.value)} とファイルの値 {_fmt(v.value)} が異なります "
                        f"(--prefer-file / --prefer-edits で選んでください)", v.where))
                    continue
                if prefer == "edits":
                    report.kept_edits += 1
                    continue
            updates.append({"_id": row.id, "value": v.value, "batch_id": batch_id, "source_file": v.where.file,
                            "source_sheet": v.where.sheet, "source_cell": v.where.cell,
                            **({"edited_by": None, "edited_at": None} if monthly else {"decimals": v.decimals})})
            logs.append({"at": now, "who": who, "entity": model.__tablename__, "key": _key(key), "field": "value",
                         "old": _fmt(row.value), "new": _fmt(v.value), "batch_id": batch_id, "source": str(v.where)})
        if inserts:                       # new values: the row's batch and cell say where from
            _bulk_insert(s, model.__table__, names, inserts)
            logs.append({"at": now, "who": who, "entity": model.__tablename__, "key": f"batch/{batch_id}",
                         "field": "inserted", "old": None, "new": str(len(inserts)), "batch_id": batch_id,
                         "source": ext.file})
        if logs:
            s.connection().execute(insert(ChangeLog.__table__), logs)
        if updates:
            table = model.__table__
            s.connection().execute(update(table).where(table.c.id == bindparam("_id")).values(
                {k: bindparam(k) for k in updates[0] if k != "_id"}), updates)
        if monthly:
            report.inserted += len(inserts)
            report.updated += len(updates)


def _bulk_insert(s: Session, table, names: list[str], rows: list[tuple]) -> None:
    """Many rows in one executemany; on SQLite straight to the driver (numbers and text only)."""
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        conn.exec_driver_sql(sql, rows)
    else:
        conn.execute(insert(table), [dict(zip(names, r)) for r in rows])


def _key(parts) -> str:
    return "/".join(str(p) for p in parts)


def _fmt(value: float | None) -> str | None:
    return None if value is None else format_number(value)


def format_number(value: float) -> str:
    """Machine output: '.' decimal point, no thousands separator, no float noise."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def _item_state(item: PlanItem) -> dict:
    return {"title": item.title, "owner_group": item.owner_group, "plan_text": item.plan_text,
            "important": item.important, "difficult": item.difficult,
            "kpis": [[k.indicator_code, k.op, k.target, k.target_rule, k.unit, k.text] for k in item.kpis]}


def _record_state(rec) -> dict:
    return {"title": rec.title, "owner_group": rec.owner_group, "plan_text": rec.plan_text,
            "important": rec.important, "difficult": rec.difficult,
            "kpis": [[k.indicator, k.op, k.target, k.rule, k.unit, k.text] for k in rec.kpis]}


def _apply_state(item: PlanItem, state: dict) -> None:
    item.title, item.owner_group, item.plan_text = state["title"], state["owner_group"], state["plan_text"]
    item.important, item.difficult = state["important"], state["difficult"]
    item.kpis = [Kpi(position=i, indicator_code=k[0], op=k[1], target=k[2], target_rule=k[3], unit=k[4], text=k[5])
                 for i, k in enumerate(state["kpis"], start=1)]


def _store_plan(s: Session, ext: Extraction, batch_id: int) -> int:
    """The plan of (branch, year): items upserted by number; each changed item logged as a whole."""
    branch, fy = ext.branch, ext.fiscal_year
    pillars = {p.no: p for p in s.scalars(select(PlanPillar).where(
        PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fy))}
    changed, now, who = 0, datetime.now(), current_user()
    for rec in ext.plan:
        pillar = pillars.get(rec.pillar_no)
        if pillar is None:
            pillar = pillars[rec.pillar_no] = PlanPillar(branch_code=branch, fiscal_year=fy, no=rec.pillar_no,
                                                         title=rec.pillar_title)
            s.add(pillar)
            s.flush()
        pillar.title = rec.pillar_title or pillar.title
        item = s.scalars(select(PlanItem).where(PlanItem.pillar_id == pillar.id,
                                                PlanItem.item_no == rec.item_no)).first()
        old = _item_state(item) if item else None
        new = _record_state(rec)
        if old == new:
            continue
        if item is None:
            item = PlanItem(pillar_id=pillar.id, item_no=rec.item_no)
            s.add(item)
        _apply_state(item, new)
        changed += 1
        s.add(ChangeLog(at=now, who=who, entity="plan_item", key=f"{branch}/{fy}/{rec.pillar_no}/{rec.item_no}",
                        field="item", old=json.dumps(old, ensure_ascii=False) if old else None,
                        new=json.dumps(new, ensure_ascii=False), batch_id=batch_id, source=str(rec.where)))
    s.flush()
    return changed


def check_year_figures(ext: Extraction, catalogue) -> list[Problem]:
    """Each printed year figure against its months, by the indicator's kind: warnings."""
    months: dict[tuple, dict[int, float]] = defaultdict(dict)
    for v in ext.values:
        if v.month is not None:
            months[(v.branch, v.fiscal_year, v.indicator)][v.month] = v.value
    out = []
    for v in ext.values:
        if v.month is not None or v.indicator not in catalogue:
            continue
        ind = catalogue[v.indicator]
        parts = {c: months.get((v.branch, v.fiscal_year, c), {}) for c in yearcol.parts_needed(ind)}
        parts = {c: m for c, m in parts.items() if m}
        own = months.get((v.branch, v.fiscal_year, v.indicator), {})
        computed = yearcol.year_figure(ind, own, parts)
        if not yearcol.agrees(v.value, computed, v.decimals, ind.kind):
            guesses = [p for p in ext.problems if p.key and p.key[0] == v.fiscal_year and p.key[2] == v.indicator
                       and p.proposal is not None and p.key[1] is not None]
            with_guesses = yearcol.year_figure(ind, {**own, **{p.key[1]: p.proposal for p in guesses}}, parts)
            if guesses and yearcol.agrees(v.value, with_guesses, v.decimals, ind.kind):
                cells = "、".join(f"{p.where.cell}={format_value(p.proposal, unit=ind.unit, kind=ind.kind)}"
                                 for p in guesses)
                out.append(Problem(f"年度の値 {format_value(v.value, unit=ind.unit, kind=ind.kind)} は、"
                                   f"あいまいなセルを {cells} と読むと月の値と一致します (確認してください)",
                                   v.where, "warning"))
                continue
            shown = [format_value(x, unit=ind.unit, kind=ind.kind, decimals=None if ind.kind == "duration" else
                                  max(v.decimals or 0, 2)) for x in (v.value, computed)]
            out.append(Problem(f"年度の値 {shown[0]} が月の値から計算した {shown[1]} と一致しません "
                               "(印字された値を使います)", v.where, "warning"))
    return out


def _duplicates(ext: Extraction) -> list[Problem]:
    """The same month of the same indicator twice in one file: fine if equal, else an error."""
    seen: dict[tuple, ValueRecord] = {}
    out = []
    for v in ext.values:
        key = (v.branch, v.fiscal_year, v.month, v.indicator)
        first = seen.setdefault(key, v)
        if first is not v and abs(first.value - v.value) > 1e-9:
            out.append(Problem(f"同じ指標・月の値が {first.where.sheet}!{first.where.cell} "
                               f"({_fmt(first.value)}) と異なります ({_fmt(v.value)})", v.where))
    return out


@dataclass(frozen=True)
class BatchView:
    """取込履歴: one import as the history lists it."""
    id: int
    file_name: str
    layout: str
    imported_at: datetime
    imported_by: str
    inserted: int
    updated: int
    warnings: int
    undone_at: datetime | None


def import_history(db: Database) -> list[BatchView]:
    with db.session() as s:
        return [BatchView(b.id, b.file_name, b.layout, b.imported_at, b.imported_by, b.inserted, b.updated,
                          b.warnings, b.undone_at)
                for b in s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()))]


@dataclass
class UndoReport:
    restored: int = 0
    skipped: list[str] = field(default_factory=list)   # changed again since: left as they are


def undo_batch(db: Database, batch_id: int) -> UndoReport:
    """Put every value and plan item the batch changed back as it was before (one transaction).

    A value changed again since (by a later import or by hand) is left alone and listed.
    """
    from app.errors import NotFound, ValidationError

    report, now, who = UndoReport(), datetime.now(), current_user()
    with db.sessions.begin() as s:
        batch = s.get(ImportBatch, batch_id)
        if batch is None:
            raise NotFound(f"取込 {batch_id} がありません")
        if batch.undone_at is not None:
            raise ValidationError(f"取込 {batch_id} は取り消し済みです")
        logs = s.scalars(select(ChangeLog).where(ChangeLog.batch_id == batch_id).order_by(ChangeLog.id.desc()))
        for log in logs:
            if log.field == "inserted":
                continue
            if log.entity == "plan_item":
                restored = _undo_plan_item(s, log)
            else:
                restored = _undo_value(s, log, batch_id)
            if restored:
                report.restored += 1
                s.add(ChangeLog(at=now, who=who, entity=log.entity, key=log.key, field=log.field, old=log.new,
                                new=log.old, source=f"取消: 取込 {batch_id}"))
            else:
                report.skipped.append(log.key)
        inserted = sum(int(log.new) for log in s.scalars(select(ChangeLog).where(
            ChangeLog.batch_id == batch_id, ChangeLog.field == "inserted", ChangeLog.entity == "monthly_value")))
        for model in (MonthlyValue, YearValue):     # values the batch inserted and nobody changed since
            q = select(model).where(model.batch_id == batch_id)
            if model is MonthlyValue:
                q = q.where(MonthlyValue.edited_by.is_(None))
            rows = list(s.scalars(q))
            for row in rows:
                s.delete(row)
            if model is MonthlyValue:
                report.restored += len(rows)
                if len(rows) < inserted:
                    report.skipped.append(f"追加した値のうち {inserted - len(rows)} 件はその後に変更されたため残しました")
        s.add(ChangeLog(at=now, who=who, entity="import_batch", key=f"batch/{batch_id}", field="undone",
                        old=None, new=str(report.restored), batch_id=batch_id, source=f"取消: 取込 {batch_id}"))
        batch.undone_at = now
    return report


def _undo_value(s: Session, log: ChangeLog, batch_id: int) -> bool:
    model = MonthlyValue if log.entity == "monthly_value" else YearValue
    parts = log.key.split("/")
    q = select(model).where(model.branch_code == parts[0], model.fiscal_year == int(parts[1]),
                            model.indicator_code == parts[-1])
    if model is MonthlyValue:
        q = q.where(MonthlyValue.month == int(parts[2]))
    row = s.scalars(q).first()
    if row is None or row.batch_id != batch_id or _fmt(row.value) != log.new or getattr(row, "edited_by", None):
        return False
    if log.old is None:
        s.delete(row)
    else:
        row.value = float(log.old)
        row.batch_id = None
        row.source_file = row.source_sheet = row.source_cell = None
    return True


def _undo_plan_item(s: Session, log: ChangeLog) -> bool:
    branch, fy, pillar_no, item_no = log.key.split("/")
    item = s.scalars(select(PlanItem).join(PlanPillar).where(
        PlanPillar.branch_code == branch, PlanPillar.fiscal_year == int(fy), PlanPillar.no == int(pillar_no),
        PlanItem.item_no == int(item_no))).first()
    if item is None or _item_state(item) != json.loads(log.new):
        return False
    if log.old is None:
        pillar = item.pillar
        s.delete(item)
        s.flush()
        if not s.scalars(select(PlanItem.id).where(PlanItem.pillar_id == pillar.id)).first():
            s.delete(pillar)
    else:
        _apply_state(item, json.loads(log.old))
    return True


def learn_alias(db: Database, label: str, indicator: str) -> None:
    """Keep a user's mapping of a workbook label to an indicator, for every later import."""
    from app.catalogue import normalize_label
    from db.models import LabelAlias

    if indicator not in db.catalogue:
        from app.errors import NotFound

        raise NotFound(f"指標 {indicator} がありません")
    with db.sessions.begin() as s:
        s.merge(LabelAlias(label=normalize_label(label), indicator_code=indicator))
    db.__dict__.pop("catalogue", None)      # the cached catalogue learns it on next use
