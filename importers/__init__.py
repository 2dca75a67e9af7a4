"""Importers: one per workbook layout. Each answers identify() and extract(); none writes."""
from __future__ import annotations

from app.errors import ImportRefused
from importers.base import Book
from importers.monthly import MonthlyImporter
from importers.national import NationalImporter
from importers.plan import PlanImporter

IMPORTERS = (MonthlyImporter(), NationalImporter(), PlanImporter())


def identify(book: Book):
    """The one importer that claims the workbook; none or two is an error, not first-wins."""
    claims = [imp for imp in IMPORTERS if imp.identify(book)]
    if not claims:
        raise ImportRefused(f"{book.name}: 取り込める形式のブックではありません "
                            "(月次実績・本部支部別・事業計画のいずれでもありません)")
    if len(claims) > 1:
        raise ImportRefused(f"{book.name}: 複数の形式に当てはまります "
                            f"({', '.join(i.layout for i in claims)})。シートを分けてください")
    return claims[0]
