"""Read-only questions the window and the command line ask; plain dataclasses out."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.store.database import Database
from db.models import (
    Indicator, ItemIndicator, Kpi, MonthlyValue, PlanItem, PlanPillar, QuarterlyStatus, RatedRow, RowStatus,
)


@dataclass(frozen=True)
class ValueRow:
    branch: str
    fiscal_year: int
    month: int
    indicator: str
    value: float


@dataclass(frozen=True)
class KpiView:
    id: int
    index: int
    indicator: str | None
    op: str
    target: float | None
    rule: str
    unit: str
    text: str
    manual_result: float | None = None      # the result entered by hand (a KPI with no monthly indicator)
    confirmed: bool = False                 # someone confirmed how the sentence is read
    month_targets: tuple[tuple[int, float], ...] = ()   # 月次目標: (calendar month, figure)

    @property
    def target_text(self) -> str:
        """'prev_fy', '', or the number as machine output writes it."""
        from app.core.values import format_number

        if self.rule == "prev_fy":
            return "prev_fy"
        return "" if self.target is None else format_number(self.target)


@dataclass(frozen=True)
class RowView:
    """評価行: a rated row of an item (a sub-point, a 【KPI】 or 【業績評価】 line) and its KPIs."""
    id: int
    item_id: int
    position: int
    plan_text: str
    tags: tuple[str, ...]           # "KPI", "業績評価", "インセンティブ"
    kpi_ids: tuple[int, ...]


@dataclass(frozen=True)
class RowStatusView:
    row_id: int
    quarter: int
    progress_text: str
    rating: str | None
    national_rank: int | None
    version: int
    updated_by: str | None
    updated_at: datetime | None
    carried: bool = False           # the text carried over from the previous quarter, not edited since


@dataclass(frozen=True)
class ItemView:
    id: int
    pillar_no: int
    pillar_title: str
    item_no: int
    title: str
    owner_group: str
    plan_text: str
    important: bool
    difficult: bool
    kpis: tuple[KpiView, ...]
    rows: list[RowView] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class StatusView:
    item_id: int
    quarter: int
    status_text: str
    rating: str | None
    national_rank: int | None
    results_text: str = ""              # 第4四半期: the year's 取組内容・結果 (目標達成状況)
    next_year_text: str = ""            # 第4四半期: 課題・次年度の取組
    version: int = 0


def monthly_values(db: Database, branch: str | None = None, fiscal_year: int | None = None,
                   indicators: list[str] | None = None) -> list[ValueRow]:
    """Stored month values, sorted by branch, year, catalogue order and fiscal month."""
    return [ValueRow(*r) for r in iter_monthly_values(db, branch, fiscal_year, indicators)]


def iter_monthly_values(db: Database, branch: str | None = None, fiscal_year: int | None = None,
                        indicators: list[str] | None = None, batch: int = 2000) -> Iterator:
    """monthly_values as a stream of rows (named as ValueRow's fields), sorted by the database
    (branch, year, catalogue order, fiscal month: April first) and fetched ``batch`` at a time on
    a plain connection, so memory stays flat however many there are."""
    q = (select(MonthlyValue.branch_code.label("branch"), MonthlyValue.fiscal_year, MonthlyValue.month,
                MonthlyValue.indicator_code.label("indicator"), MonthlyValue.value)
         .join(Indicator, Indicator.code == MonthlyValue.indicator_code)
         .order_by(MonthlyValue.branch_code, MonthlyValue.fiscal_year, Indicator.position,
                   (MonthlyValue.month + 8) % 12))                   # app.core.fiscal.fiscal_index
    if branch:
        q = q.where(MonthlyValue.branch_code == branch)
    if fiscal_year:
        q = q.where(MonthlyValue.fiscal_year == fiscal_year)
    if indicators:
        q = q.where(MonthlyValue.indicator_code.in_(indicators))
    with db.engine.connect() as conn:
        yield from conn.execution_options(yield_per=batch).execute(q)


def plan_years(db: Database, branch: str) -> list[int]:
    with db.session() as s:
        return sorted(set(s.scalars(select(PlanPillar.fiscal_year).where(PlanPillar.branch_code == branch))))


def plan_items(db: Database, branch: str, fiscal_year: int) -> list[ItemView]:
    q = (select(PlanItem, PlanPillar.no, PlanPillar.title).join(PlanPillar)
         .where(PlanPillar.branch_code == branch, PlanPillar.fiscal_year == fiscal_year)
         .order_by(PlanItem.item_no).options(selectinload(PlanItem.kpis).selectinload(Kpi.month_targets),
                                             selectinload(PlanItem.rows).selectinload(RatedRow.kpis)))
    with db.session() as s:
        return [ItemView(i.id, no, title, i.item_no, i.title, i.owner_group, i.plan_text, i.important,
                         i.difficult, tuple(_kpi(k) for k in i.kpis), [row_view(r) for r in i.rows])
                for i, no, title in s.execute(q).all()]


def of_group(items: list[ItemView], group: str) -> list[ItemView]:
    """A group's items: those it owns (alone or with others); 企画総務, who compiles the branch's
    quarter, has them all (its work package, its carry-over)."""
    return [i for i in items if group == "企画総務" or group in i.owner_group]


def row_view(r: RatedRow) -> RowView:
    tags = tuple(t for t, on in (("KPI", r.is_kpi), ("業績評価", r.is_performance), ("インセンティブ", r.is_incentive))
                 if on)
    return RowView(r.id, r.item_id, r.position, r.plan_text, tags, tuple(k.id for k in r.kpis))


def row_statuses(db: Database, row_ids, quarter: int) -> dict[int, RowStatusView]:
    """The quarter's progress text, rating and rank of each of these rows that has one."""
    ids = list(row_ids)
    with db.session() as s:
        return {r.row_id: RowStatusView(r.row_id, r.quarter, r.progress_text, r.rating, r.national_rank, r.version,
                                        r.updated_by, r.updated_at, bool(r.carried))
                for r in s.scalars(select(RowStatus).where(RowStatus.row_id.in_(ids), RowStatus.quarter == quarter))}


def _kpi(k: Kpi) -> KpiView:
    return KpiView(k.id, k.position, k.indicator_code, k.op, k.target, k.target_rule, k.unit, k.text,
                   k.manual_result, k.confirmed_by is not None, tuple((t.month, t.value) for t in k.month_targets))


def statuses(db: Database, item_ids: list[int], quarter: int | None = None) -> list[StatusView]:
    q = select(QuarterlyStatus).where(QuarterlyStatus.item_id.in_(item_ids))
    if quarter:
        q = q.where(QuarterlyStatus.quarter == quarter)
    with db.session() as s:
        return [StatusView(r.item_id, r.quarter, r.status_text, r.rating, r.national_rank, r.results_text or "",
                           r.next_year_text or "", r.version)
                for r in s.scalars(q.order_by(QuarterlyStatus.item_id, QuarterlyStatus.quarter))]


def fiscal_years_with_data(db: Database, branch: str) -> list[int]:
    with db.session() as s:
        years = set(s.scalars(select(MonthlyValue.fiscal_year).where(MonthlyValue.branch_code == branch)))
        years |= set(s.scalars(select(PlanPillar.fiscal_year).where(PlanPillar.branch_code == branch)))
    return sorted(years)


def kpi_indicators(catalogue, item: ItemView) -> list[str]:
    """The indicators an item's KPIs name, with their parts and the indicators of the same family
    (same context words in the catalogue): what an item keeps until someone chooses."""
    codes: list[str] = []
    for k in item.kpis:
        if k.indicator and k.indicator in catalogue:
            ind = catalogue[k.indicator]
            codes += [k.indicator, *ind.sum_of, *[c for c in (ind.numerator, *ind.denominator, ind.weight) if c]]
            family = set(ind.context)
            codes += [i.code for i in catalogue if family & set(i.context)]
    return [c for c in dict.fromkeys(codes) if c in catalogue]


def kept_indicators(db: Database, item_ids: list[int]) -> dict[int, list[str]]:
    """The indicators stored as kept by each item (item_indicator), in their order."""
    with db.session() as s:
        rows = s.execute(select(ItemIndicator.item_id, ItemIndicator.indicator_code)
                         .where(ItemIndicator.item_id.in_(item_ids)).order_by(ItemIndicator.position)).all()
    out: dict[int, list[str]] = {}
    for item_id, code in rows:
        out.setdefault(item_id, []).append(code)
    return out


def item_indicators(db: Database, item: ItemView) -> list[str]:
    """The indicators whose month tables an item keeps: as stored for it (chosen in the window or
    by an import), else its KPIs' (``kpi_indicators``)."""
    kept = kept_indicators(db, [item.id]).get(item.id)
    return [c for c in kept if c in db.catalogue] if kept is not None else kpi_indicators(db.catalogue, item)


def current_quarter(fiscal_year: int | None, today=None) -> int:
    """The quarter today falls in when it is in that fiscal year; else the 4th (a past year)."""
    from datetime import date

    from app.core.fiscal import quarter_of

    today = today or date.today()
    fy_today = today.year if today.month >= 4 else today.year - 1
    if fiscal_year is None or fiscal_year < fy_today:
        return 4
    return quarter_of(today.month) if fiscal_year == fy_today else 1


def group_indicators(catalogue, group: str) -> list[str]:
    """Every indicator a group keeps (the catalogue's group), in catalogue order."""
    return [i.code for i in catalogue if i.group == group]
