"""Importers: one per workbook layout. Each answers identify() and extract(); none writes."""
from __future__ import annotations

from app.core.errors import ImportRefused
from importers.base import Book, Cell, Sheet, month_shown
from importers.layouts.monthly import MonthlyImporter
from importers.layouts.national import NationalImporter
from importers.layouts.plan import PlanImporter
from importers.layouts.progress import ProgressImporter

IMPORTERS = (MonthlyImporter(), NationalImporter(), PlanImporter(), ProgressImporter())


def display_name(layout: str) -> str:
    """How users are shown a layout (月次実績, 進捗状況); '不明' for one no importer has."""
    return next((imp.display_name for imp in IMPORTERS if imp.layout == layout), "不明")


def identify(book: Book):
    """The one importer that claims the workbook; none or two is an error, not first-wins.

    Each importer decides from sheet names and header cells alone, so it is shown the book's text:
    a number, a date or a boolean is never a header, and reads as an empty cell there (but a date
    formatted to show its month alone reads as the month it shows, ``4月``)."""
    view = text_view(book)
    claims = [imp for imp in IMPORTERS if imp.identify(view)]
    included = {layout for imp in claims for layout in getattr(imp, "includes", ())}
    claims = [imp for imp in claims if imp.layout not in included]     # a progress sheet's month tables
    if not claims:
        raise ImportRefused(f"{book.name}: 取り込める形式のブックではありません "
                            "(月次実績・本部支部別・事業計画・進捗状況のいずれでもありません)")
    if len(claims) > 1:
        raise ImportRefused(f"{book.name}: 複数の形式に当てはまります "
                            f"({', '.join(i.layout for i in claims)})。シートを分けてください")
    return claims[0]


_NOT_DATES = (type(None), int, float, bool)


def text_view(book: Book) -> Book:
    """The book with every cell that is not text emptied (each row ends at its last text cell);
    the cells that remain keep their places."""
    empty = Cell(None, None)

    def text(c: Cell) -> Cell:
        if isinstance(c.value, str):
            return c
        shown = month_shown(c)
        return Cell(shown, None) if shown else empty

    sheets = []
    for sheet in book.sheets:
        rows = []
        for row in sheet.rows:
            line = [c if type(c.value) is str else empty if type(c.value) in _NOT_DATES else text(c) for c in row]
            while line and line[-1] is empty:
                line.pop()
            rows.append(line)
        sheets.append(Sheet(sheet.name, rows))
    return Book(book.path, sheets, book.uncached)
