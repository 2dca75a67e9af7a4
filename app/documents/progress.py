"""進捗状況 (seed 004): per item its rows, the month tables of the indicators it keeps, and the
closing count of the ratings."""
from __future__ import annotations

from app.core.kpi import RATINGS
from app.documents.report import Cell, Context, Document, Table, monthly_table
from app.reads.queries import item_indicators
from app.reads.ratings import rating_counts


def tables(ctx: Context, item) -> list[Table]:
    return [monthly_table(ctx.fig, code, ctx.fiscal_year, ctx.quarter)
            for code in item_indicators(ctx.db.catalogue, item) if ctx.fig.years(code)]


def finish(ctx: Context, doc: Document) -> None:
    items_count, kpi_count = rating_counts(ctx.db, doc.branch, ctx.fiscal_year, ctx.quarter)
    doc.summary = Table("評価の集計", ["", *RATINGS, "計"],
                        [[Cell("全項目")] + [Cell(str(items_count[m]), items_count[m]) for m in RATINGS]
                         + [Cell(str(sum(items_count.values())), sum(items_count.values()))],
                         [Cell("KPI")] + [Cell(str(kpi_count[m]), kpi_count[m]) for m in RATINGS]
                         + [Cell(str(sum(kpi_count.values())), sum(kpi_count.values()))]])
