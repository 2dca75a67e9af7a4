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


def read_workbook(path, on_sheet=None, budget: Budget | None = None) -> list[tuple[Sheet, set[str]]]:
    """[(Sheet, formula cells without a saved result)] for every worksheet, in the book's order."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    budget = budget or Budget()
    with zipfile.ZipFile(path) as zf:
        pkg = Package(zf, budget)
        book_part = _office_document(pkg)
        if book_part.lower().endswith(".bin"):
            raise Unreadable("バイナリ形式 (.xlsb) のブックは読めません。Excel で .xlsx として保存してください")
        sheets, date1904 = _workbook(pkg, book_part)
        rels = _relationships(pkg, book_part)
        by_type = {kind: target for kind, target in rels.values()}
        strings = _shared_strings(pkg, by_type.get("sharedStrings"), budget)
        styles = _styles(pkg, by_type.get("styles"))
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        worksheets = [(i, name, rels.get(rid, ("", ""))) for i, (name, rid) in enumerate(sheets)]
        if sum(kind == "worksheet" for _, _, (kind, _) in worksheets) > budget.limits.sheets:
            raise Unreadable(f"シートが多すぎます (上限 {budget.limits.sheets})")
        out = []
        for i, name, (kind, target) in worksheets:
            if kind != "worksheet":
                continue                             # chart and dialog sheets hold no cells
            if not pkg.has(target):
                raise Unreadable(f"シートの中身 ({target}) がありません (ファイルが壊れています)", name)
            if on_sheet:
                on_sheet(i, len(worksheets), name)
            out.append(_sheet(pkg, target, name, strings, styles, epoch, budget))
        return out


def _relationships(pkg: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (kind, part name) of a part ('worksheet', 'xl/worksheets/sheet1.xml')."""
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    out: dict[str, tuple[str, str]] = {}
    if not pkg.has(rels_part):
        return out

    def start(tag, a):
        if tag == f"{PACKAGE_RELS} Relationship" and a.get("TargetMode") != "External":
            target = a.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[a.get("Id", "")] = (a.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(target))

    pkg.parse(rels_part, start)
    return out


def _office_document(pkg: Package) -> str:
    rels = _relationships(pkg, "")
    return next((t for kind, t in rels.values() if kind == "officeDocument"), "xl/workbook.xml")


def _workbook(pkg: Package, part: str) -> tuple[list[tuple[str, str]], bool]:
    """The sheets (name, relationship id) in order, and whether dates count from 1904."""
    tags = _tags("sheet", "workbookPr")
    sheets, date1904 = [], [False]

    def start(tag, a):
        k = tags.get(tag)
        if k == "sheet":
            sheets.append((a.get("name", ""), next((a[i] for i in REL_IDS if i in a), "")))
        elif k == "workbookPr" and "date1904" in a:      # openpyxl: anything but false/f/0/'' is true
            date1904[0] = a["date1904"] not in ("false", "f", "0", "")

    pkg.parse(part, start)
    return sheets, date1904[0]


def _shared_strings(pkg: Package, part: str | None, budget: Budget) -> list[str]:
    """openpyxl's reading: each <si>'s plain text and runs (phonetic guides left out), _x005F_ undone."""
    if not part or not pkg.has(part):
        return []
    tags, limits = _tags("si", "t", "r", "rPh"), budget.limits
    out: list[str] = []
    buf, plain, runs, in_r, rph, chars = None, None, [], False, 0, 0

    def start(tag, a):
        nonlocal buf, plain, runs, in_r, rph
        k = tags.get(tag)
        if k == "t" and not rph:
            buf = []
        elif k == "r":
            in_r = True
        elif k == "rPh":
            rph += 1
        elif k == "si":
            plain, runs, in_r, rph = None, [], False, 0

    def end(tag):
        nonlocal buf, plain, rph, chars
        k = tags.get(tag)
        if k == "t" and buf is not None:
            text, buf = "".join(buf), None
            if in_r:
                runs.append(text)
            else:
                plain = text
        elif k == "rPh":
            rph -= 1
        elif k == "si":
            text = ((plain or "") + "".join(runs)).replace("x005F_", "")
            out.append(text)
            chars += len(text)
            if len(out) > limits.strings or chars > limits.text:
                raise Unreadable("共有文字列が多すぎます")

    def text(data):
        if buf is not None:
            buf.append(data)

    pkg.parse(part, start, end, text)
    return out


def _styles(pkg: Package, part: str | None) -> list[tuple[str, bool, bool]]:
    """Per cell style (cellXfs index): number format, is it a date, is it a time span."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    formats, ids, tags, inside = {}, [], _tags("numFmt", "cellXfs", "xf"), [False]

    def start(tag, a):
        k = tags.get(tag)
        if k == "numFmt":
            formats[_int(a.get("numFmtId"), "書式番号")] = a.get("formatCode")
        elif k == "cellXfs":
            inside[0] = True
        elif k == "xf" and inside[0]:
            ids.append(_int(a.get("numFmtId", "0"), "書式番号"))

    def end(tag):
        if tags.get(tag) == "cellXfs":
            inside[0] = False

    if part and pkg.has(part):
        pkg.parse(part, start, end)
    styles = []
    for i in ids or [0]:
        fmt = formats.get(i) or BUILTIN_FORMATS.get(i, "General")
        styles.append((fmt, is_date_format(fmt), is_timedelta_format(fmt)))
    return styles


def excel_date(value, epoch, span: bool):
    from openpyxl.utils.datetime import from_excel

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
