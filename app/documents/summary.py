"""目標達成状況 (seed 001): one row per KPI with its result and month, then the charts."""
from __future__ import annotations

from app.documents.report import Cell, Context, Document, Table
from app.reads.figures import Figures
from app.reads.overview import KpiLine


def tables(ctx: Context, item) -> list[Table]:
    return []


def finish(ctx: Context, doc: Document) -> None:
    doc.summary, doc.charts = _achievement(ctx.fig, list(ctx.lines.values()), ctx.fiscal_year)


def _achievement(fig: Figures, lines: list[KpiLine], fy: int) -> tuple[Table, list[str]]:
    """No | 対応項目 | 指標 | 目標 | 結果 | 評価 — one row per KPI, the result with its month."""
    rows, charts = [], []
    for n, line in enumerate(lines, start=1):
        result = line.result + (f" {line.as_of.short()}実績分" if line.as_of and line.result_value is not None else "")
        rows.append([Cell(str(n), n), Cell(f"{line.item_no} {line.item_title}"),
                     Cell(line.indicator_name if line.indicator else line.kpi_text),
                     Cell(line.target), Cell(result, line.result_value, line.unit, line.kind),
                     Cell(line.rating or line.proposed or "")])
        if line.indicator and fig.shown_months(line.indicator, fy) and line.indicator not in charts:
            charts.append(line.indicator)
    return Table("目標達成状況", ["No", "対応項目", "指標", "目標", "結果", "評価"], rows), charts
