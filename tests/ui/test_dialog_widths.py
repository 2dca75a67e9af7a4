"""Dialogs at 1366×768 show their contents whole: the import dialog's label-mapping combo, KPI の確認's
指標 column — texts measured against the room they are given (fontMetrics width vs column width)."""
import os

import openpyxl
from PySide6.QtWidgets import QComboBox

from tests.ui.test_import_dialog import MONTHLY, open_dialog, widgets_in_problems

SCREEN = (1366, 768)
ROOM = (SCREEN[0] - 40, SCREEN[1] - 60)        # what ui.appearance.fit_dialog leaves a dialog on that screen


def _seen(widget, name):
    """Saved for a person to look at when BRANCH_REPORT_SHOTS names a folder."""
    if os.environ.get("BRANCH_REPORT_SHOTS"):
        widget.grab().save(os.path.join(os.environ["BRANCH_REPORT_SHOTS"], f"{name}.png"))


def test_the_label_mapping_combo_is_whole_in_the_import_dialog(qtbot, demo_db, tmp_path):
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["A31"] = "郵送での受付数"
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    dialog = open_dialog(qtbot, demo_db, [path])
    dialog.resize(min(1100, ROOM[0]), min(720, ROOM[1]))        # as fit_dialog sizes it on that screen
    qtbot.wait(50)
    (combo,) = widgets_in_problems(dialog, QComboBox)
    holder = next(dialog.problems.item(i) for i in range(dialog.problems.count())
                  if dialog.problems.itemWidget(dialog.problems.item(i)) is combo)
    _seen(dialog, "import_mapping")
    assert combo.height() >= combo.sizeHint().height()               # not clipped top and bottom
    assert dialog.problems.visualItemRect(holder).height() >= combo.sizeHint().height()
    assert combo.width() >= combo.fontMetrics().horizontalAdvance(combo.currentText())


def test_a_dialog_is_never_larger_than_its_screen(window, qtbot):
    dialog = window.open_kpi_confirm()
    qtbot.addWidget(dialog)
    room = window.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.minimumSizeHint().width() <= room.width()        # nothing in it holds it wider (a long line wraps)


def test_kpi_confirm_shows_the_indicator_names_whole(window, qtbot):
    window.resize(*SCREEN)
    dialog = window.open_kpi_confirm()
    qtbot.addWidget(dialog)
    dialog.resize(min(1300, ROOM[0]), min(700, ROOM[1]))        # as fit_dialog sizes it there (offscreen's is smaller)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.table.horizontalScrollBar().maximum() == 0        # 比較 in view
    _seen(dialog, "kpi_confirm")
    width = dialog.table.columnWidth(3)
    for _k, indicator, *_ in dialog.rows:
        text = indicator.currentText()
        assert indicator.fontMetrics().horizontalAdvance(text) + 30 <= width, text   # (the arrow beside it)


def test_the_file_dialog_shows_sizes_and_dates_whole(qtbot, qapp, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QTreeView

    from ui.appearance import widen_file_dialogs

    (tmp_path / "令和6年度 群馬支部 事業計画 月次実績（業務・レセプト・保健・企画総務）.xlsx").write_bytes(b"x" * 123456)
    if getattr(qapp, "file_dialogs", None) is None:
        widen_file_dialogs(qapp)
    dialog = QFileDialog(None, "Excel ブックを選ぶ", str(tmp_path))
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    dialog.setViewMode(QFileDialog.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    view = next(v for v in dialog.findChildren(QTreeView) if v.isVisible())
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) == 1)
    qtbot.wait(100)
    room = dialog.screen().availableGeometry()
    assert dialog.width() >= min(1000, room.width() - 40)
    _seen(dialog, "file_dialog")
    index = view.model().index(0, 0, view.rootIndex())
    for column in range(1, view.header().count()):                  # サイズ, 種類, 更新日時
        text = index.siblingAtColumn(column).data()
        assert view.fontMetrics().horizontalAdvance(text) < view.columnWidth(column), text
