"""A reader of LibreOffice / OpenDocument spreadsheets (.ods): values and number formats.

content.xml is streamed through expat (importers.formats.container). A cell's value comes from its
``office:value-type`` (float, percentage, currency, date, time, boolean, string) and its number
format is written the way Excel would write it (``0.0%``, ``#,##0``, ``[h]:mm``), built from
the cell's data style, so the importers read 94.6% and 3:05 as they do in an .xlsx. Repeated
empty cells and rows (LibreOffice writes them out to column AMJ and row 1,048,576) cost nothing;
only cells holding a value count against the limits.
"""
from __future__ import annotations

import re
import zipfile
from datetime import timedelta

from importers.base import Cell, Sheet, cell_name
from importers.formats.container import Budget, Package, Unreadable, rows_of
from importers.formats.cells import excel_date, number

NS = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
      "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
      "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{NS[prefix]} {local}"


TABLE, ROW, COLUMN = _q("table:table"), _q("table:table-row"), _q("table:table-column")
COVERED = _q("table:covered-table-cell")
CELLS = {_q("table:table-cell"), COVERED}
P, SPACE, TAB, BREAK, NOTE = (_q("text:p"), _q("text:s"), _q("text:tab"), _q("text:line-break"),
                              _q("office:annotation"))
A = {k: _q(k) for k in ("table:name", "table:number-rows-repeated", "table:number-columns-repeated",
                        "table:style-name", "table:default-cell-style-name", "office:value-type",
                        "office:value", "office:date-value", "office:time-value", "office:boolean-value",
                        "office:string-value", "table:formula", "text:c", "style:name", "style:family",
                        "style:parent-style-name", "style:data-style-name", "number:decimal-places",
                        "number:grouping", "number:style", "number:truncate-on-overflow")}
STYLING, DRAW = (NS["style"], NS["number"]), NS["draw"]
_DURATION = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\Z")
_CLOCK = re.compile(r"(-)?()(\d+):(\d\d)(?::(\d\d(?:\.\d+)?))?\Z")


def read_workbook(path, on_sheet=None, budget: Budget | None = None) -> list[tuple[Sheet, set[str]]]:
    budget = budget or Budget()
    with zipfile.ZipFile(path) as zf:
        pkg = Package(zf, budget)
        styles = _Styles()
        if pkg.has("styles.xml"):
            pkg.parse("styles.xml", styles.start, styles.end, styles.chars)
        reader = _Content(styles, budget, on_sheet)
        pkg.parse("content.xml", reader.start, reader.end, reader.chars)
        return reader.sheets


class _Styles:
    """Cell styles (name → parent, data style) and data styles (name → Excel number format)."""

    def __init__(self):
        self.cell: dict[str, tuple[str | None, str | None]] = {}
        self.data: dict[str, str] = {}
        self._data_name = self._kind = None
        self._parts: list[str] = []
        self._text: list[str] | None = None
        self._truncate = True
        self._cache: dict[str | None, str] = {}

    def start(self, tag, a):
        if not tag.startswith(NS["number"]) and not tag.startswith(NS["style"]):
            return
        local = tag.split(" ", 1)[1]
        if tag.startswith(NS["style"]) and local == "style":
            if a.get(A["style:family"]) == "table-cell":
                self.cell[a.get(A["style:name"], "")] = (a.get(A["style:parent-style-name"]),
                                                          a.get(A["style:data-style-name"]))
        elif local.endswith("-style") and tag.startswith(NS["number"]):
            self._data_name, self._kind, self._parts = a.get(A["style:name"]), local, []
            self._truncate = a.get(A["number:truncate-on-overflow"]) != "false"
        elif self._data_name is None:
            return
        elif local in ("number", "percentage"):
            places = a.get(A["number:decimal-places"], "0")
            places = int(places) if places.isascii() and places.isdigit() and len(places) < 3 else 0
            whole = "#,##0" if a.get(A["number:grouping"]) == "true" else "0"
            self._parts.append(whole + ("." + "0" * places if places else ""))
        elif local == "scientific-number":
            self._parts.append("0.00E+00")
        elif local in ("hours", "minutes", "seconds", "year", "month", "day"):
            code = {"hours": "h", "minutes": "m", "seconds": "s", "year": "yy", "month": "m", "day": "d"}[local]
            self._parts.append(code * 2 if a.get(A["number:style"]) == "long" or local == "year" else code)
        elif local == "text":
            self._text = []

    def chars(self, data):
        if self._text is not None:
            self._text.append(data)

    def end(self, tag):
        if self._data_name is None or not tag.startswith(NS["number"]):
            return
        local = tag.split(" ", 1)[1]
        if local == "text" and self._text is not None:
            literal = "".join(self._text)
            self._parts.append(literal if literal in (":", "/", "-", ".", " ", "%") else f'"{literal}"')
            self._text = None
        elif local == self._kind:
            fmt = "".join(self._parts)
            if self._kind == "time-style" and not self._truncate and fmt.startswith("h"):
                fmt = "[" + ("hh" if fmt.startswith("hh") else "h") + "]" + fmt[2 if fmt.startswith("hh") else 1:]
            if self._kind == "percentage-style" and "%" not in fmt:
                fmt += "%"
            self.data[self._data_name] = fmt or {"text-style": "@", "boolean-style": "BOOLEAN"}.get(self._kind, "General")
            self._data_name = None

    def format(self, name: str | None) -> str:
        """The number format of a cell style, following its parents."""
        fmt = self._cache.get(name)
        if fmt is None:
            seen, style, fmt = set(), name, "General"
            while style and style not in seen:
                seen.add(style)
                parent, data = self.cell.get(style, (None, None))
                if data:
                    fmt = self.data.get(data, "General")
                    break
                parent = parent or ("Default" if style != "Default" else None)
                style = parent
            self._cache[name] = fmt
        return fmt


class _Content:
    """content.xml: the tables, their rows and cells."""

    def __init__(self, styles: _Styles, budget: Budget, on_sheet):
        self.styles, self.budget, self.on_sheet = styles, budget, on_sheet
        self.sheets: list[tuple[Sheet, set[str]]] = []
        self.name, self.grid, self.uncached, self.count = None, {}, set(), 0
        self.columns: list[tuple[int, str | None]] = []      # (how many columns, default style) runs
        self.r = self.c = 0
        self.row_repeat, self.row_style, self.row_cells = 1, None, []
        self.cell = None            # attributes of the cell being read
        self.text: list[str] | None = None
        self.paragraphs = self.skip = self.in_p = 0
        self.covered = False

    def start(self, tag, a):
        if self.skip:                                # inside a note or a drawing: not the cell's text
            self.skip += 1
        elif self.name is None and tag.startswith(STYLING):
            self.styles.start(tag, a)                # automatic styles, before the tables
        elif tag == TABLE:
            self._table(a)
        elif tag in CELLS:
            self.cell, self.text, self.paragraphs, self.in_p = a, None, 0, 0
            self.covered = tag == COVERED             # what a merge hides: not shown, not read
        elif self.cell is not None:
            if tag == P:
                self.text = self.text or []
                if self.paragraphs:
                    self.text.append("\n")
                self.paragraphs += 1
                self.in_p += 1
            elif tag == SPACE and self.text is not None:
                self.text.append(" " * _count(a.get(A["text:c"], "1"), self))
            elif tag == TAB and self.text is not None:
                self.text.append("\t")
            elif tag == BREAK and self.text is not None:
                self.text.append("\n")
            elif tag == NOTE or tag.startswith(DRAW):
                self.skip = 1
        elif tag == ROW:
            self.row_repeat = _count(a.get(A["table:number-rows-repeated"], "1"), self)
            self.row_style, self.row_cells, self.c = a.get(A["table:default-cell-style-name"]), [], 0
        elif tag == COLUMN:
            self.columns.append((_count(a.get(A["table:number-columns-repeated"], "1"), self),
                                 a.get(A["table:default-cell-style-name"])))

    def _table(self, a):
        if self.name is not None:
            raise Unreadable("表の中に表があるシートは読めません", self.name)
        self.name = a.get(A["table:name"], "")
        if len(self.sheets) >= self.budget.limits.sheets:
            raise Unreadable(f"シートが多すぎます (上限 {self.budget.limits.sheets})")
        if self.on_sheet:
            self.on_sheet(len(self.sheets), len(self.sheets) + 1, self.name)   # how many: not known yet
        self.grid, self.uncached, self.count, self.columns, self.r = {}, set(), 0, [], 0

    def chars(self, data):
        if self.name is None:
            self.styles.chars(data)
        elif self.in_p and not self.skip:
            self.text.append(data)

    def end(self, tag):
        if self.skip:
            self.skip -= 1
        elif self.name is None and tag.startswith(STYLING):
            self.styles.end(tag)
        elif tag in CELLS and self.cell is not None:
            self._cell()
            self.cell = None
        elif tag == P and self.in_p:
            self.in_p -= 1
        elif tag == ROW:
            self._row()
        elif tag == TABLE and self.name is not None:
            self.sheets.append((Sheet(self.name, rows_of(self.grid, self.count, self.budget, self.name)),
                                self.uncached))
            self.name = None

    def _cell(self):
        a = self.cell
        repeat = _count(a.get(A["table:number-columns-repeated"], "1"), self)
        kind = a.get(A["office:value-type"])
        if self.covered or kind is None and self.text is None:
            if A["table:formula"] in a and not self.covered:
                self.uncached.add(cell_name(self.r, self.c))
            self.c += repeat
            return
        style = a.get(A["table:style-name"]) or self.row_style or self._column_style(self.c)
        fmt = self.styles.format(style)
        value = self._value(kind, a, fmt)
        if kind == "percentage" and "%" not in fmt:
            fmt = "0%"
        if value is not None:
            self.row_cells.append((self.c, repeat, Cell(value, fmt)))
        self.c += repeat

    def _value(self, kind, a, fmt):
        where = (self.name, cell_name(self.r, self.c))
        if kind in ("float", "percentage", "currency"):
            raw = a.get(A["office:value"], "")
            return number(raw, *where) if raw else None
        if kind == "date":
            from importers.formats.excel_rules import from_ISO8601

            raw = a.get(A["office:date-value"], "")
            try:
                return from_ISO8601(raw) if raw else None
            except (ValueError, OverflowError):
                raise Unreadable(f"'{raw[:40]}' は日付として読めません", *where) from None
        if kind == "time":
            raw = a.get(A["office:time-value"], "")
            m = _DURATION.match(raw) or _CLOCK.match(raw)     # PT27H17M54S (some writers: 09:55:33)
            if not m:
                raise Unreadable(f"'{raw[:40]}' は時間として読めません", *where)
            sign, d, h, mi, s = m.groups()
            span = timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=float(s or 0))
            return _as_excel((-span if sign else span) / timedelta(days=1), fmt)
        if kind == "boolean":
            return a.get(A["office:boolean-value"]) == "true"
        if A["office:string-value"] in a:
            return a[A["office:string-value"]]
        return "".join(self.text) if self.text is not None else None

    def _column_style(self, c: int) -> str | None:
        first = 0
        for n, style in self.columns:
            if c < first + n:
                return style
            first += n
        return None

    def _row(self):
        limits = self.budget.limits
        if self.row_cells:
            last_row = self.r + self.row_repeat - 1
            last_col = max(c + n - 1 for c, n, _ in self.row_cells)
            if last_row >= limits.rows or last_col >= limits.columns:
                what = "行数" if last_row >= limits.rows else "列数"
                where = cell_name(min(last_row, limits.rows), min(last_col, limits.columns))
                raise Unreadable(f"{what}が多すぎます (値のあるセル {where}; 上限 {limits.rows:,} 行 × "
                                 f"{limits.columns:,} 列)", self.name, where)
            for r in range(self.r, self.r + self.row_repeat):
                row = self.grid.setdefault(r, {})
                for c, n, cell in self.row_cells:
                    for k in range(c, c + n):
                        row[k] = cell
                    self.count += n
                if self.count > limits.cells - self.budget.cells:
                    raise self.budget.full(self.name)
        self.r += self.row_repeat
        self.row_cells = []


def _as_excel(days: float, fmt: str):
    """A time as openpyxl reads the same cell from an .xlsx: a serial in days through its format
    ([h]:mm → timedelta, h:mm → time of day)."""
    from importers.formats.excel_rules import is_timedelta_format
    from importers.formats.excel_rules import CALENDAR_WINDOWS_1900

    return excel_date(days, CALENDAR_WINDOWS_1900, is_timedelta_format(fmt) or not 0 <= days < 1)


def _count(text: str, where: _Content) -> int:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= 1_048_576:
        raise Unreadable(f"繰り返し数 '{text[:20]}' が正しくありません", where.name or "")
    return int(text)
