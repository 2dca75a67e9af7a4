"""The quarterly documents as data (no Qt, no file format): what 事業計画実施状況 (seed 002),
進捗状況 (seed 004) and 目標達成状況 (seed 001) hold. Writers turn a ``Document`` into .xlsx
(app/documents/xlsx.py) or PDF (ui/export_pdf.py). Every figure comes from the stored months,
computed by the indicator's kind — never re-typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core import yearcol
from app.reads.figures import Figures
from app.core.fiscal import AsOf, FISCAL_MONTHS, format_fy, format_fy_both, month_label, months_to_quarter_end, quarter_months
from app.core.kpi import RATINGS
from app.reads.overview import KpiLine, kpi_lines
from app.reads.queries import ItemView, item_indicators, plan_items, statuses
from app.operations.statuses import rating_counts
from app.store.database import Database, branch_names
from app.core.values import format_value

KINDS = {"status": "事業計画実施状況", "progress": "進捗状況", "summary": "目標達成状況"}


@dataclass
class Cell:
    """A table cell: the text as users write it, and the number behind it (for spreadsheets)."""
    text: str
    value: float | None = None
    unit: str = ""
    kind: str = "count"


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell]]
    note: str = ""                     # ※令和7年3月末現在


@dataclass
class Block:
    """One plan item in a document."""
    item_no: int
    heading: str                       # 1.基盤的保険者機能の盤石化 ○ サービス水準の向上
    title: str
    group: str
    flags: str
    plan: str                          # 計画内容, with its ■ KPI lines
    status: str                        # 実施状況 / 進捗状況 of the quarter, with ■ KPI results
    rating: str | None
    rank: int | None
    tables: list[Table] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    title: str
    branch: str
    fiscal_year: int
    quarter: int
    label: str                         # 機密性2 …
    as_of: str
    blocks: list[Block] = field(default_factory=list)
    summary: Table | None = None       # rating counts / KPI achievement table
    charts: list[str] = field(default_factory=list)    # indicators to draw a chart of
    landscape: bool = False


def _cell(value: float | None, unit: str, kind: str, decimals: int | None = None) -> Cell:
    return Cell(format_value(value, unit=unit, kind=kind, decimals=decimals), value, unit, kind)


def monthly_table(fig: Figures, code: str, fy: int, quarter: int) -> Table:
    """年度 | 4月 … 3月 | 計: this year (as of the quarter's end) and last, the months as every view
    shows them (a ratio from its parts where it was not typed), the year figure by the indicator's
    kind."""
    ind = fig.catalogue[code]
    upto = list(months_to_quarter_end(quarter))
    rows = []
    for year in (fy - 1, fy):
        shown = fig.shown_months(code, year, quarter if year == fy else None)
        if not shown and year < fy:
            continue
        full = year < fy or quarter == 4             # a whole year: the printed figure where there is one
        total = fig.year_value(code, year) if full else fig.computed(code, year, upto)
        rows.append([Cell(format_fy(year))] + [_cell(shown.get(m), ind.unit, ind.kind, fig.decimals(code))
                                              for m in FISCAL_MONTHS] + [_cell(total, ind.unit, ind.kind, fig.decimals(code))])
    latest = fig.latest_month(code, fy, quarter)
    return Table(ind.name, ["年度", *[month_label(m) for m in FISCAL_MONTHS], "計"], rows,
                 f"※{AsOf(fy, latest).label()}" if latest else "※データなし")


def quarter_table(fig: Figures, code: str, fy: int, upto: list[int]) -> Table | None:
    """第1四半期 … 第4四半期 | 通期 | 【参考】前年度実績 — for counts, amounts and ratios."""
    ind = fig.catalogue[code]
    if ind.kind not in ("count", "amount", "ratio"):
        return None
    parts = {c: fig.months.get((c, fy), {}) for c in yearcol.parts_needed(ind)}
    months = fig.months.get((code, fy), {})
    cells = []
    for q in (1, 2, 3, 4):
        qm = [m for m in quarter_months(q) if m in upto]
        cells.append(_cell(yearcol.year_figure(ind, months, parts, until=qm) if qm else None, ind.unit, ind.kind,
                           fig.decimals(code)))
    row = [Cell(format_fy(fy))] + cells + [_cell(fig.computed(code, fy, upto), ind.unit, ind.kind, fig.decimals(code)),
                                            _cell(fig.year_value(code, fy - 1), ind.unit, ind.kind, fig.decimals(code))]
    return Table(f"{ind.name}（四半期別）", ["年度", "第1四半期 4～6月", "第2四半期 7～9月", "第3四半期 10～12月",
                                             "第4四半期 1～3月", "通期", f"【参考】{format_fy(fy - 1, short=True)}年度実績"],
                 [row])


def target_table(fig: Figures, line: KpiLine, fy: int, national: Figures | None) -> Table | None:
    """目標 (KPI) and the latest value against the same month last year and the national figure."""
    if not line.indicator or line.as_of is None:
        return None
    code, m = line.indicator, line.as_of.month
    ind = fig.catalogue[code]
    rows = [[Cell(AsOf(fy, m).label().removesuffix("末現在")), _cell(line.result_value, ind.unit, ind.kind, fig.decimals(code))],
            [Cell(AsOf(fy - 1, m).label().removesuffix("末現在")),
             _cell(fig.computed(code, fy - 1, list(FISCAL_MONTHS[:FISCAL_MONTHS.index(m) + 1])),
                   ind.unit, ind.kind, fig.decimals(code))]]
    if national is not None and national.months.get((code, fy), {}).get(m) is not None:
        rows.append([Cell(f"全国（{AsOf(fy, m).label().removesuffix('末現在')}）"),
                     _cell(national.months[(code, fy)][m], ind.unit, ind.kind, fig.decimals(code))])
    return Table(f"{format_fy(fy)}目標（KPI）：{ind.name}：{line.target}", ["", ind.name], rows,
                 f"※{line.as_of.label()}")


def kpi_line(line: KpiLine) -> str:
    """■ 郵送化率 94.3%（令和7年3月末現在）／目標 95%以上 → △"""
    proposed = f" → {line.proposed}" if line.proposed else ""
    if not line.indicator:
        if line.result_value is None:
            return f"■ {line.kpi_text}：結果は未入力"
        return f"■ {line.kpi_text}：結果 {line.result}{proposed}"
    when = f"（{line.as_of.label()}）" if line.as_of else ""
    return f"■ {line.indicator_name} {line.result}{when}／目標 {line.target}{proposed}"


def _heading(item: ItemView) -> str:
    return f"{item.pillar_no}.{item.pillar_title} ○ {item.title}"


def _flags(item: ItemView) -> str:
    return "".join(f for f, on in (("【重要度：高】", item.important), ("【困難度：高】", item.difficult)) if on)


def build(db: Database, branch: str, fiscal_year: int, quarter: int, kind: str = "status",
          label: str = "機密性2") -> Document:
    """The document of a kind for a branch, fiscal year and quarter."""
    if kind not in KINDS:
        raise ValueError(f"種類は {', '.join(KINDS)} のいずれかです")
    name = branch_names().get(branch, branch)
    fig = Figures(db, branch)
    national = Figures(db, "00")
    upto = list(months_to_quarter_end(quarter))
    items = plan_items(db, branch, fiscal_year)
    st = {s.item_id: s for s in statuses(db, [i.id for i in items], quarter)}
    title = f"{format_fy_both(fiscal_year)} {name}支部{KINDS[kind]} （第{quarter}四半期）"
    latest = max((m for (c, y), months in fig.months.items() if y == fiscal_year for m in months if m in upto),
                 key=FISCAL_MONTHS.index, default=None)
    doc = Document(kind, title, branch, fiscal_year, quarter, label,
                   AsOf(fiscal_year, latest).label() if latest else "", landscape=kind == "progress")
    lines = {line.kpi.id: line for line in kpi_lines(db, fig, items, fiscal_year, quarter)}
    for item in items:
        s = st.get(item.id)
        plan = item.plan_text + "".join(f"\n■ KPI：{k.text.removeprefix('【KPI】').strip()}" for k in item.kpis)
        status = (s.status_text if s else "") + "".join(f"\n{kpi_line(lines[k.id])}" for k in item.kpis)
        block = Block(item.item_no, _heading(item), item.title, item.owner_group, _flags(item), plan,
                      status.strip(), s.rating if s else None, s.national_rank if s else None)
        if kind == "status":
            for k in item.kpis:
                if k.indicator and k.indicator in fig.catalogue and fig.years(k.indicator):
                    block.tables.append(monthly_table(fig, k.indicator, fiscal_year, quarter))
                    if qt := quarter_table(fig, k.indicator, fiscal_year, upto):
                        block.tables.append(qt)
                    if tt := target_table(fig, lines[k.id], fiscal_year, national):
                        block.tables.append(tt)
        elif kind == "progress":
            for code in item_indicators(db.catalogue, item):
                if fig.years(code):
                    block.tables.append(monthly_table(fig, code, fiscal_year, quarter))
        doc.blocks.append(block)
    if kind == "progress":
        items_count, kpi_count = rating_counts(db, branch, fiscal_year, quarter)
        doc.summary = Table("評価の集計", ["", *RATINGS, "計"],
                            [[Cell("全項目")] + [Cell(str(items_count[m]), items_count[m]) for m in RATINGS]
                             + [Cell(str(sum(items_count.values())), sum(items_count.values()))],
                             [Cell("KPI")] + [Cell(str(kpi_count[m]), kpi_count[m]) for m in RATINGS]
                             + [Cell(str(sum(kpi_count.values())), sum(kpi_count.values()))]])
    if kind == "summary":
        doc.summary, doc.charts = _achievement(fig, list(lines.values()), fiscal_year)
    return doc


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
