"""Reading the parts of a zipped workbook (.xlsx, .ods) within limits, with a real XML parser.

Every part is inflated in chunks and the bytes are counted as they come, so a member whose
header understates its size is refused at the cap, never held whole. The XML is parsed with
expat (C, streaming), so comments, CDATA, quoting, namespace prefixes, line ends and encodings
mean what XML says; DTD entities and external references are refused (as defusedxml does).
A workbook that cannot be read raises ``Unreadable`` with a Japanese message, the sheet and
the cell.
"""
from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from app.core.log import note

CHUNK = 1 << 16


class Unreadable(Exception):
    """The workbook is damaged, hostile or too large: refused, naming the sheet and cell."""

    def __init__(self, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.message, self.sheet, self.cell = message, sheet, cell


@dataclass
class Limits:
    """What one workbook may hold. Only cells holding a value count, not formatted empty ones."""
    inflated: int = 300 * 2**20      # bytes inflated, all parts together
    ratio: int = 200                 # inflated ÷ compressed, per part (past its first MiB)
    sheets: int = 10_000             # parts, not content: what a book holds is bounded by its cells and
                                     # inflated bytes, so a national book of many years (a sheet per
                                     # indicator and year) imports
    rows: int = 200_000              # the last row holding a value
    columns: int = 1_000             # the last column holding a value
    cells: int = 1_000_000           # cells holding a value, all sheets together
    slots: int = 3_000_000           # row slots up to each row's last value, all sheets
    strings: int = 500_000           # shared strings
    text: int = 10_000_000           # characters of shared strings together


class Budget:
    """Counts what a workbook has cost so far against its limits."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.inflated = self.cells = self.slots = 0

    def full(self, sheet: str) -> Unreadable:
        """The refusal of a sheet with more cells holding values than are left."""
        return Unreadable(f"値のあるセルが多すぎます (上限 {self.limits.cells:,} セル)", sheet)

    def add_cells(self, cells: int, slots: int, sheet: str) -> None:
        self.cells += cells
        self.slots += slots
        if self.cells > self.limits.cells:
            raise self.full(sheet)
        if self.slots > self.limits.slots:
            raise Unreadable("値のあるセルが広い範囲に散らばりすぎています", sheet)


def rows_of(grid: dict, count: int, budget: Budget, sheet: str) -> list:
    """A sheet's rows from {row: {column: Cell}} (cells in any order), counted against the budget:
    row r is rows[r], each row as long as its last value, gaps filled with one shared empty Cell."""
    from importers.base import Cell

    empty = Cell(None, None)
    rows: list[list] = []
    slots, room = 0, budget.limits.slots - budget.slots
    for r in sorted(grid):
        cells = grid.pop(r)
        rows.extend([] for _ in range(r - len(rows)))
        line = [empty] * (max(cells) + 1)
        for c, cell in cells.items():
            line[c] = cell
        rows.append(line)
        slots += len(line) + 1
        if slots > room:
            break
    budget.add_cells(count, slots, sheet)
    return rows


def _key(name: str) -> str:
    """Part names compare without case, and some writers separate folders with '\\'."""
    return name.replace("\\", "/").lower()


class Package:
    """A zip container: parts found case-insensitively (OPC part names are), read within a budget."""

    def __init__(self, zf: zipfile.ZipFile, budget: Budget):
        self.zf, self.budget = zf, budget
        self.infos = {_key(i.filename): i for i in zf.infolist() if not i.is_dir()}

    def has(self, name: str) -> bool:
        return _key(name) in self.infos

    def chunks(self, name: str, sheet: str = ""):
        """The part's bytes in chunks, counted against the budget while inflating."""
        info = self.infos.get(_key(name))
        if info is None:
            raise Unreadable(f"{name} がありません (ファイルが壊れています)", sheet)
        limits, part = self.budget.limits, 0
        with self.zf.open(info) as f:
            while chunk := f.read(CHUNK):
                part += len(chunk)
                self.budget.inflated += len(chunk)
                if self.budget.inflated > limits.inflated:
                    raise Unreadable(f"展開後のサイズが大きすぎます (上限 {limits.inflated // 2**20} MB)", sheet)
                if part > 2**20 and part > limits.ratio * max(info.compress_size, 1):
                    raise Unreadable(f"{info.filename} の圧縮率が異常です (圧縮爆弾の疑い)", sheet)
                yield chunk

    def parse(self, name: str, start=None, end=None, text=None, sheet: str = "") -> None:
        parse_xml(self.chunks(name, sheet), start, end, text, name, sheet)


def _refuse_entities(*_):
    raise Unreadable("XML に実体宣言・外部参照があります (安全のため読みません)")


_NATIVE = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "iso8859-1", "ascii"}  # expat decodes these itself
# the encodings a sheet may declare: Unicode and the Japanese text encodings, nothing else (a codec
# Python also knows, such as bz2, zlib, base64 or rot13, is not a text encoding of XML)
_ALLOWED = _NATIVE | {"utf-32", "utf-32-le", "utf-32-be", "shift_jis", "cp932", "euc_jp", "shift_jis_2004",
                      "euc_jis_2004", "shift_jisx0213", "euc_jisx0213", "iso2022_jp", "iso2022_jp_1",
                      "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext"}
_ALIASES = {"windows-31j": "cp932", "x-sjis": "shift_jis", "x-euc-jp": "euc_jp"}
_TEXT_DECL = re.compile(r"\A\ufeff?<\?xml[^>]*\?>")
_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _codec(m) -> str:
    """The codec a declaration names, if it is one a sheet may use; else refused naming it."""
    name = m.group(1).decode("ascii") if m else "utf-8"
    try:
        codec = codecs.lookup(_ALIASES.get(name.lower(), name)).name if len(name) < 40 else ""
    except LookupError:
        codec = ""
    if codec.replace("_", "-") not in {c.replace("_", "-") for c in _ALLOWED}:
        raise Unreadable(f"文字コード '{name[:40]}' は読めません (UTF-8・UTF-16・Shift_JIS・EUC-JP などで保存してください)")
    return codec


def _as_utf8(chunks):
    """Chunks expat can read: a part declared in an encoding expat lacks (Shift_JIS, EUC-JP, …)
    is decoded chunk by chunk with Python's codec (only the allowed text encodings: a character
    is at most 4 bytes of UTF-8 for each byte read, and every byte read was counted against the
    cap while inflating) and handed on as UTF-8 with its declaration rewritten."""
    head, chunks = b"", iter(chunks)
    for chunk in chunks:
        head += chunk
        if len(head) >= 1024:
            break
    bom32 = head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE))   # expat lacks UTF-32
    codec = "utf-32" if bom32 else _codec(_DECL.match(head))
    if codec.replace("_", "-") in _NATIVE:
        yield head
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder(codec)("strict")
    yield b'<?xml version="1.0" encoding="UTF-8"?>' + _TEXT_DECL.sub("", decoder.decode(head), 1).encode()
    for chunk in chunks:
        yield decoder.decode(chunk).encode()
    yield decoder.decode(b"", True).encode()


def parser():
    """An expat parser with namespaces resolved (tags arrive as 'URI local'), text buffered,
    and no entity declared or fetched."""
    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = True
    p.buffer_size = CHUNK
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.EntityDeclHandler = p.UnparsedEntityDeclHandler = p.ExternalEntityRefHandler = _refuse_entities
    return p


def parse_xml(chunks, start=None, end=None, text=None, part: str = "", sheet: str = "", p=None) -> None:
    """Stream XML through expat (``parser()``, or one whose handlers the caller has set)."""
    p = p or parser()
    if start:
        p.StartElementHandler = start
    if end:
        p.EndElementHandler = end
    if text:
        p.CharacterDataHandler = text
    try:
        for chunk in _as_utf8(chunks):
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except expat.ExpatError as exc:
        note(f"{part}: XML", exc)
        raise Unreadable(f"{part} の XML が壊れています ({exc.lineno} 行 {exc.offset + 1} 文字目)", sheet) from None
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{part} の文字コードが宣言 ({exc.encoding}) と合いません", sheet) from None
    except Unreadable as exc:
        exc.sheet = exc.sheet or sheet
        raise
