"""The first window on the sample data, driven through its real widgets."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.helpers import settle


def items_shown(window) -> list[str]:
    out = []
    for i in range(window.tree.topLevelItemCount()):
        pillar = window.tree.topLevelItem(i)
        out += [pillar.child(j).text(0) for j in range(pillar.childCount()) if pillar.child(j).text(0)]
    return out


def select_item(window, no: str) -> None:
    for i in range(window.tree.topLevelItemCount()):
        pillar = window.tree.topLevelItem(i)
        for j in range(pillar.childCount()):
            if pillar.child(j).text(0) == no:
                window.tree.setCurrentItem(pillar.child(j))
                return
    raise AssertionError(f"item {no} not shown")


def test_window_shows_branch_year_and_plan(window):
    assert "群馬支部" in window.findChild(QLabel, "branch-label").text()
    assert window.year_box.currentText() == "令和6年度"
    assert [window.year_box.itemText(i) for i in range(window.year_box.count())] == [
        "令和6年度", "令和5年度", "令和4年度"]
    assert window.tree.topLevelItemCount() == 4            # three pillars and the groups' tables
    assert window.tree.topLevelItem(0).text(0) == "1. 基盤的保険者機能の盤石化"
    assert items_shown(window) == [str(i) for i in range(1, 22)]


def test_group_filter_and_search(window, qtbot):
    window.group_box.setCurrentText("レセプト")
    # 全グループ items stay; item 8 is 企画総務・レセプトグループ's (seed 004's heading)
    assert items_shown(window) == ["5", "6", "7", "8", "19", "20", "21"]
    window.group_box.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)      # Ctrl+F goes to the search field
    assert window.search.hasFocus()
    window.search.insert("郵送化率")   # (QTest cannot type Japanese: an input method would)
    assert items_shown(window) == ["1"]


def test_item_shows_kpi_with_result_and_proposed_rating(window):
    select_item(window, "1")
    assert "サービス水準の向上" in window.title.text()
    t = window.kpi_table
    assert t.rowCount() == 2                                  # seed 004: サービススタンダード and 郵送化率
    row = [t.item(1, c).text() for c in range(6)]
    assert row[1] == "郵送化率"
    assert row[2] == "95%以上"
    assert row[3] == "94.3%"               # year to March, recomputed from 郵送件数 and 窓口件数
    assert row[4] == "令和7年3月末現在"
    assert row[5] == "△"
    assert window.status.current_quarter == 4                 # the sample's statuses are for 第4四半期
    second = window.status.rows[1]                            # the item's （２）, holding the 郵送化率 KPI
    assert (second.rating.currentData(), second.rank.value()) == ("△", 27)
    assert "お客様満足度調査" in window.status.rows[2].text.toPlainText()
    assert window.status.proposed.text() == "（数値からの提案: △）"


def test_monthly_grid_shows_this_and_earlier_years(window, qtmodeltester):
    select_item(window, "1")
    model = window.grid_model
    qtmodeltester.check(model)
    rows = [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]
    # seed 004's item 1: サービススタンダード (9 rows a year) and 郵送化率 (3), each year's tables in turn
    assert len(rows) == 24 and {y for _, y in rows} == {"令和5年度", "令和6年度"}
    assert rows[0] == ("サービススタンダード達成率（%）", "令和5年度")
    assert rows[9:12] == [("郵送化率（%）", "令和5年度"), ("窓口件数（件）", "令和5年度"), ("郵送件数（件）", "令和5年度")]
    r5 = rows.index(("郵送化率（%）", "令和5年度"))
    assert model.index(r5, 2).data() == "94.6%"
    assert model.index(r5, 14).data() == "95.0%" or model.index(r5, 14).data() == "95%"
    assert model.index(r5, 2).data(Qt.TextAlignmentRole) & int(Qt.AlignRight)


def test_switching_year_reloads_items(window):
    window.year_box.setCurrentText("令和5年度")
    assert items_shown(window) == []            # the sample plan is for 令和6年度 only
    assert window.title.text() == "令和5年度の事業計画がありません"
    assert window.first_steps.isVisible() and not window.tabs.isVisible()


def test_the_window_remembers_year_item_and_tab(qtbot, demo_db):
    from ui.main_window import MainWindow

    first = MainWindow(demo_db)
    qtbot.addWidget(first)
    select_item(first, "7")
    first.tabs.setCurrentIndex(1)
    first.close()
    again = MainWindow(demo_db)
    qtbot.addWidget(again)
    assert again.year_box.currentText() == "令和6年度"
    assert again.tree.currentItem().text(0) == "7" and again.tabs.currentIndex() == 1


def test_a_groups_table_shows_all_its_indicators(window, qtmodeltester):
    groups = window.tree.topLevelItem(window.tree.topLevelItemCount() - 1)
    node = next(groups.child(i) for i in range(groups.childCount()) if groups.child(i).text(1).startswith("レセプト"))
    window.tree.setCurrentItem(node)
    model = window.grid_model
    qtmodeltester.check(model)
    names = {model.index(r, 0).data().rsplit("（", 1)[0] for r in range(model.rowCount())}
    assert names == {"レセプト内容点検 査定率（累計）", "再審査レセプト1件当たり査定額（累計）",
                     "資格喪失後1か月以内の保険証回収率（累計）", "返納金債権回収率（累計）"}
    assert window.title.text().startswith("レセプトグループ")
    assert not window.status.isEnabled()


def test_other_models_pass_the_model_tester(qtbot, demo_db, qtmodeltester):
    from app.operations.imports import import_history, read_report
    from tests.conftest import SAMPLE
    from ui.history_dialog import HistoryModel
    from ui.import_dialog import SheetPreviewModel

    qtmodeltester.check(HistoryModel(import_history(demo_db)))
    report, ext = read_report(demo_db, SAMPLE / "gunma_fy2024_monthly.xlsx")
    qtmodeltester.check(SheetPreviewModel(ext.book.sheets[0], ext))


def test_by_branch_table_of_the_sample_headquarters_tables(window, qtbot, demo_db, qtmodeltester):
    select_item(window, "1")
    model = window.grid_model
    mail = next(r for r in range(model.rowCount())
                if (model.index(r, 0).data(), model.index(r, 1).data()) == ("郵送化率（%）", "令和6年度"))
    window.grid.setCurrentIndex(model.index(mail, 5))
    window.tabs.setCurrentIndex(2)
    settle(window)
    model = window.branch_model
    qtmodeltester.check(model)
    assert model.rowCount() == 48
    gunma = next(r for r in range(48) if model.index(r, 0).data() == "10 群馬")
    assert model.index(gunma, 1).data() == "93.5%" and model.index(gunma, 13).data() == "34位"
    assert model.headerData(13, Qt.Horizontal) == "全国順位（3月）"
    assert model.index(47, 0).data() == "全国" and model.index(47, 1).data() == "94.8%"     # the indicator's decimals
    assert "郵送化率" in window.national_label.text()


def test_a_second_window_on_the_same_file_is_told_so(qtbot, demo_path, tmp_path):
    import shutil

    from app.store.backups import InstanceLock
    from ui.app import launch

    path = tmp_path / "shared.sqlite3"
    shutil.copy(demo_path, path)
    held = InstanceLock(path)
    assert held.acquire()
    window = launch(path)
    qtbot.addWidget(window)
    window.setProperty("quiet", True)
    with qtbot.waitSignal(window.failed, timeout=20000) as blocker:
        pass
    assert "別の branch-report の画面で開かれています" in blocker.args[0]
    assert window.db is None
    held.release()


def test_restore_from_the_menu_reopens_the_restored_data(window, qtbot, demo_db):
    from app.store.backups import auto_backup
    from tests.helpers import set_month_value

    backup = auto_backup(demo_db, "manual")
    set_month_value(demo_db, "10", 2024, 4, "counter_count", 1)
    assert window.restore_backup(str(backup), confirm=False)
    from app.reads.queries import monthly_values

    assert [r.value for r in monthly_values(window.db, "10", 2024, ["counter_count"]) if r.month == 4] == [541]
    assert window.tree.topLevelItemCount() == 4


def test_work_package_out_and_back_with_a_conflict_chosen(window, qtbot, demo_db, tmp_path):
    import openpyxl

    from tests.helpers import set_month_value
    from app.reads.queries import monthly_values

    path = window.export_work_package("業務", str(tmp_path / "gyomu.xlsx"))
    wb = openpyxl.load_workbook(path)
    grid = wb["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    grid.cell(row, 3).value, grid.cell(row, 4).value = "560", "460"
    wb.save(path)
    set_month_value(demo_db, "10", 2024, 4, "counter_count", 555)
    dialog = window.import_work_package(path)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2 and not dialog.commit.isEnabled()
    assert dialog.reason.text() == "競合している変更 1 件の採用（右端の列）を選んでください"    # on screen, not a tooltip
    dialog.resize(1300, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    head = dialog.table.horizontalHeader()
    assert head.sectionViewportPosition(5) + head.sectionSize(5) <= dialog.table.viewport().width() + 1   # 採用 on screen
    (box,) = dialog.choices.values()
    box.setCurrentIndex(box.findData("theirs"))
    assert dialog.commit.isEnabled() and dialog.reason.text() == ""
    with qtbot.waitSignal(dialog.stored, timeout=10000):
        qtbot.mouseClick(dialog.commit, Qt.LeftButton)            # stored off the GUI thread
    got = {r.month: r.value for r in monthly_values(demo_db, "10", 2024, ["counter_count"])}
    assert (got[4], got[5]) == (560, 460)


def test_switching_to_another_database_is_remembered(window, tmp_path):
    from PySide6.QtCore import QSettings

    target = str(tmp_path / "other.sqlite3")
    assert window.switch_database(target)
    assert window.db.engine.url.database == target
    assert QSettings("branch-report", "branch-report").value("database/target") == target
    assert window.title.text() == "はじめに"                            # a new, empty database
    assert "まだ何もありません" in window.first_steps.text.text()


def test_restore_lists_backups_by_date_and_what_they_were_made_before(window, qtbot, demo_db, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from app.reads.queries import monthly_values
    from app.store.backups import auto_backup, describe_backup
    from tests.helpers import set_month_value

    backup = auto_backup(demo_db, "before-import")
    assert describe_backup(backup).endswith(" 取り込みの前")
    stamp = backup.stem.split("-")[2]
    assert describe_backup(backup).startswith(f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} ")
    set_month_value(demo_db, "10", 2024, 4, "counter_count", 1)
    offered = []

    def choose(_parent, _title, _label, items, *_args):
        offered.extend(items)
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    assert window.restore_backup(confirm=False)
    assert offered == [describe_backup(backup), "ほかのファイルを選ぶ…"]
    assert not any(".sqlite3" in o for o in offered)
    assert [r.value for r in monthly_values(window.db, "10", 2024, ["counter_count"]) if r.month == 4] == [541]
