"""Small conveniences for tests: one cell typed by hand, as the window's edit operation does it; a
window's background reads waited for (settle)."""
from app.operations import ops
from app.operations.edits import CellEntry


def set_month_value(db, branch, fiscal_year, month, indicator, entry, who=None):
    return ops.edit_cells(db, [CellEntry(branch, fiscal_year, month, indicator, entry)], who=who)


def set_month_values(db, cells, who=None):
    return ops.edit_cells(db, cells, who=who)


def settle(window, timeout: float = 30.0) -> None:
    """Wait until the window's reads off the GUI thread (figures, dashboard, chart, by-branch table)
    have arrived and been shown: call it before reading a view after an edit."""
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.monotonic() + timeout
    while window.reads.pending:
        assert time.monotonic() < end, "the window's background reads did not arrive"
        QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.002)
