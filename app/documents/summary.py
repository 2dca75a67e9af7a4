"""目標達成状況 (seed 001): one row per KPI with its result and month; then a page per measure (plan
item): its plan, its KPIs, 事業計画 | 事業結果 | 目標との差 per KPI, the year's 取組内容・結果 and
課題・次年度の取組 (written for 第4四半期; without a year text, 取組内容・結果 prints what the rated
rows' progress texts of the quarter say) and the charts of its KPIs."""
from __future__ import annotations

from app.core.fiscal import format_fy
from app.core.values import format_value
from app.documents.report import (Cell, Chart, Context, Document, Section, Table, rows_text, target_with_unit,
                                  with_unit)
from app.reads.overview import KpiLine

DONE, NOT_DONE = "実施済", "未実施"
MET = ("◎", "○")


def tables(ctx: Context, item) -> list[Table]:
    return []


def finish(ctx: Context, doc: Document) -> None:
    doc.summary = _achievement(list(ctx.lines.values()))
    for block, item in zip(doc.blocks, ctx.items):
        block.parts = _measure(ctx, item)
        doc.charts += [p.indicator for p in block.parts if isinstance(p, Chart) and p.indicator not in doc.charts]


def qualitative(line: KpiLine) -> bool:
    return line.kpi.rule == "qualitative"


def done_text(line: KpiLine) -> str:
    """実施済 / 未実施 for a KPI judged by what was done (定性評価): its rating for the quarter says
    it (◎ ○ △: carried out; ×, □ or none: not)."""
    return DONE if line.rating in ("◎", "○", "△") else NOT_DONE


def _result(line: KpiLine) -> str:
    """The result as the first table prints it: '94.3% R7.3実績分' (unit and month), 実施済 / 未実施."""
    if qualitative(line):
        return done_text(line)
    month = f" {line.as_of.short()}実績分" if line.as_of and line.result_value is not None else ""
    return with_unit(line.result, line.unit) + month


def _achievement(lines: list[KpiLine]) -> Table:
    """No | 対応項目 | 指標 | 目標 | 結果 | 評価 — one row per KPI, the result with its month."""
    rows = []
    for n, line in enumerate(lines, start=1):
        rows.append([Cell(str(n), n), Cell(f"{line.item_no} {line.item_title}"),
                     Cell(line.indicator_name if line.indicator else line.kpi_text),
                     Cell("定性評価" if qualitative(line) else target_with_unit(line.target, line.unit)),
                     Cell(_result(line), line.result_value, line.unit, line.kind),
                     Cell("－" if qualitative(line) else line.rating or line.proposed or "")])
    return Table("目標達成状況", ["No", "対応項目", "指標", "目標", "結果", "評価"], rows)


def gap_text(ctx: Context, line: KpiLine) -> str:
    """目標との差 in the indicator's unit: how far the result is beyond the target ('6.3%（目標達成）')
    or short of it ('0.8%（未達）'), in the KPI's direction; '－' without a result or a target."""
    if qualitative(line):
        return "－"
    target = ctx.fig.kpi_result(line.kpi, ctx.fiscal_year, ctx.quarter).target
    if target is None or line.result_value is None or line.proposed is None:
        return "－"
    gap = abs(line.result_value - target)
    decimals = ctx.fig.decimals(line.indicator) if line.indicator else None
    text = with_unit(format_value(gap, unit=line.unit, kind=line.kind, decimals=decimals), line.unit)
    return f"{text}（{'目標達成' if line.proposed in MET else '未達'}）"


def _result_cell(line: KpiLine) -> Cell:
    """事業結果: '89.4%（令和7年2月実績）' (the month the result is as of)."""
    if qualitative(line):
        return Cell(done_text(line))
    month = f"（{line.as_of.label().removesuffix('末現在')}実績）" if line.as_of and line.result_value is not None else ""
    return Cell(with_unit(line.result, line.unit) + month, line.result_value, line.unit, line.kind)


def goal_table(ctx: Context, line: KpiLine) -> Table:
    """令和6年度事業計画 | 令和6年度事業結果 | 目標との差, one KPI (seed 001)."""
    fy = format_fy(ctx.fiscal_year)
    plan = line.kpi_text if qualitative(line) else target_with_unit(line.target, line.unit)
    return Table(line.indicator_name if line.indicator else line.kpi_text,
                 [f"{fy}事業計画", f"{fy}事業結果", "目標との差"],
                 [[Cell(plan), _result_cell(line), Cell(gap_text(ctx, line))]])


def _measure(ctx: Context, item) -> list:
    """A measure's page: 事業計画, ＫＰＩ, a table per KPI, the year's texts, the charts."""
    fy = format_fy(ctx.fiscal_year)
    lines = [ctx.lines[k.id] for k in item.kpis]
    parts: list = [Section(f"〇{fy}事業計画" + ("" if lines else "（KPI設定なし）"), item.plan_text)]
    if lines:
        parts.append(Section("〇ＫＰＩ", "\n".join(f"・{line.kpi_text}" for line in lines)))
        parts += [goal_table(ctx, line) for line in lines]
    st = ctx.statuses.get(item.id)
    done = (st.results_text if st else "").strip() or rows_text(ctx, item, results=False)
    for heading, text in ((f"〇{fy}取組内容・結果", done),
                          (f"〇課題・{format_fy(ctx.fiscal_year + 1)}の取組", st.next_year_text if st else "")):
        if text.strip():
            parts.append(Section(heading, text.strip()))
    shown = [line.indicator for line in lines
             if line.indicator and ctx.fig.shown_months(line.indicator, ctx.fiscal_year, ctx.quarter)]
    return parts + [Chart(code) for code in dict.fromkeys(shown)]
