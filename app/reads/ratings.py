"""The quarter's ratings as stored: KPI ratings, 評価の集計 (the count of each mark), and the
rating an item's KPIs propose."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.kpi import RATINGS, rows_rating
from app.store.database import Database


def kpi_ratings(db: Database, kpi_ids: list[int], quarter: int) -> dict[int, str | None]:
    return dict(db.rows("SELECT kpi_id, rating FROM kpi_status WHERE kpi_id IN :ids AND quarter = :q",
                        ids=list(kpi_ids), q=quarter))


def rating_counts(db: Database, branch: str, fiscal_year: int, quarter: int) -> tuple[dict, dict]:
    """評価の集計 (as at the end of seed 004): each mark over all items, and over KPIs alone."""
    from sqlalchemy import select

    from db.models import Kpi, KpiStatus, PlanItem, PlanPillar, QuarterlyStatus
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


@dataclass(frozen=True)
class RowCounts:
    """評価の集計 over rated rows (seed 004's closing count): each mark over all rows and over
    【KPI】 rows, and how many rows have no rating for the quarter."""
    all: dict[str, int]
    kpi: dict[str, int]
    unrated: int
    total: int


def row_counts(db: Database, branch: str, fiscal_year: int, quarter: int) -> RowCounts:
    every, kpi = {m: 0 for m in RATINGS}, {m: 0 for m in RATINGS}
    unrated = total = 0
    for is_kpi, mark in db.rows("SELECT r.is_kpi, s.rating FROM rated_row r JOIN plan_item i ON i.id = r.item_id "
                                "JOIN plan_pillar p ON p.id = i.pillar_id "
                                "LEFT OUTER JOIN row_status s ON s.row_id = r.id AND s.quarter = :q "
                                "WHERE p.branch_code = :b AND p.fiscal_year = :fy", q=quarter, b=branch, fy=fiscal_year):
            total += 1
            if mark is None:
                unrated += 1
                continue
            every[mark] += 1
            if is_kpi:
                kpi[mark] += 1
    return RowCounts(every, kpi, unrated, total)


def item_ratings(db: Database, item_ids, quarter: int) -> dict[int, str | None]:
    """Each item's rating for the quarter: the user's own (the item status) when set, else the
    rating its rows give (app.core.kpi.rows_rating)."""
    from sqlalchemy import select

    from db.models import QuarterlyStatus, RatedRow, RowStatus

    ids = list(item_ids)
    with db.session() as s:
        own = dict(s.execute(select(QuarterlyStatus.item_id, QuarterlyStatus.rating).where(
            QuarterlyStatus.item_id.in_(ids), QuarterlyStatus.quarter == quarter)).all())
        marks: dict[int, list] = {i: [] for i in ids}
        for item_id, mark in s.execute(select(RatedRow.item_id, RowStatus.rating).join(RowStatus).where(
                RatedRow.item_id.in_(ids), RowStatus.quarter == quarter)):
            marks[item_id].append(mark)
    return {i: own.get(i) or rows_rating(marks[i]) for i in ids}
