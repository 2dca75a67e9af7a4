"""Editing an item's quarterly status: text saved as typed, rating, rank, KPI ratings, counts."""
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.reads.queries import plan_items, statuses
from app.reads.ratings import rating_counts
from db.models import ChangeLog
from tests.ui.test_main_window import select_item
from ui.status_editor import SAVE_AFTER_MS


def status_of(db, item_no, quarter):
    items = {i.item_no: i.id for i in plan_items(db, "10", 2024)}
    found = [s for s in statuses(db, [items[item_no]], quarter)]
    return found[0] if found else None


def log_lines(db, entity):
    with db.session() as s:
        return [(r.field, r.old, r.new, r.who) for r in s.scalars(
            select(ChangeLog).where(ChangeLog.entity == entity).order_by(ChangeLog.id))]


def test_text_is_saved_as_the_user_types(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "4")
    editor = window.status.text
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " OK")
    assert status_of(demo_db, 4, 4).status_text.endswith("掲載")          # not yet: the user is typing
    qtbot.waitUntil(lambda: status_of(demo_db, 4, 4).status_text.endswith("掲載 OK"),
                    timeout=SAVE_AFTER_MS * 5)
    assert "保存しました" in window.status.state.text()
    field, old, new, who = log_lines(demo_db, "quarterly_status")[-1]
    assert field == "status_text" and old.endswith("掲載") and new.endswith("掲載 OK") and who


def test_switching_item_saves_what_was_typed_at_once(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "6")
    window.status.text.setPlainText("新しい進捗")
    select_item(window, "7")                       # before the autosave delay
    assert status_of(demo_db, 6, 4).status_text == "新しい進捗"


def test_bullet_lines_continue_on_enter(window, qtbot):
    select_item(window, "9")
    editor = window.status.text
    editor.setPlainText("")
    editor.setFocus()
    window.status.text.toggle_bullet()
    qtbot.keyClicks(editor, "a")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClicks(editor, "b")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClick(editor, Qt.Key_Return)          # an empty bullet ends the list
    qtbot.keyClicks(editor, "c")
    assert editor.toPlainText() == "・a\n・b\nc"


def test_rating_rank_and_kpi_ratings_with_the_counts(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    before_items, before_kpis = rating_counts(demo_db, "10", 2024, 4)
    select_item(window, "13")                      # no status yet for 13
    assert window.status.rating.currentData() is None
    window.status.rating.setCurrentIndex(window.status.rating.findData("◎"))
    window.status.rank.setValue(3)
    st = status_of(demo_db, 13, 4)
    assert (st.rating, st.national_rank) == ("◎", 3)
    box = window.kpi_table.cellWidget(0, 6)
    box.setCurrentIndex(box.findData("○"))
    items, kpis = rating_counts(demo_db, "10", 2024, 4)
    assert items["◎"] == before_items["◎"] + 1 and kpis["○"] == before_kpis["○"] + 1
    assert f"◎{items['◎']}" in window.counts.text() and f"KPI: ◎{kpis['◎']}  ○{kpis['○']}" in window.counts.text()
    assert ("rating", None, "○", log_lines(demo_db, "kpi_status")[-1][3]) == log_lines(demo_db, "kpi_status")[-1]


def test_another_quarter_has_its_own_status(window, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "2")
    window.status.set_quarter(3)
    assert window.status.rating.currentData() is None and window.status.text.toPlainText() == ""
    window.status.text.setPlainText("第3四半期の状況")
    window.status.save()
    window.status.set_quarter(4)
    assert "お客様満足度調査" in window.status.text.toPlainText()
    assert status_of(demo_db, 2, 3).status_text == "第3四半期の状況"


def test_a_kpi_result_is_typed_into_the_kpi_table(window, demo_db):
    from app.reads.queries import plan_items

    window.tabs.setCurrentIndex(1)
    select_item(window, "10")
    cell = window.kpi_table.item(0, 3)
    assert cell.flags() & Qt.ItemIsEditable
    cell.setText("57.1%")
    assert plan_items(demo_db, "10", 2024)[9].kpis[0].manual_result == 57.1
    assert window.kpi_table.item(0, 5).text() == "△"                    # proposed from the typed result
    window.kpi_table.item(0, 3).setText("abc")
    assert "保存できません" in window.statusBar().currentMessage()
    assert plan_items(demo_db, "10", 2024)[9].kpis[0].manual_result == 57.1
