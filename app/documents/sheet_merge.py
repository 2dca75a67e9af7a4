"""Merged cells on a worksheet, as openpyxl merges them, with each style made once.

openpyxl's ``merge_cells`` gives the merged cells' edges the top left cell's borders and every cell
its protection by assigning a style object to each cell, which hashes the whole object every time
(most of a workbook's writing time). The same styles are found here once per distinct case and
the cells pointed at them: the workbook written is the same.
"""
from __future__ import annotations


def merge(ws, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """``ws.merge_cells(start_row=…, start_column=…, end_row=…, end_column=…)``, faster."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles import Border
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange

    mcr = MergedCellRange(ws, CellRange(min_col=start_column, min_row=start_row, max_col=end_column,
                                        max_row=end_row).coord)      # the top left cell takes the bottom right's sides
    known = ws.__dict__.setdefault("_merged_by_row", {})        # row → the ranges merged here over it
    ranges = ws.merged_cells.ranges
    if len(ranges) != known.get("count", 0):                     # merged elsewhere too: openpyxl's own check
        ws.merged_cells.add(mcr)
    elif not any(mcr.issubset(r) for r in known.get(start_row, ())):   # (one inside a range merged before
        ranges.add(mcr)                                                 # is not added, as in openpyxl)
        known["count"] = len(ranges)
        for row in range(start_row, end_row + 1):
            known.setdefault(row, []).append(mcr)
    start = mcr.start_cell
    if start._style is None:
        start._style = StyleArray()
    cells = list(mcr.cells)
    for row, col in cells[1:]:
        cell = ws._cells[row, col] = MergedCell(ws, row, col)
        cell._style = StyleArray()
    borders = ws.parent._borders
    made = ws.parent.__dict__.setdefault("_merged_borders", {})   # (border, edge, top left's border) → border
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


def rows_moved(ws) -> None:
    """The sheet's merged ranges were moved (rows inserted): what ``merge`` knew of each row is
    forgotten, so that its next call checks against every range, as openpyxl does."""
    ws.__dict__.pop("_merged_by_row", None)
