"""Editing a month's value by hand, and undoing it: validated like an import, logged with the whole
row before and after, so that an undo puts back the row as it was (its value and its origin: the
file and cell it was imported from, or who typed it when) — never the old value as a new hand edit.

These are services: they take the operation's session and never begin or commit (app/operations/ops.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.core.keys import CellKey
from app.core.errors import ConflictError, NotFound, ValidationError
from app.core.values import format_number, read_value
from app.store.locks import refuse_months
from db.models import ChangeLog, FiscalYear, MonthlyValue, Operation

HAND = "手入力"
ROW_FIELDS = ("value", "note", "batch_id", "source_file", "source_sheet", "source_cell", "edited_by", "edited_at")


@dataclass(frozen=True)
class Edit:
    """What a hand edit (or its undo) changed in one cell (None: no value)."""
    branch: str
    fiscal_year: int
    month: int
    indicator: str
    old: float | None
    new: float | None


UNCHECKED = object()


@dataclass(frozen=True)
class CellEntry:
    """One cell to set: what the user typed or pasted (or a number, or None to clear), and the
    value the user saw before (``expected``): if the stored value is no longer that one, someone
    else changed it meanwhile and nothing is stored (optimistic concurrency)."""
    branch: str
    fiscal_year: int
    month: int
    indicator: str
    entry: object
    expected: object = UNCHECKED


def parse_entry(catalogue, indicator: str, entry) -> float | None:
    """A typed or pasted entry → the value to store, by the importer's rules; a bad entry raises."""
    if indicator not in catalogue:
        raise NotFound(f"指標 {indicator} がありません")
    ind = catalogue[indicator]
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        return float(entry)
    reading = read_value(entry, unit=ind.unit, kind=ind.kind)
    if reading.problem:
        raise ValidationError(reading.problem)
    return reading.value


def ensure_years(s, years: set[int]) -> None:
    have = set(s.scalars(select(FiscalYear.year)))
    s.add_all(FiscalYear(year=y) for y in sorted(years - have))
    s.flush()


def new_operation(s, kind: str, who: str, undoes: int | None = None) -> Operation:
    op = Operation(kind=kind, at=datetime.now(), who=who, undoes=undoes)
    s.add(op)
    s.flush()
    return op


def _row(s, key: CellKey) -> MonthlyValue | None:
    return s.scalars(select(MonthlyValue).where(
        MonthlyValue.branch_code == key.branch, MonthlyValue.fiscal_year == key.fiscal_year,
        MonthlyValue.month == key.month, MonthlyValue.indicator_code == key.indicator).with_for_update()).first()


def _state(row: MonthlyValue | None) -> dict | None:
    if row is None:
        return None
    state = {f: getattr(row, f) for f in ROW_FIELDS}
    state["edited_at"] = row.edited_at.isoformat() if row.edited_at else None
    return state


def _put(s, key: CellKey, row: MonthlyValue | None, state: dict | None) -> None:
    """Make the cell's row what ``state`` says (None: no row)."""
    if state is None:
        if row is not None:
            s.delete(row)
        return
    if row is None:
        row = MonthlyValue(branch_code=key.branch, fiscal_year=key.fiscal_year, month=key.month,
                           indicator_code=key.indicator, version=0)
        s.add(row)
    for f in ROW_FIELDS:
        setattr(row, f, datetime.fromisoformat(state[f]) if f == "edited_at" and state[f] else state[f])
    row.version = (row.version or 0) + 1


def _value(state: dict | None) -> float | None:
    return None if state is None else state["value"]


def _log(s, op: Operation, key: CellKey, before: dict | None, after: dict | None, source: str) -> None:
    def value(state):
        return None if state is None else format_number(state["value"])
    s.add(ChangeLog(at=op.at, who=op.who, entity="monthly_value",
                    key=str(key), field="value",
                    old=value(before), new=value(after), source=source, op_id=op.id,
                    row_before=json.dumps({"key": key.__dict__, "row": before}, ensure_ascii=False),
                    row_after=json.dumps({"key": key.__dict__, "row": after}, ensure_ascii=False)))


def cell_name(catalogue, key) -> str:
    name = catalogue[key.indicator].name if key.indicator in catalogue else key.indicator
    return f"{name} {key.fiscal_year}年度 {key.month}月"


def write_cells(s, catalogue, op: Operation, cells: list[CellEntry], source: str = HAND) -> list[Edit]:
    """Several cells (a paste, a cleared range) as part of one operation: all valid and stored, or
    an error (ValidationError naming the month and indicator, ConflictError with both values).
    ``source`` is what the change log says they came from (typed by hand, a work package)."""
    from app.store.access import check_indicator

    parsed = []
    for c in cells:
        if not 1 <= c.month <= 12:
            raise ValidationError(f"月は 1〜12 です ({c.month})")
        try:
            parsed.append((c, parse_entry(catalogue, c.indicator, c.entry)))
        except ValidationError as exc:
            name = catalogue[c.indicator].name if c.indicator in catalogue else c.indicator
            raise ValidationError(f"{name} {c.month}月: {exc}") from exc
    for c, _ in parsed:
        check_indicator(s, catalogue, op.who, c.branch, c.indicator)
    ensure_years(s, {c.fiscal_year for c, _ in parsed})
    edits, conflicts = [], []
    for c, new in parsed:
        key = CellKey(c.branch, c.fiscal_year, c.month, c.indicator)
        row = _row(s, key)
        old = row.value if row else None
        if c.expected is not UNCHECKED and old != c.expected:
            conflicts.append((cell_name(catalogue, key), old, new))
            continue
        edits.append(Edit(c.branch, c.fiscal_year, c.month, c.indicator, old, new))
        if old == new:
            continue
        refuse_months(s, [(c.branch, c.fiscal_year, c.month)])
        before = _state(row)
        after = None if new is None else {**(before or {f: None for f in ROW_FIELDS}), "value": new,
                                          "edited_by": op.who, "edited_at": op.at.isoformat()}
        _put(s, key, row, after)
        _log(s, op, key, before, after, source)
    if conflicts:
        raise ConflictError("ほかの人が同じセルを変更しました。どちらの値にするか選んでください", conflicts)
    return edits


def undo_cells(s, catalogue, op: Operation, undone: int) -> list[Edit]:
    """Put back every cell operation ``undone`` changed, as its row was before (value and origin).
    Undoing an undo is a redo. A cell changed again since is a ConflictError: nothing is stored."""
    from app.store.access import check_indicator

    source = "元に戻す" if op.kind == "undo" else "やり直し"
    logs = list(s.scalars(select(ChangeLog).where(ChangeLog.op_id == undone, ChangeLog.entity == "monthly_value")
                          .order_by(ChangeLog.id.desc())))
    edits, conflicts = [], []
    for log in logs:
        was, then = json.loads(log.row_before), json.loads(log.row_after)
        key = CellKey(**was["key"])
        check_indicator(s, catalogue, op.who, key.branch, key.indicator)
        row = _row(s, key)
        now = _state(row)
        if _value(now) != _value(then["row"]):
            conflicts.append((cell_name(catalogue, key), _value(now), _value(was["row"])))
            continue
        refuse_months(s, [(key.branch, key.fiscal_year, key.month)])
        _put(s, key, row, was["row"])
        _log(s, op, key, now, was["row"], source)
        edits.append(Edit(key.branch, key.fiscal_year, key.month, key.indicator, _value(now), _value(was["row"])))
    if conflicts:
        raise ConflictError("その後に変更されたセルがあるため、元に戻せません", conflicts)
    return edits


def check_value(s, catalogue, who: str, key: CellKey, comment: str) -> float:
    """点検の確認: the warnings on a month's figure acknowledged, with a short comment (kept in the
    cell's history); they stay quiet until the figure changes. Returns the figure acknowledged."""
    from app.store.access import check_indicator
    from db.models import ValueCheck

    comment = " ".join((comment or "").split())
    if not comment:
        raise ValidationError("確認のコメントを入力してください（なぜこの値でよいのか、短く）")
    row = _row(s, key)
    if row is None:
        raise NotFound(f"{cell_name(catalogue, key)} に値がありません")
    check_indicator(s, catalogue, who, key.branch, key.indicator)
    at = datetime.now()
    kept = s.scalars(select(ValueCheck).where(
        ValueCheck.branch_code == key.branch, ValueCheck.fiscal_year == key.fiscal_year,
        ValueCheck.month == key.month, ValueCheck.indicator_code == key.indicator)).one_or_none()
    if kept is None:
        kept = ValueCheck(branch_code=key.branch, fiscal_year=key.fiscal_year, month=key.month,
                          indicator_code=key.indicator)
        s.add(kept)
    kept.value, kept.comment, kept.checked_by, kept.checked_at = row.value, comment, who, at
    figure = format_number(row.value)
    s.add(ChangeLog(at=at, who=who, entity="monthly_value", field="checked", old=figure, new=figure,
                    key=f"{key.branch}/{key.fiscal_year}/{key.month}/{key.indicator}", source=f"点検確認: {comment}"))
    s.flush()
    return row.value


def history(db, branch: str, fiscal_year: int, month: int, indicator: str) -> list[ChangeLog]:
    """A cell's change history, newest first (detached rows: read only)."""
    with db.session() as s:
        return list(s.scalars(select(ChangeLog).where(
            ChangeLog.entity == "monthly_value", ChangeLog.key == str(CellKey(branch, fiscal_year, month, indicator)))
            .order_by(ChangeLog.id.desc())))
