"""Monthly tables as users read them: month values, the year column, KPI results.

The year column shows the figure a workbook printed when there is one (it may come from finer
data than the months) and the figure computed by the indicator's kind otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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
    from_parts: dict[int, float] = field(default_factory=dict)   # a ratio computed from its parts
    disagree: frozenset[int] = frozenset()   # months whose typed ratio differs from its parts
    origin: dict[int, str] = field(default_factory=dict)         # where each month's value came from
    year_decimals: int | None = None         # the precision the year figure was printed at


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
        self.origins: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
        q = select(MonthlyValue.indicator_code, MonthlyValue.fiscal_year, MonthlyValue.month,
                   MonthlyValue.value, MonthlyValue.source_file, MonthlyValue.source_sheet,
                   MonthlyValue.source_cell, MonthlyValue.edited_by, MonthlyValue.edited_at).where(
            MonthlyValue.branch_code == branch)
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
            for code, fy, month, value, file, sheet, cell, who, when in s.execute(q):
                self.months[(code, fy)][month] = value
                self.origins[(code, fy)][month] = (
                    f"手入力: {who} {when:%Y-%m-%d %H:%M}" if who else
                    f"取込: {file} {sheet}!{cell}" if file else "")
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
        months = dict(self.months.get((code, fy), {}))
        from_parts = self.ratio_months(code, fy)
        disagree = frozenset(m for m, v in months.items() if m in from_parts and not _same_shown(v, from_parts[m]))
        return GridRow(code, fy, months, value, printed is not None, disagrees, from_parts, disagree,
                       dict(self.origins.get((code, fy), {})), decimals if printed is not None else None)

    def grid_rows(self, codes: list[str], fy: int) -> list[GridRow]:
        """The monthly table as seed 004 shows it: a block per fiscal year (earlier years first,
        those with figures), indicators in catalogue order; this year's rows always, to fill in."""
        order = {ind.code: i for i, ind in enumerate(self.catalogue)}
        codes = sorted(codes, key=lambda c: order.get(c, len(order)))
        years = sorted({y for c in codes for y in self.years(c) if y < fy})
        rows = [self.row(c, y) for y in years for c in codes if (c, y) in self.months or (c, y) in self.printed]
        return rows + [self.row(c, fy) for c in codes]

    def ratio_months(self, code: str, fy: int) -> dict[int, float]:
        """A ratio's months computed from its stored parts (郵送化率 from 郵送件数 and 窓口件数)."""
        ind = self.catalogue[code]
        if ind.kind != "ratio" or not ind.numerator or not ind.denominator:
            return {}
        parts = {c: self.months.get((c, fy), {}) for c in (ind.numerator, *ind.denominator)}
        out = {}
        for m in FISCAL_MONTHS:
            if all(parts[c].get(m) is not None for c in parts):
                value = yearcol.year_figure(ind, {}, parts, until=[m])
                if value is not None:
                    out[m] = value
        return out

    def shown_decimals(self, code: str) -> int:
        """How precisely the indicator's figures are written (its stored months; 1 for %, else 0)."""
        shown = [len(repr(v).split(".")[1]) for (c, _), months in self.months.items() if c == code
                 for v in months.values() if not float(v).is_integer() and "e" not in repr(v)]
        return min(max(shown, default=1 if self.catalogue[code].unit == "%" else 0), 3)

    def latest_month(self, code: str, fy: int) -> int | None:
        have = self.months.get((code, fy), {})
        present = [m for m in FISCAL_MONTHS if have.get(m) is not None]
        return present[-1] if present else None

    def kpi_result(self, kpi: KpiView, fy: int) -> KpiResult:
        """The KPI's result so far (year to date by the indicator's kind) against its target."""
        if not kpi.indicator or kpi.indicator not in self.catalogue:     # a result entered by hand
            result = kpi.manual_result
            return KpiResult(kpi, kpi.target, result, None,
                             propose_rating(kpi.op, kpi.target, result) if result is not None else None)
        ind = self.catalogue[kpi.indicator]
        target = self.year_value(kpi.indicator, fy - 1) if kpi.rule == "prev_fy" else kpi.target
        month = self.latest_month(kpi.indicator, fy)
        if month is None:                           # only a printed year figure (一者応札割合: 8.3%)
            printed = self.printed.get((kpi.indicator, fy))
            if printed is None:
                return KpiResult(kpi, target, None, None, None)
            return KpiResult(kpi, target, printed, AsOf(fy, 3),
                             propose_rating(kpi.op, target, printed, ind.higher_is_better))
        until = list(fiscal_months_until(month))
        result = self.printed.get((kpi.indicator, fy)) if month == 3 else None
        if result is None:
            result = self.computed(kpi.indicator, fy, until)
        rating = propose_rating(kpi.op, target, result, ind.higher_is_better)
        return KpiResult(kpi, target, result, AsOf(fy, month), rating)


def _same_shown(typed: float, computed: float) -> bool:
    """Does a typed figure agree with a computed one at the typed figure's own precision?"""
    text = repr(float(typed))
    decimals = 0 if float(typed).is_integer() or "e" in text else len(text.split(".")[1])
    return abs(typed - computed) <= 0.5 * 10 ** -decimals + 1e-9
