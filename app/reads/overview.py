"""KPI rows, built once for every view: the window's KPI table, the dashboard (ダッシュボード), the
quarterly documents and the work package each show a KPI with its target, its result so far (as
of the chosen quarter), the month it is as of, the proposed rating, the user's rating for the
quarter and the national rank — and they show the same texts because they come from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.reads.figures import Figures
from app.core.fiscal import FISCAL_MONTHS, AsOf, quarter_months
from app.core.kpi import target_text
from app.reads.queries import ItemView, KpiView, plan_items
from app.reads.ranks import NO_RANK, ShownRank, plan_ranks
from app.store.database import Database
from app.core.values import format_value


@dataclass(frozen=True)
class KpiLine:
    kpi: KpiView
    item_id: int
    item_no: int
    pillar_no: int
    group: str
    item_title: str
    kpi_text: str                # the sentence without 【KPI】
    indicator: str | None        # None: a result typed by hand
    indicator_name: str
    unit: str
    kind: str
    target: str                  # as users write it: '95%以上', '前年度 0.08%以上', '61.2%以上'
    result: str                  # '94.3%', '－'
    result_value: float | None
    as_of: AsOf | None
    proposed: str | None         # ◎ ○ △ from the figures
    rating: str | None           # the user's rating of the KPI for the quarter
    rank: ShownRank              # 全国順位 with its basis (app.reads.ranks.plan_ranks; empty without ranks)
    months: tuple[float | None, ...]   # this year's months up to the quarter, for a sparkline
    month_target: str = ""       # 月次目標 of the month it is as of (else the quarter's last), as written: '1,280'
    target_month: int | None = None    # that month (the window types its 月次目標)

    @property
    def as_of_text(self) -> str:
        return self.as_of.label() if self.as_of else ""


def kpi_lines(db: Database, fig: Figures, items: list[ItemView], fiscal_year: int, quarter: int | None = None,
              ranks: bool = False) -> list[KpiLine]:
    """Every KPI of the items, as of the quarter's end (None: every month there is)."""
    from app.reads.ratings import kpi_ratings

    cat = db.catalogue
    ratings = kpi_ratings(db, [k.id for i in items for k in i.kpis], quarter) if quarter else {}
    shown_ranks = plan_ranks(db, items, quarter) if ranks else None
    out = []
    for item in items:
        for k in item.kpis:
            ind = cat.get(k.indicator) if k.indicator else None
            unit, kind = (ind.unit, ind.kind) if ind else (k.unit, "count")
            res = fig.kpi_result(k, fiscal_year, quarter)
            months = fig.shown_months(k.indicator, fiscal_year, quarter) if ind else {}
            text = fig.text(ind.code, res.result) if ind else format_value(res.result, unit=unit, kind=kind)
            month = res.as_of.month if res.as_of else quarter_months(quarter)[-1] if quarter else None
            goal = dict(k.month_targets).get(month)
            goal_text = "" if goal is None else fig.text(ind.code, goal) if ind else format_value(goal, unit=unit, kind=kind)
            out.append(KpiLine(k, item.id, item.item_no, item.pillar_no, item.owner_group, item.title,
                               k.text.removeprefix("【KPI】").strip(), k.indicator,
                               ind.name if ind else "（結果は手入力）", unit, kind,
                               target_text(k.rule, k.op, res.target, unit, kind,
                                           fig.decimals(ind.code) if ind else None), text, res.result, res.as_of, res.proposed,
                               ratings.get(k.id), shown_ranks.kpi(k.id) if shown_ranks else NO_RANK,
                               tuple(months.get(m) for m in FISCAL_MONTHS), goal_text, month))
    return out


def kpi_overview(db: Database, branch: str, fiscal_year: int, figures: Figures | None = None,
                 quarter: int | None = None) -> list[KpiLine]:
    """ダッシュボード: every KPI of the year at a glance, by pillar and item, with national ranks."""
    fig = figures or Figures(db, branch)
    lines = kpi_lines(db, fig, plan_items(db, branch, fiscal_year), fiscal_year, quarter, ranks=True)
    return sorted(lines, key=lambda line: (line.pillar_no, line.item_no))
