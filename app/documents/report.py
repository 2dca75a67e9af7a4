"""The quarterly documents as data (no Qt, no file format): the model (Document, Block, Table,
Cell) and the tables several documents print. What each document holds is written in its own
module, registered in app/documents/kinds.py (app/documents/build.py builds them): status.py (事業計画実施状況, seed 002),
progress.py (進捗状況, seed 004), summary.py (目標達成状況, seed 001). Writers turn a
``Document`` into .xlsx (app/documents/xlsx.py) or PDF (ui/export.py). Every figure comes from the
stored months, computed by the indicator's kind — never re-typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core import yearcol
from app.core.indicator_kinds import kind_of
from app.core.items import flags  # noqa: F401  (re-exported)
from app.reads.figures import Figures
from app.core.fiscal import AsOf, FISCAL_MONTHS, format_fy, month_label, months_to_quarter_end, quarter_months
from app.reads.overview import KpiLine
from app.reads.queries import ItemView
from app.reads.ranks import PlanRanks, ShownRank
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
    indicator: str = ""                # the indicator a month table is of


@dataclass
class Section:
    """A headed text of a block (〇令和6年度取組内容・結果 and what the user wrote)."""
    heading: str
    text: str


@dataclass
class Chart:
    """An indicator's trend chart, where it stands in a block."""
    indicator: str


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
    rank: ShownRank                    # 全国順位 with its basis (app.reads.ranks)
    tables: list[Table] = field(default_factory=list)
    lines: list = field(default_factory=list)          # 進捗状況: one per rated row (progress.RowLine)
    parts: list = field(default_factory=list)          # 目標達成状況: its page, in order: Section, Table, Chart


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
    charts: list[str] = field(default_factory=list)    # indicators to draw a chart of (placed by Chart parts)
    landscape: bool = False


def with_unit(text: str, unit: str) -> str:
    """A figure with its unit as seed 002 writes it: '17,488円', '1,554事業所', '6.30日' ('94.3%'
    and '3:05' carry theirs; '－' has none)."""
    if text == "－" or unit in ("", "%", "h:mm") or text.endswith(unit):
        return text
    return text + unit


def target_with_unit(target: str, unit: str) -> str:
    """'前年度 3,788以上' → '前年度 3,788円以上' (the first figure of a target text)."""
    if unit in ("", "%", "h:mm"):
        return target
    return re.sub(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)(?![\d%.,])", lambda m: m.group(1) + unit, target, count=1)


def _cell(value: float | None, unit: str, kind: str, decimals: int | None = None, units: bool = False) -> Cell:
    """A figure's cell; with ``units`` its unit is written after it (tables whose caption does not
    name the unit)."""
    text = format_value(value, unit=unit, kind=kind, decimals=decimals)
    return Cell(with_unit(text, unit) if units else text, value, unit, kind)


def unit_caption(name: str, unit: str) -> str:
    """'再審査レセプト1件当たり査定額（累計）（単位：円）' — % and h:mm carry their unit in the figures."""
    return f"{name}（単位：{unit}）" if unit not in ("", "%", "h:mm") else name


def monthly_table(fig: Figures, code: str, fy: int, quarter: int, years_back: int = 1,
                  unit_named: bool = False) -> Table:
    """年度 | 4月 … 3月 | 計: this year (as of the quarter's end) and ``years_back`` years before it
    where they have figures, the months as every view shows them (a ratio from its parts where it
    was not typed), the year figure by the indicator's kind (none for a year without months). With
    ``unit_named`` the caption names the unit (（単位：円）)."""
    ind = fig.catalogue[code]
    upto = list(months_to_quarter_end(quarter))
    rows = []
    for year in range(fy - years_back, fy + 1):
        shown = fig.shown_months(code, year, quarter if year == fy else None)
        if not shown and year < fy:
            continue
        full = year < fy or quarter == 4             # a whole year: the printed figure where there is one
        total = None if not shown else fig.year_value(code, year) if full else fig.computed(code, year, upto)
        rows.append([Cell(format_fy(year))] + [_cell(shown.get(m), ind.unit, ind.kind, fig.decimals(code))
                                              for m in FISCAL_MONTHS] + [_cell(total, ind.unit, ind.kind, fig.decimals(code))])
    latest = fig.latest_month(code, fy, quarter)
    return Table(unit_caption(ind.name, ind.unit) if unit_named else ind.name, ["年度", *[month_label(m) for m in FISCAL_MONTHS], "計"], rows,
                 f"※{AsOf(fy, latest).label()}" if latest else "", code)


def quarter_table(fig: Figures, code: str, fy: int, upto: list[int]) -> Table | None:
    """第1四半期 … 第4四半期 | 通期 | 【参考】前年度実績 — for counts, amounts and ratios."""
    ind = fig.catalogue[code]
    if not kind_of(ind.kind, ind.unit).quarters:
        return None
    parts = {c: fig.months.get((c, fy), {}) for c in yearcol.parts_needed(ind)}
    months = fig.months.get((code, fy), {})
    cells = []
    for q in (1, 2, 3, 4):
        qm = [m for m in quarter_months(q) if m in upto]
        cells.append(_cell(yearcol.year_figure(ind, months, parts, until=qm) if qm else None, ind.unit, ind.kind,
                           fig.decimals(code)))
    if all(c.value is None for c in cells):
        return None
    row = [Cell(format_fy(fy))] + cells + [_cell(fig.computed(code, fy, upto), ind.unit, ind.kind, fig.decimals(code)),
                                            _cell(fig.year_value(code, fy - 1), ind.unit, ind.kind, fig.decimals(code))]
    return Table(f"{unit_caption(ind.name, ind.unit)}（四半期別）", ["年度", "第1四半期 4～6月", "第2四半期 7～9月", "第3四半期 10～12月",
                                             "第4四半期 1～3月", "通期", f"【参考】{format_fy(fy - 1, short=True)}年度実績"],
                 [row])


def target_table(fig: Figures, line: KpiLine, fy: int, national: Figures | None) -> Table | None:
    """目標 (KPI) and the latest value against the same month last year and the national figure."""
    if not line.indicator or line.as_of is None:
        return None
    code, m = line.indicator, line.as_of.month
    ind = fig.catalogue[code]
    rows = [[Cell(AsOf(fy, m).label().removesuffix("末現在")),
             _cell(line.result_value, ind.unit, ind.kind, fig.decimals(code), units=True)]]
    last = fig.computed(code, fy - 1, list(FISCAL_MONTHS[:FISCAL_MONTHS.index(m) + 1]))
    if last is not None:
        rows.append([Cell(AsOf(fy - 1, m).label().removesuffix("末現在")),
                     _cell(last, ind.unit, ind.kind, fig.decimals(code), units=True)])
    if national is not None and national.months.get((code, fy), {}).get(m) is not None:
        rows.append([Cell(f"全国（{AsOf(fy, m).label().removesuffix('末現在')}）"),
                     _cell(national.months[(code, fy)][m], ind.unit, ind.kind, fig.decimals(code), units=True)])
    return Table(f"{format_fy(fy)}目標（KPI）：{ind.name}：{target_with_unit(line.target, ind.unit)}", ["", ind.name], rows,
                 f"※{line.as_of.label()}")


def same_period_table(fig: Figures, code: str, fy: int, quarter: int) -> Table | None:
    """年度 | its parts | the indicator: the year so far against the same months last year (前年同期),
    as seed 002 prints サービススタンダード (決定件数 / 達成件数 / 達成率) — the parts where the
    indicator has them (a ratio's counts, an average's weight). Without last year's figures, the
    year so far alone where it has parts (入札件数 / 一者応札件数 / 割合); else no table."""
    ind = fig.catalogue[code]
    parts = [c for c in dict.fromkeys(yearcol.parts_needed(ind)) if c in fig.catalogue and c != code]
    latest = fig.latest_month(code, fy, quarter)
    if latest is None:
        return None
    until = list(FISCAL_MONTHS[:FISCAL_MONTHS.index(latest) + 1])
    cols = [c for c in parts if fig.computed(c, fy, until) is not None] + [code]
    years = [(fy, f"{format_fy(fy)}（{month_label(latest)}まで）")]
    if fig.computed(code, fy - 1, until) is not None:
        years.append((fy - 1, f"{format_fy(fy - 1)}（前年同期）"))
    elif len(cols) == 1:
        return None
    rows = [[Cell(label)] + [_cell(fig.computed(c, year, until), fig.catalogue[c].unit, fig.catalogue[c].kind,
                                   fig.decimals(c), units=True) for c in cols] for year, label in years]
    caption = f"{ind.name}（前年同期比較）" if len(years) == 2 else f"{ind.name}（{month_label(latest)}まで）"
    return Table(caption, ["年度", *[fig.catalogue[c].name for c in cols]], rows, f"※{AsOf(fy, latest).label()}")


def kpi_line(line: KpiLine) -> str:
    """■ 郵送化率 94.3%（令和7年3月末現在）／目標 95%以上 → △; ■ 健康宣言事業所数（累計）
    1,554事業所 …; a KPI without a result yet: ■ its sentence：－ (never a placeholder)."""
    proposed = f" → {line.proposed}" if line.proposed else ""
    goal = f"（月次目標 {with_unit(line.month_target, line.unit)}）" if line.month_target else ""
    if not line.indicator:
        return f"■ {line.kpi_text}：{with_unit(line.result, line.unit)}{goal}{proposed}"
    when = f"（{line.as_of.label()}）" if line.as_of else ""
    return (f"■ {line.indicator_name} {with_unit(line.result, line.unit)}{goal}{when}"
            f"／目標 {target_with_unit(line.target, line.unit)}{proposed}")


#: A sub-point's mark at a line's start: （１）, （５）－１, ①, 【KPI】①, 【業績評価】
MARK = re.compile(r"【KPI】\s*[①-⑳]?|【業績評価】|（[0-9０-９]+）(?:－[0-9０-９]+)?|[①-⑳]")
SHORT = 60                             # a marked line without a 。 and this short is a title: printed whole


def row_mark(plan: str) -> str:
    """What a rated row's text is printed under in 実施状況, as seed 002 heads its texts: the row's
    first marked line where it is a title, not a sentence ('（５）－１柔道整復施術療養費の適正化',
    '① 未治療者の受診勧奨'), else the mark alone ('（１）', '【KPI】①'); a row of several sub-points
    their first and last mark ('（１）～（４）'); '' for a row with no mark."""
    lines = [line.strip() for line in plan.splitlines()]
    marked = [(m.group(0), line) for line in lines if (m := MARK.match(line))]
    if not marked:
        return ""
    subs = [mark for mark, _ in marked if mark.startswith("（")]
    if len(subs) > 1:
        return f"{subs[0]}～{subs[-1]}"
    mark, line = marked[0]
    return line if len(line) <= SHORT and "。" not in line and not mark.startswith("【KPI】") else mark


def row_kpis(item: ItemView) -> list[tuple]:
    """Each rated row of the item with its KPIs' ids; a KPI of no row goes with the first row."""
    homed = {k for r in item.rows for k in r.kpi_ids}
    return [(r, [k.id for k in item.kpis if k.id in r.kpi_ids or (n == 0 and k.id not in homed)])
            for n, r in enumerate(item.rows)]


def rows_text(ctx: "Context", item: ItemView, results: bool = True) -> str:
    """実施状況 as seed 002 writes it: each rated row's progress text of the quarter under its mark,
    with the ■ result lines of its KPIs (``results``); rows with neither are left out. An item
    without rated rows: its KPIs' ■ lines."""
    if not item.rows:
        return "\n".join(kpi_line(ctx.lines[k.id]) for k in item.kpis) if results else ""
    out = []
    for row, kpis in row_kpis(item):
        st = ctx.rows.get(row.id)
        text = st.progress_text.strip() if st else ""
        lines = [kpi_line(ctx.lines[k]) for k in kpis] if results else []
        if text or lines:
            out.append("\n".join(x for x in (row_mark(row.plan_text), text, *lines) if x))
    return "\n".join(out)


def heading(item: ItemView) -> str:
    return f"{item.pillar_no}.{item.pillar_title} ○ {item.title}"


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
    ranks: PlanRanks                   # 全国順位 of rows, KPIs and items, with their basis
    rows: dict = field(default_factory=dict)          # rated row id → its status of the quarter
