"""Any document of app/documents/kinds.py for a branch, fiscal year and quarter."""
from __future__ import annotations

import importlib

from app.core.fiscal import AsOf, FISCAL_MONTHS, format_fy_both, months_to_quarter_end
from app.documents.kinds import KINDS
from app.documents.report import Block, Context, Document, flags, heading, rows_text
from app.reads.figures import Figures
from app.reads.overview import kpi_lines
from app.reads.queries import plan_items, row_statuses, statuses
from app.reads.ranks import plan_ranks
from app.store.database import Database, branch_names


def build(db: Database, branch: str, fiscal_year: int, quarter: int, kind: str = "status",
          label: str = "機密性2") -> Document:
    """The document of a kind for a branch, fiscal year and quarter."""
    if kind not in KINDS:
        raise ValueError(f"種類は {', '.join(KINDS)} のいずれかです")
    spec = KINDS[kind]
    writer = importlib.import_module(f"app.documents.{spec.module}")
    name = branch_names().get(branch, branch)
    fig = Figures(db, branch)
    upto = list(months_to_quarter_end(quarter))
    items = plan_items(db, branch, fiscal_year)
    ctx = Context(db, fig, Figures(db, "00"), fiscal_year, quarter, upto, items,
                  {s.item_id: s for s in statuses(db, [i.id for i in items], quarter)},
                  {line.kpi.id: line for line in kpi_lines(db, fig, items, fiscal_year, quarter)},
                  plan_ranks(db, items, quarter), row_statuses(db, [r.id for i in items for r in i.rows], quarter))
    title = f"{format_fy_both(fiscal_year)} {name}支部{spec.name} （第{quarter}四半期）"
    latest = max((m for (c, y), months in fig.months.items() if y == fiscal_year for m in months if m in upto),
                 key=FISCAL_MONTHS.index, default=None)
    doc = Document(kind, title, branch, fiscal_year, quarter, label,
                   AsOf(fiscal_year, latest).label() if latest else "", landscape=spec.landscape)
    for item in items:
        s = ctx.statuses.get(item.id)
        plan = item.plan_text + "".join(f"\n■ KPI：{sentence}" for k in item.kpis
                                        if (sentence := k.text.removeprefix('【KPI】').strip()) not in item.plan_text)
        status = rows_text(ctx, item)                # the item's own text went to its first row (0008)
        block = Block(item.item_no, heading(item), item.title, item.owner_group, flags(item), plan,
                      status.strip(), s.rating if s else None, ctx.ranks.item(item.id))
        block.tables = writer.tables(ctx, item)
        doc.blocks.append(block)
    writer.finish(ctx, doc)
    return doc
