"""Editing a month's value by hand: validated like an import, one transaction, logged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.errors import NotFound, ValidationError
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


def set_month_value(db: Database, branch: str, fiscal_year: int, month: int, indicator: str, entry,
                    who: str | None = None) -> Edit:
    """Store (or clear, for '' / '－') one month's value; log old → new with who and when."""
    if not 1 <= month <= 12:
        raise ValidationError(f"月は 1〜12 です ({month})")
    new = parse_entry(db, indicator, entry)
    who, now = who or current_user(), datetime.now()
    with db.sessions.begin() as s:
        row = s.scalars(select(MonthlyValue).where(
            MonthlyValue.branch_code == branch, MonthlyValue.fiscal_year == fiscal_year,
            MonthlyValue.month == month, MonthlyValue.indicator_code == indicator)).first()
        old = row.value if row else None
        if old == new:
            return Edit(branch, fiscal_year, month, indicator, old, new)
        if new is None:
            s.delete(row)
        elif row is None:
            _ensure_years(s, {fiscal_year})
            s.add(MonthlyValue(branch_code=branch, fiscal_year=fiscal_year, month=month, indicator_code=indicator,
                               value=new, edited_by=who, edited_at=now, version=1))
        else:
            row.value, row.edited_by, row.edited_at, row.version = new, who, now, row.version + 1
        s.add(ChangeLog(at=now, who=who, entity="monthly_value", key=f"{branch}/{fiscal_year}/{month}/{indicator}",
                        field="value", old=None if old is None else format_number(old),
                        new=None if new is None else format_number(new), source="hand edit"))
    return Edit(branch, fiscal_year, month, indicator, old, new)


def history(db: Database, branch: str, fiscal_year: int, month: int, indicator: str) -> list[ChangeLog]:
    """A cell's change history, newest first (detached rows: read only)."""
    with db.session() as s:
        return list(s.scalars(select(ChangeLog).where(
            ChangeLog.entity == "monthly_value", ChangeLog.key == f"{branch}/{fiscal_year}/{month}/{indicator}")
            .order_by(ChangeLog.id.desc())))
