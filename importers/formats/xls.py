"""A reader of Excel 97–2003 workbooks (.xls) through xlrd: values and number formats.

Numbers come with the number format of their cell's XF record, dates and times are made the
way openpyxl makes them from an .xlsx (the same format rules, the workbook's 1900 or 1904
calendar), and whole numbers are ints, so the importers see an .xls as they see the .xlsx that
Excel would save from it. Blank cells that only carry formatting cost nothing.
"""
from __future__ import annotations

import io
import struct

from app.core.log import note
from importers.base import Cell, Sheet
from importers.formats.container import Budget, Unreadable, rows_of
from importers.formats.cells import excel_date, outside
from importers.formats.xlsx import drop_merged

GENERAL = ("General", False, False)


def read_workbook(path, on_sheet=None, budget: Budget | None = None) -> list[tuple[Sheet, set[str]]]:
    import xlrd
    from xlrd.compdoc import CompDocError
    from importers.formats.excel_rules import is_date_format, is_timedelta_format
    from importers.formats.excel_rules import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    budget = budget or Budget()
    limits = budget.limits
    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True, ragged_rows=True,
                                  logfile=io.StringIO())
    except (xlrd.XLRDError, CompDocError) as exc:
        if isinstance(exc, CompDocError) or any(w in str(exc).lower() for w in ("encrypted", "find workbook")):
            raise Unreadable("パスワード付きのブック、または壊れた .xls ファイルです。"
                             "Excel でパスワードを外し .xlsx で保存してから取り込んでください") from None
        note(".xls", exc)
        raise Unreadable(".xls ファイルが壊れています") from None
    except (AssertionError, IndexError, KeyError, ValueError, TypeError, struct.error, EOFError) as exc:
        note(".xls", exc)
        raise Unreadable(".xls ファイルが壊れています") from None
    try:
        if book.nsheets > limits.sheets:
            raise Unreadable(f"シートが多すぎます (上限 {limits.sheets})")
        epoch = CALENDAR_MAC_1904 if book.datemode == 1 else CALENDAR_WINDOWS_1900
        formats = []                                  # per XF: (format, is date, is time span), else GENERAL
        for xf in book.xf_list:
            fmt = book.format_map[xf.format_key].format_str if xf.format_key in book.format_map else "General"
            formats.append((fmt, is_date_format(fmt), is_timedelta_format(fmt)))
        out = []
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            name = sheet.name
            if on_sheet:
                on_sheet(i, book.nsheets, name)
            held = sum(len(t) - t.count(xlrd.XL_CELL_EMPTY) - t.count(xlrd.XL_CELL_BLANK) for t in sheet._cell_types)
            if held > limits.cells - budget.cells:     # refused before a Cell is made
                raise budget.full(name)
            grid, count = {}, 0
            for r in range(sheet.nrows):
                types, values, xfs = sheet.row_types(r), sheet.row_values(r), sheet._cell_xf_indexes[r]
                for c, (kind, raw) in enumerate(zip(types, values)):
                    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        continue
                    style = formats[xfs[c]] if c < len(xfs) and 0 <= xfs[c] < len(formats) else GENERAL
                    if r >= limits.rows or c >= limits.columns:
                        outside(r, c, name, limits)
                    grid.setdefault(r, {})[c] = Cell(_value(kind, raw, style, epoch), style[0])
                    count += 1
            # what a merge hides: not shown, not read (xlrd's ranges end one past the last row/column)
            count -= drop_merged(grid, [(r1, r2 - 1, c1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells])
            book.unload_sheet(i)
            out.append((Sheet(name, rows_of(grid, count, budget, name)), set()))
        return out
    finally:
        book.release_resources()


def _value(kind: int, raw, style, epoch):
    """xlrd's cell (type, value; not empty) as openpyxl would give it from the same cell of an .xlsx."""
    import xlrd

    if kind == xlrd.XL_CELL_TEXT:
        return raw
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(raw)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(raw, "#N/A")
    number = int(raw) if float(raw).is_integer() and abs(raw) < 2**53 else raw
    return excel_date(number, epoch, style[2]) if style[1] else number
