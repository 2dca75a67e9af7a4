"""Editing a month's value by hand: validated like an import, one transaction, logged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.errors import ConflictError, NotFound, ValidationError
from app.imports import _ensure_years, format_number
from app.store import Database, current_user
from app.values import read_value
from db.models import ChangeLog, MonthlyValue


@dataclass(frozen=True)
class Edit:
    """What a hand edit changed (None: no value)."""
    branch: str
    fiscal_year: int
    month: int
    indicator: str
    old: float | None
    new: float | None


def parse_entry(db: Database, indicator: str, entry) -> float | None:
    """A typed or pasted entry → the value to store, by the importer's rules; a bad entry raises."""
    if indicator not in db.catalogue:
        raise NotFound(f"指標 {indicator} がありません")
    ind = db.catalogue[indicator]
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        return float(entry)
    reading = read_value(entry, unit=ind.unit, kind=ind.kind)
    if reading.problem:
        raise ValidationError(reading.problem)
    return reading.value


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


def set_month_value(db: Database, branch: str, fiscal_year: int, month: int, indicator: str, entry,
                    who: str | None = None) -> Edit:
    """Store (or clear, for '' / '－') one month's value; log old → new with who and when."""
    return set_month_values(db, [CellEntry(branch, fiscal_year, month, indicator, entry)], who)[0]


def set_month_values(db: Database, cells: list[CellEntry], who: str | None = None) -> list[Edit]:
    """Several cells (a paste, a cleared range) as one edit: all valid and stored, or none.

    A bad entry raises ValidationError naming the month and indicator; nothing is stored then.
    """
    parsed = []
    for c in cells:
        if not 1 <= c.month <= 12:
            raise ValidationError(f"月は 1〜12 です ({c.month})")
        try:
            parsed.append((c, parse_entry(db, c.indicator, c.entry)))
        except ValidationError as exc:
            name = db.catalogue[c.indicator].name if c.indicator in db.catalogue else c.indicator
            raise ValidationError(f"{name} {c.month}月: {exc}") from exc
    who, now = who or current_user(), datetime.now()
    from app.access import check_indicator

    for c, _ in parsed:
        check_indicator(db, who, c.branch, c.indicator)
    edits, conflicts = [], []
    with db.sessions.begin() as s:
        _ensure_years(s, {c.fiscal_year for c, _ in parsed})
        for c, new in parsed:
            row = s.scalars(select(MonthlyValue).where(
                MonthlyValue.branch_code == c.branch, MonthlyValue.fiscal_year == c.fiscal_year,
                MonthlyValue.month == c.month, MonthlyValue.indicator_code == c.indicator).with_for_update()).first()
            old = row.value if row else None
            if c.expected is not UNCHECKED and old != c.expected:
                name = db.catalogue[c.indicator].name if c.indicator in db.catalogue else c.indicator
                conflicts.append((f"{name} {c.fiscal_year}年度 {c.month}月", old, new))
                continue
            edits.append(Edit(c.branch, c.fiscal_year, c.month, c.indicator, old, new))
            if old == new:
                continue
            if new is None:
                s.delete(row)
            elif row is None:
                s.add(MonthlyValue(branch_code=c.branch, fiscal_year=c.fiscal_year, month=c.month,
                                   indicator_code=c.indicator, value=new, edited_by=who, edited_at=now, version=1))
            else:
                row.value, row.edited_by, row.edited_at, row.version = new, who, now, row.version + 1
            s.add(ChangeLog(at=now, who=who, entity="monthly_value",
                            key=f"{c.branch}/{c.fiscal_year}/{c.month}/{c.indicator}", field="value",
                            old=None if old is None else format_number(old),
                            new=None if new is None else format_number(new), source="hand edit"))
        if conflicts:
            s.rollback()
            raise ConflictError("ほかの人が同じセルを変更しました。どちらの値にするか選んでください", conflicts)
    return edits


def history(db: Database, branch: str, fiscal_year: int, month: int, indicator: str) -> list[ChangeLog]:
    """A cell's change history, newest first (detached rows: read only)."""
    with db.session() as s:
        return list(s.scalars(select(ChangeLog).where(
            ChangeLog.entity == "monthly_value", ChangeLog.key == f"{branch}/{fiscal_year}/{month}/{indicator}")
            .order_by(ChangeLog.id.desc())))
