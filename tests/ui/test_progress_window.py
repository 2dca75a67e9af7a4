"""The window's side of 進捗状況: 評価の集計 follows the chosen quarter; この項目の指標 chooses the
month tables an item keeps (the grid shows them at once)."""
from PySide6.QtCore import Qt

from app.reads.queries import item_indicators, plan_items
from tests.helpers import settle
from tests.ui.test_main_window import select_item


def grid_indicators(window):
    return list(dict.fromkeys(r.indicator for r in window.grid_model.rows))


def test_the_counts_follow_the_chosen_quarter(window):
    select_item(window, "1")
    assert "第4四半期" in window.counts.text() and "○5" in window.counts.text()
    window.status.quarter.setCurrentIndex(window.status.quarter.findData(2))      # as the user picks it
    assert "第2四半期" in window.counts.text() and "○0" in window.counts.text()
    window.status.quarter.setCurrentIndex(window.status.quarter.findData(4))
    assert "第4四半期" in window.counts.text() and "○5" in window.counts.text()


def test_choosing_the_indicators_an_item_keeps(window, demo_db):
    select_item(window, "6")
    assert grid_indicators(window) == []

    def tick(dialog):
        rows = {dialog.list.item(n).data(Qt.UserRole): dialog.list.item(n) for n in range(dialog.list.count())}
        rows["overtime"].setCheckState(Qt.Checked)
        rows["mailmag_new"].setCheckState(Qt.Checked)
        return True
    window.choose_indicators(accept=tick)
    settle(window)
    item = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 6)
    assert item_indicators(demo_db, item) == ["mailmag_new", "overtime"]          # the list's order
    assert grid_indicators(window) == ["mailmag_new", "overtime"]

    def untick(dialog):
        dialog.list.item(0).setCheckState(Qt.Unchecked)                         # the kept come first
        return True
    window.choose_indicators(accept=untick)
    settle(window)
    assert grid_indicators(window) == ["overtime"]
    window.choose_indicators(accept=lambda dialog: False)                       # キャンセル: nothing
    assert item_indicators(demo_db, item) == ["overtime"]
