"""The import's fast paths read exactly what the plain ones read: a row's cells at once
(read_cells) as cell by cell (read_cell), and identify on the book's text as on the whole book."""
import datetime as dt
import gc
import threading
from pathlib import Path

import pytest

from app.core.catalogue import load_catalogue
from importers import IMPORTERS, text_view
from importers.base import Book, Cell, Extraction, Sheet, collector_paused
from importers.layouts.monthly import read_cell, read_cells, value_columns
from importers.formats.workbook import load_book
from tests.conftest import SAMPLE
from tests.importers.build import REFERENCE, write_monthly
from tests.importers.test_national import hq_workbook
from tests.importers.test_variants import LAYOUTS

CAT = load_catalogue()
FORMATS = [None, "General", "#,##0", "0.0", "0.0%", "h:mm", "[h]:mm", "0.00E+00", "yyyy-mm-dd"]
VALUES = [0, 2481, -3, 0.946, 94.9, 1e-7, 1e301, True, "2,481", "２，４８１件", "94.6%", "-", "3:05", "12/11",
          "89.1％ R7.2実績分", "あいう", "=A1", dt.datetime(2024, 12, 11), dt.time(3, 5), dt.timedelta(hours=25)]


def a_sheet():
    """Row r holds VALUES[r] in every column, each column in its own format (and a formula
    without a saved result in the last column of the first row)."""
    rows = [[Cell("ラベル", None)] + [Cell(v, fmt) for fmt in FORMATS] for v in VALUES]
    rows[0].append(Cell(None, None))
    return Sheet("業務 & <記号>", rows)


def indicators():
    kinds = {}
    for ind in CAT:
        kinds.setdefault((ind.unit, ind.kind), ind)
    return sorted(kinds.values(), key=lambda i: i.code)


@pytest.mark.parametrize("ind", indicators(), ids=lambda i: f"{i.kind}-{i.unit}")
def test_a_row_at_once_reads_as_cell_by_cell(ind):
    sheet = a_sheet()
    book = Book(Path("本部.xlsx"), [sheet], {sheet.name: {f"{'ABCDEFGHIJK'[len(FORMATS) + 1]}1"}})
    # a month for each formatted column, the last as the year column; the formula cell and a
    # column past the row's end too
    columns = [(c, 4 + (c - 1) % 9, None) for c in range(1, len(FORMATS))] + [(len(FORMATS), None, None),
                                                                             (len(FORMATS) + 1, 1, None),
                                                                             (len(FORMATS) + 5, 2, None)]
    columns = [(c, m, value_columns(c, None)[0][2]) for c, m, _ in columns]
    for branch in (None, "10"):
        one, many = Extraction("x", book.name), Extraction("x", book.name)
        for r in range(len(sheet.rows)):
            for c, month, _ in columns:
                read_cell(book, sheet, r, c, ind, 2024, month, one, branch=branch)
            read_cells(book, sheet, r, columns, ind, 2024, many, branch=branch)
        assert many.values == one.values and many.problems == one.problems
        assert [tuple(v.where) for v in many.values] == [tuple(v.where) for v in one.values]
        assert one.values and one.problems


def test_value_columns():
    assert value_columns(1, 13) == tuple((1 + i, m, "BCDEFGHIJKLM"[i]) for i, m in
                                         enumerate((4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))) + ((13, None, "N"),)
    assert len(value_columns(25, None)) == 12 and value_columns(25, None)[0][2] == "Z"


def books(tmp_path):
    yield from (load_book(p) for p in sorted(SAMPLE.glob("*.xlsx")))
    for name, layout in LAYOUTS.items():
        yield load_book(write_monthly(tmp_path / f"{name}.xlsx", REFERENCE, layout))
    yield load_book(hq_workbook(tmp_path / "hq.xlsx"))
    yield load_book(hq_workbook(tmp_path / "hq2.xlsx", start_row=9, start_col=3, percent=False))


def test_identify_on_the_text_alone_decides_as_on_the_whole_book(tmp_path):
    claims = []
    for book in books(tmp_path):
        view = text_view(book)
        assert [len(s.rows) for s in view.sheets] == [len(s.rows) for s in book.sheets]
        assert all(isinstance(c.value, str) or c.value is None for s in view.sheets for r in s.rows for c in r)
        claimed = [imp.layout for imp in IMPORTERS if imp.identify(view)]
        assert claimed == [imp.layout for imp in IMPORTERS if imp.identify(book)]
        claims += claimed
    assert {"monthly", "national", "plan"} <= set(claims)


def test_the_text_view_keeps_text_in_place():
    book = Book(Path("b.xlsx"), [Sheet("s", [[Cell(1, None), Cell("4月", None), Cell(2.5, "0.0"), Cell("計", None),
                                              Cell(True, None)], [Cell(3, None)], []])])
    (sheet,) = text_view(book).sheets
    assert sheet.rows == [[Cell(None, None), Cell("4月", None), Cell(None, None), Cell("計", None)], [], []]


def test_the_collector_pauses_for_the_longest_pause_and_comes_back_as_it_was():
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other():
        with collector_paused():
            entered.set()
            leave.wait(5)

    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        worker = threading.Thread(target=other)
        worker.start()
        entered.wait(5)
    assert not gc.isenabled()            # the other thread's pause goes on
    leave.set()
    worker.join()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with collector_paused():
            1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()        # off before, off after
    finally:
        gc.enable()


def test_a_sheets_parser_is_freed_without_the_collector():
    def parsers():
        return sum(type(o).__name__ == "xmlparser" for o in gc.get_objects())

    before = parsers()
    with collector_paused():
        load_book(SAMPLE / "hq_national_fy2024.xlsx")
        assert parsers() == before
