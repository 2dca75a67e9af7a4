"""事業計画実施状況 (seed 002): per item, 計画内容 | 実施状況 with the KPI tables the figures call for."""
from __future__ import annotations

from app.documents.report import (Context, Document, Table, monthly_table, quarter_table, same_period_table,
                                  target_table)


def tables(ctx: Context, item) -> list[Table]:
    out = []
    for k in item.kpis:
        if k.indicator and k.indicator in ctx.fig.catalogue and ctx.fig.years(k.indicator):
            out.append(monthly_table(ctx.fig, k.indicator, ctx.fiscal_year, ctx.quarter, unit_named=True))
            if sp := same_period_table(ctx.fig, k.indicator, ctx.fiscal_year, ctx.quarter):
                out.append(sp)
            if qt := quarter_table(ctx.fig, k.indicator, ctx.fiscal_year, ctx.upto):
                out.append(qt)
            if tt := target_table(ctx.fig, ctx.lines[k.id], ctx.fiscal_year, ctx.national):
                out.append(tt)
    return out


def finish(ctx: Context, doc: Document) -> None:
    pass
