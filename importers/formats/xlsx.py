"""A lean reader of .xlsx cells (values, number formats) for the importers.

openpyxl builds a Python object per cell and, in read-only mode, trusts the sheet's
``<dimension>`` and the order of rows and cells. This reader streams each part through expat
(see importers.formats.container) and places every cell by its reference, so a legal workbook written
by any program reads as ``openpyxl.load_workbook(data_only=True)`` reads it — values, types and
number formats, by openpyxl's own rules (numbers, shared strings, dates from styles, the 1904
calendar) — and a few things openpyxl cannot read (a Shift_JIS sheet, Strict OOXML, part names
in another case) read too. What is not legal is refused with the cell: a number that is not one
(NaN, INF, 0x10, a 400-digit number), a shared string or style that does not exist, a boolean
that is neither 0 nor 1, a date that is not ISO 8601, a cell type that does not exist.
"""
from __future__ import annotations

import itertools
import posixpath
import re
import zipfile
from functools import lru_cache

from importers.base import Cell, Sheet, cell_name
from importers.formats.cells import excel_date, number, outside
from importers.formats.container import Budget, Package, Unreadable, parse_xml, parser, rows_of

MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main")                  # transitional, strict
REL_IDS = tuple(f"{ns} id" for ns in ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                      "http://purl.oclc.org/ooxml/officeDocument/relationships"))
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_ROW, MAX_COL = 1_048_576, 16_384
PLAIN_PART = 8 * 2**20       # a sheet part up to this size is read whole (the quick way, if plain): the
                             # part and its cells cut out (~130,000 at most) are held at once


def _tags(*local: str) -> dict[str, str]:
    return {f"{ns} {name}": name for ns in MAIN for name in local}


@lru_cache(maxsize=None)
def _column(letters: str) -> int | None:
    """'A' → 0 … 'XFD' → 16383; None for anything else (lower case included)."""
    if not 0 < len(letters) <= 3 or not (letters.isascii() and letters.isalpha() and letters.isupper()):
        return None
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1 if n <= MAX_COL else None


_POSITIONS: dict[str, tuple[int, int]] = {}  # 'B5' → (4, 1), shared by sheets of one shape (≤ 100,000)
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)\Z")


def _position(ref: str, sheet: str) -> tuple[int, int]:
    """'B5' → (4, 1); what openpyxl accepts ('$b$5' too), within Excel's grid, else refused."""
    letters = ref.rstrip("0123456789")
    col, digits = _column(letters), ref[len(letters):]
    if col is None or not digits.isascii() or not digits.isdigit():
        m = _REF.match(ref)
        col = _column(m.group(1).upper()) if m else None
        digits = m.group(2) if m else ""
    if col is None or not digits or not 0 < int(digits) <= MAX_ROW:
        raise Unreadable(f"セル番地 '{ref}' が正しくありません", sheet)
    pos = int(digits) - 1, col
    if len(_POSITIONS) < 100_000:
        _POSITIONS[ref] = pos
    return pos


def read_workbook(path, on_sheet=None, budget: Budget | None = None) -> list[tuple[Sheet, set[str]]]:
    """[(Sheet, formula cells without a saved result)] for every worksheet, in the book's order."""
    from importers.formats.excel_rules import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    budget = budget or Budget()
    with zipfile.ZipFile(path) as zf:
        pkg = Package(zf, budget)
        book_part = _office_document(pkg)
        if book_part.lower().endswith(".bin"):
            raise Unreadable("バイナリ形式 (.xlsb) のブックは読めません。Excel で .xlsx として保存してください")
        sheets, date1904 = _workbook(pkg, book_part)
        rels = _relationships(pkg, book_part)
        by_type = {kind: target for kind, target in rels.values() if kind != "external"}
        strings = _shared_strings(pkg, by_type.get("sharedStrings"), budget)
        styles = _styles(pkg, by_type.get("styles"))
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        worksheets = [(i, name, rels.get(rid, ("", ""))) for i, (name, rid) in enumerate(sheets)]
        if sum(kind == "worksheet" for _, _, (kind, _) in worksheets) > budget.limits.sheets:
            raise Unreadable(f"シートが多すぎます (上限 {budget.limits.sheets})")
        out = []
        for i, name, (kind, target) in worksheets:
            if kind in ("", "external"):
                raise Unreadable("シートの中身が" + ("ブックの外を指している" if kind else "見つからない")
                                 + "ため読めません (ファイルが壊れているか、ほかのブックへのリンクです)", name)
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
        if tag == f"{PACKAGE_RELS} Relationship" and a.get("TargetMode") == "External":
            out[a.get("Id", "")] = ("external", a.get("Target", ""))
        elif tag == f"{PACKAGE_RELS} Relationship":
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
    from importers.formats.excel_rules import BUILTIN_FORMATS, is_date_format, is_timedelta_format

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


def _int(text, what: str, sheet: str = "", ref: str = "") -> int:
    if not text or not text.isascii() or not text.isdigit():
        raise Unreadable(f"{what} '{text}' が正しくありません", sheet, ref)
    return int(text)


def _typed(t, v, in_is, plain, runs, strings, name, r, c):
    """The value of a cell of type t (not 'n'), or None."""
    if t == "s":
        if not v:
            return None
        if not (v.isascii() and v.strip().isdigit() and int(v) < len(strings)):
            raise Unreadable(f"共有文字列 {v[:20]!r} がありません", name, cell_name(r, c))
        return strings[int(v)]
    if t == "str" or t == "e":
        return v or None
    if t == "inlineStr":
        return (plain or "") + "".join(runs) if in_is else None
    if t == "b":
        if not v:
            return None
        if v.strip() not in ("0", "1", "true", "false"):
            raise Unreadable(f"'{v[:20]}' は真偽値 (0/1) として読めません", name, cell_name(r, c))
        return v.strip() in ("1", "true")
    if t == "d":
        if not v:
            return None
        from importers.formats.excel_rules import from_ISO8601

        try:
            return from_ISO8601(v.strip())
        except (ValueError, OverflowError):
            raise Unreadable(f"'{v[:40]}' は日付として読めません", name, cell_name(r, c)) from None
    raise Unreadable(f"セルの型 t='{t[:20]}' は読めません", name, cell_name(r, c) if r >= 0 else "")


def _placer(name: str, strings, styles, epoch, budget: Budget):
    """The work on one cell both sheet readers share: ``place(r, c, s, t, has_f, v, in_is, plain,
    runs)`` turns a cell's attributes and texts into its value and format and puts it in ``grid``
    (formula cells without a result into ``uncached``); ``place_plain(cells)`` does it for the
    quick way's cells; ``counted()``: cells placed, less repeats."""
    limits = budget.limits
    max_rows, max_cols, room = limits.rows, limits.columns, limits.cells - budget.cells
    default, style_of = styles[0], {str(i): style for i, style in enumerate(styles)}
    new_cell = tuple.__new__
    grid: dict[int, dict[int, Cell]] = {}
    uncached: set[str] = set()
    count = 0

    def place(r, c, s, t, has_f, v, in_is, plain, runs):
        style = style_of.get(s) if s is not None else default
        if style is None and s.isascii() and s.strip().isdigit() and int(s) < len(styles):
            style = styles[int(s)]                   # written as ' 1' or '01'
        if style is None:
            raise Unreadable(f"セルの書式番号 s='{s}' がありません", name, cell_name(r, c) if r >= 0 else "")
        if t == "n":
            if not v:
                value = None
            elif v.isdigit() and v.isascii() and len(v) < 300:
                value = int(v)
            else:
                value = number(v, name, cell_name(r, c))
            if style[1] and value is not None:
                value = excel_date(value, epoch, style[2])
        else:
            value = _typed(t, v, in_is, plain, runs, strings, name, r, c)
        if value is None:
            if has_f and r >= 0:
                uncached.add(cell_name(r, c))
            return
        if not 0 <= r < max_rows or c >= max_cols:
            outside(r, c, name, limits)
        put(r, c, value, style[0])

    def put(r, c, value, fmt):
        nonlocal count
        row = grid.get(r)
        if row is None:
            grid[r] = row = {}
        elif c in row:
            count -= 1                               # the same cell twice: the later one counts
        row[c] = new_cell(Cell, (value, fmt))        # Cell(value, format) without its Python __new__
        count += 1
        if count > room:
            raise budget.full(name)

    plain_style = {str(i).encode(): style for i, style in enumerate(styles)}

    def place_plain(cells):
        """place() for the cells the quick way cut out (bytes: reference, s, t, formula, value,
        inline string, its text): a plain number in a style that shows no date is put at once
        (as place reads it), anything else goes through place()."""
        positions, decimal = _PLAIN_POSITIONS, _DECIMAL.fullmatch
        for ref, s, t, f, v, is_, text in cells:
            rc = positions.get(ref)
            if rc is None:
                rc = _position(ref.decode(), name)
                if len(positions) < 100_000:
                    positions[ref] = rc
            r, c = rc
            style = default if s is None else plain_style.get(s)
            if ((t is None or t == b"n") and v and style is not None and not style[1] and len(v) < 300 and r < max_rows
                    and c < max_cols and (v.isdigit() or decimal(v))):
                put(r, c, int(v) if v.isdigit() else float(v), style[0])
                continue
            if text is not None:
                text = text.decode()
                if "&" in text:
                    text = _ENTITY.sub(_unescape, text)
            place(r, c, None if s is None else s.decode(), "n" if t is None else t.decode(), f is not None,
                  None if v is None else v.decode(), is_ is not None, text, [])

    return place, place_plain, grid, uncached, lambda: count


def _sheet(pkg: Package, part: str, name: str, strings, styles, epoch, budget: Budget):
    """One worksheet: its cells placed by reference (order in the file does not matter). A part
    in the shape spreadsheet programs write goes the quick way (``_plain_sheet``), any other
    through expat's handlers (``_parsed_sheet``); both read a legal sheet alike."""
    place, place_plain, grid, uncached, counted = _placer(name, strings, styles, epoch, budget)
    chunks, head, size = pkg.chunks(part, name), [], 0      # counted against the budget while inflating
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size > PLAIN_PART:                        # a very large part: streamed, never held whole
            break
    merged = None if size > PLAIN_PART else _plain_sheet(b"".join(head), part, name, place_plain)
    if merged is None:
        merged = _parsed_sheet(itertools.chain(head, chunks), part, name, place)
    count = counted() - _hide_merged(grid, merged, name)
    return Sheet(name, rows_of(grid, count, budget, name)), uncached


# The quick way: a UTF-8 sheet whose <sheetData> is rows and cells as Excel, LibreOffice, openpyxl
# and xlsxwriter write them — every cell with its reference, attributes r, s, t in that order, a
# formula, a value or an inline string of plain text — is cut into cells by one regular expression
# (C), after expat has found the whole part well-formed. Anything else (another encoding, a
# comment, CDATA or DTD, a prefixed or redeclared namespace, a cell without its reference, rich
# inline text, …) goes through expat's handlers: a shape is taken only when both ways read it alike.
_CELL = re.compile(
    rb'(?:\s|<row(?: r="[0-9]+")?(?: (?!r=)[A-Za-z:]+="[^"<&]*")*\s*/?>|</row>)*'      # rows between cells
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?\s*'
    rb'(?:/>|>(<f>[^<]*</f>|<f\s[^>]*/>|<f\s[^>]*>[^<]*</f>)?(?:<v>([^<&\r]*)</v>)?'
    rb'(<is><t(?: xml:space="preserve")?>([^<\r]*)</t></is>)?</c>)')
_ROWS = re.compile(rb'(?:\s|<row(?: r="[0-9]+")?(?: (?!r=)[A-Za-z:]+="[^"<&]*")*\s*/?>|</row>)*')
_MERGE = re.compile(rb'<mergeCell ref="([^"<&\t\n\r]*)"\s*/>')
_UTF8 = re.compile(rb'<\?xml version="1\.[0-9]"(?:\s+encoding="[Uu][Tt][Ff]-?8")?(?:\s+standalone="(?:yes|no)")?\s*\?>')
_ROOT = [re.compile(rb'\s*<worksheet(?:\s+[A-Za-z:]+="[^"<&]*")*?\s+xmlns="' + ns.encode() + rb'"') for ns in MAIN]
_DECIMAL = re.compile(rb"[0-9]+\.[0-9]+")
_PLAIN_POSITIONS: dict[bytes, tuple[int, int]] = {}   # _POSITIONS by the reference's bytes
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(m) -> str:
    k = m.group(1)
    return _NAMED.get(k) or chr(int(k[2:], 16) if k[1] in "xX" else int(k[1:]))


def _plain_sheet(data: bytes, part: str, name: str, place_plain) -> list[str] | None:
    """The sheet's merged ranges, its cells given to ``place_plain``; None (nothing placed) when the
    part is not in the plain shape."""
    head = _UTF8.match(data)
    body = head.end() if head else 0
    if (b"<!" in data or data.find(b"<?", body) >= 0 or data.count(b"xmlns=") != 1 or data.count(b"sheetData") != 2
            or not any(root.match(data, body) for root in _ROOT) or (head is None and data[:1] != b"<")):
        return None
    a, b = data.find(b"<sheetData>"), data.find(b"</sheetData>")
    if a < 0 or b < a:
        return None
    merged = _MERGE.findall(data)
    if len(merged) != len(re.findall(rb"mergeCell\b", data)):
        return None
    parse_xml([data], part=part, sheet=name)          # well-formed, entities refused, as the other way
    cells, end = [], a + 11
    for m in iter(_CELL.scanner(data, end, b).match, None):
        cells.append(m.groups())
        end = m.end()
    if not _ROWS.fullmatch(data, end, b):
        return None
    place_plain(cells)
    return [ref.decode() for ref in merged]


def _parsed_sheet(chunks, part: str, name: str, place) -> list[str]:
    """Any legal sheet, through expat's handlers: its merged ranges, its cells given to ``place``.

    For speed the parser reports only element starts and text; a cell is finished when the next
    cell or row starts (or the part ends), and the end of a <v> or <t> is asked for only while
    its text is being collected. Nothing else of a cell can follow its <v> in a legal sheet."""
    tags = _tags("sheetData", "row", "c", "v", "f", "is", "t", "r", "rPh", "mergeCell")
    merged: list[str] = []
    positions = _POSITIONS
    p = parser()
    # parser state: the row, the cell being read (pending until the next starts), its text
    row_no, col_next, in_data, pending = -1, 0, False, False
    ref = s = None
    t, has_f, v, buf = "n", False, None, None
    in_is = in_r = rph = False
    plain, runs = None, None

    def start(tag, a):
        nonlocal row_no, col_next, in_data, pending, ref, s, t, has_f, v, buf, in_is, in_r, rph, plain, runs
        k = tags.get(tag)
        if k == "c":
            if pending:
                finish()
            if in_data:
                pending, ref, s, t, has_f, v, in_is = True, a.get("r"), a.get("s"), a.get("t", "n"), False, None, False
        elif k == "v":
            if pending and v is None:
                buf = []
                p.EndElementHandler = end_value
        elif k == "row":
            if pending:
                finish()
            r = a.get("r")
            row_no = _int(r, "行番号", name) - 1 if r is not None else row_no + 1
            col_next = 0
        elif k == "f":
            has_f = pending
        elif k == "is":
            in_is, in_r, rph, plain, runs = pending, False, False, None, []
        elif k == "t":
            if in_is and not rph:
                buf = []
                p.EndElementHandler = end_text
        elif k == "r":
            in_r = True                              # runs follow the plain text (CT_Rst)
        elif k == "rPh":
            rph = True                               # phonetic guides follow the runs
        elif k == "sheetData":
            in_data = True
        elif k == "mergeCell":
            merged.append(a.get("ref", ""))

    def end_value(tag):
        nonlocal v, buf
        v, buf = "".join(buf), None
        p.EndElementHandler = None

    def end_text(tag):
        nonlocal buf, plain
        text, buf = "".join(buf), None
        if in_r:
            runs.append(text)
        else:
            plain = text
        p.EndElementHandler = None

    def chars(data):
        if buf is not None:
            buf.append(data)

    def finish():
        nonlocal pending, col_next
        pending = False
        if ref:
            r, c = positions.get(ref) or _position(ref, name)
        else:
            r, c = row_no, col_next
        col_next = c + 1
        place(r, c, s, t, has_f, v, in_is, plain, runs)

    p.StartElementHandler, p.CharacterDataHandler = start, chars
    try:
        parse_xml(chunks, part=part, sheet=name, p=p)
    finally:          # the handlers hold the parser: let it go without the cyclic collector
        p.StartElementHandler = p.EndElementHandler = p.CharacterDataHandler = None
    if pending:
        finish()
    return merged


def _hide_merged(grid: dict, ranges: list[str], name: str) -> int:
    """Values under a merged range ('B2:D4') other than its top-left cell are not shown by Excel,
    nor read by openpyxl: drop them. How many were dropped."""
    boxes = []
    for ref in ranges:
        first, _, end = ref.partition(":")
        (r1, c1), (r2, c2) = _position(first, name), _position(end or first, name)
        boxes.append((r1, r2, c1, c2))
    return drop_merged(grid, boxes)


def drop_merged(grid: dict, boxes) -> int:
    """_hide_merged for ranges given as (first row, last row, first column, last column), 0-based;
    only the cells that hold something are visited."""
    dropped, last = 0, max(grid, default=-1)
    for r1, r2, c1, c2 in boxes:
        for r in range(r1, min(r2, last) + 1):
            row = grid.get(r)
            for c in [c for c in row if c1 <= c <= c2 and (r, c) != (r1, c1)] if row else ():
                del row[c]
                dropped += 1
    return dropped
