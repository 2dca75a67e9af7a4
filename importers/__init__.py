"""Importers: one per workbook layout. Each answers identify() and extract(); none writes."""
from __future__ import annotations

from app.core.errors import ImportRefused
from importers.base import Book, Cell, Sheet
from importers.layouts.monthly import MonthlyImporter
from importers.layouts.national import NationalImporter
from importers.layouts.plan import PlanImporter
from importers.layouts.progress import ProgressImporter

IMPORTERS = (MonthlyImporter(), NationalImporter(), PlanImporter(), ProgressImporter())


def identify(book: Book):
    """The one importer that claims the workbook; none or two is an error, not first-wins.

    Each importer decides from sheet names and header cells alone, so it is shown the book's text:
    a number, a date or a boolean is never a header, and reads as an empty cell there."""
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


def text_view(book: Book) -> Book:
    """The book with every cell that is not text emptied (each row ends at its last text cell);
    the cells that remain keep their places."""
    empty = Cell(None, None)
    sheets = []
    for sheet in book.sheets:
        rows = []
        for row in sheet.rows:
            last = len(row)
            while last and not isinstance(row[last - 1].value, str):
                last -= 1
            rows.append([c if isinstance(c.value, str) else empty for c in row[:last]])
        sheets.append(Sheet(sheet.name, rows))
    return Book(book.path, sheets, book.uncached)
