"""全国順位: a branch's national rank per month, from the stored by-branch tables."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.core.fiscal import fiscal_index
from app.store.database import Database


@dataclass(frozen=True)
class Rank:
    branch: str
    fiscal_year: int
    month: int
    indicator: str
    value: float
    rank: int          # 1 = best; ties share the best rank (1, 2, 2, 4)
    of: int            # how many branches were ranked that month


def competition_ranks(values: dict[str, float], higher_is_better: bool) -> dict[str, int]:
    """Standard competition ranking: equal values share the best rank, the next rank skips."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    first = {}
    for pos, v in enumerate(ordered, start=1):
        first.setdefault(v, pos)
    return {b: first[v] for b, v in values.items()}


def national_ranks(db: Database, indicator: str, fiscal_year: int, branch: str | None = None) -> list[Rank]:
    """Every branch's (or one branch's) rank among the 47 for each month that has figures."""
    from app.core.errors import NotFound

    if indicator not in db.catalogue:
        raise NotFound(f"指標 {indicator} がありません")
    higher = db.catalogue[indicator].higher_is_better
    by_month: dict[int, dict[str, float]] = defaultdict(dict)
    for b, m, v in db.rows("SELECT branch_code, month, value FROM monthly_value WHERE indicator_code = :code "
                           "AND fiscal_year = :fy AND branch_code != '00'", code=indicator, fy=fiscal_year):
        by_month[m][b] = v
    out = []
    for month in sorted(by_month, key=fiscal_index):
        values = by_month[month]
        if len(values) < 2:              # one branch's own figures are no national table
            continue
        ranks = competition_ranks(values, higher)
        for b in sorted(values):
            if branch is None or b == branch:
                out.append(Rank(b, fiscal_year, month, indicator, values[b], ranks[b], len(values)))
    return out


@dataclass(frozen=True)
class BranchRow:
    """One branch's months of an indicator, with its rank in the latest month ranked."""
    branch: str
    name: str
    months: dict[int, float]
    rank: int | None


def national_table(db: Database, indicator: str, fiscal_year: int) -> tuple[list[BranchRow], int | None]:
    """支部別の表: every branch that has figures (and 全国 last), ranked in the latest month."""
    from app.core.branches import branch_names

    names = branch_names()
    months: dict[str, dict[int, float]] = defaultdict(dict)
    for b, m, v in db.rows("SELECT branch_code, month, value FROM monthly_value WHERE indicator_code = :code "
                           "AND fiscal_year = :fy", code=indicator, fy=fiscal_year):
        months[b][m] = v
    ranks = national_ranks(db, indicator, fiscal_year)
    latest = max((r.month for r in ranks), key=fiscal_index, default=None)
    rank_of = {r.branch: r.rank for r in ranks if r.month == latest}
    rows = [BranchRow(b, names.get(b, b), months[b], rank_of.get(b)) for b in sorted(months) if b != "00"]
    if "00" in months:
        rows.append(BranchRow("00", "全国", months["00"], None))
    return rows, latest


@dataclass(frozen=True)
class ShownRank:
    """全国順位 as every view and document shows it: the rank typed as headquarters published it
    (本部公表: a rated row's rank of the quarter, else the item's) wins; else the rank computed from
    the by-branch tables (支部別表) in the latest month ranked up to the quarter's end. Its text says
    which it is (``27位（本部公表）``, ``34位（3月・支部別表）``) and shows a disagreement beside it
    (``27位（本部公表）／34位（3月・支部別表）``)."""
    typed: int | None = None
    computed: Rank | None = None

    @property
    def rank(self) -> int | None:
        return self.typed if self.typed is not None else self.computed.rank if self.computed else None

    @property
    def disagrees(self) -> bool:
        return self.typed is not None and self.computed is not None and self.computed.rank != self.typed

    @property
    def text(self) -> str:
        from app.core.fiscal import month_label

        computed = f"{self.computed.rank}位（{month_label(self.computed.month)}・支部別表）" if self.computed else ""
        if self.typed is None:
            return computed
        typed = f"{self.typed}位（本部公表）"
        return f"{typed}／{computed}" if self.disagrees else typed

    @property
    def lines(self) -> str:
        """The text for a narrow column (the progress sheet's 全国順位): each rank over its basis,
        ``27位`` / ``（本部公表）`` / ``34位`` / ``（3月・支部別表）``."""
        parts = self.text.split("／")
        return "\n".join(p.replace("（", "\n（", 1) for p in parts if p)

    def retyped(self, typed: int | None) -> ShownRank:
        """The same rank with another typed figure (the status tab while it is typed)."""
        return ShownRank(typed, self.computed)


NO_RANK = ShownRank()


@dataclass(frozen=True)
class PlanRanks:
    """The shown rank of each rated row, KPI and item of a plan for a quarter (plan_ranks)."""
    rows: dict[int, ShownRank]
    kpis: dict[int, ShownRank]
    items: dict[int, ShownRank]

    def row(self, row_id: int) -> ShownRank:
        return self.rows.get(row_id, NO_RANK)

    def kpi(self, kpi_id: int) -> ShownRank:
        return self.kpis.get(kpi_id, NO_RANK)

    def item(self, item_id: int) -> ShownRank:
        return self.items.get(item_id, NO_RANK)


def plan_ranks(db: Database, items, quarter: int | None = None) -> PlanRanks:
    """The one rule for 全国順位 (ShownRank) over plan items (app.reads.queries.ItemView): a row's
    typed rank of the quarter (None: the latest quarter that has one) beside the rank its KPI's
    indicator has in the by-branch tables up to that quarter's end; a KPI takes its row's (the
    item's typed rank when it has no row); an item its first KPI's (else its own typed rank)."""
    from app.core.fiscal import months_to_quarter_end
    from app.reads.queries import row_statuses, statuses

    items = list(items)
    if not items:
        return PlanRanks({}, {}, {})
    where = {i: (b, fy) for i, b, fy in db.rows(
        "SELECT i.id, p.branch_code, p.fiscal_year FROM plan_item i JOIN plan_pillar p ON p.id = i.pillar_id "
        "WHERE i.id IN :ids", ids=[i.id for i in items])}
    typed_rows: dict[int, tuple[int, int]] = {}          # row id → (rank, quarter)
    row_ids = [r.id for i in items for r in i.rows]
    for q in ([quarter] if quarter else [1, 2, 3, 4]):
        for row_id, st in row_statuses(db, row_ids, q).items():
            if st.national_rank:
                typed_rows[row_id] = (st.national_rank, q)
    typed_items = {st.item_id: (st.national_rank, st.quarter)
                   for st in statuses(db, [i.id for i in items], quarter) if st.national_rank}
    found: dict[tuple[str, int, str], list[Rank]] = {}

    def shown(item, typed: tuple[int, int] | None, indicator: str | None) -> ShownRank:
        until = quarter or (typed[1] if typed else None)
        computed = None
        if indicator and indicator in db.catalogue and item.id in where:
            branch, fy = where[item.id]
            key = (branch, fy, indicator)
            if key not in found:
                found[key] = national_ranks(db, indicator, fy, branch)
            ranked = [r for r in found[key] if until is None or r.month in months_to_quarter_end(until)]
            computed = ranked[-1] if ranked else None
        return ShownRank(typed[0] if typed else None, computed)

    rows, kpis, out_items = {}, {}, {}
    for item in items:
        indicator_of = {k.id: k.indicator for k in item.kpis}
        for r in item.rows:
            code = next((indicator_of[k] for k in r.kpi_ids if indicator_of.get(k)), None)
            rows[r.id] = shown(item, typed_rows.get(r.id), code)
            for k in r.kpi_ids:
                kpis[k] = rows[r.id] if indicator_of.get(k) == code else shown(item, typed_rows.get(r.id), indicator_of.get(k))
        for k in item.kpis:
            if k.id not in kpis:
                kpis[k.id] = shown(item, typed_items.get(item.id), k.indicator)
        first = next((k for k in item.kpis if k.indicator), None)
        out_items[item.id] = (kpis[first.id] if first and typed_items.get(item.id) is None
                              else shown(item, typed_items.get(item.id), first.indicator if first else None))
    return PlanRanks(rows, kpis, out_items)
