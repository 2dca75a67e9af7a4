"""Monthly tables as users read them: month values, the year column, KPI results.

The year column shows the figure a workbook printed when there is one (it may come from finer
data than the months) and the figure computed by the indicator's kind otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.core import yearcol
from app.core.fiscal import FISCAL_MONTHS, AsOf, fiscal_months_until, months_to_quarter_end
from app.core.indicator_kinds import kind_of
from app.core.kpi import propose_rating
from app.core.plausibility import Flag, check_row, is_whole, places
from app.reads.queries import KpiView, when
from app.store.database import Database
from app.core.values import format_value


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
    decimals: int | None = None              # how its figures are written (Figures.decimals)
    warnings: dict[int, str] = field(default_factory=dict)       # 点検: month → why its figure looks wrong
    year_computed: float | None = None       # the year figure the months give (beside a printed one)


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
        self.decimals_printed: dict[tuple[str, int], int | None] = {}
        self.checked: dict[tuple[str, int, int], float] = {}      # (code, fy, month) → figure acknowledged
        self._decimals: dict[str, int | None] = {}
        which, params = "", {"b": branch}
        if codes is not None:
            wanted = set(codes)
            for c in codes:
                if c in self.catalogue:
                    wanted.update(yearcol.parts_needed(self.catalogue[c]))
            which, params["codes"] = " AND indicator_code IN :codes", sorted(wanted)
        with db.reading() as rows:
            for code, fy, month, value, file, sheet, cell, who, at in rows(
                    "SELECT indicator_code, fiscal_year, month, value, source_file, source_sheet, source_cell, "
                    "edited_by, edited_at FROM monthly_value WHERE branch_code = :b" + which, **params):
                self.months[(code, fy)][month] = value
                self.origins[(code, fy)][month] = (
                    f"手入力: {who} {when(at):%Y-%m-%d %H:%M}" if who else
                    f"取込: {file} {sheet}!{cell}" if file else "")
            for code, fy, value, decimals in rows("SELECT indicator_code, fiscal_year, value, decimals FROM year_value "
                                                  "WHERE branch_code = :b" + which, **params):
                self.printed[(code, fy)] = value
                self.decimals_printed[(code, fy)] = decimals
            for code, fy, month, value in rows("SELECT indicator_code, fiscal_year, month, value FROM value_check "
                                               "WHERE branch_code = :b", b=branch):
                self.checked[(code, fy, month)] = value

    def years(self, code: str) -> list[int]:
        """The fiscal years with figures of the indicator (a ratio's: from its parts too)."""
        found = {fy for c, fy in list(self.months) + list(self.printed) if c == code}
        ind = self.catalogue[code]
        if ind.is_ratio_with_parts:
            found |= {fy for c, fy in self.months if c == ind.numerator and self.ratio_months(code, fy)}
        return sorted(found)

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
        decimals = self.decimals_printed.get((code, fy))
        disagrees = printed is not None and not yearcol.agrees(
            printed, computed, 2 if decimals is None else decimals, self.catalogue[code].kind, self.catalogue[code].unit)
        value = printed if printed is not None else computed
        months = dict(self.months.get((code, fy), {}))
        from_parts = self.ratio_months(code, fy)
        flags = self.flags(code, fy)
        disagree = frozenset(f.month for f in flags if f.rule == "parts" and f.month in from_parts)
        warnings: dict[int, str] = {}
        for f in flags:
            warnings[f.month] = f"{warnings[f.month]}\n{f.reason}" if f.month in warnings else f.reason
        return GridRow(code, fy, months, value, printed is not None, disagrees, from_parts, disagree,
                       dict(self.origins.get((code, fy), {})), self.decimals(code), warnings,
                       year_computed=computed)

    def flags(self, code: str, fy: int) -> list[Flag]:
        """点検: the plausibility warnings of the indicator's stored months in a fiscal year
        (against its neighbours, the year before and its parts) — but those of a figure someone
        acknowledged (点検の確認), until that figure changes."""
        ind = self.catalogue[code]
        parts = {c: self.months.get((c, fy), {}) for c in (*ind.sum_of, ind.numerator, *ind.denominator) if c}
        flags = check_row(ind, self.months.get((code, fy), {}), last_year=self.months.get((code, fy - 1), {}),
                          parts=parts)
        return [f for f in flags if self.checked.get((code, fy, f.month)) != f.value]

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
        if not ind.is_ratio_with_parts:
            return {}
        parts = {c: self.months.get((c, fy), {}) for c in (ind.numerator, *ind.denominator)}
        out = {}
        for m in FISCAL_MONTHS:
            if all(parts[c].get(m) is not None for c in parts):
                value = yearcol.year_figure(ind, {}, parts, until=[m])
                if value is not None:
                    out[m] = value
        return out

    def decimals(self, code: str) -> int | None:
        """How many decimals an indicator's figures are written with — the one rule the grid, the
        dashboard, the documents and the work package all follow: as many as its most precise
        stored figure (months, and year figures at their printed precision; at most 3), at least
        1 for a percentage. So 平均所要日数 is 6.70 beside 6.14, and 62.0% stays 62.0%. A count
        (件 人 回 事業所: app.core.plausibility.is_whole) is written without decimals whatever one
        cell holds — that cell shows its own (and is warned). None for durations (written h:mm).
        An indicator whose catalogue entry says its decimals (``decimals``: サービススタンダード達成率
        100%, as seed 004 prints it) is written with those. The grid, its tooltips, 支部別（全国）,
        the chart's tooltips and the documents all ask here."""
        if code in self._decimals:
            return self._decimals[code]
        ind = self.catalogue[code]
        if kind_of(ind.kind, ind.unit).clock:
            return self._decimals.setdefault(code, None)
        if ind.decimals is not None:
            return self._decimals.setdefault(code, ind.decimals)
        shown = [] if is_whole(ind) else [places(v) for (c, _), months in self.months.items() if c == code
                                          for v in months.values()]
        shown += [d for (c, _), d in self.decimals_printed.items() if c == code and d is not None]
        return self._decimals.setdefault(code, min(max(shown + [1 if ind.unit == "%" else 0]), 3))


    def text(self, code: str, value: float | None, negative: str = "△") -> str:
        """A figure of the indicator as users write it ('2,481', '94.6%', '6.70', '3:05', '－')."""
        ind = self.catalogue[code]
        return format_value(value, unit=ind.unit, kind=ind.kind, decimals=self.decimals(code), negative=negative)

    def shown_months(self, code: str, fy: int, quarter: int | None = None) -> dict[int, float]:
        """The months as every view shows them: the stored value, else — for a ratio — the value
        computed from its stored parts; with a quarter, none after that quarter's end."""
        months = {**self.ratio_months(code, fy), **self.months.get((code, fy), {})}
        if quarter is not None:
            upto = months_to_quarter_end(quarter)
            months = {m: v for m, v in months.items() if m in upto}
        return months

    def latest_month(self, code: str, fy: int, quarter: int | None = None) -> int | None:
        """The last month with a value (up to the quarter's end, with a quarter)."""
        have = self.shown_months(code, fy, quarter)
        present = [m for m in FISCAL_MONTHS if have.get(m) is not None]
        return present[-1] if present else None

    def kpi_result(self, kpi: KpiView, fy: int, quarter: int | None = None) -> KpiResult:
        """The KPI's result so far (year to date by the indicator's kind) against its target; with
        a quarter, as of that quarter's end (no later month counts)."""
        if not kpi.indicator or kpi.indicator not in self.catalogue:     # a result entered by hand
            result = kpi.manual_result
            return KpiResult(kpi, kpi.target, result, None,
                             propose_rating(kpi.op, kpi.target, result) if result is not None else None)
        ind = self.catalogue[kpi.indicator]
        target = self.year_value(kpi.indicator, fy - 1) if kpi.rule == "prev_fy" else kpi.target
        month = self.latest_month(kpi.indicator, fy, quarter)
        if month is None:                           # only a printed year figure (一者応札割合: 8.3%)
            printed = self.printed.get((kpi.indicator, fy)) if quarter in (None, 4) else None
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
