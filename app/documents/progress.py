"""進捗状況 (seed 004): per item its rows, the month tables of every indicator it keeps (with the
years before where there are figures: seed 004 prints 令和４年度 rows), and the closing count of
the ratings with their legend and the rows not yet rated."""
from __future__ import annotations

from app.core.kpi import RATING_MEANING, RATINGS
from app.documents.report import Cell, Context, Document, Table, monthly_table
from app.reads.queries import item_indicators
from app.reads.ratings import rating_counts

YEARS_BACK = 2                         # 令和４年度 … 令和６年度, as seed 004


def tables(ctx: Context, item) -> list[Table]:
    return [monthly_table(ctx.fig, code, ctx.fiscal_year, ctx.quarter, YEARS_BACK)
            for code in item_indicators(ctx.db, item) if ctx.fig.years(code)]


def group_heading(title: str, group: str) -> str:
    """○サービス水準の向上（業務グループ）: the heading seed 004 prints above an item."""
    return f"○{title}（{group}）" if group else f"○{title}"


def count_table(counts: dict, kpi: dict, unrated: int) -> Table:
    """評価の集計 as seed 004 closes: each mark over all rated rows and over KPI rows, the legend
    beside it, the total, and how many are not yet rated."""
    def num(n: int) -> Cell:
        return Cell(str(n), n)
    rows = [[Cell(m), num(counts[m]), num(kpi[m]), Cell(f"{m}：{RATING_MEANING[m]}")] for m in RATINGS]
    rows.append([Cell("合計"), num(sum(counts.values())), num(sum(kpi.values())), Cell("")])
    rows.append([Cell("未評価"), num(unrated), Cell(""), Cell("評価がまだ入っていないもの")])
    return Table("評価の集計", ["評価", "全体", "KPI（再掲）", "凡例"], rows)


def finish(ctx: Context, doc: Document) -> None:
    counts, kpi = rating_counts(ctx.db, doc.branch, ctx.fiscal_year, ctx.quarter)
    doc.summary = count_table(counts, kpi, len(doc.blocks) - sum(counts.values()))
