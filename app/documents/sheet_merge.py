"""Merged cells on a worksheet, as openpyxl merges them, with each style made once.

openpyxl's ``merge_cells`` gives the top left cell the bottom right one's right and bottom sides,
the merged cells' edges the top left cell's borders and every cell its protection by assigning a
style object to each cell, which hashes the whole object every time (most of a workbook's writing
time), and looks through every range merged before for one holding the new range. Here the styles
are found once per distinct case and the cells pointed at them, and the ranges are looked up by
row: the workbook written is the same.
"""
from __future__ import annotations


def merge(ws, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """``ws.merge_cells(start_row=…, start_column=…, end_row=…, end_column=…)``, faster."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles import Border
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange

    mcr = MergedCellRange.__new__(MergedCellRange)            # its __init__ restyles the top left cell (below)
    mcr.ws = ws
    CellRange.__init__(mcr, min_col=start_column, min_row=start_row, max_col=end_column, max_row=end_row)
    start = mcr.start_cell = ws.cell(start_row, start_column)
    if start._style is None:
        start._style = StyleArray()
    borders = ws.parent._borders
    made = ws.parent.__dict__.setdefault("_merged_borders", {})   # (border, edge, top left's border) → border
    end = ws._cells.get((end_row, end_column))
    if end is not None:                                  # the top left cell takes the bottom right's sides
        if end._style is None:
            end._style = StyleArray()
        key = (start._style.borderId, "corner", end._style.borderId)
        if key not in made:
            corner = borders[end._style.borderId]
            made[key] = borders.add(borders[start._style.borderId] + Border(right=corner.right, bottom=corner.bottom))
        start._style.borderId = made[key]
    known = _by_row(ws)
    ranges = ws.merged_cells.ranges
    if not any(mcr.issubset(r) for r in known.get(start_row, ())):   # one inside a range merged before
        ranges.add(mcr)                                               # is not added, as in openpyxl
        known["count"] = len(ranges)
        for row in range(start_row, end_row + 1):
            known.setdefault(row, []).append(mcr)
    cells = list(mcr.cells)
    for row, col in cells[1:]:
        cell = ws._cells[row, col] = MergedCell(ws, row, col)
        cell._style = StyleArray()
    for name in ("top", "left", "right", "bottom"):
        side = getattr(borders[start._style.borderId], name)
        if side and side.style is None:
            continue
        source = start._style.borderId
        for coord in getattr(mcr, name):
            style = ws._cells[coord]._style
            key = (style.borderId, name, source)
            if key not in made:
                made[key] = borders.add(borders[style.borderId] + Border(**{name: side}))
            style.borderId = made[key]
    for coord in cells:
        ws._cells[coord]._style.protectionId = start._style.protectionId


def _by_row(ws) -> dict:
    """The sheet's merged ranges by each row they cover (and their count), made again when ranges
    were merged or moved other than by ``merge``."""
    known = ws.__dict__.get("_merged_by_row")
    ranges = ws.merged_cells.ranges
    if known is None or known["count"] != len(ranges):
        known = ws.__dict__["_merged_by_row"] = {"count": len(ranges)}
        for r in ranges:
            for row in range(r.min_row, r.max_row + 1):
                known.setdefault(row, []).append(r)
    return known


def rows_moved(ws) -> None:
    """The sheet's merged ranges were moved (rows inserted): what ``merge`` knew of each row is
    forgotten (found again at its next call)."""
    ws.__dict__.pop("_merged_by_row", None)
