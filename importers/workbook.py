"""Opening a workbook safely: size limits checked before reading, values only, no macros."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from app.errors import ImportRefused
from importers.base import Book, Cell, Sheet

MAX_UNCOMPRESSED = 300 * 1024 * 1024   # bytes, all members together
MAX_RATIO = 200                        # uncompressed ÷ compressed, per member
MAX_SHEETS = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # encrypted .xlsx and old .xls


def check_container(path: Path) -> None:
    """Refuse, without unpacking, what is not a sane .xlsx/.xlsm container."""
    name = path.name
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ImportRefused(f"{name}: ファイルを開けません ({exc.strerror})") from exc
    if not head:
        raise ImportRefused(f"{name}: 空のファイルです")
    if head == OLE_SIGNATURE:
        raise ImportRefused(f"{name}: パスワード付きのブック、または古い .xls 形式です。"
                            "Excel でパスワードを外し .xlsx で保存してから取り込んでください")
    if not zipfile.is_zipfile(path):
        raise ImportRefused(f"{name}: Excel ブック (.xlsx) ではないか、ファイルが壊れています")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise ImportRefused(f"{name}: Excel ブックではありません (xl/workbook.xml がありません)")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ImportRefused(f"{name}: 展開後のサイズが大きすぎます ({total // 2**20} MB)")
            for i in infos:
                if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20:
                    raise ImportRefused(f"{name}: {i.filename} の圧縮率が異常です (圧縮爆弾の疑い)")
            sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
            if len(sheets) > MAX_SHEETS:
                raise ImportRefused(f"{name}: シートが多すぎます ({len(sheets)})")
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{name}: ファイルが壊れています ({exc})") from exc


_UNCACHED = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def formulas_without_results(path: Path) -> dict[str, set[str]]:
    """Formula cells whose computed result was never saved (openpyxl reads them as empty)."""
    from defusedxml import ElementTree

    out: dict[str, set[str]] = {}
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            target = targets.get(sheet.get(_REL_NS), "")
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            if member not in zf.namelist():
                continue
            data = zf.read(member)
            if b"<f" in data:
                cells = {m.group(1).decode() for m in _UNCACHED.finditer(data)}
                if cells:
                    out[sheet.get("name")] = cells
    return out


def load_book(path: str | Path, on_sheet=None) -> Book:
    """Read every sheet's values (cached formula results) and number formats.

    ``on_sheet(i, n, name)`` is called before each sheet (progress; it may raise to cancel).
    The lean reader (importers.fastxlsx) reads it when it can, openpyxl otherwise.
    """
    from importers import fastxlsx

    path = Path(path)
    check_container(path)
    try:
        fast = fastxlsx.read_workbook(path, on_sheet, MAX_ROWS, MAX_COLUMNS)
    except fastxlsx.NotForMe as exc:
        raise ImportRefused(f"{path.name}: {exc}") from exc
    except (KeyError, ValueError, IndexError, UnicodeDecodeError, zipfile.BadZipFile):
        fast = None                      # not as expected: openpyxl decides what it makes of it
    if fast is not None:
        book = Book(path, [s for s, _ in fast], {s.name: u for s, u in fast if u})
    else:
        book = Book(path, _openpyxl_sheets(path, on_sheet), formulas_without_results(path))
    if not any(any(r) for s in book.sheets for r in s.rows):
        raise ImportRefused(f"{path.name}: 空のブックです")
    return book


def _openpyxl_sheets(path: Path, on_sheet=None) -> list[Sheet]:
    import openpyxl  # imported here: the main window must come up without it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged parts
        raise ImportRefused(f"{path.name}: ブックを読めません ({exc.__class__.__name__}: {exc})") from exc
    try:
        sheets = []
        for i, ws in enumerate(wb.worksheets):
            if on_sheet:
                on_sheet(i, len(wb.worksheets), ws.title)
            if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLUMNS:
                raise ImportRefused(f"{path.name}:{ws.title}: 行数または列数が多すぎます "
                                    f"({ws.max_row} 行 × {ws.max_column} 列)")
            rows = []
            for row in ws.iter_rows():
                cells = [Cell(c.value, getattr(c, "number_format", None)) for c in row]
                while cells and cells[-1].value is None:
                    cells.pop()
                if len(cells) > MAX_COLUMNS:
                    raise ImportRefused(f"{path.name}:{ws.title}: 列数が多すぎます")
                rows.append(cells)
                if len(rows) > MAX_ROWS:
                    raise ImportRefused(f"{path.name}:{ws.title}: 行数が多すぎます")
            while rows and not rows[-1]:
                rows.pop()
            sheets.append(Sheet(ws.title, rows))
    finally:
        wb.close()
    return sheets
