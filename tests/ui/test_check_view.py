"""提出前チェック in the window: opened from the menu, one line per thing left, each line jumps
to its place (an indicator's month in its group's table, an item's status)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.fiscal import FISCAL_MONTHS
from ui.grid_model import FIRST_MONTH


def test_check_view_lists_what_is_left_and_jumps_to_it(window, qtbot):
    assert window.check_action.isEnabled()
    dialog = window.open_quarter_check()
    qtbot.addWidget(dialog)
    lines = [dialog.list.item(i) for i in range(dialog.list.count())]
    assert lines and "残り" in dialog.summary.text()
    figure = next(l for l in lines if l.data(Qt.UserRole).kind == "month")
    m = figure.data(Qt.UserRole)
    dialog.list.itemActivated.emit(figure)
    cur = window.grid.currentIndex()
    assert window.grid_model.rows[cur.row()].indicator == m.indicator
    assert cur.column() == FIRST_MONTH + FISCAL_MONTHS.index(m.month)
    item_line = next((l for l in lines if l.data(Qt.UserRole).item_no is not None), None)
    if item_line is not None:
        dialog.list.itemActivated.emit(item_line)
        assert window.tree.currentItem().text(0) == str(item_line.data(Qt.UserRole).item_no)
