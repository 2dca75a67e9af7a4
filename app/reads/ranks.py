"""全国順位: a branch's national rank per month, from the stored by-branch tables."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.core.fiscal import fiscal_index
from app.store.database import Database
from db.models import MonthlyValue


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
    with db.session() as s:
        for b, m, v in s.execute(select(MonthlyValue.branch_code, MonthlyValue.month, MonthlyValue.value).where(
                MonthlyValue.indicator_code == indicator, MonthlyValue.fiscal_year == fiscal_year,
                MonthlyValue.branch_code != "00")):
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
    with db.session() as s:
        for b, m, v in s.execute(select(MonthlyValue.branch_code, MonthlyValue.month, MonthlyValue.value).where(
                MonthlyValue.indicator_code == indicator, MonthlyValue.fiscal_year == fiscal_year)):
            months[b][m] = v
    ranks = national_ranks(db, indicator, fiscal_year)
    latest = max((r.month for r in ranks), key=fiscal_index, default=None)
    rank_of = {r.branch: r.rank for r in ranks if r.month == latest}
    rows = [BranchRow(b, names.get(b, b), months[b], rank_of.get(b)) for b in sorted(months) if b != "00"]
    if "00" in months:
        rows.append(BranchRow("00", "全国", months["00"], None))
    return rows, latest
