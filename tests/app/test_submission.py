"""提出と鎖錠 (submit, unlock, submitted): a submitted quarter keeps its documents and refuses every
kind of change to its months and rated rows — an import, an edit, a paste, a work package, an
undo — with the database unchanged, on SQLite and on the server; an unlock (with its reason) lets
them through again."""
from __future__ import annotations

import openpyxl
import pytest

from app.core.errors import BranchReportError, PermissionDenied, ValidationError
from app.operations import ops
from app.operations.edits import CellEntry
from app.reads.queries import monthly_values, plan_items, row_statuses
from app.reads.submissions import submissions
from app.store.locks import QuarterLocked
from app.workpackage.package import bring_back_package, export_package, read_package
from tests.helpers import set_month_value, set_month_values
from tests.importers.build import Block, Row, one_block, twelve

JAN, APRIL = 1, 4          # January is in the fiscal year's fourth quarter, April in its first
LOCKED = r"第4四半期は .* に提出済みのため変更できません.*管理者が branch-report unlock で鎖錠を解除します"


def value(db, month, code="counter_count"):
    return next((r.value for r in monthly_values(db, "10", 2024, [code]) if r.month == month), None)


def written(folder):
    """Documents as the caller writes them (the real PDF needs Qt: tests/ui/test_submit.py)."""
    out = []
    for kind in ("status", "progress"):
        for fmt in ("pdf", "xlsx"):
            path = folder / f"{kind}.{fmt}"
            path.write_bytes(f"{kind} {fmt} \x00\xff".encode("latin-1"))
            out.append((kind, path))
    return out


def submit(db, quarter=4, **kw):
    return ops.submit_quarter(db, "10", 2024, quarter, written, **kw)


def first_row(db, item_no=1):
    return next(i for i in plan_items(db, "10", 2024) if i.item_no == item_no).rows[0]


def snapshot(db):
    rows = [r.id for i in plan_items(db, "10", 2024) for r in i.rows]
    return ([(v.month, v.indicator, v.value) for v in monthly_values(db, "10", 2024)],
            {k: (s.progress_text, s.rating, s.national_rank) for k, s in row_statuses(db, rows, 4).items()})


def test_submitted_quarter_refuses_edit_paste_status_and_undo_until_unlocked(demo_db):
    before_edit = set_month_value(demo_db, "10", 2024, JAN, "counter_count", "444")      # to undo later
    sid = submit(demo_db, note="本部へ  送付")
    [sub] = submissions(demo_db)
    assert (sub.id, sub.quarter, sub.submitted_by, sub.note, sub.locked) == (sid, 4, demo_db.user, "本部へ 送付", True)
    assert [(d.kind, d.format) for d in sub.documents] == [("status", "pdf"), ("status", "xlsx"),
                                                           ("progress", "pdf"), ("progress", "xlsx")]
    kept = snapshot(demo_db)
    row = first_row(demo_db)
    attempts = {
        "edit": lambda: set_month_value(demo_db, "10", 2024, JAN, "counter_count", "500"),
        "paste": lambda: set_month_values(demo_db, [CellEntry("10", 2024, APRIL, "counter_count", "600"),
                                                    CellEntry("10", 2024, 2, "counter_count", "601")]),
        "clear": lambda: set_month_value(demo_db, "10", 2024, 3, "counter_count", None),
        "status": lambda: ops.save_row_status(demo_db, row.id, 4, text="後から書き換え"),
        "rating": lambda: ops.save_row_status(demo_db, row.id, 4, rating="×"),
        "undo": lambda: ops.undo(demo_db, before_edit.op_id),
    }
    for what, attempt in attempts.items():
        with pytest.raises(QuarterLocked, match=LOCKED):
            attempt()
        assert snapshot(demo_db) == kept, what
    with pytest.raises(BranchReportError, match="既に提出済み"):
        submit(demo_db)
    set_month_value(demo_db, "10", 2024, APRIL, "counter_count", "600")                  # another quarter: free
    ops.save_row_status(demo_db, row.id, 1, text="第1四半期の進捗")
    assert value(demo_db, APRIL) == 600
    with pytest.raises(ValidationError, match="理由"):
        ops.unlock_quarter(demo_db, "10", 2024, 4, "  ")
    ops.unlock_quarter(demo_db, "10", 2024, 4, "1月の件数の訂正（本部了承）")
    [sub] = submissions(demo_db)
    assert not sub.locked and sub.unlocked_by == demo_db.user and sub.unlock_reason == "1月の件数の訂正（本部了承）"
    ops.undo(demo_db, before_edit.op_id)
    set_month_values(demo_db, [CellEntry("10", 2024, 2, "counter_count", "601")])
    ops.save_row_status(demo_db, row.id, 4, text="後から書き換え", rating="×")
    assert value(demo_db, JAN) != 444 and value(demo_db, 2) == 601
    assert row_statuses(demo_db, [row.id], 4)[row.id].rating == "×"
    assert len(submissions(demo_db)[0].documents) == 4                 # the kept documents stay
    submit(demo_db)                                                     # submitted again: a new lock
    assert [s.locked for s in submissions(demo_db)] == [False, True]


def test_import_into_a_submitted_quarter_is_refused_whole_and_its_undo_too(demo_db, tmp_path):
    def book(name, jan, may):
        return one_block(tmp_path / name, Block("○サービス", "令和６年度", (
            Row("窓口件数", "counter_count", 2024, twelve(None, may, *[None] * 7, jan, None, None)),)))

    earlier = ops.import_workbook(demo_db, book("earlier.xlsx", 450, None), "10")
    assert earlier.stored and value(demo_db, JAN) == 450
    submit(demo_db)
    kept = snapshot(demo_db)
    with pytest.raises(QuarterLocked, match=LOCKED):          # May is free, January is not: nothing stored
        ops.import_workbook(demo_db, book("later.xlsx", 460, 470), "10")
    assert snapshot(demo_db) == kept
    with pytest.raises(QuarterLocked, match=LOCKED):
        ops.undo_import(demo_db, earlier.batch_id)
    assert snapshot(demo_db) == kept
    assert ops.import_workbook(demo_db, book("same.xlsx", 450, 470), "10").stored   # January unchanged: stored
    assert value(demo_db, 5) == 470
    ops.unlock_quarter(demo_db, "10", 2024, 4, "取込の訂正")
    assert ops.import_workbook(demo_db, book("later.xlsx", 460, 470), "10").stored
    assert value(demo_db, JAN) == 460


def test_work_package_into_a_submitted_quarter_is_refused(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    grid = wb["月次実績"]
    line = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    grid.cell(line, 3 + 9).value = 777                                   # 1月 (the grid starts in April)
    wb.save(path)
    diff = read_package(demo_db, path)
    submit(demo_db)
    kept = snapshot(demo_db)
    with pytest.raises(QuarterLocked, match=LOCKED):
        bring_back_package(demo_db, diff)
    assert snapshot(demo_db) == kept
    ops.unlock_quarter(demo_db, "10", 2024, 4, "作業用ブックの反映")
    bring_back_package(demo_db, read_package(demo_db, path))
    assert value(demo_db, JAN) == 777


def test_only_an_admin_submits_and_unlocks_and_the_server_keeps_the_submissions_to_admins(team):
    team.add("gyomu", "業務")
    team.add("admin", "企画総務", admin=True)
    gyomu, admin = team.acting("gyomu"), team.acting("admin")
    with pytest.raises(PermissionDenied, match="提出"):
        ops.submit_quarter(gyomu[0], "10", 2024, 4, written, who=gyomu[1])
    ops.submit_quarter(admin[0], "10", 2024, 4, written, who=admin[1])
    with pytest.raises(PermissionDenied):
        ops.unlock_quarter(gyomu[0], "10", 2024, 4, "理由", who=gyomu[1])
    with pytest.raises(QuarterLocked, match=LOCKED):                    # the group's own figure, locked
        set_month_value(gyomu[0], "10", 2024, JAN, "counter_count", "500", who=gyomu[1])
    if team.on_server:                                                   # psql as the group leader
        import psycopg

        with pytest.raises(psycopg.Error):
            team.sql("gyomu").execute("UPDATE submission SET unlocked_at = now(), unlock_reason = 'x'")
        assert submissions(team.db)[0].locked


def test_the_server_refuses_a_raw_update_of_a_locked_month(demo_db, backend):
    """psql (a superuser's, even) cannot change a submitted month behind the program's back; on
    SQLite the sqlite3 shell cannot either (the same triggers)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    submit(demo_db)
    update = text("UPDATE monthly_value SET value = 1 WHERE branch_code = '10' AND fiscal_year = 2024 AND month = 1")
    for statement in (update, text("DELETE FROM row_status WHERE quarter = 4")):
        with pytest.raises(DBAPIError, match="branch_report_locked"):
            with demo_db.engine.begin() as conn:
                conn.execute(statement)
    with demo_db.engine.begin() as conn:                                 # another quarter's month: allowed
        assert conn.execute(text("UPDATE monthly_value SET value = value WHERE branch_code = '10' "
                                 "AND fiscal_year = 2024 AND month = 4")).rowcount > 0
    if backend == "postgresql":
        with pytest.raises(DBAPIError, match="branch_report_locked:10/2024/4"):
            with demo_db.engine.begin() as conn:
                conn.execute(update)


def test_progress_texts_carried_over_to_the_next_quarter_stay_marked_until_edited(demo_db):
    from app.reads.quarter_check import quarter_check

    one, two = (first_row(demo_db, n) for n in (1, 2))
    ops.save_row_status(demo_db, one.id, 1, text="第1四半期の進捗\n・続き")
    ops.save_row_status(demo_db, two.id, 1, text="項番2の第1四半期")
    ops.save_row_status(demo_db, two.id, 2, text="項番2はもう書いた")              # kept: not overwritten
    changes = ops.carry_progress_over(demo_db, [one.id, two.id], 2)
    assert changes.rows == {(one.id, 2)}
    got = row_statuses(demo_db, [one.id, two.id], 2)
    assert (got[one.id].progress_text, got[one.id].carried) == ("第1四半期の進捗\n・続き", True)
    assert (got[two.id].progress_text, got[two.id].carried) == ("項番2はもう書いた", False)

    def carried_lines():
        return [m.line() for m in quarter_check(demo_db, "10", 2024, 2) if "引き継いだまま" in m.line()]

    assert carried_lines() == ["[業務] 項番1（1）: 実施状況が前の四半期から引き継いだまま（未編集）です"]
    ops.save_row_status(demo_db, one.id, 2, rating="○")                          # a rating: still carried
    assert row_statuses(demo_db, [one.id], 2)[one.id].carried
    ops.save_row_status(demo_db, one.id, 2, text="第2四半期の進捗")                 # edited: its own now
    assert not row_statuses(demo_db, [one.id], 2)[one.id].carried and carried_lines() == []
    assert not ops.carry_progress_over(demo_db, [one.id], 2)                      # nothing left to carry
    with pytest.raises(ValidationError, match="第1四半期"):
        ops.carry_progress_over(demo_db, [one.id], 1)
    ops.submit_quarter(demo_db, "10", 2024, 3, written)
    with pytest.raises(QuarterLocked):                                            # a locked quarter too
        ops.carry_progress_over(demo_db, [two.id], 3)
