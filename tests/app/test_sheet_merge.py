"""Cells merged by app.documents.sheet_merge.merge are what openpyxl's merge_cells makes of them."""
from openpyxl import Workbook
from openpyxl.styles import Border, Protection, Side

from app.documents.sheet_merge import merge

THIN, THICK = Side(style="thin"), Side(style="thick")
RANGES = [(1, 1, 1, 5), (2, 2, 4, 3), (3, 5, 3, 6), (6, 1, 6, 2), (6, 1, 6, 2), (8, 3, 8, 3 + 1)]


def sheet(merging):
    wb = Workbook()
    ws = wb.active
    for r in range(1, 10):
        for c in range(1, 8):
            cell = ws.cell(r, c, f"{r},{c}")
            cell.border = Border(left=THIN if c % 2 else None, top=THICK if r % 3 == 0 else THIN,
                                 right=THICK if c == 7 else None, bottom=THIN if r % 2 else None)
            if r == 8:
                cell.protection = Protection(locked=False)
    for rng in RANGES:
        merging(ws, *rng)
    ws.merge_cells(start_row=7, start_column=1, end_row=7, end_column=3)        # merged elsewhere too
    merging(ws, 7, 2, 7, 3)                                                     # inside it
    merging(ws, 9, 1, 9, 7)
    return ws


def looks(ws):
    return ({(c.row, c.column): (type(c).__name__, c.value, repr(c.border), repr(c.protection))
             for row in ws.iter_rows() for c in row}, sorted(str(r) for r in ws.merged_cells.ranges))


def test_merge_gives_the_cells_the_borders_and_protection_openpyxl_gives_them():
    ours = sheet(merge)
    theirs = sheet(lambda ws, r1, c1, r2, c2: ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2))
    assert looks(ours) == looks(theirs)
    assert "A1:E1" in looks(ours)[1] and looks(ours)[0][(1, 2)][0] == "MergedCell"


def test_a_range_inside_one_merged_before_is_not_merged_again():
    ws = Workbook().active
    merge(ws, 1, 1, 3, 4)
    merge(ws, 2, 2, 2, 3)
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:D3"]


def test_rows_inserted_under_merged_ranges_leave_merge_knowing_where_they_are():
    """The workbook writer moves merged ranges down when it inserts a （続き） row: a range then
    merged inside one that moved there is not merged again."""
    from app.documents.xlsx import _insert_rows

    ws = Workbook().active
    merge(ws, 5, 1, 5, 4)
    _insert_rows(ws, 5, 1)                          # A5:D5 is now A6:D6
    merge(ws, 6, 2, 6, 3)                           # inside it
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A6:D6"]
