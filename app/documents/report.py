"""The quarterly documents as data (no Qt, no file format): the model (Document, Block, Table,
Cell) and the tables several documents print. What each document holds is written in its own
module, registered in app/documents/kinds.py (app/documents/build.py builds them): status.py (事業計画実施状況, seed 002),
progress.py (進捗状況, seed 004), summary.py (目標達成状況, seed 001). Writers turn a
``Document`` into .xlsx (app/documents/xlsx.py) or PDF (ui/export.py). Every figure comes from the
stored months, computed by the indicator's kind — never re-typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core import yearcol
from app.reads.figures import Figures
from app.core.fiscal import AsOf, FISCAL_MONTHS, format_fy, month_label, months_to_quarter_end, quarter_months
from app.reads.overview import KpiLine
from app.reads.queries import ItemView
from app.store.database import Database
from app.core.values import format_value

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
    lines: list = field(default_factory=list)          # 進捗状況: one per rated row (progress.RowLine)


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


def monthly_table(fig: Figures, code: str, fy: int, quarter: int, years_back: int = 1) -> Table:
    """年度 | 4月 … 3月 | 計: this year (as of the quarter's end) and ``years_back`` years before it
    where they have figures, the months as every view shows them (a ratio from its parts where it
    was not typed), the year figure by the indicator's kind."""
    ind = fig.catalogue[code]
    upto = list(months_to_quarter_end(quarter))
    rows = []
    for year in range(fy - years_back, fy + 1):
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


def heading(item: ItemView) -> str:
    return f"{item.pillar_no}.{item.pillar_title} ○ {item.title}"


def flags(item: ItemView) -> str:
    return "".join(f for f, on in (("【重要度：高】", item.important), ("【困難度：高】", item.difficult)) if on)


@dataclass
class Context:
    """What every document of a branch, fiscal year and quarter is built from."""
    db: Database
    fig: Figures                       # the branch's figures
    national: Figures                  # 全国 (branch '00')
    fiscal_year: int
    quarter: int
    upto: list[int]                    # the fiscal months up to the quarter's end
    items: list[ItemView]
    statuses: dict                     # item id → its status of the quarter
    lines: dict                        # KPI id → KpiLine
