"""Read-only questions the window and the command line ask; plain dataclasses out."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from app.store.database import Database


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
    from sqlalchemy import select

    from db.models import Indicator, MonthlyValue

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
    return sorted({fy for (fy,) in db.rows("SELECT fiscal_year FROM plan_pillar WHERE branch_code = :b", b=branch)})


_OF_YEAR = "JOIN plan_item i ON i.id = {}.item_id JOIN plan_pillar p ON p.id = i.pillar_id " \
           "WHERE p.branch_code = :b AND p.fiscal_year = :fy"


def plan_items(db: Database, branch: str, fiscal_year: int) -> list[ItemView]:
    """The plan's items of the year (by 項目 number), each with its KPIs (their 月次目標) and rated
    rows, in their positions."""
    where = {"b": branch, "fy": fiscal_year}
    with db.reading() as rows:
        items = rows("SELECT i.id, p.no, p.title, i.item_no, i.title, i.owner_group, i.plan_text, i.important, "
                     "i.difficult FROM plan_item i JOIN plan_pillar p ON p.id = i.pillar_id "
                     "WHERE p.branch_code = :b AND p.fiscal_year = :fy ORDER BY i.item_no", **where)
        kpis = rows("SELECT k.id, k.position, k.indicator_code, k.op, k.target, k.target_rule, k.unit, k.text, "
                    "k.manual_result, k.confirmed_by, k.item_id, k.row_id FROM kpi k " + _OF_YEAR.format("k")
                    + " ORDER BY k.position, k.id", **where)
        targets = rows("SELECT t.kpi_id, t.month, t.value FROM kpi_month_target t JOIN kpi k ON k.id = t.kpi_id "
                       + _OF_YEAR.format("k") + " ORDER BY t.month, t.id", **where)
        rated = rows("SELECT r.id, r.item_id, r.position, r.plan_text, r.is_kpi, r.is_performance, r.is_incentive "
                     "FROM rated_row r " + _OF_YEAR.format("r") + " ORDER BY r.position, r.id", **where)
    month_targets: dict[int, list] = {}
    for kpi_id, month, value in targets:
        month_targets.setdefault(kpi_id, []).append((month, value))
    of_item: dict[int, list[KpiView]] = {}
    of_row: dict[int, list[int]] = {}
    for k in kpis:
        of_item.setdefault(k[10], []).append(KpiView(*k[:9], k[9] is not None, tuple(month_targets.get(k[0], ()))))
        if k[11] is not None:
            of_row.setdefault(k[11], []).append(k[0])
    rows_of: dict[int, list[RowView]] = {}
    for row_id, item_id, position, text, *flags in rated:
        tags = tuple(t for t, on in zip(("KPI", "業績評価", "インセンティブ"), flags) if on)
        rows_of.setdefault(item_id, []).append(RowView(row_id, item_id, position, text, tags, tuple(of_row.get(row_id, ()))))
    return [ItemView(i, no, title, item_no, item_title, group, text, bool(important), bool(difficult),
                     tuple(of_item.get(i, ())), rows_of.get(i, []))
            for i, no, title, item_no, item_title, group, text, important, difficult in items]


def of_group(items: list[ItemView], group: str) -> list[ItemView]:
    """A group's items: those it owns (alone or with others); 企画総務, who compiles the branch's
    quarter, has them all (its work package, its carry-over)."""
    return [i for i in items if group == "企画総務" or group in i.owner_group]


def row_statuses(db: Database, row_ids, quarter: int) -> dict[int, RowStatusView]:
    """The quarter's progress text, rating and rank of each of these rows that has one."""
    return {r[0]: RowStatusView(*r[:6], r[6], when(r[7]), bool(r[8])) for r in db.rows(
        "SELECT row_id, quarter, progress_text, rating, national_rank, version, updated_by, updated_at, carried "
        "FROM row_status WHERE row_id IN :ids AND quarter = :q", ids=list(row_ids), q=quarter)}


def when(value) -> datetime | None:
    """A time as the driver gives it (SQLite: the text SQLAlchemy wrote) as a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def statuses(db: Database, item_ids: list[int], quarter: int | None = None) -> list[StatusView]:
    return [StatusView(*r[:5], r[5] or "", r[6] or "", r[7]) for r in db.rows(
        "SELECT item_id, quarter, status_text, rating, national_rank, results_text, next_year_text, version "
        "FROM quarterly_status WHERE item_id IN :ids" + (" AND quarter = :q" if quarter else "")
        + " ORDER BY item_id, quarter", ids=list(item_ids), **({"q": quarter} if quarter else {}))]


def fiscal_years_with_data(db: Database, branch: str) -> list[int]:
    return sorted({fy for (fy,) in db.rows("SELECT DISTINCT fiscal_year FROM monthly_value WHERE branch_code = :b "
                                           "UNION SELECT fiscal_year FROM plan_pillar WHERE branch_code = :b",
                                           b=branch)})


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
    out: dict[int, list[str]] = {}
    for item_id, code in db.rows("SELECT item_id, indicator_code FROM item_indicator WHERE item_id IN :ids "
                                 "ORDER BY position", ids=list(item_ids)):
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
