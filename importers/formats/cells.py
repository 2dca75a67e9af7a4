"""What the sheet readers (xlsx, xls, ods) share about one cell: a number written as text read by
openpyxl's rule, a date serial read as openpyxl reads it, a cell outside the sheet's limits refused."""
from __future__ import annotations

import re

from importers.base import cell_name
from importers.formats.container import Unreadable

_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*\Z")


def number(text: str, sheet: str, ref: str):
    """openpyxl's rule (a '.' or an exponent makes a float, else an int), for real numbers only."""
    if not _NUMBER.match(text) or len(text) > 400:
        raise Unreadable(f"'{text[:40]}' は数値として読めません", sheet, ref)
    value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
    try:
        finite = abs(float(value)) != float("inf")
    except OverflowError:
        finite = False
    if not finite:
        raise Unreadable(f"'{text[:40]}' は大きすぎて数値として読めません", sheet, ref)
    return value


def excel_date(value, epoch, span: bool):
    from importers.formats.excel_rules import from_excel

    try:
        return from_excel(value, epoch, timedelta=span)
    except (OverflowError, ValueError):
        return "#VALUE!"                             # openpyxl's reading of a date out of range


def outside(r: int, c: int, name: str, limits) -> None:
    where = cell_name(r, c) if r >= 0 else ""
    if r < 0:
        raise Unreadable("行番号が正しくありません", name, where)
    what = "行数" if r >= limits.rows else "列数"
    raise Unreadable(f"{what}が多すぎます (値のあるセル {where}; 上限 {limits.rows:,} 行 × {limits.columns:,} 列)",
                     name, where)
