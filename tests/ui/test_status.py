"""Editing an item's quarterly status: its rated rows (評価行), each with rating, rank and progress
text saved as typed and reached by keyboard; the item's own rating; KPI ratings; counts."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.reads.queries import plan_items, row_statuses, statuses
from app.core.kpi import rows_rating
from app.reads.ratings import row_counts
from db.models import ChangeLog, RatedRow
from tests.helpers import settle
from tests.ui.test_main_window import select_item
from ui.status_editor import SAVE_AFTER_MS


def item(db, item_no):
    return next(i for i in plan_items(db, "10", 2024) if i.item_no == item_no)


def row_status(db, item_no, quarter, n=0):
    row = item(db, item_no).rows[n]
    return row_statuses(db, [row.id], quarter).get(row.id)


def log_lines(db, entity):
    with db.session() as s:
        return [(r.field, r.old, r.new, r.who) for r in s.scalars(
            select(ChangeLog).where(ChangeLog.entity == entity).order_by(ChangeLog.id))]


def add_rows(db, item_no, *rows):
    """More rated rows for an item, as a plan with sub-points and 【業績評価】 lines gives it."""
    it = item(db, item_no)
    with db.unit() as s:
        for n, (text, performance) in enumerate(rows, start=len(it.rows) + 1):
            s.add(RatedRow(item_id=it.id, position=n, plan_text=text, is_performance=performance))


def test_the_rows_of_an_item_are_listed_with_their_tags(window, demo_db):
    add_rows(demo_db, 1, ("【業績評価】お客様満足度調査", True))
    window.apply_changes()                         # the plan changed (as after a plan import)
    window.tabs.setCurrentIndex(1)
    select_item(window, "1")
    rows = window.status.rows                      # seed 004's item 1: （１）, （２）, （３） and the added one
    assert len(rows) == 4
    assert "【業績評価】" in rows[0].plan.text() and "サービススタンダード" in rows[0].plan.text()
    assert "加入者・事業主の利便性の向上" in rows[1].plan.text() and "【KPI】" in rows[1].plan.text()   # its KPI's row
    assert "（３）お客様満足度調査" in rows[2].plan.text() and "【業績評価】" in rows[3].plan.text()
    assert (rows[1].rating.currentData(), rows[1].rank.value()) == ("△", 27)
    assert [r.rating.currentData() for r in rows] == ["○", "△", "□", None]


def test_text_is_saved_as_the_user_types(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "4")
    editor = window.status.rows[0].text
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " OK")
    assert row_status(demo_db, 4, 4).progress_text.endswith("掲載")          # not yet: the user is typing
    qtbot.waitUntil(lambda: row_status(demo_db, 4, 4).progress_text.endswith("掲載 OK"),
                    timeout=SAVE_AFTER_MS * 5)
    assert "保存しました" in window.status.rows[0].state.text()
    field, old, new, who = log_lines(demo_db, "row_status")[-1]
    assert field == "progress_text" and old.endswith("掲載") and new.endswith("掲載 OK") and who


def test_switching_item_saves_what_was_typed_at_once(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "6")
    window.status.rows[0].text.setPlainText("新しい進捗")
    select_item(window, "7")                       # before the autosave delay
    assert row_status(demo_db, 6, 4).progress_text == "新しい進捗"


def test_bullet_lines_continue_on_enter(window, qtbot):
    window.tabs.setCurrentIndex(1)
    select_item(window, "9")
    editor = window.status.rows[0].text
    editor.setPlainText("")
    editor.setFocus()
    editor.toggle_bullet()
    qtbot.keyClicks(editor, "a")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClicks(editor, "b")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClick(editor, Qt.Key_Return)          # an empty bullet ends the list
    qtbot.keyClicks(editor, "c")
    assert editor.toPlainText() == "・a\nb\nc".replace("\nb", "\n・b")


def test_the_keyboard_goes_from_field_to_field_and_row_to_row(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "11")
    first, second = window.status.rows[-2:]                     # its two KPI rows, printed 「－ －」: not rated
    first.text.setPlainText("")
    first.rating.setFocus()
    qtbot.keyClick(first.rating, Qt.Key_Down)                    # ◎
    qtbot.keyClick(first.rating, Qt.Key_Return)                  # Enter: on to the rank
    assert QApplication.focusWidget() is first.rank
    qtbot.keyClicks(first.rank, "3")
    qtbot.keyClick(first.rank, Qt.Key_Tab)
    assert QApplication.focusWidget() is first.text
    qtbot.keyClicks(first.text, "step 1")
    qtbot.keyClick(first.text, Qt.Key_Tab)                       # Tab leaves the text (no tab character)
    assert first.text.toPlainText() == "step 1"
    assert QApplication.focusWidget() is second.rating
    qtbot.keyClick(second.rating, Qt.Key_Down)
    qtbot.keyClick(second.rating, Qt.Key_Down)                   # ○
    qtbot.keyClick(second.rating, Qt.Key_Return)
    qtbot.keyClick(second.rank, Qt.Key_Return)
    assert QApplication.focusWidget() is second.text
    window.status.save()
    a, b = row_status(demo_db, 11, 4, 10), row_status(demo_db, 11, 4, 11)
    assert (a.rating, a.national_rank, a.progress_text) == ("◎", 3, "step 1")
    assert (b.rating, b.national_rank) == ("○", None)


def test_row_ratings_the_item_rating_kpi_ratings_and_the_counts(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    before = row_counts(demo_db, "10", 2024, 4)
    select_item(window, "13")
    row = window.status.rows[3]                    # its KPI row, printed 「－ －」: not rated
    assert row.rating.currentData() is None
    row.rating.setCurrentIndex(row.rating.findData("◎"))
    row.rank.setValue(3)
    st = row_status(demo_db, 13, 4, 3)
    assert (st.rating, st.national_rank) == ("◎", 3)
    assert window.status.rating.itemText(0) == f"－（行から {rows_rating(['○', '○', '○', '◎'])}）"   # its rows give
    after = row_counts(demo_db, "10", 2024, 4)
    assert after.all["◎"] == before.all["◎"] + 1 and after.unrated == before.unrated - 1
    assert f"全体: ◎{after.all['◎']}" in window.counts.text() and f"未評価: {after.unrated}" in window.counts.text()
    window.status.rating.setCurrentIndex(window.status.rating.findData("○"))      # the item's own rating
    assert statuses(demo_db, [item(demo_db, 13).id], 4)[0].rating == "○"
    box = window.kpi_table.cellWidget(0, 6)
    box.setCurrentIndex(box.findData("○"))
    assert ("rating", None, "○", log_lines(demo_db, "kpi_status")[-1][3]) == log_lines(demo_db, "kpi_status")[-1]


def test_another_quarter_has_its_own_status(window, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "1")
    window.status.set_quarter(3)
    row = window.status.rows[0]
    assert row.rating.currentData() is None and row.text.toPlainText() == ""
    row.text.setPlainText("第3四半期の状況")
    window.status.save()
    window.status.set_quarter(4)
    assert "家族出産一時金" in window.status.rows[0].text.toPlainText()
    assert row_status(demo_db, 1, 3).progress_text == "第3四半期の状況"


def test_a_kpi_result_is_typed_into_the_kpi_table(window, demo_db):
    from app.reads.queries import plan_items

    window.tabs.setCurrentIndex(1)
    select_item(window, "10")
    cell = window.kpi_table.item(0, 3)
    assert cell.flags() & Qt.ItemIsEditable
    cell.setText("57.1%")
    settle(window)
    assert plan_items(demo_db, "10", 2024)[9].kpis[0].manual_result == 57.1
    assert window.kpi_table.item(0, 5).text() == "△"                    # proposed from the typed result
    window.kpi_table.item(0, 3).setText("abc")
    assert "読めません" in window.message_bar.text() and window.message_bar.level == "error"
    assert plan_items(demo_db, "10", 2024)[9].kpis[0].manual_result == 57.1


def test_an_items_progress_is_carried_over_from_the_last_quarter_by_one_button(window, qtbot, demo_db):
    from PySide6.QtWidgets import QPushButton

    from app.operations import ops

    ops.save_row_status(demo_db, item(demo_db, 4).rows[0].id, 1, text="第1四半期に掲載")
    window.tabs.setCurrentIndex(1)
    window.status.set_quarter(2)
    select_item(window, "4")
    assert window.status.rows[0].text.toPlainText() == ""
    qtbot.mouseClick(window.status.findChild(QPushButton, "status-carry"), Qt.LeftButton)
    assert window.status.rows[0].text.toPlainText() == "第1四半期に掲載"
    assert "引き継いだまま" in window.status.rows[0].state.text()
    assert "1 行の実施状況を前の四半期から引き継ぎました" in window.status.state.text()
    assert row_status(demo_db, 4, 2).carried
    window.status.rows[0].text.setPlainText("第2四半期の進捗")
    window.status.save()
    assert not row_status(demo_db, 4, 2).carried


def test_a_groups_table_says_why_its_status_tab_is_empty(window, qtbot):
    from PySide6.QtWidgets import QLabel

    groups = next(window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())
                  if window.tree.topLevelItem(i).text(0) == "グループ別 月次表")
    window.tree.setCurrentItem(groups.child(0))
    qtbot.waitUntil(lambda: window.grid_model.thousands)
    said = [label.text() for label in window.status.area.widget().findChildren(QLabel)]
    assert any("グループ別の表には実施状況がありません" in t for t in said), said


EXCEL_RANGE = "結果反映月\t4～6月\t7～9月\t合計\r\n令和7年度\t69,552\t71,954\t141,506\r\n令和6年度\t\"96,253\n(速報)\"\t72,586\t168,839\r\n"


def test_a_range_pasted_from_excel_stays_a_table_on_lines_of_its_own(window, qtbot, demo_db):
    from PySide6.QtCore import QMimeData

    window.tabs.setCurrentIndex(1)
    select_item(window, "9")
    editor = window.status.rows[0].text
    editor.setPlainText("査定金額（単位：千円）・点検を実施")
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(len("査定金額（単位：千円）"))
    editor.setTextCursor(cursor)
    data = QMimeData()
    data.setText(EXCEL_RANGE)                     # Excel's plain text: tabs, CRLF, a cell with a line break quoted
    QApplication.clipboard().setMimeData(data)
    qtbot.keyClick(editor, Qt.Key_V, Qt.ControlModifier)
    assert editor.toPlainText() == ("査定金額（単位：千円）\n結果反映月\t4～6月\t7～9月\t合計\n"
                                    "令和7年度\t69,552\t71,954\t141,506\n令和6年度\t96,253 (速報)\t72,586\t168,839\n"
                                    "・点検を実施")
    qtbot.waitUntil(lambda: "\t" in (row_status(demo_db, 9, 4).progress_text or ""), timeout=SAVE_AFTER_MS * 5)

    html = QMimeData()                            # a table copied from a web page: no tabs in its text
    html.setHtml("<table><tr><th>月</th><th>件数</th></tr><tr><td>4月</td><td>1,254 件</td></tr></table>")
    html.setText("月 件数 4月 1,254 件")
    editor.setPlainText("")
    QApplication.clipboard().setMimeData(html)
    qtbot.keyClick(editor, Qt.Key_V, Qt.ControlModifier)
    assert editor.toPlainText() == "月\t件数\n4月\t1,254 件"
    plain = QMimeData()
    plain.setText("ただの文")
    QApplication.clipboard().setMimeData(plain)
    qtbot.keyClick(editor, Qt.Key_V, Qt.ControlModifier)
    assert editor.toPlainText().endswith("件ただの文")           # text without a table: pasted as it is
