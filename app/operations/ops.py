"""The operations: one function per thing a user does (import some files, edit cells, undo, rate
an item, bring back a work package, …). Each runs in one transaction (``Database.unit``): it calls
the services below it with its session, which never begin or commit on their own, and commits
once at the end. So a failure, or a kill -9 at any moment, leaves all of it or none of it.

Each returns what it changed (``Changes``, after Anki's OpChanges), so that the window redraws
what changed — the grid, the chart, the ratings summary, the dashboard — and nothing else.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.store.database import Database

Progress = Callable[[int, int, str], None]      # (done, total, what); raising from it cancels


@dataclass(frozen=True)
class Changes:
    """What an operation changed."""
    branches: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    indicators: frozenset[str] = frozenset()      # monthly values or year figures of these
    items: frozenset[int] = frozenset()           # plan items whose status, rating or KPIs changed
    statuses: frozenset[tuple[int, int]] = frozenset()   # (item id, quarter)
    plan: bool = False                            # plan items or KPIs added, changed or removed
    ratings: bool = False                         # item or KPI ratings (評価の集計)
    op_id: int | None = None                      # the operation an undo takes back (edits)
    rows: frozenset[tuple[int, int]] = frozenset()      # (rated row id, quarter) whose status changed

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.branches | other.branches, self.years | other.years,
                       self.indicators | other.indicators, self.items | other.items,
                       self.statuses | other.statuses, self.plan or other.plan, self.ratings or other.ratings,
                       other.op_id or self.op_id, self.rows | other.rows)

    def __bool__(self) -> bool:
        return bool(self.branches or self.years or self.indicators or self.items or self.statuses
                    or self.plan or self.ratings or self.rows)


@dataclass
class Imported:
    """What an import read and stored: a report per file, and what changed."""
    reports: list = field(default_factory=list)
    changes: Changes = Changes()

    @property
    def stored(self) -> bool:
        return any(r.stored for r in self.reports)

    @property
    def failed(self) -> bool:
        """Nothing stored for errors or conflicts (errors a user chose to leave out do not count
        once the rest is stored)."""
        return any(r.conflicts or (r.errors and not r.stored) for r in self.reports)


class _Rollback(Exception):
    """Leaves a unit of work without committing (a dry run, conflicts to choose)."""


def acting_user(db: Database, who: str | None = None) -> str:
    """Who is acting. On a server always the login (``Database.user``): nobody acts as someone
    else there. On SQLite the operating-system user, or the name a caller gives (tests, the demo)."""
    if db.is_sqlite:
        return who or db.user
    if who not in (None, db.user):
        raise PermissionDenied(f"{who} として変更することはできません（このデータベースには {db.user} として接続しています）")
    return db.user


# ---- imports -----------------------------------------------------------------------------------
def import_files(db: Database, paths, branch: str | None = None, *, dry_run: bool = False,
                 prefer: str | None = None, progress: Progress | None = None, who: str | None = None,
                 quarter: int | None = None) -> Imported:
    """Read every file, then store them all in one transaction (a batch each), or nothing: any file
    with errors, or a value changed by hand that the file would overwrite (unless ``prefer`` says
    'file' or 'edits'), stores nothing at all."""
    from app.operations.imports import read_report

    paths = [Path(p) for p in paths]
    read = []
    for i, path in enumerate(paths):
        if progress:
            progress(i, len(paths) + 1, f"{path.name} を読んでいます")
        read.append(read_report(db, path, branch, quarter=quarter))
    if any(r.errors for r, _ in read):
        return Imported([r for r, _ in read])
    if progress:
        progress(len(paths), len(paths) + 1, "保存しています")
    return commit_import(db, read, prefer=prefer, dry_run=dry_run, who=who)


def commit_import(db: Database, read: list, *, prefer: str | None = None, dry_run: bool = False,
                  who: str | None = None, leave_out_errors: bool = False) -> Imported:
    """Store files already read (the import dialog's preview) as one transaction, or nothing.
    A dry run counts what would be stored and stores nothing. A file with errors is refused, but
    with ``leave_out_errors`` one whose errors are cells that gave no figure
    (imports.errors_left_out) is stored without them. A SQLite database is backed up first
    (a bounded number of backups beside it)."""
    from app.operations.imports import errors_left_out, store_extractions

    who = acting_user(db, who)
    for r, ext in read:
        if r.errors and not (leave_out_errors and errors_left_out(ext)):
            raise ValidationError(f"{r.file}: エラーがあるため取り込めません（{r.errors[0].line()}）")
    reports = [r for r, _ in read]
    for r in reports:
        r.inserted = r.updated = r.unchanged = r.kept_edits = r.plan_items = 0
        r.conflicts, r.batch_id, r.stored = [], None, False
    if not dry_run:
        from app.store.backups import auto_backup

        auto_backup(db, "before-import")
    try:
        with db.unit() as s:
            store_extractions(s, db.catalogue, who, read, prefer)
            if dry_run or any(r.conflicts for r in reports):
                raise _Rollback
    except _Rollback:
        for r in reports:
            r.batch_id = None
        return Imported(reports)
    changes = Changes()
    for r, ext in read:
        r.stored = r.batch_id is not None
        if r.stored:
            changes |= Changes(frozenset({v.branch for v in ext.values} | ({ext.branch} if ext.plan else set())),
                               frozenset({v.fiscal_year for v in ext.values}
                                         | ({ext.fiscal_year} if ext.plan else set())),
                               frozenset(v.indicator for v in ext.values), plan=bool(r.plan_items),
                               ratings=bool(r.row_statuses))
    return Imported(reports, changes)


def undo_import(db: Database, batch_id: int, who: str | None = None):
    """取込の取り消し: every value and plan item of the batch back as it was. Returns (UndoReport, Changes)."""
    from app.operations.imports import undo_batch

    with db.unit() as s:
        report = undo_batch(s, acting_user(db, who), batch_id)
    return report, Changes(plan=True, ratings=True, indicators=frozenset(report.indicators),
                           years=frozenset(report.years), branches=frozenset(report.branches))


def undo_import_preview(db: Database, batch_id: int) -> tuple[str, str | None]:
    """What undoing an import would take back, and why it would be refused (None: it would not)."""
    from app.operations.imports import batch_contents

    with db.session() as s:
        contents = batch_contents(s, batch_id)
    return contents.said(), contents.refusal()


def carry_plan_over(db: Database, branch: str, fiscal_year: int, who: str | None = None) -> Changes:
    """前年度の計画を引き継ぐ: last year's pillars, items, rated rows and KPIs (as read and confirmed,
    each KPI on its row) copied to a year without a plan, until that year's plan workbook is imported
    over them. Statuses, ratings, KPI results and month targets stay with their year. An admin's,
    like importing a plan."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.core.errors import BranchReportError
    from app.core.fiscal import format_fy
    from app.operations.edits import ensure_years
    from app.store.access import check_admin
    from db.models import Kpi, PlanItem, PlanPillar, RatedRow

    def copy_item(i: PlanItem) -> PlanItem:
        rows = {r.id: RatedRow(position=r.position, plan_text=r.plan_text, is_kpi=r.is_kpi,
                               is_performance=r.is_performance, is_incentive=r.is_incentive) for r in i.rows}
        return PlanItem(item_no=i.item_no, title=i.title, owner_group=i.owner_group, plan_text=i.plan_text,
                        important=i.important, difficult=i.difficult, incentive=i.incentive,
                        evaluation=i.evaluation, rows=list(rows.values()),
                        kpis=[Kpi(position=k.position, indicator_code=k.indicator_code, op=k.op, target=k.target,
                                  target_rule=k.target_rule, unit=k.unit, text=k.text, confirmed_by=k.confirmed_by,
                                  confirmed_at=k.confirmed_at, row=rows.get(k.row_id)) for k in i.kpis])

    with db.unit() as s:
        check_admin(s, acting_user(db, who), "事業計画の引き継ぎ")
        if s.scalar(select(PlanPillar.id).where(PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fiscal_year)):
            raise BranchReportError(f"{format_fy(fiscal_year)}には既に事業計画があります")
        last = s.scalars(select(PlanPillar).where(PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fiscal_year - 1)
                         .options(selectinload(PlanPillar.items).selectinload(PlanItem.kpis),
                                  selectinload(PlanPillar.items).selectinload(PlanItem.rows))).all()
        if not last:
            raise NotFound(f"{format_fy(fiscal_year - 1)}の事業計画がないため、引き継げません")
        ensure_years(s, {fiscal_year})
        for pillar in last:
            s.add(PlanPillar(branch_code=branch, fiscal_year=fiscal_year, no=pillar.no, title=pillar.title,
                             items=[copy_item(i) for i in pillar.items]))
    return Changes(branches=frozenset({branch}), years=frozenset({fiscal_year}), plan=True)


def set_home_branch(db: Database, branch: str, who: str | None = None) -> Changes:
    """The database's own branch (支部), chosen at the first start (or taken from the first import):
    an admin's setting, and only while the database holds nothing of another branch's."""
    from sqlalchemy import select

    from app.core.errors import BranchReportError
    from app.core.branches import branch_names
    from app.store.access import is_admin
    from app.store.settings import StoredSettings
    from db.models import MonthlyValue, PlanPillar

    if branch not in branch_names() or branch == "00":
        raise BranchReportError(f"支部 '{branch}' がありません")
    with db.unit() as s:
        user = acting_user(db, who)
        if not is_admin(s, user):
            raise PermissionDenied(f"{user} は支部を設定できません（管理者の作業です）")
        kept = StoredSettings(s)
        current = kept.home_branch
        if current is not None and current != branch:
            held = s.scalar(select(PlanPillar.id).where(PlanPillar.branch_code == current).limit(1)) or \
                s.scalar(select(MonthlyValue.month).where(MonthlyValue.branch_code == current).limit(1))
            if held is not None:
                raise BranchReportError(f"このデータベースには既に {current} {branch_names()[current]}支部の"
                                        "データがあるため、支部は変えられません")
        kept.home_branch = branch
    return Changes(branches=frozenset({branch}), plan=True)


def learn_alias(db: Database, label: str, indicator: str, who: str | None = None) -> bool:
    """A workbook label means this indicator, for this import and every later one."""
    from app.operations.imports import learn_alias as learn

    with db.unit() as s:
        learn(s, db.catalogue, acting_user(db, who), label, indicator)
    db.__dict__.pop("catalogue", None)      # the cached catalogue learns it on next use
    return True


# ---- the monthly grid --------------------------------------------------------------------------
def edit_cells(db: Database, cells: list, who: str | None = None) -> Changes:
    """Some month cells set, pasted or cleared by hand: all stored, or none (a bad entry raises
    ValidationError naming it; a cell someone else changed meanwhile raises ConflictError)."""
    from app.operations.edits import new_operation, write_cells

    with db.unit() as s:
        op = new_operation(s, "edit", acting_user(db, who))
        edits = write_cells(s, db.catalogue, op, cells)
    return _cell_changes(edits, op.id)


def acknowledge_warning(db: Database, branch: str, fiscal_year: int, month: int, indicator: str, comment: str,
                        who: str | None = None) -> Changes:
    """点検の確認: the plausibility warnings of one month's figure acknowledged with a comment."""
    from app.operations.edits import CellKey, check_value

    with db.unit() as s:
        check_value(s, db.catalogue, acting_user(db, who), CellKey(branch, fiscal_year, month, indicator), comment)
    return Changes(branches=frozenset({branch}), years=frozenset({fiscal_year}), indicators=frozenset({indicator}))


def undo(db: Database, op_id: int, who: str | None = None) -> Changes:
    """Take an edit back (or an undo: a redo), restoring each row as it was, with its origin.
    The returned ``op_id`` is the undo's own operation: undoing that redoes."""
    from app.store.access import check_undo_edit
    from app.operations.edits import new_operation, undo_cells
    from db.models import Operation

    who = acting_user(db, who)
    with db.unit() as s:
        target = s.get(Operation, op_id)
        if target is None:                      # before the undo's own operation, which names it
            raise NotFound(f"操作 {op_id} がありません")
        check_undo_edit(s, who, target)
        op = new_operation(s, "redo" if target.kind == "undo" else "undo", who, undoes=op_id)
        edits = undo_cells(s, db.catalogue, op, op_id)
    return _cell_changes(edits, op.id)


def _cell_changes(edits, op_id: int) -> Changes:
    return Changes(frozenset(e.branch for e in edits), frozenset(e.fiscal_year for e in edits),
                   frozenset(e.indicator for e in edits), op_id=op_id)


# ---- the quarter's status ----------------------------------------------------------------------
def save_status(db: Database, item_id: int, quarter: int, who: str | None = None, **fields) -> Changes:
    """An item's status text, rating or national rank for a quarter (fields: text, rating,
    national_rank, expected_version)."""
    from app.operations.statuses import write_status

    with db.unit() as s:
        changed = write_status(s, acting_user(db, who), item_id, quarter, **fields)
    if not changed:
        return Changes()
    return Changes(statuses=frozenset({(item_id, quarter)}), ratings=any(f == "rating" for f, _, _ in changed))


def save_row_status(db: Database, row_id: int, quarter: int, *, text=..., rating=..., rank=...,
                    expected_version: int | None = None, who: str | None = None) -> Changes:
    """A rated row's progress text, rating or national rank for a quarter: a field left out (…)
    stays as it is, None empties it."""
    from app.operations.statuses import _UNSET, write_row_status
    from db.models import RatedRow

    given = {name: _UNSET if value is ... else value for name, value in (("text", text), ("rating", rating),
                                                                          ("rank", rank))}
    with db.unit() as s:
        changed = write_row_status(s, acting_user(db, who), row_id, quarter, **given,
                                   expected_version=expected_version)
        item_id = s.get(RatedRow, row_id).item_id
    if not changed:
        return Changes()
    return Changes(items=frozenset({item_id}), rows=frozenset({(row_id, quarter)}),
                   ratings=any(f == "rating" for f, _, _ in changed))


def carry_progress_over(db: Database, row_ids, quarter: int, who: str | None = None) -> Changes:
    """前四半期から引き継ぐ: the rows (an item's, or a group's) with no progress text this quarter
    start from the previous quarter's text, marked as carried over until edited."""
    from app.operations.statuses import carry_text_over
    from db.models import RatedRow

    with db.unit() as s:
        done = carry_text_over(s, acting_user(db, who), row_ids, quarter)
        items = {s.get(RatedRow, r).item_id for r in done}
    return Changes(items=frozenset(items), rows=frozenset((r, quarter) for r in done)) if done else Changes()


def rate_kpi(db: Database, kpi_id: int, quarter: int, rating: str | None, who: str | None = None) -> Changes:
    """A KPI line's rating for a quarter."""
    from app.operations.statuses import write_kpi_rating
    from db.models import Kpi

    with db.unit() as s:
        changed = write_kpi_rating(s, acting_user(db, who), kpi_id, quarter, rating)     # checked there
        item_id = s.get(Kpi, kpi_id).item_id
    return Changes(items=frozenset({item_id}), ratings=True) if changed else Changes()


def set_kpi_result(db: Database, kpi_id: int, entry, who: str | None = None) -> Changes:
    """The result of a KPI with no monthly indicator, typed by hand ('57.1%'; '' clears it)."""
    from app.operations.statuses import write_kpi_result
    from db.models import Kpi

    with db.unit() as s:
        changed = write_kpi_result(s, acting_user(db, who), kpi_id, entry)               # checked there
        item_id = s.get(Kpi, kpi_id).item_id
    return Changes(items=frozenset({item_id})) if changed else Changes()


def set_kpi_month_target(db: Database, kpi_id: int, month: int, entry, who: str | None = None) -> Changes:
    """月次目標: a KPI's target for a month ('1,280', '28.7%'; '' clears it)."""
    from app.operations.statuses import write_kpi_month_target
    from db.models import Kpi

    with db.unit() as s:
        changed = write_kpi_month_target(s, acting_user(db, who), kpi_id, month, entry)        # checked there
        item_id = s.get(Kpi, kpi_id).item_id
    return Changes(items=frozenset({item_id})) if changed else Changes()


def confirm_kpis(db: Database, readings: list, who: str | None = None) -> Changes:
    """After a plan import: each KPI's reading (indicator, comparison, target) confirmed as shown
    or corrected, all in one step."""
    from app.operations.statuses import confirm_kpi
    from db.models import Kpi

    who = acting_user(db, who)
    with db.unit() as s:
        items = set()
        for reading in readings:
            confirm_kpi(s, db.catalogue, who, reading)
            items.add(s.get(Kpi, reading.kpi_id).item_id)
    return Changes(items=frozenset(items), plan=True)


def set_item_indicators(db: Database, item_id: int, codes: list[str], who: str | None = None) -> Changes:
    """Which indicators' month tables an item keeps (進捗状況 prints them under it), in order."""
    from app.operations.statuses import write_item_indicators

    with db.unit() as s:
        changed = write_item_indicators(s, db.catalogue, acting_user(db, who), item_id, codes)
    return Changes(items=frozenset({item_id})) if changed else Changes()


# ---- users, backups ----------------------------------------------------------------
def add_user(db: Database, login: str, branch: str, group: str, *, admin: bool = False,
             password: str | None = None, who: str | None = None) -> str:
    """Register a user of shared mode with the branch and group (an admin's operation); on a
    server, the login is created with its rights. Returns what was done."""
    from app.store.users import register

    who = acting_user(db, who)
    with db.unit() as s:
        return register(s, who, login, branch, group, admin=admin, password=password)


def restore_backup(target: Path, source: Path, who: str | None = None) -> Path | None:
    """Put a backup in place of the (closed) database at target; the current content is backed up
    first. Returns that safety backup. A file with registered users: its admins only (a shared
    server is restored on the server, never here)."""
    from app.store.backups import restore, restore_allowed

    restore_allowed(Path(target), who)
    return restore(Path(target), Path(source))


def import_workbook(db: Database, path, branch: str | None = None, *, dry_run: bool = False,
                    prefer: str | None = None, who: str | None = None, quarter: int | None = None):
    """One workbook imported (import_files with one file); returns its report."""
    return import_files(db, [path], branch, dry_run=dry_run, prefer=prefer, who=who, quarter=quarter).reports[0]


# ---- submitting a quarter ----------------------------------------------------------------------
DocumentWriter = Callable[[Path], list]     # folder → [(kind, file written)]: the quarter's documents


def submit_quarter(db: Database, branch: str, fiscal_year: int, quarter: int, write_documents: DocumentWriter,
                   note: str = "", who: str | None = None) -> int:
    """提出: an admin's. The quarter's documents are written (by ``write_documents``: the PDF needs
    Qt, which the caller has) and kept in the database with who and when, and the quarter is
    locked (app/store/locks.py) — in one transaction, which refuses if anything changed while the
    documents were being written. Returns the submission's id."""
    import tempfile
    from datetime import datetime

    from sqlalchemy import func, select

    from app.core.errors import BranchReportError
    from app.core.fiscal import format_fy
    from app.store.access import check_admin
    from app.store.locks import active
    from db.models import ChangeLog, Submission, SubmissionDocument

    who = acting_user(db, who)
    said = f"{branch} {format_fy(fiscal_year)}第{quarter}四半期"

    def check(s) -> int:
        check_admin(s, who, "四半期の提出")
        if (branch, fiscal_year, quarter) in active(s):
            raise BranchReportError(f"{said}は既に提出済みです（branch-report submitted で確かめられます）")
        return s.scalar(select(func.max(ChangeLog.id))) or 0

    with db.session() as s:
        seen = check(s)
    with tempfile.TemporaryDirectory() as tmp:
        written = write_documents(Path(tmp))
        kept = [(kind, path.suffix.lower().lstrip("."), path.read_bytes()) for kind, path in written]
    with db.unit() as s:
        if check(s) != seen:
            raise BranchReportError(f"資料を作っている間にデータが変更されました。{said}は提出していません。"
                                    "もう一度提出してください")
        sub = Submission(branch_code=branch, fiscal_year=fiscal_year, quarter=quarter, submitted_by=who,
                         submitted_at=datetime.now().replace(microsecond=0), note=" ".join((note or "").split()))
        s.add(sub)
        s.flush()
        sub.documents = [SubmissionDocument(kind=kind, format=fmt, content=content,
                                            file_name=f"{branch}_FY{fiscal_year}_Q{quarter}_{sub.id}_{kind}.{fmt}")
                         for kind, fmt, content in kept]
        return sub.id


def unlock_quarter(db: Database, branch: str, fiscal_year: int, quarter: int, reason: str,
                   who: str | None = None) -> int:
    """鎖錠の解除: an admin's, with a reason that is kept (and shown by `submitted`). The kept
    documents stay. Returns the submission unlocked."""
    from datetime import datetime

    from app.core.fiscal import format_fy
    from app.store.access import check_admin
    from app.store.locks import active

    who = acting_user(db, who)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("解除の理由を入力してください（--reason）")
    with db.unit() as s:
        check_admin(s, who, "提出の解除")
        sub = active(s).get((branch, fiscal_year, quarter))
        if sub is None:
            raise NotFound(f"{branch} {format_fy(fiscal_year)}第{quarter}四半期は提出されていません（鎖錠されていません）")
        sub.unlocked_by, sub.unlocked_at, sub.unlock_reason = who, datetime.now().replace(microsecond=0), reason
        return sub.id
