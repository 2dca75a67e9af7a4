"""The import dialog end to end on real files: read in the background, preview, map, commit, undo."""
import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from app.operations.imports import import_history
from app.operations.ops import set_home_branch
from app.reads.queries import monthly_values
from tests.conftest import SAMPLE
from ui.history_dialog import HistoryDialog
from ui.import_dialog import ImportDialog

MONTHLY = SAMPLE / "gunma_fy2024_monthly.xlsx"


def open_dialog(qtbot, db, paths):
    dialog = ImportDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths(paths)
    with qtbot.waitSignal(dialog.task.signals.done, timeout=30000):
        pass
    qtbot.waitUntil(lambda: dialog.tabs.count() > 0 or dialog.problems.count() > 0, timeout=5000)
    return dialog


def widgets_in_problems(dialog, kind):
    return [dialog.problems.itemWidget(dialog.problems.item(i)) for i in range(dialog.problems.count())
            if isinstance(dialog.problems.itemWidget(dialog.problems.item(i)), kind)]


def test_read_preview_accept_a_proposal_commit_and_undo(qtbot, empty_db):
    set_home_branch(empty_db, "10")
    dialog = open_dialog(qtbot, empty_db, [MONTHLY])
    assert "追加 854 件" in dialog.files.item(0).text()
    assert [dialog.tabs.tabText(i).split(" — ")[1] for i in range(dialog.tabs.count())] == [
        "業務", "レセプト", "保健", "企画総務"]
    sheet = dialog.tabs.widget(3).model()                     # 企画総務: G35 = 3.46 is flagged
    g35 = sheet.index(34, 6)
    assert g35.data() == "3.46" and "あいまい" in g35.data(Qt.ToolTipRole)
    assert sheet.index(34, 1).data(Qt.ToolTipRole).startswith("overtime 2023")   # B35 will be stored
    assert monthly_values(empty_db) == []                    # reading stores nothing

    (g35_box, _h35_box) = widgets_in_problems(dialog, QCheckBox)
    assert "3:46" in g35_box.text()
    g35_box.setChecked(True)
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    values = monthly_values(empty_db, indicators=["overtime"], fiscal_year=2023)
    assert {v.month: v.value for v in values}[9] == 226       # 3:46, accepted by the user
    assert len(monthly_values(empty_db)) == 855

    history = HistoryDialog(empty_db)
    qtbot.addWidget(history)
    history.view.selectRow(0)
    from unittest.mock import patch

    from PySide6.QtWidgets import QMessageBox

    with patch("ui.history_dialog.QMessageBox.question", return_value=QMessageBox.No) as asked:
        history.undo_selected()                              # asked first, saying how many; "no" keeps it
    assert "月次の値 855 件を元に戻します" in asked.call_args[0][2] and len(monthly_values(empty_db)) == 855
    with patch("ui.history_dialog.QMessageBox.question", return_value=QMessageBox.Yes):
        history.undo_selected()
    assert monthly_values(empty_db) == []
    assert import_history(empty_db)[0].undone_at is not None


def test_unknown_label_is_mapped_in_place_and_kept(qtbot, demo_db, tmp_path):
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["A31"] = "郵送での受付数"                       # a label nobody taught the catalogue
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    dialog = open_dialog(qtbot, demo_db, [path])
    assert not dialog.commit_button.isEnabled()
    assert any("業務!A31" in dialog.problems.item(i).text() for i in range(dialog.problems.count()))
    (combo,) = widgets_in_problems(dialog, QComboBox)
    with qtbot.waitSignal(dialog.task.signals.done if dialog.task else None, timeout=30000, raising=False):
        combo.setCurrentIndex(combo.findData("mail_count"))
    qtbot.waitUntil(lambda: dialog.commit_button.isEnabled(), timeout=30000)
    assert demo_db.catalogue.resolve("郵送での受付数").code == "mail_count"   # kept for next time


def test_import_is_reachable_from_menu_toolbar_and_drop(qtbot, demo_db):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from ui.main_window import MainWindow

    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    assert w.import_action in w.menuBar().actions()[0].menu().actions()
    assert w.import_action.shortcut().toString() == "Ctrl+I"
    assert w.import_action in w.findChild(type(w.addToolBar("x")), "main-toolbar").actions()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(MONTHLY))])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    opened = []
    w.open_import = lambda paths=(): opened.append(paths)
    w.dropEvent(event)
    assert opened == [[str(MONTHLY)]]


def test_an_ambiguous_label_offers_its_candidates_first(qtbot, demo_db, tmp_path):
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["A31"] = "申請件数"                              # 柔整 or 限度額? the label alone cannot say
    path = tmp_path / "ambiguous.xlsx"
    wb.save(path)
    dialog = open_dialog(qtbot, demo_db, [path])
    (combo,) = widgets_in_problems(dialog, QComboBox)
    offered = [combo.itemData(i) for i in range(1, combo.count()) if combo.itemData(i)]
    likely = demo_db.catalogue.candidates("申請件数")
    assert len(likely) >= 2 and offered[:len(likely)] == likely


PLAN = SAMPLE / "gunma_fy2024_plan.xlsx"


def test_a_plan_workbook_says_how_many_items_and_kpis_it_stores(qtbot, empty_db):
    from app.reads.queries import plan_items

    set_home_branch(empty_db, "10")
    dialog = open_dialog(qtbot, empty_db, [PLAN])
    line = dialog.files.item(0).text()
    assert "事業計画 令和6年度" in line and "追加 0" not in line
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    stored = plan_items(empty_db, "10", 2024)                  # what it said is what was stored
    assert f"項目 {len(stored)} 件" in line and f"KPI {sum(len(i.kpis) for i in stored)} 件" in line
    assert len(stored) > 10


def test_a_broken_file_can_be_taken_off_the_list_and_the_others_imported(qtbot, empty_db, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    set_home_branch(empty_db, "10")
    dialog = open_dialog(qtbot, empty_db, [MONTHLY, broken])
    assert dialog.files.count() == 2 and "読み込めません" in dialog.files.item(1).text()
    assert not dialog.commit_button.isEnabled()
    dialog.files.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.files.count() == 1 and dialog.commit_button.isEnabled(), timeout=30000)
    assert dialog.paths == [MONTHLY] and "broken" not in dialog.files.item(0).text()
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    assert len(monthly_values(empty_db)) == 854


def _hand_edited(db):
    from app.operations import ops
    from app.operations.edits import CellEntry

    ops.edit_cells(db, [CellEntry("10", 2024, 4, "mail_count", 1)], who="someone")
    return lambda: next(v.value for v in monthly_values(db, indicators=["mail_count"], fiscal_year=2024) if v.month == 4)


def test_a_hand_edit_is_overwritten_by_default_and_nothing_tells_a_window_user_to_type_options(qtbot, demo_db):
    value = _hand_edited(demo_db)
    dialog = open_dialog(qtbot, demo_db, [MONTHLY])
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert any(p.startswith("[手入力と違う値]") for p in problems)
    assert not any("--prefer" in p for p in problems) and "--" not in dialog.summary.text()
    assert dialog.prefer.checkedButton().text() == "ファイルの値を取り込む"
    assert dialog.commit_button.isEnabled()
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)   # stored at once, nothing asked
    assert value() == 7742


def test_hand_edits_are_kept_when_asked(qtbot, demo_db):
    value = _hand_edited(demo_db)
    dialog = open_dialog(qtbot, demo_db, [MONTHLY])
    keep = next(b for b in dialog.prefer.buttons() if b.text() == "手入力した値を残す")
    qtbot.mouseClick(keep, Qt.LeftButton)
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    assert value() == 1


def test_a_proposal_accepted_in_a_by_branch_table_is_stored_for_its_rows_branch(qtbot, empty_db, tmp_path):
    """超過勤務時間 by branch, written h:mm; 東京's 5月 is the number 3.46 (3:46 or 3.46 hours?)."""
    wb = openpyxl.load_workbook(SAMPLE / "hq_national_fy2024.xlsx")
    for name in wb.sheetnames[:]:
        if name != "平均所要日数":
            del wb[name]
    ws = wb["平均所要日数"]
    ws["A1"] = "令和6年度 超過勤務時間（月平均）（支部別）"
    for r in range(5, ws.max_row + 1):
        for c in range(2, 15):
            ws.cell(r, c).value = "3:00"
    tokyo = next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("13"))
    ws.cell(tokyo, 3).value = 3.46
    path = tmp_path / "overtime_by_branch.xlsx"
    wb.save(path)
    set_home_branch(empty_db, "10")
    dialog = open_dialog(qtbot, empty_db, [path])
    (box,) = widgets_in_problems(dialog, QCheckBox)
    assert f"C{tokyo}" in box.text() and "3:46" in box.text()
    box.setChecked(True)
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    may = {v.branch: v.value for v in monthly_values(empty_db, indicators=["overtime"], fiscal_year=2024)
           if v.month == 5}
    assert may["13"] == 226 and may["10"] == 180 and len(may) == 48     # 東京's row, not the home branch (+ 全国)


def test_a_file_with_one_bad_cell_says_what_the_rest_would_store_and_stores_it_when_chosen(qtbot, demo_db, tmp_path):
    """One unreadable cell: the preview counts the other values, 取り込む waits for the user's
    choice, and then stores everything but that cell in one batch."""
    wb = openpyxl.load_workbook(MONTHLY)
    bad = wb["業務"]["C6"]                      # 傷病手当金 5月 (a figure the demo holds too)
    bad.value = "2,4l1"
    wb["業務"]["B6"] = 2482                       # 4月: a change the rest brings
    path = tmp_path / "one_bad.xlsx"
    wb.save(path)
    dialog = open_dialog(qtbot, demo_db, [path])
    line = dialog.files.item(0).text()
    assert "更新 1 件" in line and "エラーのセルを除く" in line and "エラー 1 件" in line, line
    assert "直して読み直すと" in dialog.summary.text()
    assert not dialog.commit_button.isEnabled() and dialog.leave_out.isVisibleTo(dialog)
    before = {(v.month, v.indicator): v.value for v in monthly_values(demo_db, fiscal_year=2023)}
    dialog.leave_out.setChecked(True)
    assert dialog.commit_button.isEnabled() and "除いて取り込みます" in dialog.summary.text()
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    after = {(v.month, v.indicator): v.value for v in monthly_values(demo_db, fiscal_year=2023)}
    changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    assert changed == {(4, "ss_sickness"): (2481, 2482)}, changed       # 5月 as it was: left out
    assert import_history(demo_db)[0].inserted + import_history(demo_db)[0].updated == 1


def test_a_file_with_errors_is_refused_unless_they_are_left_out(demo_db, tmp_path):
    import pytest

    from app.core.errors import ValidationError
    from app.operations import ops
    from app.operations.imports import read_report

    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["C6"] = "2,4l1"
    path = tmp_path / "one_bad.xlsx"
    wb.save(path)
    read = [read_report(demo_db, path)]
    with pytest.raises(ValidationError, match="one_bad.xlsx"):
        ops.commit_import(demo_db, read)
    assert ops.commit_import(demo_db, read, leave_out_errors=True).reports[0].errors
