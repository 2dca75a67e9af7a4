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
from db.engine import delete_rows, insert_rows, update_rows
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


def _value(state: dict | None) -> float | None:
    return None if state is None else state["value"]


_json = json.JSONEncoder(ensure_ascii=False).encode      # json.dumps(..., ensure_ascii=False), made once


class _Cells:
    """The rows of some cells for one operation: read in one statement (locked on the server),
    changed in memory cell by cell (a cell given twice sees its first change), then written in
    bulk — deletes, updates, inserts, and the change-log lines in the order they were made."""

    def __init__(self, s, keys: list[CellKey]):
        t = MonthlyValue.__table__
        self.s, self.logs, self.op = s, [], None       # op: the operation and its fields of every log line
        self.rows: dict[CellKey, tuple[int, int, dict]] = {}     # as read: id, version, the row as _state gives it
        wanted = set(keys)
        if wanted:
            q = (select(t.c.id, t.c.version, t.c.branch_code, t.c.fiscal_year, t.c.month, t.c.indicator_code,
                        *(t.c[f] for f in ROW_FIELDS))
                 .where(t.c.branch_code.in_({k.branch for k in wanted}),
                        t.c.fiscal_year.in_({k.fiscal_year for k in wanted}),
                        t.c.month.in_({k.month for k in wanted}),
                        t.c.indicator_code.in_({k.indicator for k in wanted})).with_for_update())
            for r in s.connection().execute(q).fetchall():
                key = CellKey(*r[2:6])
                if key in wanted:
                    state = dict(zip(ROW_FIELDS, r[6:]))
                    state["edited_at"] = state["edited_at"].isoformat() if state["edited_at"] else None
                    self.rows[key] = (r[0], r[1], state)
        self.now: dict[CellKey, tuple[dict | None, int]] = {}   # changed: (state, version)

    def state(self, key: CellKey) -> dict | None:
        """The cell's row as _state gives it (edited_at as ISO text), with the changes made so far
        (not to be changed in place)."""
        changed = self.now.get(key)
        if changed is not None:
            return changed[0]
        row = self.rows.get(key)
        return None if row is None else row[2]

    def put(self, key: CellKey, state: dict | None) -> None:
        """Make the cell's row what ``state`` says (None: no row); its version counts the changes."""
        changed = self.now.get(key)
        if changed is not None:
            had, version = changed
        else:
            row = self.rows.get(key)
            had, version = (None, 0) if row is None else (row[2], row[1])
        self.now[key] = (state, 0 if state is None else (version or 0) + 1 if had is not None else 1)

    def log(self, op: Operation, key: CellKey, before: dict | None, after: dict | None, source: str,
            texts: tuple[str | None, str | None] = (None, None)) -> None:
        """A change-log line; ``texts``: the rows before and after as the log writes them, when
        they are at hand already (an undo's, from the line it takes back)."""
        def value(state):
            return None if state is None else format_number(state["value"])
        if self.op is None or self.op[0] is not op:
            self.op = (op, {"at": op.at, "who": op.who, "entity": "monthly_value", "field": "value", "batch_id": None,
                            "op_id": op.id})
        self.logs.append({**self.op[1], "key": str(key), "old": value(before), "new": value(after), "source": source,
                          "row_before": texts[0] or _json({"key": key.__dict__, "row": before}),
                          "row_after": texts[1] or _json({"key": key.__dict__, "row": after})})

    def write(self) -> None:
        t = MonthlyValue.__table__
        deletes, updates, inserts = [], [], []
        for key, (state, version) in self.now.items():
            row = self.rows.get(key)
            row_id = None if row is None else row[0]
            if state is not None:
                fields = {f: datetime.fromisoformat(state[f]) if f == "edited_at" and state[f] else state[f]
                          for f in ROW_FIELDS}
            if state is None:
                if row is not None:
                    deletes.append(row_id)
            elif row is not None:
                updates.append({"id": row_id, **fields, "version": version})
            else:
                inserts.append({"branch_code": key.branch, "fiscal_year": key.fiscal_year, "month": key.month,
                                "indicator_code": key.indicator, **fields, "version": version})
        conn = self.s.connection()
        delete_rows(conn, t, deletes)
        update_rows(conn, t, updates)
        insert_rows(conn, t, inserts)
        insert_rows(conn, ChangeLog.__table__, self.logs)


def cell_name(catalogue, key) -> str:
    name = catalogue[key.indicator].name if key.indicator in catalogue else key.indicator
    return f"{name} {key.fiscal_year}年度 {key.month}月"


def _check_cells(s, catalogue, who: str, keys) -> None:
    from app.store.access import check_indicator

    for branch, indicator in dict.fromkeys((k.branch, k.indicator) for k in keys):
        check_indicator(s, catalogue, who, branch, indicator)


def write_cells(s, catalogue, op: Operation, cells: list[CellEntry], source: str = HAND) -> list[Edit]:
    """Several cells (a paste, a cleared range) as part of one operation: all valid and stored, or
    an error (ValidationError naming the month and indicator, ConflictError with both values).
    ``source`` is what the change log says they came from (typed by hand, a work package).
    The cells' rows are read in one statement and written in bulk (_Cells)."""
    parsed = []
    for c in cells:
        if not 1 <= c.month <= 12:
            raise ValidationError(f"月は 1〜12 です ({c.month})")
        try:
            parsed.append((c, parse_entry(catalogue, c.indicator, c.entry)))
        except ValidationError as exc:
            name = catalogue[c.indicator].name if c.indicator in catalogue else c.indicator
            raise ValidationError(f"{name} {c.month}月: {exc}") from exc
    keys = [CellKey(c.branch, c.fiscal_year, c.month, c.indicator) for c, _ in parsed]
    _check_cells(s, catalogue, op.who, keys)
    ensure_years(s, {c.fiscal_year for c, _ in parsed})
    rows = _Cells(s, keys)
    edits, conflicts, changing = [], [], []
    at = op.at.isoformat()
    for key, (c, new) in zip(keys, parsed):
        before = rows.state(key)
        old = _value(before)
        if c.expected is not UNCHECKED and old != c.expected:
            conflicts.append((cell_name(catalogue, key), old, new))
            continue
        edits.append(Edit(c.branch, c.fiscal_year, c.month, c.indicator, old, new))
        if old == new:
            continue
        changing.append((c.branch, c.fiscal_year, c.month))
        after = None if new is None else {**(before or {f: None for f in ROW_FIELDS}), "value": new,
                                          "edited_by": op.who, "edited_at": at}
        rows.put(key, after)
        rows.log(op, key, before, after, source)
    refuse_months(s, changing)              # a submitted quarter's months stay as they are
    if conflicts:
        raise ConflictError("ほかの人が同じセルを変更しました。どちらの値にするか選んでください", conflicts)
    rows.write()
    return edits


def undo_cells(s, catalogue, op: Operation, undone: int) -> list[Edit]:
    """Put back every cell operation ``undone`` changed, as its row was before (value and origin).
    Undoing an undo is a redo. A cell changed again since is a ConflictError: nothing is stored."""
    source = "元に戻す" if op.kind == "undo" else "やり直し"
    texts = s.connection().execute(select(ChangeLog.row_before, ChangeLog.row_after)
                                   .where(ChangeLog.op_id == undone, ChangeLog.entity == "monthly_value")
                                   .order_by(ChangeLog.id.desc())).fetchall()
    logs = [(json.loads(before), json.loads(after)) for before, after in texts]
    keys = [CellKey(**was["key"]) for was, _ in logs]
    _check_cells(s, catalogue, op.who, keys)
    rows = _Cells(s, keys)
    edits, conflicts, changing = [], [], []
    for key, (was, then), (was_text, then_text) in zip(keys, logs, texts):
        now = rows.state(key)
        if _value(now) != _value(then["row"]):
            conflicts.append((cell_name(catalogue, key), _value(now), _value(was["row"])))
            continue
        changing.append((key.branch, key.fiscal_year, key.month))
        rows.put(key, was["row"])
        # the line taken back holds both rows as the log writes them: its row before is this
        # line's row after, and its row after this line's row before while the row is unchanged
        rows.log(op, key, now, was["row"], source, (then_text if now == then["row"] else None, was_text))
        edits.append(Edit(key.branch, key.fiscal_year, key.month, key.indicator, _value(now), _value(was["row"])))
    refuse_months(s, changing)
    if conflicts:
        raise ConflictError("その後に変更されたセルがあるため、元に戻せません", conflicts)
    rows.write()
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
