"""A lean reader of .xlsx cells (values, number formats) for the importers.

openpyxl builds a Python object per cell; a national table has 100,000 of them. This reader
scans each sheet's XML with compiled regular expressions over bytes and reuses openpyxl's own
rules for what a cell means (numbers, shared strings, dates from styles), so that it returns
exactly what ``openpyxl.load_workbook(read_only=True, data_only=True)`` would (a test holds it
to that). The small parts (workbook, relationships, styles, shared strings) are parsed with
defusedxml. No entity is ever expanded. Anything it does not expect — namespace prefixes on
cells, a missing part — makes it step aside (``None``) and the caller uses openpyxl.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath

from importers.base import Cell, Sheet

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

_ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'(\w+)\s*=\s*"([^"]*)"')
_ATTRS_USUAL = re.compile(rb'\s*r="([A-Z]+[0-9]+)"(?:\s+s="([0-9]+)")?(?:\s+t="(\w+)")?\s*$')
_V = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_T = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t\s*/>", re.S)
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_PREFIXED = re.compile(rb"<\w+:(?:c|row|sheetData)\b")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class NotForMe(Exception):
    """Something this reader does not handle: use openpyxl instead."""


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _NAMED.get(m.group(1)) or chr(
        int(m.group(1)[2:], 16) if m.group(1).startswith("#x") else int(m.group(1)[1:])), text)


def _column(ref: bytes) -> int:
    """b'AB12' → 27 (0-based column)."""
    n = 0
    for ch in ref:
        if 65 <= ch <= 90:
            n = n * 26 + ch - 64
        elif 97 <= ch <= 122:
            n = n * 26 + ch - 96
        else:
            break
    return n - 1


def _row_number(ref: bytes) -> int:
    return int(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) - 1


def _member(zf: zipfile.ZipFile, base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath(base) / target)


def _shared_strings(zf: zipfile.ZipFile, name: str | None) -> list[str]:
    if not name or name not in zf.namelist():
        return []
    data = zf.read(name)
    out = []
    for m in re.finditer(rb"<si\b[^>]*?(?:/>|>(.*?)</si>)", data, re.S):
        body = _RPH.sub(b"", m.group(1) or b"")     # phonetic guides (ふりがな) are not the text
        out.append("".join(_unescape(t.group(1) or b"") for t in _T.finditer(body)))
    return out


def _styles(zf: zipfile.ZipFile, name: str | None):
    """Per style index: the number format string, is it a date, is it a time span."""
    from defusedxml import ElementTree
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    formats, ids = {}, []
    if name and name in zf.namelist():
        root = ElementTree.fromstring(zf.read(name))
        for nf in root.iter(f"{MAIN}numFmt"):
            formats[int(nf.get("numFmtId"))] = nf.get("formatCode")
        xfs = root.find(f"{MAIN}cellXfs")
        ids = [int(xf.get("numFmtId", 0)) for xf in (xfs if xfs is not None else [])]
    styles = []
    for i in ids or [0]:
        fmt = formats.get(i) or BUILTIN_FORMATS.get(i, "General")
        styles.append((fmt, is_date_format(fmt), is_timedelta_format(fmt)))
    return styles


def read_workbook(path, on_sheet=None, max_rows: int = 10**9, max_columns: int = 10**9):
    """[(Sheet, uncached formula cells)] — or None when openpyxl should read this file."""
    from defusedxml import ElementTree
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return None
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = {r.get("Id"): (r.get("Type", ""), r.get("Target", ""))
                for r in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
        pr = book.find(f"{MAIN}workbookPr")
        epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
        by_type = {t.rsplit("/", 1)[-1]: _member(zf, "xl", target) for t, target in rels.values()}
        strings = _shared_strings(zf, by_type.get("sharedStrings"))
        styles = _styles(zf, by_type.get("styles"))
        sheets_xml = [(s.get("name"), rels.get(s.get(REL_ID), ("", ""))) for s in book.iter(f"{MAIN}sheet")]
        out = []
        for i, (name, (kind, target)) in enumerate(sheets_xml):
            if not kind.endswith("/worksheet"):
                continue                             # chart sheets and the like hold no cells
            member = _member(zf, "xl", target)
            if member not in names:
                return None
            if on_sheet:
                on_sheet(i, len(sheets_xml), name)
            data = zf.read(member)
            if _PREFIXED.search(data):
                return None
            out.append(_sheet(name, data, strings, styles, epoch, from_excel, max_rows, max_columns))
        return out


def _sheet(name, data: bytes, strings, styles, epoch, from_excel, max_rows, max_columns):
    from openpyxl.utils.datetime import from_ISO8601

    rows: list[list[Cell]] = []
    uncached: set[str] = set()
    r_next = 0
    for rm in _ROW.finditer(data):
        attrs = dict(_ATTR.findall(rm.group(1)))
        r = int(attrs[b"r"]) - 1 if b"r" in attrs else r_next
        r_next = r + 1
        if r >= max_rows:
            raise NotForMe(f"行数が多すぎます ({r + 1} 行目)")
        cells: list[Cell] = []
        c_next = 0
        for cm in _CELL.finditer(rm.group(2) or b""):
            fast = _ATTRS_USUAL.match(cm.group(1))
            if fast:                                 # r="B5" s="3" t="s", the usual order
                ref, s_id, t = fast.group(1), fast.group(2), fast.group(3) or b"n"
            else:
                a = dict(_ATTR.findall(cm.group(1)))
                ref, s_id, t = a.get(b"r"), a.get(b"s"), a.get(b"t", b"n")
            c = _column(ref) if ref else c_next
            c_next = c + 1
            if c >= max_columns:
                raise NotForMe(f"列数が多すぎます ({c + 1} 列目)")
            body = cm.group(2) or b""
            style = styles[int(s_id)] if s_id and int(s_id) < len(styles) else styles[0]
            value = None
            if t == b"inlineStr":
                if b"<is" in body:
                    value = "".join(_unescape(x.group(1) or b"") for x in _T.finditer(_RPH.sub(b"", body)))
            else:
                vm = _V.search(body) if body else None
                raw = vm.group(1) if vm else b""
                if raw:
                    if t == b"n":
                        text = raw.decode()
                        value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                        if style[1]:
                            try:
                                value = from_excel(value, epoch, timedelta=style[2])
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif t == b"s":
                        value = strings[int(raw)]
                    elif t == b"b":
                        value = bool(int(raw))
                    elif t == b"d":
                        value = from_ISO8601(_unescape(raw))
                    else:                            # 'str' (formula text), 'e' (error)
                        value = _unescape(raw)
                elif b"<f" in body:
                    uncached.add((ref or b"").decode() or _ref(r, c))
            if value is None and style[0] == "General":
                continue
            while len(cells) < c:
                cells.append(Cell(None, "General"))
            cells.append(Cell(value, style[0]))
        while cells and cells[-1].value is None:
            cells.pop()
        while len(rows) < r:
            rows.append([])
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return Sheet(name, rows), uncached


def _ref(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c + 1)}{r + 1}"
