"""事業計画実施状況 (seed 002): per item, 計画内容 | 実施状況 with the KPI tables the figures call for."""
from __future__ import annotations

from app.documents.report import (Context, Document, Table, monthly_table, quarter_table, same_period_table,
                                  target_table)

#: The tables seed 002 prints under a KPI, by its indicator's kind (catalogue), its own table first:
#: counts and amounts by quarter with 通期 and 【参考】last year (回収件数 / 回収金額); a ratio or an
#: average the year so far against 前年同期, with its parts (決定件数 / 達成件数 / 達成率, 平均所要日数);
#: a running figure (累計) or a level (stock) the target against this month, last year's month and
#: 全国 (査定率, 1件当たり査定額); and each one's months by fiscal year (返納金債権回収率). A table
#: without figures is left out.
TABLES = {"count": ("quarters",), "amount": ("quarters",), "ratio": ("same_period",),
          "average": ("same_period",), "cumulative": ("target",), "stock": ("target",)}


def kpi_tables(ctx: Context, line) -> list[Table]:
    """The tables of one KPI line (app.reads.overview.KpiLine) — none for a result typed by hand."""
    code, fy = line.indicator, ctx.fiscal_year
    if not code or code not in ctx.fig.catalogue or not ctx.fig.years(code):
        return []
    made = {"quarters": lambda: quarter_table(ctx.fig, code, fy, ctx.upto),
            "same_period": lambda: same_period_table(ctx.fig, code, fy, ctx.quarter),
            "target": lambda: target_table(ctx.fig, line, fy, ctx.national)}
    out = [t for name in TABLES.get(ctx.fig.catalogue[code].kind, ()) if (t := made[name]())]
    months = monthly_table(ctx.fig, code, fy, ctx.quarter, unit_named=True)
    if any(c.value is not None for c in months.rows[-1][1:]):          # this year's row, always last
        out.append(months)
    return out


def tables(ctx: Context, item) -> list[Table]:
    return [t for k in item.kpis for t in kpi_tables(ctx, ctx.lines[k.id])]


def finish(ctx: Context, doc: Document) -> None:
    pass
