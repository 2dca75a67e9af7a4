"""Issue 22 checked in the window, as a new user would walk it: a workbook with implausible figures
imported (stored, each warning shown), acknowledged at the cell, the quarter checked, submitted
(提出…), an edit of the locked quarter refused saying who can unlock it, unlocked with a reason
(提出の解除…), the edit accepted; the kept documents saved back byte for byte (提出済みの書類…);
an unacknowledged warning said by the report dialog before writing; a non-admin told why she cannot
submit; 前四半期から引き継ぐ for all of a group's rows."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.reads.queries import monthly_values, row_statuses
from app.reads.submissions import submissions
from tests.helpers import settle
from tests.importers.build import Block, Layout, Row, full_width, one_block, twelve
from ui import submission


def value(db, code: str, month: int) -> float | None:
    return {v.month: v.value for v in monthly_values(db, "10", 2024, [code])}.get(month)


def check_lines(window, qtbot):
    dialog = window.open_quarter_check(4)
    qtbot.addWidget(dialog)
    return dialog, [dialog.list.item(i) for i in range(dialog.list.count())]


def test_import_check_submit_refuse_unlock_edit_in_the_window(window, qtbot, tmp_path):
    db = window.db
    # a workbook in a shape of its own (the block further down and to the right, full-width labels): 窓口件数 in
    # February ten times its neighbours, 郵送化率 in January above 100 %
    book = one_block(tmp_path / "odd.xlsx", Block("○窓口サービス", "令和６年度", (
        Row("窓口件数", "counter_count", 2024, twelve(*[None] * 9, 438, 4000, 466)),
        Row("郵送化率", "mail_rate", 2024, twelve(*[None] * 9, 150, 94.7, 93.9)),
    )), layout=Layout(origin=(6, 2), text=full_width))
    dialog = window.open_import([book])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.task.signals.done, timeout=30000):
        pass
    qtbot.waitUntil(lambda: dialog.commit_button.isEnabled(), timeout=10000)
    said = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert any("点検" in s and "窓口件数" in s and "2月" in s for s in said), said     # each warning shown
    assert any("点検" in s and "郵送化率" in s and "1月" in s for s in said), said
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        qtbot.mouseClick(dialog.commit_button, Qt.LeftButton)
    settle(window)
    assert value(db, "counter_count", 2) == 4000 and value(db, "mail_rate", 1) == 150    # stored all the same

    # 提出前チェック names both; each line jumps to its cell, where the warning is acknowledged
    check, lines = check_lines(window, qtbot)
    ours = [ln for ln in lines if ln.data(Qt.UserRole).kind == "warning"
            and ln.data(Qt.UserRole).indicator in ("counter_count", "mail_rate")]
    assert {(ln.data(Qt.UserRole).indicator, ln.data(Qt.UserRole).month) for ln in ours} >= {
        ("counter_count", 2), ("mail_rate", 1)}
    acknowledged = set()
    for line in ours:                                          # a cell may have more than one line
        check.list.itemActivated.emit(line)
        cur = window.grid.currentIndex()
        m = line.data(Qt.UserRole)
        assert (window.grid_model.rows[cur.row()].indicator, window.grid_model.month_of(cur.column())) == (
            m.indicator, m.month)
        if (m.indicator, m.month) not in acknowledged:
            assert m.reason.removeprefix("点検: ") in window.grid_model.tooltip(cur)      # the cell says why
            assert window.acknowledge_cell(cur.row(), cur.column(), "臨時窓口の開設による（確認済み）")
            settle(window)
            acknowledged.add((m.indicator, m.month))
    _check, lines = check_lines(window, qtbot)
    assert not [ln for ln in lines if ln.data(Qt.UserRole).indicator in ("counter_count", "mail_rate")
                and ln.data(Qt.UserRole).kind == "warning"]

    # the report dialog says what is left unacknowledged before writing, with a way to the check
    report = window.open_report()
    qtbot.addWidget(report)
    report.quarter.setCurrentIndex(3)
    left = sum(ln.data(Qt.UserRole).kind == "warning" for ln in lines)
    assert f"確認していない点検の警告が {left} 件" in report.warnings.text() if left else "ありません" in report.warnings.text()
    if left:
        assert report.check_button.isVisibleTo(report)
        qtbot.addWidget(report.open_check())

    # 提出…: the confirmation says what is written and locked, and what the check still lists
    def confirm(d):
        d.quarter.setCurrentIndex(3)
        assert "PDF と Excel" in d.said.text() and "鎖錠" in d.said.text() and "1月〜3月" in d.said.text()
        assert "提出前チェック: 残り" in d.check.text()
        d.note.setText("本部へ送付")
        return True
    sid = submission.submit(window, accept=confirm)
    assert sid is not None and "提出しました" in window.last_message
    [sub] = submissions(db)
    assert sub.locked and sub.note == "本部へ送付" and len(sub.documents) == 6

    # the locked quarter: read-only cells that say why and who unlocks; an edit is refused
    window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == "1"))
    row = next(r for r, g in enumerate(window.grid_model.rows) if g.indicator == "mail_rate" and g.fiscal_year == 2024)
    feb = window.grid_model.index(row, 2 + 10)
    assert not window.grid_model.flags(feb) & Qt.ItemIsEditable
    assert "提出済み" in window.grid_model.tooltip(feb) and "提出の解除" in window.grid_model.tooltip(feb)
    with qtbot.waitSignal(window.grid_model.refused) as refused:
        window.grid.setCurrentIndex(feb)
        qtbot.keyClicks(window.grid, "9")                     # typing into it
    assert "提出済みのため変更できません" in refused.args[0] and "管理者" in refused.args[0]
    assert not window.grid_model.setData(feb, "95.0") and value(db, "mail_rate", 2) == 94.7
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText("95.0\t93.0\r\n")          # a paste over it, from Excel
    window.grid.setCurrentIndex(feb)
    with qtbot.waitSignal(window.grid_model.refused) as refused:
        window.grid.paste()
    assert "提出済み" in refused.args[0] and value(db, "mail_rate", 2) == 94.7 and value(db, "mail_rate", 3) == 93.9
    may = window.grid_model.index(row, 2 + 1)                 # another quarter stays editable
    assert window.grid_model.flags(may) & Qt.ItemIsEditable
    # … and the 実施状況 tab of the quarter: read-only, the reason shown
    window.tabs.setCurrentIndex(1)
    assert window.status.current_quarter == 4
    assert window.status.locked.isVisibleTo(window.status) and "提出の解除" in window.status.locked.text()
    first = window.status.rows[0]
    before = first.text.toPlainText()
    assert first.text.isReadOnly() and not first.rating.isEnabled()
    first.text.setFocus()
    qtbot.keyClicks(first.text, "x")
    assert first.text.toPlainText() == before and "提出済み" in first.state.text()

    # 提出済みの書類…: listed with who and when; saved byte for byte
    kept = submission.open_submitted(window)
    qtbot.addWidget(kept)
    assert kept.table.item(0, 5).text() == "鎖錠中" and kept.documents.count() == 6
    out = tmp_path / "kept"
    out.mkdir()
    assert kept.save_all(str(out))
    for d in sub.documents:
        assert (out / d.file_name).read_bytes() == d.content

    # 提出の解除…: a reason is needed (the button waits for it), then the edit goes through
    def reason(d):
        assert not d.ok.isEnabled()
        d.reason.setText("2月の郵送化率の訂正")
        assert d.ok.isEnabled()
        return True
    assert submission.unlock(window, accept=reason) == sid
    assert not window.status.locked.isVisibleTo(window.status) and not window.status.rows[0].text.isReadOnly()
    assert window.grid_model.flags(feb) & Qt.ItemIsEditable
    assert window.grid_model.setData(feb, "95.0") and value(db, "mail_rate", 2) == 95.0
    kept = submission.open_submitted(window)
    qtbot.addWidget(kept)
    assert "理由: 2月の郵送化率の訂正" in kept.table.item(0, 5).text()


def test_a_non_admin_is_told_why_she_cannot_submit(window, monkeypatch):
    import pytest

    from app.operations import ops

    if not window.db.is_sqlite:
        pytest.skip("on a server the login is who acts (test_server_rights covers the server's refusal)")
    db = window.db
    ops.add_user(db, "kanri", "10", "企画総務", admin=True, who="kanri")
    ops.add_user(db, "gyomu", "10", "業務", who="kanri")
    monkeypatch.setitem(db.__dict__, "user", "gyomu")
    assert submission.submit(window, accept=lambda d: pytest.fail("no dialog for her")) is None
    assert "gyomu には四半期の提出はできません（管理者の作業です）" in window.last_message
    assert submission.unlock(window, accept=lambda d: pytest.fail("no dialog for her")) is None
    assert "提出の解除はできません" in window.last_message
    assert submissions(db) == []


def test_carry_over_for_all_of_a_group_s_rows(window):
    from app.operations import ops

    db = window.db
    gyomu = [it for it in window.items if "業務" in it.owner_group]
    others = [it for it in window.items if it not in gyomu and it.rows]
    texts = {it.rows[0].id: f"第1四半期: 項番{it.item_no}" for it in gyomu + others[:1] if it.rows}
    for row_id, text in texts.items():
        ops.save_row_status(db, row_id, 1, text=text)
    window.status.set_quarter(2)
    button = window.status.findChild(QPushButton, "status-carry-group")
    assert button.isEnabled()
    changes = submission.carry_group_over(window, accept=lambda d: (d.setTextValue("業務"), True)[1])
    carried = row_statuses(db, list(texts), 2)
    assert {r for r, q in changes.rows} == {it.rows[0].id for it in gyomu if it.rows}
    for it in gyomu:
        assert carried[it.rows[0].id].progress_text == texts[it.rows[0].id] and carried[it.rows[0].id].carried
    assert others[0].rows[0].id not in carried                  # another group's row: untouched
    assert "業務グループの" in window.message_bar.text() and window.message_bar.level == "info"
