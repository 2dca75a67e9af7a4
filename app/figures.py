"""Monthly tables as users read them: month values, the year column, KPI results.

The year column shows the figure a workbook printed when there is one (it may come from finer
data than the months) and the figure computed by the indicator's kind otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app import yearcol
from app.fiscal import FISCAL_MONTHS, AsOf, fiscal_months_until
from app.kpi import propose_rating
from app.queries import KpiView
from app.store import Database
from db.models import MonthlyValue, YearValue


@dataclass(frozen=True)
class GridRow:
    """One row of a monthly table: an indicator in a fiscal year."""
    indicator: str
    fiscal_year: int
    months: dict[int, float]
    year_value: float | None
    year_printed: bool          # the workbook printed it (else computed)
    year_disagrees: bool        # printed, and the months say otherwise


@dataclass(frozen=True)
class KpiResult:
    kpi: KpiView
    target: float | None        # resolved: fixed, or last year's year-end figure
    result: float | None
    as_of: AsOf | None
    proposed: str | None        # ◎ ○ △ proposed from the figures


class Figures:
    """The stored months and printed year figures of one branch, loaded once."""

    def __init__(self, db: Database, branch: str, codes: list[str] | None = None):
        self.catalogue = db.catalogue
        self.months: dict[tuple[str, int], dict[int, float]] = defaultdict(dict)
        self.printed: dict[tuple[str, int], float] = {}
        q = select(MonthlyValue.indicator_code, MonthlyValue.fiscal_year, MonthlyValue.month,
                   MonthlyValue.value).where(MonthlyValue.branch_code == branch)
        y = select(YearValue.indicator_code, YearValue.fiscal_year, YearValue.value, YearValue.decimals).where(
            YearValue.branch_code == branch)
        self.decimals: dict[tuple[str, int], int | None] = {}
        if codes is not None:
            wanted = set(codes)
            for c in codes:
                if c in self.catalogue:
                    wanted.update(yearcol.parts_needed(self.catalogue[c]))
            q = q.where(MonthlyValue.indicator_code.in_(wanted))
            y = y.where(YearValue.indicator_code.in_(wanted))
        with db.session() as s:
            for code, fy, month, value in s.execute(q):
                self.months[(code, fy)][month] = value
            for code, fy, value, decimals in s.execute(y):
                self.printed[(code, fy)] = value
                self.decimals[(code, fy)] = decimals

    def years(self, code: str) -> list[int]:
        return sorted({fy for c, fy in list(self.months) + list(self.printed) if c == code})

    def computed(self, code: str, fy: int, until: list[int] | None = None) -> float | None:
        ind = self.catalogue[code]
        parts = {c: self.months[(c, fy)] for c in yearcol.parts_needed(ind) if self.months.get((c, fy))}
        return yearcol.year_figure(ind, self.months.get((code, fy), {}), parts, until)

    def year_value(self, code: str, fy: int) -> float | None:
        printed = self.printed.get((code, fy))
        return printed if printed is not None else self.computed(code, fy)

    def row(self, code: str, fy: int) -> GridRow:
        printed = self.printed.get((code, fy))
        computed = self.computed(code, fy)
        decimals = self.decimals.get((code, fy))
        disagrees = printed is not None and not yearcol.agrees(
            printed, computed, 2 if decimals is None else decimals, self.catalogue[code].kind)
        value = printed if printed is not None else computed
        return GridRow(code, fy, dict(self.months.get((code, fy), {})), value, printed is not None, disagrees)

    def latest_month(self, code: str, fy: int) -> int | None:
        have = self.months.get((code, fy), {})
        present = [m for m in FISCAL_MONTHS if have.get(m) is not None]
        return present[-1] if present else None

    def kpi_result(self, kpi: KpiView, fy: int) -> KpiResult:
        """The KPI's result so far (year to date by the indicator's kind) against its target."""
        if not kpi.indicator or kpi.indicator not in self.catalogue:
            return KpiResult(kpi, kpi.target, None, None, None)
        ind = self.catalogue[kpi.indicator]
        target = self.year_value(kpi.indicator, fy - 1) if kpi.rule == "prev_fy" else kpi.target
        month = self.latest_month(kpi.indicator, fy)
        if month is None:
            return KpiResult(kpi, target, None, None, None)
        until = list(fiscal_months_until(month))
        result = self.printed.get((kpi.indicator, fy)) if month == 3 else None
        if result is None:
            result = self.computed(kpi.indicator, fy, until)
        rating = propose_rating(kpi.op, target, result, ind.higher_is_better)
        return KpiResult(kpi, target, result, AsOf(fy, month), rating)
