"""ダッシュボード: every KPI of the year at a glance — target, latest value and month, the
proposed rating, the national rank, and the months for a sparkline; by pillar and item."""
from __future__ import annotations

from dataclasses import dataclass

from app.figures import Figures
from app.fiscal import FISCAL_MONTHS
from app.kpi import target_text
from app.queries import plan_items, statuses
from app.store import Database
from app.values import format_value

@dataclass(frozen=True)
class KpiLine:
    item_id: int
    item_no: int
    pillar_no: int
    group: str
    item_title: str
    kpi_text: str
    indicator: str | None
    indicator_name: str
    target: str                  # as users write it: '95%以上', '前年度 0.08%以上', '61.2%以上'
    result: str
    as_of: str
    proposed: str | None
    rank: int | None
    months: tuple[float | None, ...]   # this year's months, for a sparkline


def kpi_overview(db: Database, branch: str, fiscal_year: int, figures: Figures | None = None) -> list[KpiLine]:
    from app.ranks import national_ranks

    cat = db.catalogue
    fig = figures or Figures(db, branch)
    items = plan_items(db, branch, fiscal_year)
    ranks_by_item = {}
    for st in statuses(db, [i.id for i in items]):
        if st.national_rank:
            ranks_by_item[st.item_id] = st.national_rank        # the latest quarter's wins
    out = []
    for item in items:
        for k in item.kpis:
            ind = cat.get(k.indicator) if k.indicator else None
            unit, kind = (ind.unit, ind.kind) if ind else (k.unit, "count")
            res = fig.kpi_result(k, fiscal_year)
            target = target_text(k.rule, k.op, res.target, unit, kind)
            rank = None
            if ind:
                ranked = national_ranks(db, ind.code, fiscal_year, branch)
                rank = ranked[-1].rank if ranked else None
            months = fig.months.get((k.indicator, fiscal_year), {}) if ind else {}
            out.append(KpiLine(item.id, item.item_no, item.pillar_no, item.owner_group, item.title,
                               k.text.removeprefix("【KPI】").strip(), k.indicator,
                               ind.name if ind else "（結果は手入力）", target,
                               format_value(res.result, unit=unit, kind=kind) if res.result is not None else "－",
                               res.as_of.label() if res.as_of else "", res.proposed,
                               rank or ranks_by_item.get(item.id), tuple(months.get(m) for m in FISCAL_MONTHS)))
    return sorted(out, key=lambda line: (line.pillar_no, line.item_no))
