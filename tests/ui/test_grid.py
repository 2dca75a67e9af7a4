"""Typing, pasting, clearing and undoing in the monthly grid, through real widgets."""
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.operations.edits import history
from app.reads.queries import monthly_values
from tests.helpers import settle
from tests.ui.test_main_window import select_item
from ui.grid_model import FIRST_MONTH, YEAR_COL


def stored(db, indicator, fy, month):
    rows = [r.value for r in monthly_values(db, "10", fy, [indicator]) if r.month == month]
    return rows[0] if rows else None


def row_of(window, name, fy_label):
    model = window.grid_model
    for r in range(model.rowCount()):
        if model.index(r, 0).data().startswith(name) and model.index(r, 1).data() == fy_label:
            return r
    raise AssertionError(f"{name} {fy_label} not in the grid")


def col_of(month):
    return FIRST_MONTH + (month - 4) % 12


def test_typing_a_value_stores_it_and_undo_restores_it(window, qtbot, demo_db):
    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    grid.setFocus()
    grid.setCurrentIndex(model.index(r, col_of(4)))
    qtbot.keyClick(grid, Qt.Key_6)                      # typing starts the editor …
    editor = QApplication.focusWidget()
    assert editor is not grid and editor.text() == "6"
    qtbot.keyClicks(editor, "00")                        # … which gets the rest
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState)   # Qt commits on the next loop
    settle(window)
    assert stored(demo_db, "counter_count", 2024, 4) == 600
    assert model.index(r, col_of(4)).data() == "600"
    assert grid.currentIndex().row() == r + 1                       # Enter moves down, as in Excel
    assert model.index(r, YEAR_COL).data() == "4,969"               # the printed year figure stays …
    assert model.index(r, YEAR_COL).data(Qt.BackgroundRole).color().name() == "#fff4d6"   # … marked
    log = history(demo_db, "10", 2024, 4, "counter_count")[0]
    assert (log.old, log.new, log.source) == ("541", "600", "手入力")

    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert stored(demo_db, "counter_count", 2024, 4) == 541
    window.redo_action.trigger()
    assert stored(demo_db, "counter_count", 2024, 4) == 600
    window.undo_action.trigger()
    assert model.index(r, col_of(4)).data() == "541"
    settle(window)
    assert model.tooltip(model.index(r, col_of(4))).startswith("取込:")   # its origin is back, not 手入力
    assert [h.source for h in history(demo_db, "10", 2024, 4, "counter_count")][:2] == ["元に戻す", "やり直し"]


def test_the_view_shows_a_cells_tooltip_and_starts_its_editor_with_the_stored_figure(window, qtbot):
    """What the model works out when asked reaches the user: the tooltip on hovering a cell, and
    the figure as typed (1,234.5, not as shown) in the editor that F2 opens."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    index = model.index(row_of(window, "窓口件数", "令和6年度"), col_of(4))
    grid.scrollTo(index)
    at = grid.visualRect(index).center()
    QApplication.sendEvent(grid.viewport(), QHelpEvent(QEvent.ToolTip, at, grid.viewport().mapToGlobal(at)))
    qtbot.waitUntil(lambda: QToolTip.isVisible())
    assert QToolTip.text() == model.tooltip(index) and QToolTip.text().startswith("取込:")
    QToolTip.hideText()
    grid.setFocus()
    grid.setCurrentIndex(index)
    qtbot.keyClick(grid, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not grid and editor.text() == model.edit_text(index) == "541"
    qtbot.keyClick(editor, Qt.Key_Escape)


def test_a_bad_entry_is_refused_with_its_reason_and_never_stored_as_zero(window, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    index = model.index(r, col_of(5))
    assert not model.setData(index, "abc")
    assert stored(demo_db, "counter_count", 2024, 5) == 453
    assert "読めません" in model.tooltip(index)
    assert index.data(Qt.BackgroundRole).color().name() == "#f8c9c4"
    assert "読めません" in window.message_bar.text()                         # said in the window, not a pop-up
    assert model.setData(index, "４６０")                              # full-width digits are fine
    assert stored(demo_db, "counter_count", 2024, 5) == 460


def test_paste_a_block_copied_from_excel_then_undo_it(window, qtbot, demo_db):
    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    before = [stored(demo_db, c, 2024, m) for c in ("counter_count", "mail_count") for m in (4, 5, 6)]
    QGuiApplication.clipboard().setText("500\t1,000\t－\r\n7000\t\"7,100\"\t7200\r\n")   # as Excel puts it
    grid.setFocus()
    grid.setCurrentIndex(model.index(r, col_of(4)))
    qtbot.keyClick(grid, Qt.Key_V, Qt.ControlModifier)
    assert [stored(demo_db, "counter_count", 2024, m) for m in (4, 5, 6)] == [500, 1000, None]
    assert [stored(demo_db, "mail_count", 2024, m) for m in (4, 5, 6)] == [7000, 7100, 7200]
    assert window.undo_action.text() == "元に戻す 6 セルの貼り付け"
    window.undo_action.trigger()                                       # one paste, one undo
    assert [stored(demo_db, c, 2024, m) for c in ("counter_count", "mail_count") for m in (4, 5, 6)] == before


def test_a_paste_with_one_bad_cell_stores_nothing(window, qtbot, demo_db):
    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    QGuiApplication.clipboard().setText("1\t2\tx\n")
    grid.setCurrentIndex(model.index(r, col_of(4)))
    grid.paste()
    assert stored(demo_db, "counter_count", 2024, 4) == 541
    assert (r, col_of(6)) in model.errors


def test_a_paste_that_overflows_says_what_overflows(window, qtbot, demo_db):
    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    said = []
    model.refused.connect(said.append)
    last = model.rowCount() - 1
    QGuiApplication.clipboard().setText("1\n2\n3\n")
    grid.clearSelection()
    grid.setCurrentIndex(model.index(last - 1, col_of(4)))
    grid.paste()
    assert said[-1] == "貼り付ける 3 行が表の最後の行を越えます（この位置からは 2 行まで）。何も貼り付けていません"
    QGuiApplication.clipboard().setText("1\t2\t3\n")
    grid.clearSelection()
    grid.setCurrentIndex(model.index(0, col_of(2)))
    grid.paste()
    assert said[-1].startswith("貼り付ける 3 列が 3月 の列を越えます（この位置からは 2 列まで")
    QGuiApplication.clipboard().setText("1\n")
    grid.clearSelection()
    grid.setCurrentIndex(model.index(0, 1))
    grid.paste()
    assert said[-1].startswith("貼り付けられるのは 4月〜3月 の列だけです")


def test_copy_gives_excel_the_values_as_users_write_them(window, qtbot):
    select_item(window, "1")
    grid, model = window.grid, window.grid_model
    r = row_of(window, "郵送化率", "令和5年度")
    grid.setCurrentIndex(model.index(r, col_of(4)))
    grid.selectionModel().select(grid._range(model.index(r, col_of(4)), model.index(r + 1, col_of(5))),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(grid, Qt.Key_C, Qt.ControlModifier)
    assert QGuiApplication.clipboard().text() == "94.6%\t94.9%\r\n423\t393\r\n"


def test_delete_clears_and_negative_style(window, qtbot, demo_db):
    window.search.setText("広報")
    select_item(window, "18")
    model, grid = window.grid_model, window.grid
    rows = [r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("健康保険委員 委嘱数")]
    assert rows, "委嘱数 in the item's grid"
    r6 = next(r for r in rows if model.index(r, 1).data() == "令和6年度")
    assert model.index(r6, col_of(6)).data() == "△36"
    window.negative_action.setChecked(False)
    assert model.index(r6, col_of(6)).data() == "-36"
    grid.setCurrentIndex(model.index(r6, col_of(6)))
    qtbot.keyClick(grid, Qt.Key_Delete)
    assert stored(demo_db, "iin_new", 2024, 6) is None
    settle(window)
    assert model.index(r6, col_of(6)).data() == "－"


def test_ratio_from_parts_and_a_typed_ratio_that_disagrees(window, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "郵送化率", "令和6年度")
    assert model.setData(model.index(r, col_of(4)), "90%")
    settle(window)
    index = model.index(r, col_of(4))
    assert index.data(Qt.BackgroundRole).color().name() == "#ffe2b8"
    assert "一致しません" in model.tooltip(index)
    assert model.setData(index, "")                                   # cleared: computed from its parts
    settle(window)
    assert index.data() == "93.5%" and index.data(Qt.FontRole).italic()
    assert "から計算" in model.tooltip(index)


def test_cell_history_dialog(window, qtbot, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "郵送件数", "令和6年度")
    model.setData(model.index(r, col_of(4)), "7801")
    settle(window)
    dialog = window.show_cell_history(r, col_of(4))
    qtbot.addWidget(dialog)
    t = dialog.table
    assert [t.item(0, c).text() for c in (2, 3, 4)] == ["7,742", "7,801", "手入力"]
    assert "手入力" in model.tooltip(model.index(r, col_of(4)))


def test_a_cell_changed_by_someone_else_meanwhile_is_a_choice(window, demo_db, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.helpers import set_month_value
    from app.store.database import open_database

    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    other = open_database(demo_db.engine.url.render_as_string(hide_password=False))
    set_month_value(other, "10", 2024, 4, "counter_count", 600, who="someone")   # the window still shows 541
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    model.setData(model.index(r, col_of(4)), "700")
    assert "窓口件数 2024年度 4月: ほかの人の値 600 ／ あなたの値 700" in asked[0]
    assert not window.message_bar.isVisible()                    # a decision is asked, not said as a failure
    settle(window)
    assert stored(demo_db, "counter_count", 2024, 4) == 600 and model.index(r, col_of(4)).data() == "600"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    set_month_value(other, "10", 2024, 4, "counter_count", 650, who="someone")
    model.setData(model.index(r, col_of(4)), "700")
    assert stored(demo_db, "counter_count", 2024, 4) == 700
    other.engine.dispose()


def test_a_count_typed_with_decimals_is_stored_warned_and_leaves_the_row_alone(window, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    assert model.index(r, col_of(4)).data() == "541"
    assert model.setData(model.index(r, col_of(5)), "12.5")
    assert stored(demo_db, "counter_count", 2024, 5) == 12.5         # a warning never blocks
    settle(window)
    cell = model.index(r, col_of(5))
    assert cell.data() == "12.5" and cell.data(Qt.BackgroundRole).color().name() == "#ffe2b8"
    assert "件数に小数があります" in model.tooltip(cell)
    assert model.index(r, col_of(4)).data() == "541"                # the rest of the row: whole numbers
    assert model.index(r, col_of(4)).data(Qt.BackgroundRole) is None


def test_a_rate_typed_as_a_fraction_is_marked_with_the_reason(window, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "郵送化率", "令和6年度")
    assert model.setData(model.index(r, col_of(5)), "0.935")
    settle(window)
    assert "93.5% の意味？" in model.tooltip(model.index(r, col_of(5)))


def test_a_warning_acknowledged_stays_quiet_until_the_figure_changes(window, demo_db):
    select_item(window, "1")
    model = window.grid_model
    r = row_of(window, "窓口件数", "令和6年度")
    assert model.setData(model.index(r, col_of(5)), "12.5")
    settle(window)
    assert not window.acknowledge_cell(r, col_of(5), "  ")            # a comment is needed
    assert "コメント" in model.tooltip(model.index(r, col_of(5)))
    assert window.acknowledge_cell(r, col_of(5), "端数のある按分件数（本部確認済み）")
    settle(window)
    cell = model.index(r, col_of(5))
    assert cell.data(Qt.BackgroundRole) is None and "点検" not in (model.tooltip(cell) or "")
    log = history(demo_db, "10", 2024, 5, "counter_count")[0]
    assert log.source == "点検確認: 端数のある按分件数（本部確認済み）" and log.who
    assert model.setData(model.index(r, col_of(5)), "13.5")         # another figure: warned again
    settle(window)
    assert "件数に小数があります" in model.tooltip(model.index(r, col_of(5)))


def test_a_printed_year_figure_that_disagrees_gives_the_computed_one(window):
    from ui.grid_model import YEAR_COL

    for node in window._item_nodes():
        window.tree.setCurrentItem(node)
        model = window.grid_model
        rows = [r for r, row in enumerate(model.rows) if row.year_disagrees]
        if rows:
            break
    else:
        raise AssertionError("the sample has a printed year figure the months disagree with")
    row = model.rows[rows[0]]
    tip = model.tooltip(model.index(rows[0], YEAR_COL))
    assert f"月の値から計算すると {model.text(row, row.year_computed, row.decimals)} で、一致しません" in tip
    assert row.year_computed is not None and row.year_computed != row.year_value
