"""A document as a print-ready workbook (openpyxl): A4, fitted to one page wide, header rows
repeated, page numbers and the confidentiality label, numbers with the formats users write.

Every text from a person or a file is written as a string cell — never a formula — and
characters a workbook cannot hold are removed.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from app.core.indicator_kinds import kind_of
from app.core.texttable import WHOLE, parts, wrap
from app.documents.kinds import KINDS
from app.documents.report import Cell, Document, Table
from app.documents.sheet_merge import merge, rows_moved

WIDTH = 15                                   # columns A..O
COL_WIDTHS = [12] + [8.2] * 12 + [10, 19.5]    # O: 全国順位 with its basis (（3月・支部別表）) on a line
CHARS_PER_WIDTH = 0.95       # half-width characters of the 11pt Japanese font per unit of column width
LINES_PER_ROW = 6            # a long text goes on several sheet rows, so pages break between them
LINE_PT = 14                 # the height of a line of 11pt text


def load_openpyxl() -> None:
    """Import openpyxl without numpy (0.1 s of a process that writes one workbook): openpyxl imports
    numpy when it is installed, only to take its number types for cell values, and every number
    written here is a Python int or float (the database's). Once openpyxl is loaded, numpy imports
    as usual (the window's charts)."""
    import sys

    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None                 # `import numpy` raises ImportError: openpyxl goes on without
    try:
        import openpyxl  # noqa: F401
    finally:
        if sys.modules.get("numpy", 0) is None:
            del sys.modules["numpy"]


class Styles(dict):
    """The sheet's style objects by name, each put into the workbook's lists once: ``put`` points a
    cell at them by index (openpyxl's ``cell.font = f`` looks the whole object up again, hashing
    it and its parts, for every cell). The lists grow in the same order, so the workbook is the same."""
    SLOTS = {"font": ("_fonts", "fontId"), "fill": ("_fills", "fillId"), "border": ("_borders", "borderId"),
             "alignment": ("_alignments", "alignmentId")}

    def __init__(self, wb):
        super().__init__(_styles())
        self.wb, self.ids, self.made = wb, {}, {}

    def put(self, cell, **styles) -> None:
        """``cell.font = …, cell.border = …`` (the keywords: font, fill, border, alignment)."""
        from openpyxl.styles.cell_style import StyleArray

        if cell._style is None:
            cell._style = StyleArray()
        for name, obj in styles.items():
            key = (name, id(obj))
            found = self.ids.get(key)
            if found is None:
                found = self.ids[key] = (getattr(self.wb, self.SLOTS[name][0]).add(obj), obj)    # (kept alive)
            setattr(cell._style, self.SLOTS[name][1], found[0])

    def one(self, key, make):
        """The style object ``make()`` known by ``key``, made once."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    side = Side(style="thin", color="999999")
    return {
        "border": Border(left=side, right=side, top=side, bottom=side),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "right": Alignment(horizontal="right", vertical="center", wrap_text=True),
        "figure": Alignment(horizontal="right", vertical="center", shrink_to_fit=True),   # never wrapped
        "left": Alignment(vertical="center", wrap_text=True),
        "title": Font(size=14, bold=True),
        "bold": Font(bold=True),
        "small": Font(size=9, color="555555"),
        "head": PatternFill("solid", fgColor="DDE6F0"),
        "block": PatternFill("solid", fgColor="EEF2F7"),
    }


def put_text(cell, text: str | None) -> None:
    """A person's or a file's text as a string cell: '=HYPERLINK(…)' stays text, control
    characters go (a tab or line break stays)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    cell.data_type = "s"


def _decimals(text: str) -> int:
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


_FIGURE = re.compile(r"[△▲-]?[\d,]+(?:\.\d+)?(?:%|[^\d\s]{0,3})")


def put_figure(cell, c: Cell) -> None:
    """A figure as a number with the format users write (94.6%, 2,481, △1, 3:05), '－' as text."""
    if c.value is None or not _FIGURE.fullmatch(c.text):      # '－', '3,036 R7.3実績分': the text as printed
        from openpyxl.styles import Alignment

        put_text(cell, c.text)
        cell.alignment = Alignment(horizontal="right", vertical="center")
        return
    d = _decimals(c.text)
    frac = "." + "0" * d if d else ""
    if kind_of(c.kind, c.unit).clock:
        cell.value, cell.number_format = c.value / 1440, "[h]:mm"
    elif c.unit == "%":
        cell.value, cell.number_format = c.value / 100, f"0{frac}%"
    else:
        unit = f'"{c.unit}"' if c.unit and c.text.endswith(c.unit) else ""     # 17,488円 as printed
        cell.value, cell.number_format = c.value, f'#,##0{frac}{unit};"△"#,##0{frac}{unit}'


def _lines(text: str, chars_per_line: float) -> int:
    """How many printed lines a wrapped text takes (full-width characters count double)."""
    return len(wrap(text, chars_per_line))


def _chars(c1: int, c2: int) -> float:
    """How many half-width characters a line of columns c1..c2 holds (a little under what Excel and
    LibreOffice fit, so that they never wrap a line again)."""
    return sum(COL_WIDTHS[c - 1] for c in range(c1, c2 + 1)) * CHARS_PER_WIDTH - 1


def _merge_text(ws, row: int, c1: int, c2: int, text: str, st, fill=None, font=None) -> int:
    """Text in merged columns c1..c2, wrapped; returns the lines it needs."""
    cell = ws.cell(row, c1)
    put_text(cell, text)
    st.put(cell, alignment=st["wrap"])
    if fill:
        st.put(cell, fill=fill)
    if font:
        st.put(cell, font=font)
    for c in range(c1, c2 + 1):
        st.put(ws.cell(row, c), border=st["border"])
    if c2 > c1:
        merge(ws, row, c1, row, c2)
    return _lines(text, _chars(c1, c2))


@dataclass
class Side:
    """A column range of a printed line (計画内容, 実施状況, 全国順位 …) and what it holds, in order:
    lists of printed lines of text, and tuples of cells (a pasted table's row)."""
    c1: int
    c2: int
    pieces: list


def side(c1: int, c2: int, text: str) -> Side:
    """A person's text in columns c1..c2: its lines broken as printed (禁則, a ・ line hanging,
    app/core/texttable.py) and each row of a table pasted into it (_cells)."""
    pieces: list = []
    for part in parts(text):
        pieces += [wrap(part, _chars(c1, c2))] if isinstance(part, str) else _cells(part, c1, c2)
    return Side(c1, c2, pieces or [[""]])


def _cells(table: list[list[str]], c1: int, c2: int) -> list[tuple]:
    """A pasted table over columns c1..c2, a tuple per row of (first column, last column, text): the
    sheet columns shared out by what the table's columns hold (the widest gets the next one); what
    does not fit goes into the last cell."""
    n = c2 - c1 + 1
    if len(table[0]) > n:
        table = [r[:n - 1] + ["　".join(c for c in r[n - 1:] if c)] for r in table]
    need = [max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in r[k]) for r in table) for k in range(len(table[0]))]
    spans = [1] * len(need)
    for _ in range(n - len(need)):
        k = max(range(len(need)), key=lambda k: need[k] / spans[k])
        spans[k] += 1
    starts = [c1 + sum(spans[:k]) for k in range(len(spans))]
    return [tuple((a, a + span - 1, text) for a, span, text in zip(starts, spans, r)) for r in table]


def _layout(sides: list[Side]) -> list[list]:
    """Sheet rows for sides beside one another: a pasted table's row is a sheet row; the text
    beside it flows down the rows (a line in each), and a long text goes on sheet rows of at most
    LINES_PER_ROW lines, so that pages break between them. Each sheet row: per side, a list of
    lines or a table row (tuple)."""
    queues = [list(s.pieces) for s in sides]
    rows = []
    while any(queues):
        heads = [q[0] if q else None for q in queues]
        rigid = [max(_lines(t, _chars(a, b)) for a, b, t in h) for h in heads if isinstance(h, tuple)]
        texts = [(h, len(q) > 1) for h, q in zip(heads, queues) if isinstance(h, list)]
        if rigid:
            height = max(rigid)
        else:
            before = [len(h) for h, more in texts if more]            # text with a table after it
            height = min(before) if before else min(LINES_PER_ROW, max(len(h) for h, _ in texts))
            height = max(1, min(height, LINES_PER_ROW))
        row = []
        for q in queues:
            if not q:
                row.append([])
            elif isinstance(q[0], tuple):
                row.append(q.pop(0))
            else:
                row.append(q[0][:height])
                q[0] = q[0][height:]
                if not q[0]:
                    q.pop(0)
        rows.append(row)
    return rows


def _put_sides(ws, row: int, sides: list[Side], st) -> int:
    """Sides beside one another from ``row`` (_layout); the text framed as one box per side, a
    table's cells each in its own. Returns the next free row."""
    from openpyxl.styles import Alignment, Border

    edge = st["border"].left
    rows = _layout(sides)
    for k, pieces in enumerate(rows):
        lines = 1
        for s, piece in zip(sides, pieces):
            if isinstance(piece, tuple):
                for a, b, text in piece:
                    cell = ws.cell(row + k, a)
                    put_text(cell, text)
                    figure = WHOLE.fullmatch(text.replace(" ", "")) and not text.startswith("【")
                    to = "right" if figure else "left"
                    st.put(cell, alignment=st.one(to, lambda: Alignment(horizontal=to, vertical="center",
                                                                        wrap_text=True)))
                    for c in range(a, b + 1):
                        st.put(ws.cell(row + k, c), border=st["border"])
                    if b > a:
                        merge(ws, row + k, a, row + k, b)
                    lines = max(lines, _lines(text, _chars(a, b)))
                continue
            cell = ws.cell(row + k, s.c1)
            put_text(cell, "\n".join(piece))
            st.put(cell, alignment=st["wrap"] if s.c2 > s.c1 else st["center"])
            lines = max(lines, len(piece))
            for c in range(s.c1, s.c2 + 1):
                box = (c == s.c1, c == s.c2, k == 0, k == len(rows) - 1)      # its sides: left, right, top, bottom
                st.put(ws.cell(row + k, c), border=st.one(box, lambda: Border(*(edge if b else None for b in box))))
            if s.c2 > s.c1:
                merge(ws, row + k, s.c1, row + k, s.c2)
        ws.row_dimensions[row + k].height = LINE_PT * lines + 4
    return row + len(rows)


def _caption(ws, row: int, text: str, st) -> None:
    """A heading line over the sheet's width, in bold, wrapped when it is longer (never cut)."""
    cell = ws.cell(row, 1)
    put_text(cell, text)
    st.put(cell, font=st["bold"], alignment=st["wrap"])
    merge(ws, row, 1, row, WIDTH)
    lines = _lines(text, _chars(1, WIDTH))
    if lines > 1:
        ws.row_dimensions[row].height = ROW_PT * lines + 3


@dataclass
class Run:
    """Sheet rows that go on over a page as one thing (an item, a table): a page that starts inside
    them starts with ``repeat`` — (row from the first, suffix) copied there: its heading with
    （続き）, its header."""
    first: int
    last: int
    repeat: list


def _table(ws, row: int, table: Table, st, keep: list | None = None, widths: list[int] | None = None,
           runs: list | None = None) -> int:
    """A figures table from column A; returns the next free row. ``keep`` gets its rows (caption to
    note: a page break goes before it, not in it), ``runs`` the table as a Run (a table longer than
    a page goes on under its caption with （続き） and its header); ``widths``: the sheet columns of
    each (by default the first one narrow, a row label)."""
    first = row
    _caption(ws, row, table.caption, st)
    row += 1
    widths = widths or _spans(len(table.header))
    col, lines = 1, 1
    for text, span in zip(table.header, widths):
        cell = ws.cell(row, col)
        broken = wrap(text, _chars(col, col + span - 1))
        put_text(cell, "\n".join(broken))
        st.put(cell, fill=st["head"], font=st["bold"], alignment=st["center"], border=st["border"])
        if span > 1:
            merge(ws, row, col, row, col + span - 1)
        lines = max(lines, len(broken))
        col += span
    ws.row_dimensions[row].height = 4 + LINE_PT * lines
    for cells in table.rows:
        row += 1
        col, lines = 1, 1
        for c, span in zip(cells, widths):
            cell = ws.cell(row, col)
            broken = wrap(c.text, _chars(col, col + span - 1))
            if c.value is None and c.text != "－":          # a text (対応項目, 目標): broken by the rules
                put_text(cell, "\n".join(broken))
                st.put(cell, alignment=st["left"])
            else:
                put_figure(cell, c)
                st.put(cell, alignment=st["figure"])
            st.put(cell, border=st["border"])
            if span > 1:
                merge(ws, row, col, row, col + span - 1)
            lines = max(lines, len(broken))
            col += span
        if lines > 1:                                   # wrapped, never clipped
            ws.row_dimensions[row].height = 15 * lines + 3
    if table.note:
        row += 1
        put_text(ws.cell(row, 1), table.note)
        st.put(ws.cell(row, 1), font=st["small"])
    if keep is not None:
        keep.append((first, row))
    if runs is not None:
        runs.append(Run(first, row, [(0, CONTINUED), (1, "")]))
    return row + 2


def _progress_lines(ws, row: int, block, st, keep: list, runs: list) -> int:
    """進捗状況: ○title（group）, a sheet row per rated row (項番 and 事業 on the first), then the
    item's monthly tables; returns the next free row."""
    from app.documents.progress import RowLine, group_heading

    _merge_text(ws, row, 1, WIDTH, group_heading(block.title, block.group), st, st["block"], st["bold"])
    keep.append((row, row + 1))                        # the heading with the item's first row
    heading = row
    row += 1
    for n, line in enumerate(block.lines or [RowLine(block.plan, block.status, block.rating, block.rank)]):
        first = n == 0
        row = _put_sides(ws, row, [
            Side(1, 1, [[str(block.item_no) if first else ""]]),
            side(2, 3, f"{block.title}\n{block.group}\n{block.flags}".strip() if first else ""),
            side(4, 8, line.plan), side(9, 13, line.status), Side(14, 14, [[line.rating or ""]]),
            side(15, 15, line.rank.lines)], st)
    runs.append(Run(heading, row - 1, [(0, CONTINUED)]))
    row += 1
    for table in block.tables:
        row = _table(ws, row, table, st, keep, runs=runs)
    return row


def _spans(n: int) -> list[int]:
    """Spread n table columns over the 15 sheet columns (first column: the row label)."""
    if n >= WIDTH:
        return [1] * n
    rest, extra = divmod(WIDTH - 1, n - 1)
    return [1] + [rest + (1 if i >= n - 1 - extra else 0) for i in range(n - 1)]   # the last ones wider


def _page(ws, doc: Document, title_rows: str | None, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.left.text = doc.title.replace("&", "&&")
    ws.oddHeader.right.text = doc.label.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.right.text = doc.as_of.replace("&", "&&")


def write_xlsx(doc: Document, out: str | Path, chart_images: dict[str, Path] | None = None) -> Path:
    """Write the document; ``chart_images`` (indicator → PNG) go where the document places them
    (目標達成状況: on each measure's page, on the sheet after its first table)."""
    load_openpyxl()
    from openpyxl import Workbook

    wb = Workbook()
    st = Styles(wb)
    ws = wb.active
    ws.title = KINDS[doc.kind].sheet
    _columns(ws)
    put_text(ws.cell(1, 1), doc.title)
    st.put(ws.cell(1, 1), font=st["title"])
    merge(ws, 1, 1, 1, WIDTH)
    put_text(ws.cell(2, 1), f"※{doc.as_of}　{doc.label}" if doc.as_of else doc.label)
    st.put(ws.cell(2, 1), font=st["small"])
    row = 3
    if doc.kind == "status":
        heads = (("計画内容", 1, 7), ("実施状況", 8, WIDTH))
    elif doc.kind == "progress":
        heads = (("項番", 1, 1), ("事業", 2, 3), ("実施（手段スケジュール）概要", 4, 8),
                 ("進捗状況（計画を下回る場合は、今後改善すべき点等）", 9, 13), ("実施状況", 14, 14), ("全国順位", 15, 15))
    else:
        heads = ()
    if heads:
        for text, c1, c2 in heads:
            _merge_text(ws, row, c1, c2, text, st, st["head"], st["bold"])
            st.put(ws.cell(row, c1), alignment=st["center"])
        ws.row_dimensions[row].height = 30
        row += 1
    keep: list[tuple[int, int]] = []
    runs: list[Run] = []
    for block in doc.blocks if heads else ():          # 目標達成状況 has its table only
        if doc.kind == "progress":
            row = _progress_lines(ws, row, block, st, keep, runs)
            continue
        _merge_text(ws, row, 1, WIDTH, block.heading + (f"　{block.flags}" if block.flags else ""), st,
                    st["block"], st["bold"])
        keep.append((row, row + 1))
        first = row
        row = _put_sides(ws, row + 1, [side(1, 7, block.plan), side(8, WIDTH, block.status)], st)
        runs.append(Run(first, row - 1, [(0, CONTINUED)]))
        row += 1
        for table in block.tables:
            row = _table(ws, row, table, st, keep, runs=runs)
    if doc.summary is not None:
        # 評価の集計 goes on like an item's table; 目標達成状況's first table has its header as the print title
        row = _table(ws, row, doc.summary, st, keep, runs=runs if heads else None)
    # the repeated print row is a table's real header: the columns' (row 3), 目標達成状況's (row 4)
    _page(ws, doc, "3:3" if heads else "4:4" if doc.summary is not None else None, doc.landscape)
    page_breaks(ws, keep, runs, ws.row_dimensions[3].height if heads else 0, doc.landscape)
    japanese_font(ws)
    if doc.kind == "summary":
        _measures(wb.create_sheet(MEASURES_SHEET), doc, chart_images or {}, st)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


FONT = "IPAexGothic"


CONTINUED = "（続き）"


def page_breaks(ws, keep: list[tuple[int, int]], runs: list[Run], title_pt: float, landscape: bool) -> int:
    """Page breaks where a person would make them: before a heading with the first row it heads, or
    a table from its caption to its note, that would cross the foot of a page (when it fits on
    one); a page starting inside a Run starts with its rows to repeat (its heading with （続き）,
    a table's header), inserted there. Pages are measured by page_points, less the repeated title
    row each prints. Returns the number of breaks."""
    from openpyxl.worksheet.pagebreak import Break

    page = page_points(landscape, ws.page_margins) - title_pt
    height = lambda r: ws.row_dimensions[r].height or ROW_PT          # noqa: E731
    used, breaks, r, end = 0.0, 0, 1, ws.max_row          # (max_row looks at every cell)
    while r <= end:
        last = next((b for a, b in keep if a == r), r)
        h = sum(height(x) for x in range(r, last + 1))
        if h > page:                                              # longer than a page: rows as they come
            last, h = r, height(r)
        if used and used + h > page:
            ws.row_breaks.append(Break(id=r - 1))
            used, breaks = 0.0, breaks + 1
            run = next((run for run in runs if run.first < r <= run.last), None)
            if run is not None:
                n = len(run.repeat)
                _insert_rows(ws, r, n)
                end += n
                keep[:] = [(a + n, b + n) if a >= r else (a, b) for a, b in keep]
                for other in runs:
                    other.first, other.last = (other.first + n if other.first >= r else other.first,
                                               other.last + n if other.last >= r else other.last)
                for k, (offset, suffix) in enumerate(run.repeat):
                    _copy_row(ws, run.first + offset, r + k, suffix)
                used = sum(height(x) for x in range(r, r + n))
                r += n
                continue
        used += h
        r = last + 1
    return breaks


def _insert_rows(ws, at: int, n: int) -> None:
    """``n`` empty rows before row ``at``: the cells, merged ranges and row heights below move down."""
    moved = [m for m in ws.merged_cells.ranges if m.min_row >= at]
    for m in moved:
        ws.merged_cells.remove(m)
    dims = ws.row_dimensions
    heights = {r: d.height for r, d in dims.items() if r >= at}
    cells = ws._cells                       # ws.insert_rows(at, n), without its walk over every cell below
    below = [cells.pop(key) for key in [key for key in cells if key[0] >= at]]
    for cell in below:
        cell.row += n
        cells[cell.row, cell.column] = cell
    ws._current_row = max((cell.row for cell in below), default=ws._current_row)     # its max_row
    for m in moved:                         # m.shift(0, n), without its checks on each (openpyxl's
        m.__dict__["min_row"] += n          # descriptors keep the values in the object's __dict__)
        m.__dict__["max_row"] += n
    ws.merged_cells.ranges.update(moved)    # a set; ``add`` would look through every range for each
    rows_moved(ws)
    for r in sorted(heights.keys() | {r + n for r in heights}):       # each height n rows down
        h = heights.get(r - n) if r - n >= at else None
        if dims[r].height != h:
            dims[r].height = h


def _copy_row(ws, source: int, row: int, suffix: str) -> None:
    """Row ``source`` copied to ``row`` (its cells, styles, merged ranges and height), ``suffix``
    after its first cell's text."""
    from copy import copy

    for c in range(1, WIDTH + 1):
        src, cell = ws.cell(source, c), ws.cell(row, c)
        cell._style = copy(src._style)
        if c == 1 or src.value is not None:
            cell.value = src.value
    if suffix:
        put_text(ws.cell(row, 1), f"{ws.cell(row, 1).value or ''}{suffix}")
    for m in [m for m in ws.merged_cells.ranges if m.min_row == m.max_row == source]:
        merge(ws, row, m.min_col, row, m.max_col)
    ws.row_dimensions[row].height = ws.row_dimensions[source].height


def japanese_font(ws) -> None:
    """Every cell in a Japanese font (a viewer without it picks a Japanese one, not Calibri): each
    font the sheet uses is made once in FONT and its cells pointed at that (openpyxl's own
    ``cell.font =`` hashes a whole font for every cell)."""
    from openpyxl.styles import Font
    from openpyxl.styles.cell_style import StyleArray

    fonts, made = ws.parent._fonts, {}
    for cells in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=max(ws.max_column, WIDTH)):
        for cell in cells:
            if cell._style is None:
                cell._style = StyleArray()
            old = cell._style.fontId
            if old not in made:
                f = fonts[old]
                made[old] = fonts.add(Font(name=FONT, size=f.size, bold=f.bold, italic=f.italic, color=f.color))
            cell._style.fontId = made[old]


MEASURES_SHEET = "施策別"
CHART_PX = (640, 341)                        # a chart's picture on the sheet (drawn at 900 x 480)
ROW_PT = 15                                  # a plain row's height


def _columns(ws) -> None:
    for i, w in enumerate(COL_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w


def _measures(ws, doc: Document, images: dict[str, Path], st) -> None:
    """目標達成状況 after its first table: a page per measure, its parts in the PDF's order (texts,
    tables, charts), with the page breaks set here (row_breaks) so that a chart, a heading with
    its text or a table's head is never split by one."""
    from openpyxl.drawing.image import Image

    from app.documents.html import measure_heading
    from app.documents.report import Chart, Section

    _columns(ws)
    row, starts, keep = 1, [], {}
    for block in doc.blocks:
        starts.append(row)
        _merge_text(ws, row, 1, WIDTH, measure_heading(block), st, st["block"], st["bold"])
        ws.row_dimensions[row].height = 20
        row += 1
        for part in block.parts:
            first = row
            if isinstance(part, Section):
                _caption(ws, row, part.heading, st)
                row += 1
                if part.text:                          # on rows of a few lines: a long text breaks between them
                    row = _put_sides(ws, row, [side(1, WIDTH, part.text)], st)
                keep[first] = min(first + 1, row - 1)       # the heading with the text's first lines
                row += 1
            elif isinstance(part, Chart):
                if part.indicator not in images:
                    continue
                img = Image(str(images[part.indicator]))
                img.width, img.height = CHART_PX
                ws.add_image(img, f"A{row + 1}")        # a row above it: a break before it is clear of it
                row += math.ceil(CHART_PX[1] * 0.75 / ROW_PT) + 2
                keep[first] = row - 1
            else:
                row = _table(ws, row, part, st, widths=[WIDTH // len(part.header)] * len(part.header))   # 5 | 5 | 5
                keep[first] = min(first + 2, row - 1)        # caption, header and first row together
    for r in range(1, row):
        if ws.row_dimensions[r].height is None:
            ws.row_dimensions[r].height = ROW_PT
    _page(ws, doc, None, doc.landscape)
    _row_breaks(ws, row, set(starts[1:]), keep, page_points(doc.landscape, ws.page_margins))
    japanese_font(ws)


def page_points(landscape: bool, margins=None) -> float:
    """How much of a sheet (in points, at the scale that fits its columns to the page width) one
    printed page holds — a little short, so that the page breaks set here are the only ones
    (Excel's and LibreOffice's own never come first)."""
    paper_w, paper_h = (842, 595) if landscape else (595, 842)
    left_right, top_bottom = (margins.left + margins.right, margins.top + margins.bottom) if margins else (1.2, 2)
    sheet_w = sum(w * 7 + 5 for w in COL_WIDTHS) * 0.75          # column widths in points
    scale = min(1.0, (paper_w - 72 * left_right) / sheet_w)
    return (paper_h - 72 * top_bottom) / scale * 0.93


def _row_breaks(ws, end: int, starts: set[int], keep: dict[int, int], limit: float) -> None:
    """Page breaks before each row of ``starts`` and wherever the page is full, never inside a
    run of rows kept together (``keep``: first row → last row)."""
    from openpyxl.worksheet.pagebreak import Break

    used, r = 0.0, 1
    while r < end:
        last = keep.get(r, r)
        height = sum(ws.row_dimensions[x].height or ROW_PT for x in range(r, last + 1))
        if r in starts or (used and used + height > limit):
            ws.row_breaks.append(Break(id=r - 1))
            used = 0.0
        used += height
        r = last + 1
