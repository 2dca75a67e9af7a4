"""進捗状況 (seed 004): per item, under its group heading, one line per rated row (its plan text and
tags, the quarter's progress text, rating and rank), the month tables of every indicator the item
keeps (with the years before where there are figures: seed 004 prints 令和４年度 rows), and the
closing count over the rated rows with the legend and the rows not yet rated."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.kpi import RATING_MEANING, RATINGS
from app.documents.report import Cell, Context, Document, Table, kpi_line, monthly_table, row_kpis
from app.reads.queries import item_indicators
from app.reads.ranks import ShownRank
from app.reads.ratings import row_counts

YEARS_BACK = 2                         # 令和４年度 … 令和６年度, as seed 004
TAG_TEXT = {"KPI": "【KPI】", "業績評価": "【業績評価】", "インセンティブ": "【インセンティブ関連】"}


@dataclass
class RowLine:
    """One rated row as the sheet prints it."""
    plan: str                          # the row's plan text, with its tags where it does not say them
    status: str                        # the quarter's progress text, with the ■ result of its KPIs
    rating: str | None
    rank: ShownRank                    # 全国順位 with its basis (app.reads.ranks)


def tables(ctx: Context, item) -> list[Table]:
    """The month tables of the item's indicators, their unit in the caption (（単位：件）); a table
    without a figure in any of its years is left out."""
    made = [monthly_table(ctx.fig, code, ctx.fiscal_year, ctx.quarter, YEARS_BACK, unit_named=True)
            for code in item_indicators(ctx.db, item) if ctx.fig.years(code)]
    return [t for t in made if any(c.value is not None for row in t.rows for c in row[1:])]


def group_heading(title: str, group: str) -> str:
    """○サービス水準の向上（業務グループ）: the heading seed 004 prints above an item."""
    return f"○{title}（{group}）" if group else f"○{title}"


def row_lines(ctx: Context, item) -> list[RowLine]:
    """The item's rated rows; a KPI's result line goes with the row it belongs to (the first row
    when it belongs to none)."""
    out = []
    for r, kpis in row_kpis(item):
        st = ctx.rows.get(r.id)
        tags = "".join(TAG_TEXT[t] for t in r.tags if TAG_TEXT[t] not in r.plan_text)
        status = (st.progress_text if st else "") + "".join(f"\n{kpi_line(ctx.lines[k])}" for k in kpis)
        out.append(RowLine(f"{tags}{r.plan_text}", status.strip(), st.rating if st else None,
                           ctx.ranks.row(r.id)))
    return out


def count_table(counts: dict, kpi: dict, unrated: int) -> Table:
    """評価の集計 as seed 004 closes: each mark over all rated rows and over KPI rows, the legend
    beside it, the total, and how many are not yet rated."""
    def num(n: int) -> Cell:
        return Cell(str(n), n)
    rows = [[Cell(m), num(counts[m]), num(kpi[m]), Cell(f"{m}：{RATING_MEANING[m]}")] for m in RATINGS]
    rows.append([Cell("合計"), num(sum(counts.values())), num(sum(kpi.values())), Cell("")])
    rows.append([Cell("未評価"), num(unrated), Cell(""), Cell("評価がまだ入っていない行")])
    return Table("評価の集計", ["評価", "全体", "KPI（再掲）", "凡例"], rows)


def finish(ctx: Context, doc: Document) -> None:
    for block, item in zip(doc.blocks, ctx.items):
        block.lines = row_lines(ctx, item)
    c = row_counts(ctx.db, doc.branch, ctx.fiscal_year, ctx.quarter)
    doc.summary = count_table(c.all, c.kpi, c.unrated)
