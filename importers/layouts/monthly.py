"""Layout A: a branch's monthly sheets (支部 月次実績), read as blocks.

A block is an optional title line (``○郵送化率``), a month header row (a caption cell, then
``4月 … 3月`` in adjacent columns, optionally ``計`` / ``合計`` / ``平均``) and data rows. The
header may start in any row or column. Who a row belongs to:

1. caption is a fiscal year: every row is an indicator of that year;
2. caption is an indicator and a row is labelled with a year: that row holds the caption
   indicator's values for the year; other rows are other indicators of that year;
3. caption is a generic word (``累計``, ``単月``, ``実施月``, empty): year rows belong to the
   indicator the title names; a row with another label is another indicator of the latest year;
4. no year in the block: the rows are indicators of the year in the sheet or workbook title.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.core.catalogue import GENERIC_CAPTIONS, normalize_label
from app.core.fiscal import FISCAL_MONTHS, find_fiscal_year, parse_fiscal_year, parse_month
from app.core.values import number_scale, read_value, shown_percent
from importers.base import Book, Cell, Extraction, Problem, Sheet, ValueRecord, Where, column_letter, month_shown

YEAR_CAPTIONS = {"計", "合計", "平均", "年度計", "年計", "累計", "通期"}
TITLE_MARKS = "○〇●◎■□◆◇【"
BRANCH_IN_TITLE = re.compile(r"([一-龥ぁ-んァ-ヶ]{2,4})支部")


def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


_month_of = lru_cache(maxsize=4096)(parse_month)     # a sheet repeats its labels: each read once


def _month_in(cell: Cell) -> int | None:
    """The month a header cell names: ``4月`` as text, or a date shown as its month."""
    if isinstance(cell.value, str):
        return _month_of(cell.value)
    shown = month_shown(cell)
    return _month_of(shown) if shown else None


def find_month_header(sheet: Sheet, r: int) -> int | None:
    """The column of ``4月`` when row r holds the twelve fiscal months in adjacent cells."""
    row = sheet.rows[r]
    for c, cell in enumerate(row):
        if _month_in(cell) != 4:
            continue
        if all(_month_in(sheet.cell(r, c + i)) == m for i, m in enumerate(FISCAL_MONTHS)):
            return c
    return None


def fiscal_year_of(value) -> int | None:
    if value is None or not isinstance(value, str):
        return None
    try:
        return parse_fiscal_year(value)
    except ValueError:
        return None


def branch_in(text: str, names: dict[str, str]) -> str | None:
    """'令和6年度 群馬支部 事業計画' → '10'."""
    by_name = {n: c for c, n in names.items()}
    for m in BRANCH_IN_TITLE.finditer(text):
        for start in range(len(m.group(1))):
            code = by_name.get(m.group(1)[start:])
            if code:
                return code
    return None


def sheet_title(sheet: Sheet, before: int) -> str:
    """The first text of the rows above the first block (the sheet's title)."""
    for r in range(min(before, len(sheet.rows))):
        texts = sheet.texts(r)
        if texts:
            return " ".join(texts)
    return ""


def block_title(sheet: Sheet, header_row: int, caption_col: int) -> str:
    """The title line just above a header: a lone text such as ``○郵送化率``."""
    for r in range(header_row - 1, max(header_row - 4, -1), -1):
        texts = sheet.texts(r)
        if not texts:
            continue
        if len(texts) == 1 and find_month_header(sheet, r) is None:
            return texts[0]
        return ""
    return ""


def _title_cell(sheet: Sheet, header_row: int, title: str) -> tuple[int, int]:
    """(row, column) of the block title found by :func:`block_title`."""
    for r in range(header_row - 1, max(header_row - 4, -1), -1):
        for c, cell in enumerate(sheet.rows[r]):
            if cell.value is not None and str(cell.value).strip() == title:
                return r, c
    return header_row, 0


class MonthlyImporter:
    layout = "monthly"
    display_name = "月次実績"                # how the window and the command line name it

    def identify(self, book: Book) -> bool:
        for sheet in book.sheets:
            for r in range(len(sheet.rows)):
                c = find_month_header(sheet, r)
                if c is not None:
                    caption = _text(sheet.value(r, c - 1)) if c else ""
                    if caption not in ("支部", "支部名", "支部コード"):
                        return True
        return False

    def extract(self, book: Book, catalogue, default_branch: str | None = None,
                branch_names: dict[str, str] | None = None) -> Extraction:
        from app.core.branches import branch_names as all_branch_names

        names = branch_names or all_branch_names()
        out = Extraction(self.layout, book.name)
        headers = {s.name: [(r, c) for r in range(len(s.rows)) if (c := find_month_header(s, r)) is not None]
                   for s in book.sheets}
        titles = {s.name: sheet_title(s, headers[s.name][0][0] if headers[s.name] else len(s.rows))
                  for s in book.sheets}
        book_title = next((t for t in titles.values() if find_fiscal_year(t)), "")
        out.fiscal_year = find_fiscal_year(book_title) if book_title else None
        out.branch = next((b for t in titles.values() if (b := branch_in(t, names))), None) or default_branch
        for sheet in book.sheets:
            sheet_fy = find_fiscal_year(titles[sheet.name]) or find_fiscal_year(sheet.name) or out.fiscal_year
            for r, c in headers[sheet.name]:
                self._block(book, sheet, r, c, sheet_fy, catalogue, out)
        if out.branch is None and out.values:
            out.problems.append(Problem("支部が分かりません。タイトルに「○○支部」と書くか、支部を指定してください",
                                        book.where(book.sheets[0])))
        out.values = [v if v.branch else ValueRecord(out.branch or "", v.fiscal_year, v.month, v.indicator,
                                                     v.value, v.where, v.note, v.decimals)
                      for v in out.values]
        return out

    def _block(self, book: Book, sheet: Sheet, hr: int, mc: int, sheet_fy: int | None,
               catalogue, out: Extraction) -> None:
        caption_col = mc - 1
        caption = _text(sheet.value(hr, caption_col)) if mc else ""
        year_col = mc + 12 if _text(sheet.value(hr, mc + 12)) in YEAR_CAPTIONS else None
        title = block_title(sheet, hr, caption_col)
        columns = value_columns(mc, year_col)
        current_fy = fiscal_year_of(caption)
        caption_ind = None
        unknown_caption = None
        if current_fy is None:
            res = catalogue.resolve(caption, title)
            caption_ind = res.code
            if caption_ind is None:
                if normalize_label(caption) in GENERIC_CAPTIONS and title:   # the title is what names it
                    r, c = _title_cell(sheet, hr, title)
                    unknown_caption = self._unknown(book, sheet, r, c, title, catalogue, title)
                else:
                    unknown_caption = self._unknown(book, sheet, hr, caption_col, caption, catalogue, title)
        for r in range(hr + 1, len(sheet.rows)):
            if find_month_header(sheet, r) is not None:
                break
            label = _text(sheet.value(r, caption_col)) if mc else ""
            month_cells = [sheet.cell(r, mc + i) for i in range(12)]
            has_values = any(c.value is not None for c in month_cells) or (
                year_col is not None and sheet.value(r, year_col) is not None)
            if not label and not has_values:
                break                                   # a blank row ends the block
            if label and label[0] in TITLE_MARKS and not has_values:
                break                                   # the next block's title
            fy = fiscal_year_of(label)
            if fy is not None:
                current_fy = fy
                code = caption_ind
                if code is None:
                    if unknown_caption:
                        out.problems.append(unknown_caption)
                        unknown_caption = None          # once per block, not once per year row
                    continue
            else:
                res = catalogue.resolve(label, title)
                code = res.code
                if code is None:
                    out.problems.append(self._unknown(book, sheet, r, caption_col, label, catalogue, title))
                    continue
            year = current_fy or sheet_fy
            if year is None:
                out.problems.append(Problem("年度が分かりません (見出し・行・シート名のいずれにもありません)",
                                            book.where(sheet, r, caption_col)))
                continue
            read_cells(book, sheet, r, columns, catalogue[code], year, out)

    @staticmethod
    def _unknown(book, sheet, r, c, label, catalogue, title) -> Problem:
        res = catalogue.resolve(label, title)
        if res.candidates:
            msg = f"'{label}' はどの指標か決められません (候補: {', '.join(res.candidates)})"
        else:
            msg = f"'{label}' は指標一覧にない項目名です"
        return Problem(msg, book.where(sheet, r, c), label=label)


def read_cell(book: Book, sheet: Sheet, r: int, c: int, ind, year: int, month: int | None,
              out: Extraction, branch: str | None = None) -> None:
    """One month (or year) cell through the value reader: a record, a problem, or nothing."""
    cell = sheet.cell(r, c)
    where = book.where(sheet, r, c)
    if cell.value is None:
        if where.cell in book.uncached.get(sheet.name, ()):
            out.problems.append(Problem("数式の計算結果が保存されていません。Excel で開いて保存し直してください", where))
        return
    reading = read_value(cell.value, unit=ind.unit, kind=ind.kind, number_format=cell.number_format)
    if reading.problem:
        ambiguous = reading.proposal is not None
        msg = reading.problem + ("。取り込まずに残しました" if ambiguous else "")
        out.problems.append(Problem(msg, where, "warning" if ambiguous else "error", reading.proposal,
                                    key=(branch, year, month, ind.code) if ambiguous else None))
        return
    if reading.value is None:
        return
    out.values.append(ValueRecord(branch, year, month, ind.code, reading.value, where, reading.note,
                                  _decimals(cell) if month is None else None))


def value_columns(mc: int, year_col: int | None) -> tuple[tuple[int, int | None, str], ...]:
    """(column, month, column letter) of the twelve months from column mc, then the year column's
    (month None) if there is one."""
    cols = [(mc + i, month) for i, month in enumerate(FISCAL_MONTHS)] + ([(year_col, None)] if year_col is not None else [])
    return tuple((c, month, column_letter(c)) for c, month in cols)


def read_cells(book: Book, sheet: Sheet, r: int, columns, ind, year: int, out: Extraction,
               branch: str | None = None) -> None:
    """The month (and year) cells of row r (``value_columns``), each as ``read_cell`` reads it; a
    finite number in a plain or percent cell, the common case, is read here without the detour."""
    row = sheet.rows[r] if 0 <= r < len(sheet.rows) else ()
    n, line, file, name = len(row), str(r + 1), book.name, sheet.name
    unit, kind, code, append, new = ind.unit, ind.kind, ind.code, out.values.append, tuple.__new__
    for c, month, letter in columns:
        if 0 <= c < n:
            value, fmt = cell = row[c]
            if (value.__class__ is float or value.__class__ is int) and (scale := number_scale(unit, kind, fmt)):
                x = float(value) if -1e300 < value < 1e300 else None      # else read_cell says why
                if x is not None:
                    # records built as read_cell builds them, without NamedTuple.__new__'s Python call
                    append(new(ValueRecord, (branch, year, month, code, x if scale == 1 else shown_percent(x),
                                             new(Where, (file, name, letter + line)), None,
                                             None if month is not None else _decimals(cell))))
                    continue
        read_cell(book, sheet, r, c, ind, year, month, out, branch)


@lru_cache(maxsize=256)
def _format_decimals(fmt: str | None) -> int | None:
    """The decimals a number format shows; None when it does not say."""
    fmt = fmt or ""
    m = re.search(r"0\.(0+)", fmt)
    if m:
        return len(m.group(1))
    if re.search(r"[0#]", fmt):
        return 0
    return None


def _decimals(cell) -> int | None:
    """How many decimals a printed year figure shows (its number format, else its text)."""
    decimals = _format_decimals(cell.number_format)
    if decimals is not None:
        return decimals
    text = _text(cell.value)
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0
