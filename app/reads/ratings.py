"""The quarter's ratings as stored: KPI ratings, 評価の集計 (the count of each mark), and the
rating an item's KPIs propose."""
from __future__ import annotations

from sqlalchemy import select

from app.core.kpi import RATINGS
from app.store.database import Database
from db.models import Kpi, KpiStatus, PlanItem, PlanPillar, QuarterlyStatus


def kpi_ratings(db: Database, kpi_ids: list[int], quarter: int) -> dict[int, str | None]:
    with db.session() as s:
        return dict(s.execute(select(KpiStatus.kpi_id, KpiStatus.rating).where(
            KpiStatus.kpi_id.in_(kpi_ids), KpiStatus.quarter == quarter)).all())


def rating_counts(db: Database, branch: str, fiscal_year: int, quarter: int) -> tuple[dict, dict]:
    """評価の集計 (as at the end of seed 004): each mark over all items, and over KPIs alone."""
    items = {m: 0 for m in RATINGS}
    kpis = {m: 0 for m in RATINGS}
    with db.session() as s:
        for (mark,) in s.execute(select(QuarterlyStatus.rating).join(PlanItem).join(PlanPillar).where(
                PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fiscal_year,
                QuarterlyStatus.quarter == quarter, QuarterlyStatus.rating.is_not(None))):
            items[mark] += 1
        for (mark,) in s.execute(select(KpiStatus.rating).join(Kpi).join(PlanItem).join(PlanPillar).where(
                PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fiscal_year,
                KpiStatus.quarter == quarter, KpiStatus.rating.is_not(None))):
            kpis[mark] += 1
    return items, kpis


def worst_proposal(proposals: list[str | None]) -> str | None:
    """An item's proposed rating from its KPIs': △ if any falls short, else ○, ◎ if all beat it."""
    marks = [p for p in proposals if p]
    if not marks:
        return None
    if "△" in marks:
        return "△"
    return "◎" if all(m == "◎" for m in marks) else "○"
