"""KPI の確認: each KPI as read, editable; 確定 stores them all as confirmed, or nothing."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.reads.queries import plan_items


def test_kpis_are_confirmed_and_corrected_in_the_dialog(window, qtbot, demo_db):
    dialog = window.open_kpi_confirm()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 17
    row = next(r for r, (item, k) in enumerate(dialog.kpis) if item.item_no == 1 and k.indicator == "mail_rate")
    _k, indicator, rule, target, op = dialog.rows[row]
    assert dialog.table.horizontalHeaderItem(1).text() == "評価行"                    # each KPI under its row
    item = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 1)      # seed 004: its （２）
    assert dialog.table.item(row, 1).toolTip() == next(r.plan_text for r in item.rows if _k.id in r.kpi_ids)
    assert indicator.currentData() == "mail_rate" and rule.currentData() == "value" and target.text() == "95"
    target.setText("96.5%")                                          # read like any cell
    qtbot.mouseClick(dialog.confirm_button, Qt.LeftButton)
    kpis = [k for i in plan_items(demo_db, "10", 2024) for k in i.kpis]
    assert all(k.confirmed for k in kpis)
    assert next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 1).kpis[1].target == 96.5


def test_a_target_that_cannot_be_read_is_said_and_nothing_confirmed(window, qtbot, demo_db):
    dialog = window.open_kpi_confirm()
    qtbot.addWidget(dialog)
    dialog.rows[0][3].setText("たくさん")
    qtbot.mouseClick(dialog.confirm_button, Qt.LeftButton)
    assert "の目標" in dialog.message_bar.text() and dialog.isVisible()           # said in the dialog, no pop-up
    assert dialog.message_bar.level == "error" and not dialog.findChildren(QMessageBox)
    assert not any(k.confirmed for i in plan_items(demo_db, "10", 2024) for k in i.kpis)
