"""What a trend chart shows, without Qt: a series per fiscal year over 4月…3月, the KPI target,
the national figure (全国), the branch's national rank per month (支部別表) and the rank shown with its
basis (app.reads.ranks.ShownRank: 本部公表 where typed).

Gaps stay gaps: a month with no value is None, never zero.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.core import yearcol
from app.core.indicator_kinds import kind_of
from app.reads.figures import Figures
from app.core.fiscal import FISCAL_MONTHS, AsOf, fiscal_months_until, format_fy, months_to_quarter_end
from app.reads.ranks import NO_RANK, ShownRank
from app.store.database import Database



@dataclass(frozen=True)
class Series:
    label: str                   # 令和6年度
    fiscal_year: int
    values: tuple[float | None, ...]   # in fiscal month order
    current: bool                # the chosen year (drawn bold)
    as_of: AsOf | None


@dataclass(frozen=True)
class ChartData:
    indicator: str
    name: str
    unit: str
    kind: str
    fiscal_year: int
    series: tuple[Series, ...]
    target: float | None
    target_label: str
    national: tuple[float | None, ...] | None
    ranks: tuple[int | None, ...] | None    # computed from the by-branch tables, per month
    cumulative: bool             # year to date (counts) instead of monthly
    rank: ShownRank = NO_RANK    # the rank every view shows (its KPI's), with its basis
    decimals: int | None = None  # how its figures are written (Figures.decimals: the grid's rule)

    @property
    def bars(self) -> bool:
        return kind_of(self.kind, self.unit).summed and not self.cumulative   # the rest as lines


def year_to_date(indicator, months: dict[int, float], parts: dict) -> list[float | None]:
    """Each month's figure so far in the year, by the indicator's kind (None after the data ends)."""
    out = []
    for m in FISCAL_MONTHS:
        if months.get(m) is None and not any(p.get(m) is not None for p in parts.values()):
            out.append(None)
            continue
        out.append(yearcol.year_figure(indicator, months, parts, until=list(fiscal_months_until(m))))
    return out


def chart_data(db: Database, branch: str, indicator: str, fiscal_year: int, years: int = 3,
               cumulative: bool = False, figures: Figures | None = None, quarter: int | None = None,
               plan=None) -> ChartData:
    """The chart of one indicator: this year and up to ``years - 1`` earlier ones; with a quarter,
    this year as of that quarter's end (the quarterly documents). ``plan``: the year's plan items
    and their ranks (plan_of), when several charts of one document share them."""
    from app.reads.queries import plan_items
    from app.reads.ranks import national_ranks, plan_ranks

    cat = db.catalogue
    ind = cat[indicator]
    fig = figures or Figures(db, branch, [indicator])
    shown = [y for y in fig.years(indicator) if fiscal_year - years < y < fiscal_year] + [fiscal_year]
    series = []
    for fy in shown:
        months = fig.shown_months(indicator, fy, quarter if fy == fiscal_year else None)
        if cumulative and kind_of(ind.kind, ind.unit).summed:
            parts = {c: fig.shown_months(c, fy, quarter if fy == fiscal_year else None)
                     for c in yearcol.parts_needed(ind)}
            values = year_to_date(ind, months, parts)
        else:
            values = [months.get(m) for m in FISCAL_MONTHS]
        latest = fig.latest_month(indicator, fy, quarter if fy == fiscal_year else None)
        series.append(Series(format_fy(fy), fy, tuple(values), fy == fiscal_year,
                             AsOf(fy, latest) if latest else None))
    target, label, kpi = None, "", None
    items, kpi_ranks = plan or (plan_items(db, branch, fiscal_year), None)
    for item in items:
        for k in item.kpis:
            if k.indicator == indicator:
                result = fig.kpi_result(k, fiscal_year, quarter)
                target, kpi = result.target, k
                label = "目標（前年度実績）" if k.rule == "prev_fy" else "目標（KPI）"
                break
        if target is not None:
            break
    national = ranks = None
    ranked = []
    whole = Figures(db, "00", [indicator]) if branch != "00" else None
    if whole and whole.months.get((indicator, fiscal_year)):
        shown_national = whole.shown_months(indicator, fiscal_year, quarter)
        national = tuple(shown_national.get(m) for m in FISCAL_MONTHS)
        ranked = [r for r in national_ranks(db, indicator, fiscal_year, branch)
                  if quarter is None or r.month in months_to_quarter_end(quarter)]
        by_month = {r.month: r.rank for r in ranked}
        ranks = tuple(by_month.get(m) for m in FISCAL_MONTHS)
    if kpi is not None:
        rank = (kpi_ranks or plan_ranks(db, items, quarter)).kpi(kpi.id)
    else:                                        # no KPI of its own: the by-branch tables' latest month
        rank = ShownRank(None, ranked[-1]) if ranked else NO_RANK
    return ChartData(indicator, ind.name, ind.unit, ind.kind, fiscal_year, tuple(series), target, label,
                     national, ranks, cumulative and kind_of(ind.kind, ind.unit).summed, rank,
                     fig.decimals(indicator))


def plan_of(db: Database, branch: str, fiscal_year: int, quarter: int | None = None) -> tuple:
    """The plan items of a year and their ranks as of the quarter, for chart_data(plan=…)."""
    from app.reads.queries import plan_items
    from app.reads.ranks import plan_ranks

    items = plan_items(db, branch, fiscal_year)
    return items, plan_ranks(db, items, quarter)
