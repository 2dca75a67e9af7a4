"""Importing a workbook: read it, check it, store all of it or nothing, as one batch."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, false, insert, or_, select, update
from sqlalchemy.orm import Session, object_session

from app.core import yearcol
from app.core.indicator_kinds import kind_of
from app.core.plausibility import check_row
from app.operations.edits import ensure_years
from app.core.keys import BatchKey, CellKey, PlanItemKey, YearKey, parse_log_key
from app.core.errors import ImportRefused, NotFound, ValidationError
from app.store.database import Database
from app.store.locks import refuse_months, refuse_row
from app.core.values import format_number, format_value
from app.store.settings import StoredSettings
from db.models import (
    ChangeLog, ImportBatch, Kpi, MonthlyValue, PlanItem, PlanPillar, YearValue,
)
from importers import identify
from importers.base import Extraction, Problem, RowRecord, ValueRecord, Where
from importers.formats.workbook import load_book


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
    row_statuses: int = 0                    # a progress sheet: rated rows whose quarter changed
    quarter: int | None = None               # … and which quarter that is
    plan_of: tuple[str, int] | None = None   # a plan workbook: its (branch, fiscal year)
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
                "plan_items": self.plan_items,
                **({"row_statuses": self.row_statuses, "quarter": self.quarter} if self.layout == "progress" else {}),
                "errors": probs(self.errors),
                "warnings": probs(self.warnings), "conflicts": probs(self.conflicts)}


def read_workbook(path: str | Path, catalogue, default_branch: str | None = None, on_sheet=None) -> Extraction:
    """Identify and extract a workbook, without touching the database."""
    from importers.base import collector_paused

    with collector_paused():
        book = load_book(path, on_sheet)
        importer = identify(book)
        ext = importer.extract(book, catalogue, default_branch=default_branch)
        ext.book = book
        index = _value_index(ext)
        ext.problems.extend(check_year_figures(ext, catalogue, index))
        ext.problems.extend(check_plausible(ext, catalogue, index))
        ext.problems.extend(_duplicates(ext, index))
    return ext


def read_report(db: Database, path: str | Path, branch: str | None = None,
                on_sheet=None, quarter: int | None = None) -> tuple[ImportReport, Extraction | None]:
    """Read one file into an extraction and a report of its problems (nothing stored).
    ``quarter``: the quarter a progress sheet's texts and ratings are of (else its as-of month's)."""
    path = Path(path)
    report = ImportReport(path.name)
    try:
        ext = read_workbook(path, db.catalogue, default_branch=branch or db.home_branch, on_sheet=on_sheet)
    except ImportRefused as exc:
        report.errors.extend(exc.problems or [Problem(str(exc).removeprefix(f"{path.name}: "), Where(path.name))])
        return report, None
    ext.path = path
    report.layout = ext.layout
    if ext.statuses:
        ext.quarter = quarter or ext.quarter
        report.quarter = ext.quarter
        if ext.quarter is None:
            ext.problems.append(Problem("どの四半期の進捗状況か分かりません (タイトルに「令和7年3月末現在」などがありません)。"
                                        "--quarter で指定してください", ext.statuses[0].where))
    if ext.plan:
        report.plan_of = (ext.branch, ext.fiscal_year)
    report.errors, report.warnings = ext.errors, ext.warnings
    return report, ext


def errors_left_out(ext: Extraction | None) -> bool:
    """Can the file be stored with its errors left out (the user's choice in the import dialog)?
    Only a table of figures (not a plan or a progress sheet) of a known branch whose every error is
    a cell or row that gave no figure — an unreadable cell, a formula without its result, a label
    no indicator has: the rest is stored as it would be once those are fixed, and nothing else."""
    if ext is None or not ext.errors or ext.plan or ext.statuses or not ext.branch:
        return False
    read = {v.where for v in ext.values}
    return all(p.where.cell and p.where not in read for p in ext.errors)


def store_extractions(s: Session, catalogue, who: str, read: list[tuple[ImportReport, Extraction]],
                      prefer: str | None = None) -> None:
    """Each extraction a batch, in the operation's session. Conflicts with hand edits are listed
    on the reports (the operation then stores nothing)."""
    from app.store.access import check_import

    for _, ext in read:
        check_import(s, catalogue, who, ext)
    for report, ext in read:
        _store_one(s, who, report, ext, prefer)


def _store_one(s: Session, who: str, report: ImportReport, ext: Extraction, prefer: str | None) -> None:
    batch = ImportBatch(file_name=ext.file, file_sha256=_sha256(ext.path), layout=ext.layout,
                        imported_at=datetime.now(), imported_by=who, warnings=len(report.warnings))
    s.add(batch)
    s.flush()
    ensure_years(s, {v.fiscal_year for v in ext.values} | ({ext.fiscal_year} if ext.fiscal_year else set()))
    _store_values(s, who, ext, batch.id, prefer, report)
    if ext.plan:
        report.plan_items = _store_plan(s, who, ext, batch.id, report)
    if ext.statuses:
        report.row_statuses = _store_row_statuses(s, who, ext, batch.id)
    if StoredSettings(s).home_branch is None and ext.branch and ext.branch != "00":
        from app.store.access import is_admin

        if is_admin(s, who):                # the branch's setting: an admin's first import sets it
            StoredSettings(s).home_branch = ext.branch
    batch.inserted, batch.updated = report.inserted, report.updated
    if report.inserted or report.updated or report.plan_items or report.row_statuses:
        report.batch_id = batch.id
    else:                                   # the same file again: no batch, "変更はありません"
        s.delete(batch)
        s.flush()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_values(s: Session, who: str, ext: Extraction, batch_id: int, prefer: str | None,
                  report: ImportReport) -> None:
    """Bulk insert new values, bulk update changed ones, log every change old → new."""
    from importers.base import collector_paused

    with collector_paused():
        _store_values_of(s, who, ext, batch_id, prefer, report)


def _store_values_of(s: Session, who: str, ext: Extraction, batch_id: int, prefer: str | None,
                     report: ImportReport) -> None:
    """_store_values' work, with the collector paused."""
    now = datetime.now()
    for model in (MonthlyValue, YearValue):
        monthly = model is MonthlyValue
        # a record's key: (branch, fiscal_year, month, indicator) are its first four fields
        records = ({v[:4]: v for v in ext.values if v.month is not None} if monthly
                   else {(v.branch, v.fiscal_year, v.indicator): v for v in ext.values if v.month is None})
        if not records:
            continue
        keycols = [model.branch_code, model.fiscal_year, *([model.month] if monthly else []), model.indicator_code]
        origin = ["batch_id", "source_file", "source_sheet", "source_cell"]
        origin += ["edited_by", "edited_at", "note"] if monthly else ["decimals"]
        existing = {}
        q = select(model.id, *keycols, model.value, *(getattr(model, c) for c in origin)).where(
            model.branch_code.in_({k[0] for k in records}), model.fiscal_year.in_({k[1] for k in records}))
        for row in s.execute(q):
            existing[tuple(row[1:1 + len(keycols)])] = (row.id, dict(zip(["value", *origin], row[1 + len(keycols):])))
        names = [c.key for c in keycols] + ["value", "batch_id", "source_file", "source_sheet", "source_cell"]
        names += ["note", "version"] if monthly else ["decimals"]
        # a new row: its key, value and batch, the cell it comes from, then its note and version
        # (monthly) or printed decimals (year)
        new = records.values() if not existing else [v for key, v in records.items() if key not in existing]
        if monthly:
            inserts = [(b, fy, m, code, x, batch_id, *where, note, 1) for b, fy, m, code, x, where, note, _ in new]
        else:
            inserts = [(b, fy, code, x, batch_id, *where, decimals) for b, fy, _, code, x, where, _, decimals in new]
        inserts.sort()          # in the unique index's order (keys differ, so no row compares past its key)
        updates, logs = [], []
        for key, v in (records.items() if existing else ()):
            found = existing.get(key)
            if found is None:
                continue
            row_id, was = found
            if abs(was["value"] - v.value) < 1e-9:
                report.unchanged += monthly
                continue
            if monthly and was["edited_by"]:            # edited by hand since
                if prefer is None:
                    report.conflicts.append(Problem(
                        f"手で修正された値 {_fmt(was['value'])} とファイルの値 {_fmt(v.value)} が異なります "
                        f"(--prefer-file / --prefer-edits で選んでください)", v.where))
                    continue
                if prefer == "edits":
                    report.kept_edits += 1
                    continue
            updates.append({"_id": row_id, "value": v.value, "batch_id": batch_id, "source_file": v.where.file,
                            "source_sheet": v.where.sheet, "source_cell": v.where.cell,
                            **({"edited_by": None, "edited_at": None} if monthly else {"decimals": v.decimals})})
            if was.get("edited_at"):
                was["edited_at"] = was["edited_at"].isoformat()
            logs.append({"at": now, "who": who, "entity": model.__tablename__, "key": str(CellKey(*key) if monthly else YearKey(*key)), "field": "value",
                         "old": _fmt(was["value"]), "new": _fmt(v.value), "batch_id": batch_id,
                         "source": str(v.where), "row_before": json.dumps(was, ensure_ascii=False)})
        if monthly:                       # a submitted quarter's months stay as they are
            changing = {(u["_id"]) for u in updates}
            refuse_months(s, [k[:3] for k, (i, _) in existing.items() if i in changing]
                          + [(b, fy, m) for b, fy, m, *_ in inserts])
        if inserts:                       # new values: the row's batch and cell say where from
            _bulk_insert(s, model.__table__, names, inserts)
            logs.append({"at": now, "who": who, "entity": model.__tablename__, "key": str(BatchKey(batch_id)),
                         "field": "inserted", "old": None, "new": str(len(inserts)), "batch_id": batch_id,
                         "source": ext.file, "row_before": None})
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
    """Many rows, within the operation's transaction, straight to the driver (numbers and text
    only): on PostgreSQL one COPY (to a staging table); on SQLite statements of many rows each
    (as many parameters as the library allows, up to 9,999; 999 where it cannot be asked, the
    limit before 3.32)."""
    import sqlite3
    from itertools import chain

    conn = s.connection()
    driver, columns = conn.connection.driver_connection, ", ".join(names)
    if conn.dialect.name == "postgresql":   # COPY is refused under row-level security: COPY to a
        staging = f"br_new_{table.name}"      # temporary table, then one INSERT checked by the policies
        with driver.cursor() as cur:
            cur.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {table.name} "
                        "WITH NO DATA")
            with cur.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging}")
            cur.execute(f"DROP TABLE {staging}")
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, r)) for r in rows])
        return
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(driver, "getlimit") else 999
    per = max(1, min(limit, 9999) // len(names))     # rows a statement
    one = "(" + ", ".join("?" * len(names)) + ")"
    sql = f"INSERT INTO {table.name} ({columns}) VALUES " + ", ".join([one] * per)
    cur = driver.cursor()
    try:
        whole = len(rows) - len(rows) % per
        for i in range(0, whole, per):
            cur.execute(sql, list(chain.from_iterable(rows[i:i + per])))
        if whole < len(rows):
            rest = rows[whole:]
            cur.execute(f"INSERT INTO {table.name} ({columns}) VALUES " + ", ".join([one] * len(rest)),
                        list(chain.from_iterable(rest)))
    finally:
        cur.close()


def _fmt(value: float | None) -> str | None:
    return None if value is None else format_number(value)


def _reading(kpi: Kpi) -> list:
    """A stored KPI as the plan reads it: indicator, comparison, target, rule, unit, sentence."""
    return [kpi.indicator_code, kpi.op, kpi.target, kpi.target_rule, kpi.unit, kpi.text]


def _item_state(item: PlanItem) -> dict:
    positions = {k.id: k.position for k in item.kpis}
    return {"title": item.title, "owner_group": item.owner_group, "plan_text": item.plan_text,
            "important": item.important, "difficult": item.difficult, "kpis": [_reading(k) for k in item.kpis],
            "rows": [[r.plan_text, r.is_kpi, r.is_performance, r.is_incentive,
                      sorted(positions[k.id] for k in r.kpis if k.id in positions)] for r in item.rows],
            "indicators": _kept(item)}


def _is_state(item: PlanItem, logged: dict) -> bool:
    """Whether the item is as a log says (a log from before rows or kept tables names fewer parts)."""
    return {k: v for k, v in _item_state(item).items() if k in logged} == logged


def _kept(item: PlanItem) -> list[str]:
    """The indicators whose month tables the item keeps, in order."""
    from app.operations.statuses import kept_codes

    return kept_codes(object_session(item), item.id) if item.id is not None else []


def _keep(item: PlanItem, codes: list[str]) -> None:
    from app.operations.statuses import keep_codes

    s = object_session(item)
    s.flush()
    keep_codes(s, item.id, codes)


def _record_state(rec) -> dict:
    rows = rec.rows or (RowRecord(rec.plan_text, kpis=tuple(range(1, len(rec.kpis) + 1))),)
    return {"title": rec.title, "owner_group": rec.owner_group, "plan_text": rec.plan_text,
            "important": rec.important, "difficult": rec.difficult,
            "kpis": [[k.indicator, k.op, k.target, k.rule, k.unit, k.text] for k in rec.kpis],
            "rows": [[r.plan_text, r.is_kpi, r.is_performance, r.is_incentive, sorted(r.kpis)] for r in rows],
            "indicators": list(rec.indicators)}


def _keep_confirmed(item: PlanItem | None, state: dict) -> dict:
    """A KPI whose reading someone confirmed (or corrected) keeps that reading while its sentence
    in the workbook stays the same."""
    if item is None:
        return state
    confirmed = {k.position: k for k in item.kpis if k.confirmed_by}
    kpis = []
    for position, kpi in enumerate(state["kpis"], start=1):
        mine = confirmed.get(position)
        kpis.append(_reading(mine) if mine is not None and mine.text == kpi[5] else kpi)
    return {**state, "kpis": kpis}


def _apply_state(item: PlanItem, state: dict) -> None:
    """Make an item what ``state`` says, in place: its KPIs are updated by their order (the first
    KPI stays the first, with its ratings and hand-entered result), added or removed at the end."""
    item.title, item.owner_group, item.plan_text = state["title"], state["owner_group"], state["plan_text"]
    item.important, item.difficult = state["important"], state["difficult"]
    kpis = sorted(item.kpis, key=lambda k: k.position)
    for position, (code, op, target, rule, unit, text) in enumerate(state["kpis"], start=1):
        kpi = kpis[position - 1] if position <= len(kpis) else None
        if kpi is None:
            kpi = Kpi(position=position)
            item.kpis.append(kpi)
        reading = [code, op, target, rule, unit, text]
        if _reading(kpi) != reading:
            kpi.confirmed_by = kpi.confirmed_at = None          # read anew: to be confirmed again
        kpi.indicator_code, kpi.op, kpi.target, kpi.target_rule, kpi.unit, kpi.text = reading
    for gone in kpis[len(state["kpis"]):]:
        item.kpis.remove(gone)
    if "rows" in state:             # (a plan logged before rated rows has none: its rows stay)
        _apply_rows(item, state["rows"])
    if "indicators" in state and state["indicators"] != _kept(item):
        _keep(item, state["indicators"])


def _apply_rows(item: PlanItem, rows: list) -> None:
    """The item's rated rows by their order (the first row stays the first, with its quarters),
    added or removed at the end; each KPI linked to the row that names it."""
    from db.models import RatedRow

    have = sorted(item.rows, key=lambda r: r.position)
    for gone in have[len(rows):]:
        item.rows.remove(gone)
    kpis = {k.position: k for k in item.kpis}
    for k in item.kpis:
        k.row = None
    for position, (text, is_kpi, is_performance, is_incentive, kpi_positions) in enumerate(rows, start=1):
        row = have[position - 1] if position <= len(have) else None
        if row is None:
            row = RatedRow(position=position)
            item.rows.append(row)
        row.plan_text, row.is_kpi, row.is_performance, row.is_incentive = text, is_kpi, is_performance, is_incentive
        for p in kpi_positions:
            if p in kpis:
                kpis[p].row = row


def _store_plan(s: Session, who: str, ext: Extraction, batch_id: int, report: ImportReport) -> int:
    """The plan of (branch, year): items matched by 項番 and updated in place (their statuses and
    ratings stay with them); each changed item logged as a whole. Items the workbook no longer
    has are kept and reported."""
    branch, fy = ext.branch, ext.fiscal_year
    pillars = {p.no: p for p in s.scalars(select(PlanPillar).where(
        PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fy))}
    items = {i.item_no: i for i in s.scalars(select(PlanItem).join(PlanPillar).where(
        PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fy))}
    changed, now = 0, datetime.now()
    for rec in ext.plan:
        pillar = pillars.get(rec.pillar_no)
        if pillar is None:
            pillar = pillars[rec.pillar_no] = PlanPillar(branch_code=branch, fiscal_year=fy, no=rec.pillar_no,
                                                         title=rec.pillar_title)
            s.add(pillar)
            s.flush()
        pillar.title = rec.pillar_title or pillar.title
        item = items.get(rec.item_no)
        old = _item_state(item) if item else None
        new = _keep_confirmed(item, _record_state(rec))
        kept = old["indicators"] if old else []         # the tables the sheet prints first, then those kept
        new["indicators"] = new["indicators"] + [c for c in kept if c not in new["indicators"]]
        if old == new and item.pillar_id == pillar.id:
            continue
        if item is None:
            item = PlanItem(item_no=rec.item_no)
            s.add(item)
        item.pillar = pillar
        _apply_state(item, new)
        changed += 1
        s.add(ChangeLog(at=now, who=who, entity="plan_item", key=str(PlanItemKey(branch, fy, rec.pillar_no, rec.item_no)),
                        field="item", old=json.dumps(old, ensure_ascii=False) if old else None,
                        new=json.dumps(new, ensure_ascii=False), batch_id=batch_id, source=str(rec.where)))
    in_book = {rec.item_no for rec in ext.plan}
    for no, item in sorted(items.items()):
        if no not in in_book:
            report.warnings.append(Problem(f"項番{no}「{item.title}」はこのブックにありません。"
                                           "消さずに残しました（実施状況・評価もそのままです）", Where(ext.file), "warning"))
    s.flush()
    return changed


def _store_row_statuses(s: Session, who: str, ext: Extraction, batch_id: int) -> int:
    """A progress sheet's quarter: each rated row's text, rating and rank, through the same service
    as a hand edit (rights checked, each change logged under the batch). Returns the rows changed."""
    from app.operations.statuses import write_row_status
    from db.models import RatedRow

    rows = {(no, position): row_id for no, position, row_id in s.execute(
        select(PlanItem.item_no, RatedRow.position, RatedRow.id).join(RatedRow, RatedRow.item_id == PlanItem.id)
        .join(PlanPillar).where(PlanPillar.branch_code == ext.branch, PlanPillar.fiscal_year == ext.fiscal_year))}
    changed = 0
    for st in ext.statuses:
        changed += bool(write_row_status(s, who, rows[st.item_no, st.position], ext.quarter, text=st.text,
                                         rating=st.rating, rank=st.rank, source=str(st.where), batch_id=batch_id))
    return changed


def _value_index(ext: Extraction) -> tuple[dict, list, bool]:
    """The extraction's values in one pass: the months of each (branch, fiscal year, indicator)
    ({month: value}, the later value of a month read twice), the year figures, and whether no
    (branch, fiscal year, month, indicator) was read twice."""
    months: dict[tuple, dict[int, float]] = defaultdict(dict)
    years, twice = [], 0
    for v in ext.values:
        if v.month is None:
            years.append(v)
        else:
            of = months[v.branch, v.fiscal_year, v.indicator]
            twice += v.month in of
            of[v.month] = v.value
    unique = not twice and len({(v.branch, v.fiscal_year, v.indicator) for v in years}) == len(years)
    return months, years, unique


def check_year_figures(ext: Extraction, catalogue, index: tuple | None = None) -> list[Problem]:
    """Each printed year figure against its months, by the indicator's kind: warnings.
    ``index``: the values' ``_value_index``, when the caller has it."""
    months, years, _ = index or _value_index(ext)
    guessed: dict[tuple, list[Problem]] = defaultdict(list)     # ambiguous month cells by (branch, year, indicator)
    for p in ext.problems:
        if p.key and p.proposal is not None and p.key[2] is not None:
            branch, fy, _, code = p.key
            guessed[branch or ext.branch, fy, code].append(p)
    out, nothing = [], {}
    for v in years:
        if v.indicator not in catalogue:
            continue
        ind = catalogue[v.indicator]
        parts = {c: m for c in yearcol.parts_needed(ind) if (m := months.get((v.branch, v.fiscal_year, c)))}
        own = months.get((v.branch, v.fiscal_year, v.indicator), nothing)
        computed = yearcol.year_figure(ind, own, parts)
        if not yearcol.agrees(v.value, computed, v.decimals, ind.kind, ind.unit):
            guesses = guessed.get((v.branch, v.fiscal_year, v.indicator), [])
            with_guesses = yearcol.year_figure(ind, {**own, **{p.key[2]: p.proposal for p in guesses}}, parts)
            if guesses and yearcol.agrees(v.value, with_guesses, v.decimals, ind.kind, ind.unit):
                cells = "、".join(f"{p.where.cell}={format_value(p.proposal, unit=ind.unit, kind=ind.kind)}"
                                 for p in guesses)
                out.append(Problem(f"年度の値 {format_value(v.value, unit=ind.unit, kind=ind.kind)} は、"
                                   f"あいまいなセルを {cells} と読むと月の値と一致します (確認してください)",
                                   v.where, "warning"))
                continue
            kind = kind_of(ind.kind, ind.unit)
            whole = kind.whole and ind.unit != "%"
            places = None if kind.clock else (v.decimals or 0) if whole else max(v.decimals or 0, 2)
            shown = [format_value(x, unit=ind.unit, kind=ind.kind, decimals=places) for x in (v.value, computed)]
            out.append(Problem(f"年度の値 {shown[0]} が月の値から計算した {shown[1]} と一致しません "
                               "(印字された値を使います)", v.where, "warning"))
    return out


def check_plausible(ext: Extraction, catalogue, index: tuple | None = None) -> list[Problem]:
    """点検: the plausibility warnings (app.core.plausibility) of the workbook's own branch's
    months, each at its cell, against the file's other months, years and parts."""
    months, _, _ = index or _value_index(ext)
    where = None                          # each value's cell, once a warning needs one
    out = []
    for (branch, fy, code), row in months.items():
        if (branch or ext.branch) != ext.branch or code not in catalogue:
            continue
        ind = catalogue[code]
        parts = {c: months.get((branch, fy, c), {}) for c in (*ind.sum_of, ind.numerator, *ind.denominator) if c}
        for flag in check_row(ind, row, last_year=months.get((branch, fy - 1, code), {}), parts=parts):
            if where is None:
                where = {(v.branch or ext.branch, v.fiscal_year, v.month, v.indicator): v.where for v in ext.values}
            out.append(Problem(f"点検: {ind.name} {flag.reason}", where[branch or ext.branch, fy, flag.month, code],
                               "warning"))
    return out


def _duplicates(ext: Extraction, index: tuple | None = None) -> list[Problem]:
    """The same month of the same indicator twice in one file: fine if equal, else an error.
    ``index``: the values' ``_value_index``, when the caller has it."""
    from operator import itemgetter

    if (index or _value_index(ext))[2]:
        return []                         # no key twice: nothing to compare
    key = itemgetter(0, 1, 2, 3)          # (branch, fiscal_year, month, indicator)
    seen: dict[tuple, ValueRecord] = {}
    out = []
    for v in ext.values:
        first = seen.setdefault(key(v), v)
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
    branches: set[str] = field(default_factory=set)    # what the undone batch had touched
    years: set[int] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)


@dataclass
class BatchContents:
    """What undoing an import would take back, said before it is done."""
    values: int = 0                                          # month values it added or changed
    items_added: list[int] = field(default_factory=list)     # 項番 of the plan items it added
    items_updated: list[int] = field(default_factory=list)
    kpis: int = 0                                            # the KPIs of the items it added
    worked_on: list[int] = field(default_factory=list)       # added items with work entered since
    changed_since: list[int] = field(default_factory=list)   # items changed by a later import

    def said(self) -> str:
        parts = []
        if self.items_added:
            parts.append(f"事業計画の {len(self.items_added)} 項目（KPI {self.kpis} 件を含む）を削除します")
        if self.items_updated:
            parts.append(f"更新した {len(self.items_updated)} 項目を取込前の内容に戻します")
        if self.values or not parts:
            parts.append(f"追加・更新した月次の値 {self.values} 件を元に戻します（その後に変更された値はそのまま）")
        return "。\n".join(parts) + "。"

    def refusal(self) -> str | None:
        """Why the plan part cannot be taken back whole (then nothing is taken back)."""
        def nos(items):
            return "・".join(str(n) for n in sorted(items))

        reasons = []
        if self.worked_on:
            reasons.append(f"項番 {nos(self.worked_on)} には、その後に実施状況・評価・KPI の結果が入力されています")
        if self.changed_since:
            reasons.append(f"項番 {nos(self.changed_since)} はその後（取込または手入力で）変更されています")
        if not reasons:
            return None
        return ("この取込は取り消せません: " + "。".join(reasons)
                + "。計画の一部だけを消すことはしません（何も変更していません）")


def batch_contents(s: Session, batch_id: int) -> BatchContents:
    from db.models import KpiStatus, QuarterlyStatus

    out = BatchContents()
    batch = s.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(f"取込 {batch_id} がありません")
    out.values = (batch.inserted or 0) + (batch.updated or 0)
    for log in s.scalars(select(ChangeLog).where(ChangeLog.batch_id == batch_id, ChangeLog.entity == "plan_item")):
        key = parse_log_key(log.entity, log.key)
        item_no = key.item_no
        (out.items_added if log.old is None else out.items_updated).append(item_no)
        item = s.scalars(select(PlanItem).join(PlanPillar).where(
            PlanPillar.branch_code == key.branch, PlanPillar.fiscal_year == key.fiscal_year,
            PlanItem.item_no == item_no)).first()
        if item is None or not _is_state(item, json.loads(log.new)):
            out.changed_since.append(item_no)
            continue
        if log.old is None:
            out.kpis += len(item.kpis)
            kpi_ids = [k.id for k in item.kpis]
            rows_since = or_(*(ChangeLog.key.startswith(f"{r.id}/Q") for r in item.rows)) if item.rows else false()
            if (s.scalar(select(QuarterlyStatus.id).where(QuarterlyStatus.item_id == item.id).limit(1))
                    or s.scalar(select(ChangeLog.id).where(      # a row's quarter written since (not by this import)
                        ChangeLog.entity == "row_status", rows_since,
                        or_(ChangeLog.batch_id.is_(None), ChangeLog.batch_id != batch_id)).limit(1))
                    or (kpi_ids and s.scalar(select(KpiStatus.id).where(KpiStatus.kpi_id.in_(kpi_ids)).limit(1)))
                    or any(k.manual_result is not None for k in item.kpis)):
                out.worked_on.append(item_no)
    return out


def undo_batch(s: Session, who: str, batch_id: int) -> UndoReport:
    """Put every value and plan item the batch changed back as it was before (the row with its
    origin), in the operation's session. A value changed again since (by a later import or by
    hand) is left alone and listed; the plan is taken back whole or not at all: an item changed
    since, or with statuses, ratings or KPI results entered since (a row's quarter the import itself
    brought is not), refuses the undo (BatchContents)."""
    from app.store.access import check_undo_import

    report, now = UndoReport(), datetime.now()
    batch = s.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(f"取込 {batch_id} がありません")
    if batch.undone_at is not None:
        raise ValidationError(f"取込 {batch_id} は取り消し済みです")
    check_undo_import(s, who, batch)
    if refused := batch_contents(s, batch_id).refusal():          # a plan is taken back whole, or not at all
        raise ValidationError(refused)
    logs = s.scalars(select(ChangeLog).where(ChangeLog.batch_id == batch_id).order_by(ChangeLog.id.desc()))
    for log in logs:
        if log.field == "inserted":
            continue
        if log.entity == "row_status":
            if _undo_row_status(s, log):
                report.restored += 1
                s.add(ChangeLog(at=now, who=who, entity=log.entity, key=log.key, field=log.field, old=log.new,
                                new=log.old, source=f"取消: 取込 {batch_id}"))
            else:
                report.skipped.append(log.key)
            continue
        key = parse_log_key(log.entity, log.key)
        report.branches.add(key.branch)
        report.years.add(key.fiscal_year)
        if isinstance(key, PlanItemKey):
            restored = _undo_plan_item(s, log, key)
        else:
            report.indicators.add(key.indicator)
            restored = _undo_value(s, log, key, batch_id)
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
        if model is MonthlyValue:
            refuse_months(s, [(r.branch_code, r.fiscal_year, r.month) for r in rows])
        for row in rows:
            report.branches.add(row.branch_code)
            report.years.add(row.fiscal_year)
            report.indicators.add(row.indicator_code)
            s.delete(row)
        if model is MonthlyValue:
            report.restored += len(rows)
            if len(rows) < inserted:
                report.skipped.append(f"追加した値のうち {inserted - len(rows)} 件はその後に変更されたため残しました")
    s.add(ChangeLog(at=now, who=who, entity="import_batch", key=str(BatchKey(batch_id)), field="undone",
                    old=None, new=str(report.restored), batch_id=batch_id, source=f"取消: 取込 {batch_id}"))
    batch.undone_at = now
    s.flush()
    return report


def _undo_value(s: Session, log: ChangeLog, key: CellKey | YearKey, batch_id: int) -> bool:
    """The row as it was before the batch changed it: its value and its origin (the earlier
    import's file and cell, or the hand edit)."""
    model = MonthlyValue if log.entity == "monthly_value" else YearValue
    q = select(model).where(model.branch_code == key.branch, model.fiscal_year == key.fiscal_year,
                            model.indicator_code == key.indicator)
    if isinstance(key, CellKey):
        q = q.where(MonthlyValue.month == key.month)
    row = s.scalars(q).first()
    if row is None or row.batch_id != batch_id or _fmt(row.value) != log.new or getattr(row, "edited_by", None):
        return False
    if isinstance(key, CellKey):
        refuse_months(s, [(key.branch, key.fiscal_year, key.month)])
    if log.old is None:
        s.delete(row)
        return True
    was = json.loads(log.row_before) if log.row_before else {"value": float(log.old)}
    if was.get("edited_at"):
        was["edited_at"] = datetime.fromisoformat(was["edited_at"])
    for name in ("batch_id", "source_file", "source_sheet", "source_cell"):
        setattr(row, name, was.get(name))
    for name, value in was.items():
        setattr(row, name, value)
    return True


def _undo_row_status(s: Session, log: ChangeLog) -> bool:
    """A rated row's field back as it was before the batch, unless it changed again since; a row's
    quarter left with nothing in it is removed (so that the import's items can go too)."""
    from db.models import RowStatus

    key = parse_log_key(log.entity, log.key)
    st = s.scalars(select(RowStatus).where(RowStatus.row_id == key.owner_id, RowStatus.quarter == key.quarter)).first()
    now = getattr(st, log.field, None) if st else None
    if st is None or (None if now is None else str(now)) != log.new:
        return False
    refuse_row(s, key.owner_id, key.quarter)
    setattr(st, log.field, int(log.old) if log.field == "national_rank" and log.old is not None
            else "" if log.field == "progress_text" and log.old is None else log.old)
    st.version += 1
    if not st.progress_text and st.rating is None and st.national_rank is None:
        s.delete(st)
    s.flush()
    return True


def _undo_plan_item(s: Session, log: ChangeLog, key: PlanItemKey) -> bool:
    from db.models import KpiStatus, QuarterlyStatus, RowStatus

    item = s.scalars(select(PlanItem).join(PlanPillar).where(
        PlanPillar.branch_code == key.branch, PlanPillar.fiscal_year == key.fiscal_year,
        PlanItem.item_no == key.item_no)).first()
    if item is None or not _is_state(item, json.loads(log.new)):
        return False
    if log.old is None:                  # added by the batch: removed, unless work was done on it since
        kpi_ids = [k.id for k in item.kpis]
        row_ids = [r.id for r in item.rows]
        if (s.scalar(select(QuarterlyStatus.id).where(QuarterlyStatus.item_id == item.id).limit(1))
                or (row_ids and s.scalar(select(RowStatus.id).where(RowStatus.row_id.in_(row_ids)).limit(1)))
                or (kpi_ids and s.scalar(select(KpiStatus.id).where(KpiStatus.kpi_id.in_(kpi_ids)).limit(1)))
                or any(k.manual_result is not None for k in item.kpis)):
            return False
        pillar = item.pillar
        s.delete(item)
        s.flush()
        if not s.scalars(select(PlanItem.id).where(PlanItem.pillar_id == pillar.id)).first():
            s.delete(pillar)
    else:
        _apply_state(item, json.loads(log.old))
    return True


def learn_alias(s: Session, catalogue, who: str, label: str, indicator: str) -> None:
    """Keep a user's mapping of a workbook label to an indicator, for every later import."""
    from app.store.access import check_admin
    from app.core.catalogue import normalize_label
    from db.models import LabelAlias

    if indicator not in catalogue:
        raise NotFound(f"指標 {indicator} がありません")
    check_admin(s, who, "ラベルと指標の対応の変更")
    s.merge(LabelAlias(label=normalize_label(label), indicator_code=indicator))
