"""Small conveniences for tests: one cell typed by hand, as the window's edit operation does it."""
from app.operations import ops
from app.operations.edits import CellEntry


def set_month_value(db, branch, fiscal_year, month, indicator, entry, who=None):
    return ops.edit_cells(db, [CellEntry(branch, fiscal_year, month, indicator, entry)], who=who)


def set_month_values(db, cells, who=None):
    return ops.edit_cells(db, cells, who=who)
