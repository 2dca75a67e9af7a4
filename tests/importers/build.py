"""Workbooks for the importer tests, built with openpyxl: the one place that writes them.

A monthly workbook (layout A) is described as sheets of blocks of rows. Every row says which
indicator and fiscal year it holds and its values as the user sees them (94.6 for 94.6 %,
minutes for durations, -1 for △1); a :class:`Layout` decides where and how they are written
(position, gaps, hidden rows, merged titles, month and year headers, label spelling, and the
encoding of each value: numbers, percent-formatted fractions, text, full-width text, time
cells). So one description gives the expected records *and* workbooks that look different.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl

from importers.base import Extraction

MONTH_HEADERS = ("4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月")
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
DASH = "-"          # a 'no value' placeholder written in a month cell (not zero)
KEEP = object()     # Layout.year_header: keep each block's own year header word


@cache
def catalogue():
    from app.core.catalogue import load_catalogue

    return load_catalogue()


def full_width(text: str) -> str:
    """ASCII → full-width (space → U+3000): what some people type."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@dataclass(frozen=True)
class Styled:
    """A cell value with its number format ('0.0%', 'h:mm', '#,##0')."""
    value: Any
    number_format: str


# --- monthly workbooks ------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    label: str
    code: str | None          # the indicator the row holds (expected, never written);
                              # None: not one, and the cells are written as given
    fy: int                   # its fiscal year (expected, never written)
    months: tuple             # 12 visible values: number, None (blank cell) or DASH
    year: Any = None          # the visible year figure, None for an empty year cell


@dataclass(frozen=True)
class Block:
    title: str | None         # the line above the header ('○郵送化率'), None for no line
    caption: str | None       # the header's caption cell (a year, an indicator, a generic word)
    rows: tuple[Row, ...]
    year_header: str | None = None    # '計' / '合計' / '平均' / None (no year column)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str | None
    blocks: tuple[Block, ...]


def as_reference(v, ind):
    """Like the sample workbook: numbers, percentages as '0.0%' fractions, negatives and
    durations as text ('△ 1', '3:05')."""
    if v is DASH:
        return "-"
    if ind.kind == "duration":
        return hmm(v)
    if ind.unit == "%":
        return Styled(v / 100, "0.0%")
    if v < 0:
        return f"△ {-v:g}"
    return Styled(v, "#,##0") if v >= 1000 else v


def as_numbers(v, ind):
    """Every value a real Excel number: negatives as -1, durations as time cells (h:mm)."""
    if v is DASH:
        return "―"
    if ind.kind == "duration":
        return Styled(dt.time(int(v) // 60, int(v) % 60), "h:mm")
    if ind.unit == "%":
        return Styled(v / 100, "0.0%")
    return v


def as_text(v, ind):
    """Numbers typed as text: '2,481', '94.6%', '4,292円', '▲1', '3:05'."""
    if v is DASH:
        return "-"
    if ind.kind == "duration":
        return hmm(v)
    text = f"{abs(v):,}" if isinstance(v, int) else f"{abs(v):,.10g}"
    if ind.unit in ("%", "円"):
        text += ind.unit
    return ("▲" + text) if v < 0 else text


def as_full_width(v, ind):
    """Text in full-width characters: '２，４８１', '９４．６％', '△１', '３：０５', '－'."""
    if v is DASH:
        return "－"
    text = as_text(v, ind).replace("▲", "△")
    return full_width(text)


def hmm(minutes) -> str:
    return f"{int(minutes) // 60}:{int(minutes) % 60:02d}"


@dataclass(frozen=True)
class Layout:
    """How a description is written. The defaults give the reference workbook."""
    origin: tuple[int, int] = (3, 1)          # (row, column), 1-based, of the first block's first line
    gap: int = 1                               # empty rows between blocks
    hidden_rows: int = 0                       # hidden empty rows after those (between blocks)
    merge_titles: bool = False                 # sheet and block titles in merged cells
    first_month: str = "4月"                   # '4月まで'
    year_header: Any = KEEP                    # a word for every year column; None drops the column
    text: Callable[[str], str] = str           # applied to every title, caption and label
    encode: Callable = as_reference            # (visible value, indicator) → cell value
    reverse_sheets: bool = False
    reverse_blocks: bool = False


def write_monthly(path: Path, sheets: Iterable[SheetSpec], layout: Layout = Layout()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = list(sheets)
    for spec in reversed(sheets) if layout.reverse_sheets else sheets:
        ws = wb.create_sheet(spec.name)
        if spec.title:
            ws.cell(1, 1, layout.text(spec.title))
            if layout.merge_titles:
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
        r, c = layout.origin
        blocks = list(reversed(spec.blocks)) if layout.reverse_blocks else list(spec.blocks)
        for i, block in enumerate(blocks):
            if i:
                r += layout.gap
                for _ in range(layout.hidden_rows):
                    ws.row_dimensions[r].hidden = True
                    r += 1
            r = _write_block(ws, r, c, block, layout)
    path = Path(path)
    wb.save(path)
    return path


def _write_block(ws, r: int, c: int, block: Block, layout: Layout) -> int:
    year_header = block.year_header if layout.year_header is KEEP else (
        layout.year_header if block.year_header else None)
    if block.title:
        ws.cell(r, c, layout.text(block.title))
        if layout.merge_titles:
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 5)
        r += 1
    if block.caption:
        ws.cell(r, c, layout.text(block.caption))
    for i, month in enumerate(MONTH_HEADERS):
        ws.cell(r, c + 1 + i, layout.first_month if i == 0 else month)
    if year_header:
        ws.cell(r, c + 13, year_header)
    r += 1
    for row in block.rows:
        ind = catalogue()[row.code] if row.code else None
        ws.cell(r, c, layout.text(row.label))
        for i, v in enumerate(row.months):
            if v is not None:
                put(ws.cell(r, c + 1 + i), layout.encode(v, ind) if ind else v)
        if year_header and row.year is not None:
            put(ws.cell(r, c + 13), layout.encode(row.year, ind) if ind else row.year)
        r += 1
    return r


def put(cell, value) -> None:
    if isinstance(value, Styled):
        cell.value = value.value
        cell.number_format = value.number_format
    else:
        cell.value = value


def expected_months(sheets: Iterable[SheetSpec]) -> dict[tuple[int, int, str], float]:
    """(fy, month, indicator) → value, for every written month value."""
    return {(row.fy, m, row.code): v
            for s in sheets for b in s.blocks for row in b.rows if row.code
            for m, v in zip(FISCAL_MONTHS, row.months) if v is not None and v is not DASH}


def expected_years(sheets: Iterable[SheetSpec]) -> dict[tuple[int, str], float]:
    return {(row.fy, row.code): row.year
            for s in sheets for b in s.blocks if b.year_header for row in b.rows
            if row.code and row.year is not None}


def month_values(ext: Extraction, branch: str = "10") -> dict[tuple[int, int, str], float]:
    """The extracted month values as (fy, month, indicator) → value (all of one branch)."""
    assert {v.branch for v in ext.values} <= {branch}, {v.branch for v in ext.values}
    out = {}
    for v in ext.values:
        if v.month is not None:
            key = (v.fiscal_year, v.month, v.indicator)
            assert out.setdefault(key, v.value) == v.value, f"{key} read twice with different values"
    return out


def year_values(ext: Extraction) -> dict[tuple[int, str], float]:
    return {(v.fiscal_year, v.indicator): v.value for v in ext.values if v.month is None}


def twelve(*values) -> tuple:
    """Twelve month values, April first."""
    assert len(values) == 12, values
    return values


def april(cell) -> tuple:
    """A row with one value, in April."""
    return (cell,) + (None,) * 11


R5, R6 = 2023, 2024

#: The reference description: the four row shapes of layout A, Gunma FY R5/R6 figures.
REFERENCE = (
    SheetSpec("業務", "令和6年度 群馬支部 事業計画 月次実績（業務）", (
        # shape 2: the caption names an indicator, the first row is a year, then other indicators
        Block("○サービススタンダード", "達成率", (
            Row("令和６年度", "ss_rate", R6, twelve(*[100] * 12), 100),
            Row("傷病手当金", "ss_sickness", R6,
                twelve(2462, 2351, 2198, 2186, 2613, 2780, 3019, 2685, 2604, 2745, 2555, 3000), 31198),
            Row("家族出産一時金", "ss_childbirth_family", R6,
                twelve(28, 29, 53, 48, None, None, None, None, None, None, None, None), 158),
            Row("埋葬料（費）", "ss_burial", R6, twelve(43, 35, 33, 32, 74, 77, 80, 92, 86, 111, 87, 76), 826),
        ), "計"),
        # shape 1: the caption is the year, every row an indicator of it
        Block("○郵送化率", "令和６年度", (
            Row("郵送化率", "mail_rate", R6,
                twelve(93.5, 93.8, 94.7, 94.7, 93.6, 95.1, 94.1, 94.5, 94.8, 94.0, 94.7, 93.9), 94.3),
            Row("窓口件数", "counter_count", R6, twelve(541, 453, 359, 384, 429, 393, 419, 374, 347, 438, 366, 466), 4969),
            Row("郵送件数", "mail_count", R6,
                twelve(7742, 6828, 6357, 6891, 6227, 7617, 6658, 6378, 6323, 6847, 6580, 7159), 81607),
        ), "計"),
        Block("○柔道整復 支給", "令和６年度", (
            Row("金額/件(円)", "judo_amount_per_case", R6,
                twelve(4292, 4481, 4536, 4492, 4428, 4471, 4345, 4419, 4480, 4339, 4400, 4297), 4417),
            Row("支給件数", "judo_paid_count", R6,
                twelve(15898, 16238, 16543, 17185, 17273, 16840, 16429, 16951, 17161, 16189, 15595, 15030), 197332),
            Row("支給金額(円)", "judo_paid_amount", R6,
                twelve(68238947, 72756768, 75039557, 77203239, 76492003, 75284266, 71383439, 74904387,
                   76886046, 70250898, 68619443, 64577788), 871636781),
        ), "計"),
    )),
    SheetSpec("保健", "令和6年度 群馬支部 事業計画 月次実績（保健）", (
        # shape 3: a generic caption, year rows, and a '標準化' row of the latest year above it
        Block("○健康宣言事業所数", "累計", (
            Row("令和５年度", "decl_total", R5,
                twelve(1341, 1346, 1356, 1356, 1370, 1374, 1391, 1388, 1427, 1455, 1470, 1481)),
            Row("令和６年度", "decl_total", R6,
                twelve(1491, 1501, 1504, 1504, 1507, 1520, 1534, 1545, 1554, 1560, 1565, 1587)),
            Row("標準化", "decl_standardized", R6,
                twelve(1247, 1257, 1260, 1260, 1263, 1276, 1290, 1301, 1400, 1406, 1411, 1433)),
        )),
    )),
    SheetSpec("企画総務", "令和6年度 群馬支部 事業計画 月次実績（企画総務）", (
        Block("○メールマガジン 新規登録", "単月", (
            Row("令和５年度", "mailmag_new", R5, twelve(9, 6, -1, 12, 4, 1, 4, 57, 29, 107, 14, -16), 226),
            Row("令和６年度", "mailmag_new", R6, twelve(-2, 16, 7, -1, 6, 9, 3, -8, -1, 122, 2, 28), 181),
        ), "合計"),
        Block("○超過勤務時間", "単月", (
            Row("令和６年度", "overtime", R6,     # minutes: 3:12 1:24 … 3:48, mean 147.6 → 2:27
                twelve(192, 84, 65, 107, 91, 136, 213, 155, 146, 174, 180, 228), 147),
        ), "平均"),
        # shape 4: no year in the block: the sheet title's year
        Block("○一般競争入札", None, (
            Row("一般競争", "tender_general", R6, twelve(3, 1, 1, 1, 2, 0, 2, 0, 1, 0, 1, 0), 12),
            Row("一者応札", "tender_single_bid", R6, twelve(0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0), 1),
            Row("割合", "tender_single_bid_rate", R6, twelve(*[DASH] * 12), 8.3),
        ), "合計"),
    )),
)


def retitle(sheets: Iterable[SheetSpec], title: Callable[[SheetSpec], str | None]) -> tuple[SheetSpec, ...]:
    return tuple(replace(s, title=title(s)) for s in sheets)


def relabel(sheets: Iterable[SheetSpec], old: str, new: str) -> tuple[SheetSpec, ...]:
    """The description with every row labelled ``old`` labelled ``new``."""
    return tuple(replace(s, blocks=tuple(replace(b, rows=tuple(replace(r, label=new) if r.label == old else r
                                                               for r in b.rows)) for b in s.blocks))
                 for s in sheets)


def one_block(path: Path, block: Block, title: str | None = "令和6年度 群馬支部 月次実績",
              sheet: str = "Sheet", layout: Layout = Layout()) -> Path:
    """A workbook of one sheet holding one block (title in A1, block from A3: header in row 4
    when the block has a title line, data rows from row 5)."""
    return write_monthly(path, [SheetSpec(sheet, title, (block,))], layout)


def grid(path: Path, rows: dict[str, list[list[Any]]]) -> Path:
    """A workbook of sheets given as lists of rows (row 1 first; cells may be Styled)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, data in rows.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(data, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    put(ws.cell(r, c), v)
    path = Path(path)
    wb.save(path)
    return path


# --- plan workbooks ---------------------------------------------------------------------------

PLAN_HEADER = ("項番", "区分", "事業", "担当", "計画内容", "KPI", "重要度", "困難度")


@dataclass(frozen=True)
class PlanItem:
    no: Any
    title: str
    kpi: str | None = None
    pillar: str = "1.基盤的保険者機能の盤石化"
    group: str = "業務グループ"
    plan: str = "計画の内容。"
    important: str | None = None
    difficult: str | None = None
    extra: dict = field(default_factory=dict)


def write_plan(path: Path, items: Iterable[PlanItem], title: str | None = "令和6年度 群馬支部 事業計画",
               header_row: int = 3) -> Path:
    rows: list[list[Any]] = [[title]] if title else [[]]
    rows += [[] for _ in range(header_row - 2)]
    rows.append(list(PLAN_HEADER))
    for it in items:
        rows.append([it.no, it.pillar, it.title, it.group, it.plan, it.kpi, it.important, it.difficult])
    return grid(path, {"事業計画": rows})


# --- progress sheets (layout E, seed 004) ------------------------------------------------------

PROGRESS_HEADINGS = {"no": "項番", "title": "事業", "plan": "実施（手段スケジュール）概要",
                     "progress": "進捗状況（計画を下回る場合は、今後改善すべき点等）", "rating": "実施状況",
                     "rank": "全国順位", "group": "担当"}


@dataclass(frozen=True)
class RatedLine:
    """A sheet row of an item: its plan text and, when filled, progress text, rating and rank as
    written in the cells ('〇', '（27位）', 27 …)."""
    plan: str
    progress: str | None = None
    rating: Any = None
    rank: Any = None


@dataclass(frozen=True)
class ProgressItem:
    no: Any
    title: str
    lines: tuple                    # RatedLine or Block (a month table between the rows)
    group: str = ""                 # written in a 担当 column when the layout has one
    heading: str | None = None      # a group heading above the item (○サービス水準の向上（業務グループ）)


@dataclass(frozen=True)
class ProgressLayout:
    columns: tuple[str, ...] = ("no", "title", "plan", "progress", "rating", "rank")
    header_row: int = 4             # 1-based
    merge: bool = True              # 項番 and 事業 merged down the item's rows; pillar rows across
    table_column: int | None = None  # 1-based column of the month tables' labels (default: the plan's)
    text: Callable[[str], str] = str


def write_progress(path: Path, entries: Iterable, title: str | None = "令和6年度　群馬支部事業計画",
                   as_of: str | None = "令和7年3月末現在", layout: ProgressLayout = ProgressLayout(),
                   count: dict | None = None, sheet: str = "進捗状況") -> Path:
    """A progress sheet: entries are pillar titles (str: '１．基盤的保険者機能関係') and items;
    ``count`` ({'全体': {mark: n}, 'KPI': {…}}) writes the closing count with its legend."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.cell(1, 1, layout.text(title))
    if as_of:
        ws.cell(2, 1, layout.text(as_of))
    col = {key: i + 1 for i, key in enumerate(layout.columns)}
    for key, c in col.items():
        ws.cell(layout.header_row, c, PROGRESS_HEADINGS.get(key, key))

    r = layout.header_row + 1
    for entry in entries:
        if isinstance(entry, str):
            ws.cell(r, 1, layout.text(entry))
            if layout.merge:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(layout.columns))
            r += 1
            continue
        if entry.heading:
            ws.cell(r, col["plan"], layout.text(entry.heading))
            r += 1
        first = r
        ws.cell(r, col["no"], entry.no)
        ws.cell(r, col["title"], layout.text(entry.title))
        if "group" in col:
            ws.cell(r, col["group"], entry.group)
        for line in entry.lines:
            if isinstance(line, Block):
                r = _write_block(ws, r, layout.table_column or col["plan"], line, Layout()) + 1   # a blank row after
                continue
            for key in ("plan", "progress", "rating", "rank"):
                value = getattr(line, key)
                if value is not None and key in col:
                    ws.cell(r, col[key], layout.text(value) if isinstance(value, str) and key == "plan" else value)
            r += 1
        if layout.merge and r - 1 > first:
            for key in ("no", "title"):
                ws.merge_cells(start_row=first, start_column=col[key], end_row=r - 1, end_column=col[key])
    if count:
        r += 1
        ws.cell(r, 1, "評価の集計")
        marks = ("◎", "○", "△", "×", "□")
        for i, m in enumerate(marks):
            ws.cell(r + 1, 2 + i, m)
        ws.cell(r + 1, 7, "計")
        for j, key in enumerate(("全体", "KPI")):
            ws.cell(r + 2 + j, 1, key)
            for i, m in enumerate(marks):
                ws.cell(r + 2 + j, 2 + i, count[key].get(m, 0))
            ws.cell(r + 2 + j, 7, sum(count[key].values()))
        ws.cell(r + 5, 1, "◎：目標を上回る　○：目標達成（計画通り）　△：目標未達　×：未実施　□：未実施（これから実施）")
    path = Path(path)
    wb.save(path)
    return path
