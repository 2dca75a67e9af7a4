"""The 編集 menu people expect: 切り取り, コピー, 貼り付け, すべて選択, 削除 on the grid and on text
fields; グラフを PNG で保存 without first opening the chart tab."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from app.reads.queries import monthly_values
from tests.ui.test_main_window import select_item


def edit_menu(window):
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "編集(&E)")


def entry(window, text):
    return next(a for a in edit_menu(window).actions() if a.text().split("\t")[0] == text)


def test_the_edit_menu_lists_the_clipboard_entries(window):
    texts = [a.text().split("\t")[0] for a in edit_menu(window).actions() if not a.isSeparator()]
    assert texts[-5:] == ["切り取り(&T)", "コピー(&C)", "貼り付け(&P)", "すべて選択(&A)", "削除(&D)"]
    assert entry(window, "コピー(&C)").text().endswith("\tCtrl+C")


def test_copy_delete_and_paste_from_the_menu_on_the_grid(window, qtbot, demo_db):
    select_item(window, "1")
    model = window.grid_model
    row = next(r for r in range(model.rowCount()) if model.rows[r].fiscal_year == 2024
               and model.rows[r].indicator == "counter_count")
    window.grid.setFocus()
    window.grid.setCurrentIndex(model.index(row, 2))                # 4月
    qtbot.waitUntil(lambda: window.grid.hasFocus() or True)
    entry(window, "コピー(&C)").trigger()
    assert QGuiApplication.clipboard().text().strip() == model.index(row, 2).data()
    window.grid.setFocus()
    entry(window, "削除(&D)").trigger()
    qtbot.waitUntil(lambda: not [v for v in monthly_values(demo_db, "10", 2024, ["counter_count"]) if v.month == 4])
    window.grid.setFocus()
    entry(window, "貼り付け(&P)").trigger()
    qtbot.waitUntil(lambda: [v.value for v in monthly_values(demo_db, "10", 2024, ["counter_count"]) if v.month == 4] == [541])


def test_cut_and_select_all_on_a_text_field(window, qtbot):
    from ui.edit_menu import act

    window.search.setText("郵送")
    assert act(window, "select_all", window.search) and window.search.selectedText() == "郵送"
    assert act(window, "cut", window.search)
    assert window.search.text() == "" and QGuiApplication.clipboard().text() == "郵送"
    assert act(window, "paste", window.search) and window.search.text() == "郵送"


def test_the_chart_is_saved_without_opening_its_tab(window, tmp_path):
    select_item(window, "1")
    window.tabs.setCurrentIndex(0)
    assert window.export_chart_action.isEnabled()
    out = window.export_chart(str(tmp_path / "c.png"))
    assert out and (tmp_path / "c.png").stat().st_size > 1000
    assert window.tabs.currentIndex() == 0
