"""The window fits the screens offices have: at 1366×768 (a laptop; the taskbar and the title bar
leave about 1366×697) the grid of a normal item shows 4月…3月 and 年度計 without scrolling sideways
and its last row; columns are as wide as their contents and names are cut only when room is short."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui.grid_view import NAME_MIN


def show_item(window, qtbot, item_no: str, size):
    window.resize(*size)
    window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == item_no))
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.grid.viewport().width() > 0 and window.grid.isVisible())
    qtbot.wait(50)
    return window.grid


@pytest.mark.parametrize("item_no", ["4", "5", "7"])           # (item 1 keeps 24 rows: it scrolls)
def test_at_1366x768_a_normal_item_shows_every_month_the_year_and_its_last_row(window, qtbot, item_no):
    grid = show_item(window, qtbot, item_no, (1366, 697))
    model = grid.model()
    assert model.rowCount() > 0
    assert grid.horizontalScrollBar().maximum() == 0            # 4月 … 3月 and 年度計, no sideways scrolling
    last = grid.visualRect(model.index(model.rowCount() - 1, 0))
    assert last.bottom() <= grid.viewport().height()            # the last row is in view
    year = grid.visualRect(model.index(0, model.columnCount() - 1))
    assert year.right() <= grid.viewport().width()


def test_columns_fit_their_contents_and_names_are_whole_when_there_is_room(window, qtbot):
    grid = show_item(window, qtbot, "1", (1600, 1000))
    model = grid.model()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    widest = max(grid.fontMetrics().horizontalAdvance(n) for n in names)
    assert grid.columnWidth(0) >= widest                         # not cut: there is room
    for c in range(2, model.columnCount()):                     # each month as wide as its own figures
        texts = [str(model.index(r, c).data() or "") for r in range(model.rowCount())]
        need = max(grid.fontMetrics().horizontalAdvance(t) for t in texts)
        assert need <= grid.columnWidth(c) <= need + 40, model.headerData(c, Qt.Horizontal)


def test_names_give_way_first_when_the_window_is_narrow(window, qtbot):
    grid = show_item(window, qtbot, "1", (1100, 700))
    assert grid.columnWidth(0) >= NAME_MIN
    wide = show_item(window, qtbot, "1", (1900, 1000)).columnWidth(0)
    assert show_item(window, qtbot, "1", (1100, 700)).columnWidth(0) < wide
    assert model_tooltip(grid).startswith(grid.model().index(0, 0).data().split("（")[0])


def model_tooltip(grid):
    return grid.model().tooltip(grid.model().index(0, 0))


def test_a_groups_table_gives_the_plan_texts_room_to_the_grid(window, qtbot):
    grid = show_item(window, qtbot, "1", (1366, 697))
    item_height = grid.height()
    groups = next(window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())
                  if window.tree.topLevelItem(i).text(0) == "グループ別 月次表")
    window.tree.setCurrentItem(groups.child(0))
    qtbot.waitUntil(lambda: grid.height() > item_height)
    assert not window.plan_box.isVisible()
    window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == "1"))
    qtbot.waitUntil(lambda: window.plan_box.isVisible())


def test_a_groups_table_at_1366_shows_every_name_on_at_most_two_lines(window, qtbot):
    from ui.grid_view import CELL_PAD

    show_item(window, qtbot, "1", (1366, 697))
    groups = next(window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())
                  if window.tree.topLevelItem(i).text(0) == "グループ別 月次表")
    window.tree.setCurrentItem(next(groups.child(i) for i in range(groups.childCount())
                                    if groups.child(i).text(1).startswith("業務")))
    grid = window.grid
    qtbot.waitUntil(lambda: grid.model().rowCount() > 20)
    qtbot.wait(50)
    names = [grid.model().index(r, 0).data() for r in range(grid.model().rowCount())]
    width, metrics = grid.columnWidth(0) - CELL_PAD, grid.fontMetrics()
    assert grid.wordWrap() and grid.rowHeight(0) >= 2 * metrics.lineSpacing()
    for name in names:                 # two lines hold it (a character's slack for where the line breaks)
        assert metrics.horizontalAdvance(name) <= 2 * width - metrics.lineSpacing() // 2 or \
            metrics.horizontalAdvance(name) <= width, name


def test_a_groups_table_at_1366_shows_every_month_and_the_year_large_amounts_in_thousands(window, qtbot):
    """柔整 支給金額 (69,253,827円 a month) is shown in 千円 in 業務's table, so 2月, 3月 and 年度計
    are in view; its tooltip and the text an edit starts with keep the yen."""
    show_item(window, qtbot, "1", (1366, 697))
    groups = next(window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())
                  if window.tree.topLevelItem(i).text(0) == "グループ別 月次表")
    window.tree.setCurrentItem(next(groups.child(i) for i in range(groups.childCount())
                                    if groups.child(i).text(1).startswith("業務")))
    grid, model = window.grid, window.grid_model
    qtbot.waitUntil(lambda: model.rowCount() > 20)
    qtbot.wait(50)
    assert grid.horizontalScrollBar().maximum() == 0
    assert grid.visualRect(model.index(0, model.columnCount() - 1)).right() <= grid.viewport().width()
    r = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "柔整 支給金額（千円）")
    month = model.index(r, 2)
    stored = model.rows[r].months[4]
    assert stored >= 1_000_000
    assert month.data() == f"{stored / 1000:,.0f}"
    assert model.edit_text(month) == f"{stored:,.0f}"
    grid.setFocus()
    grid.setCurrentIndex(month)
    qtbot.keyClick(grid, Qt.Key_F2)                                      # the editor the user gets: in 円
    assert QApplication.focusWidget().text() == f"{stored:,.0f}"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
    assert model.tooltip(month).startswith(f"{stored:,.0f}円")
    assert "千円単位" in model.tooltip(model.index(r, 0))
    window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == "1"))   # an item: yen
    qtbot.waitUntil(lambda: not model.thousands)
