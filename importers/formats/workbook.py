"""Opening a workbook safely: .xlsx/.xlsm, .ods and .xls, values only, within limits.

Whatever the file holds, the result is a ``Book`` or one ``ImportRefused`` whose message is
``FILE:SHEET!CELL: 理由`` (as much of the place as is known), with the workbook's text made
visible (no control characters reach a terminal) — never a traceback or a library's warning.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from app.core.errors import ImportRefused
from app.core.log import note, os_reason
from app.core.visible import visible
from importers.base import Book, Problem, Where
from importers.formats.container import Budget, Limits, Unreadable, _key

MAX_UNCOMPRESSED = Limits.inflated          # bytes inflated, all parts together
MAX_RATIO = Limits.ratio                    # inflated ÷ compressed, per part
MAX_SHEETS = Limits.sheets
MAX_ROWS = Limits.rows                      # the last row holding a value
MAX_COLUMNS = Limits.columns                # the last column holding a value
MAX_CELLS = Limits.cells                    # cells holding a value
MAX_XLS_BYTES = 10 * 1024 * 1024       # an .xls is read whole (xlrd): ~25 bytes a cell
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .xls, and encrypted .xlsx
BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")       # Excel 2.x–4.x files, not in OLE
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# what a damaged or hostile file makes the libraries raise (the readers turn most into Unreadable);
# zipfile raises RuntimeError for an encrypted member, NotImplementedError for an unknown method
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, IndexError, TypeError,
           OverflowError, UnicodeError, struct.error, RuntimeError, NotImplementedError)


def limits() -> Limits:
    return Limits(inflated=MAX_UNCOMPRESSED, ratio=MAX_RATIO, sheets=MAX_SHEETS, rows=MAX_ROWS,
                  columns=MAX_COLUMNS, cells=MAX_CELLS)


def refused(name: str, message: str, sheet: str = "", cell: str = "") -> ImportRefused:
    """One line, ``FILE:SHEET!CELL: message``; the problem itself rides along for the report."""
    problem = Problem(visible(message), Where(name, sheet, cell if sheet else ""))
    return ImportRefused(problem.line(), [problem])


def _kind(path: Path) -> str:
    """'xlsx', 'ods' or 'xls', from the bytes (never the name); anything else is refused."""
    name = path.name
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise refused(name, f"ファイルを開けません ({os_reason(exc)})") from exc
    if not head:
        raise refused(name, "空のファイルです")
    if head == OLE_SIGNATURE or head[:2] in BIFF_BOF:
        return "xls"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "mimetype" in names and zf.open("mimetype").read(100).strip() == ODS_MIMETYPE:
                    return "ods"
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError) as exc:
            note(f"{name}: zip", exc)
            raise refused(name, "ファイルが壊れています (zip として読めません)") from None
    return "xlsx"


def check_container(path: Path, kind: str = "xlsx") -> None:
    """Refuse, from the zip's directory alone, what is not a sane .xlsx/.xlsm (or .ods) container."""
    name = Path(path).name
    if _kind(Path(path)) == "xls":
        raise refused(name, "パスワード付きのブック、または古い .xls 形式です。"
                            "Excel でパスワードを外し .xlsx で保存してから取り込んでください")
    if not zipfile.is_zipfile(path):
        raise refused(name, "Excel ブック (.xlsx) ではないか、ファイルが壊れています")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {_key(i.filename) for i in infos}
            if kind == "xlsx" and "xl/workbook.xml" not in names and "_rels/.rels" not in names:
                raise refused(name, "Excel ブックではありません (xl/workbook.xml がありません)")
            total = sum(i.file_size for i in infos)       # what the headers say; reading counts again
            if total > MAX_UNCOMPRESSED:
                raise refused(name, f"展開後のサイズが大きすぎます ({total // 2**20} MB)")
            for i in infos:
                if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20:
                    raise refused(name, f"{i.filename} の圧縮率が異常です (圧縮爆弾の疑い)")
    except zipfile.BadZipFile as exc:
        note(f"{name}: zip", exc)
        raise refused(name, "ファイルが壊れています (zip として読めません)") from None


def load_book(path: str | Path, on_sheet=None) -> Book:
    """Read every sheet's values (cached formula results) and number formats.

    ``on_sheet(i, n, name)`` is called before each sheet (progress; it may raise to cancel).
    """
    path = Path(path)
    kind = _kind(path)
    budget = Budget(limits())
    try:
        if kind == "xls":
            from importers.formats import xls
            if path.stat().st_size > MAX_XLS_BYTES:
                raise Unreadable(f".xls ファイルが大きすぎます (上限 {MAX_XLS_BYTES // 2**20} MB)。.xlsx で保存してください")
            sheets = xls.read_workbook(path, on_sheet, budget)
        elif kind == "ods":
            from importers.formats import ods
            check_container(path, "ods")
            sheets = ods.read_workbook(path, on_sheet, budget)
        else:
            from importers.formats import xlsx as fastxlsx
            check_container(path)
            sheets = fastxlsx.read_workbook(path, on_sheet, budget)
    except ImportRefused:
        raise
    except Unreadable as exc:
        raise refused(path.name, exc.message, exc.sheet, exc.cell) from None
    except MemoryError:
        raise refused(path.name, "ブックが大きすぎて読めません") from None
    except _DAMAGE as exc:
        note(f"{path.name}: 読めません", exc)
        raise refused(path.name, "ファイルが壊れています (ブックの中身を読めません)") from None
    book = Book(path, [s for s, _ in sheets], {s.name: u for s, u in sheets if u})
    if not any(any(r) for s in book.sheets for r in s.rows):
        raise refused(path.name, "空のブックです")
    return book

