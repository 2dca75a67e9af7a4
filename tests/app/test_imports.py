"""Storing imports: one transaction, re-import, corrections, hand-edit conflicts, undo."""
import shutil

import openpyxl
import pytest

from app.operations.edits import history
from tests.helpers import set_month_value
from app.core.errors import ValidationError
from app.operations.imports import import_history
from app.operations import ops
from app.operations.ops import import_files, import_workbook, undo_import
from app.reads.queries import monthly_values, plan_items
from tests.conftest import SAMPLE

MONTHLY = SAMPLE / "gunma_fy2024_monthly.xlsx"


def value(db, fy, month, indicator, branch="10"):
    rows = [r.value for r in monthly_values(db, branch, fy, [indicator]) if r.month == month]
    return rows[0] if rows else None


def corrected_copy(tmp_path, cell="B37", new=7800, sheet="業務"):
    """The sample workbook with one figure corrected (業務!B37 = 郵送件数 令和6年度 4月)."""
    wb = openpyxl.load_workbook(MONTHLY)
    wb[sheet][cell] = new
    out = tmp_path / "corrected.xlsx"
    wb.save(out)
    return out


def test_first_import_stores_every_value_in_one_batch(empty_db):
    report = import_workbook(empty_db, MONTHLY, branch="10")
    assert report.stored and report.inserted == 854 and not report.errors
    assert [w.where.cell for w in report.warnings if w.proposal] == ["G35", "H35"]
    assert len(monthly_values(empty_db)) == 854
    assert empty_db.home_branch == "10"
    (batch,) = import_history(empty_db)
    assert (batch.file_name, batch.inserted) == ("gunma_fy2024_monthly.xlsx", 854)


def test_reimporting_the_same_file_changes_nothing_and_says_so(demo_db):
    before = len(import_history(demo_db))
    report = import_workbook(demo_db, MONTHLY)
    assert not report.stored and report.batch_id is None
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 854)
    assert len(import_history(demo_db)) == before


def test_corrected_figures_update_and_log_old_to_new(demo_db, tmp_path):
    report = import_workbook(demo_db, corrected_copy(tmp_path))
    assert report.stored and (report.inserted, report.updated) == (0, 1)
    assert value(demo_db, 2024, 4, "mail_count") == 7800
    (log, *_) = history(demo_db, "10", 2024, 4, "mail_count")
    assert (log.old, log.new, log.batch_id) == ("7742", "7800", report.batch_id)
    assert log.source == "corrected.xlsx:業務!B37"


def test_hand_edits_are_never_overwritten_silently(demo_db, tmp_path):
    set_month_value(demo_db, "10", 2024, 4, "mail_count", "7,750")
    path = corrected_copy(tmp_path)
    report = import_workbook(demo_db, path)
    assert not report.stored and [c.where.cell for c in report.conflicts] == ["B37"]
    assert "7,750" in report.conflicts[0].message or "7750" in report.conflicts[0].message
    assert value(demo_db, 2024, 4, "mail_count") == 7750

    kept = import_workbook(demo_db, path, prefer="edits")
    assert kept.kept_edits == 1 and value(demo_db, 2024, 4, "mail_count") == 7750
    won = import_workbook(demo_db, path, prefer="file")
    assert won.stored and won.updated == 1 and value(demo_db, 2024, 4, "mail_count") == 7800


def test_undo_returns_values_to_what_they_were(demo_db, tmp_path):
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["B37"] = 7800                         # a correction …
    wb["業務"]["A37"] = "郵送件数"
    out = tmp_path / "two.xlsx"
    wb.save(out)
    report = import_workbook(demo_db, out)
    assert report.updated == 1
    result, _ = undo_import(demo_db, report.batch_id)
    assert result.restored == 1 and result.skipped == []
    assert value(demo_db, 2024, 4, "mail_count") == 7742
    assert import_history(demo_db)[0].undone_at is not None
    with pytest.raises(ValidationError):
        undo_import(demo_db, report.batch_id)


def test_undo_of_a_first_import_removes_its_values_and_plan(empty_db):
    reports = import_files(empty_db, [SAMPLE / "gunma_fy2024_plan.xlsx", MONTHLY], branch="10").reports
    assert all(r.stored for r in reports)
    for r in reports:
        undo_import(empty_db, r.batch_id)
    assert monthly_values(empty_db) == []
    assert plan_items(empty_db, "10", 2024) == []


def test_undo_leaves_values_changed_since(demo_db, tmp_path):
    report = import_workbook(demo_db, corrected_copy(tmp_path))
    set_month_value(demo_db, "10", 2024, 4, "mail_count", 7900)
    result, _ = undo_import(demo_db, report.batch_id)
    assert result.restored == 0 and result.skipped == ["10/2024/4/mail_count"]
    assert value(demo_db, 2024, 4, "mail_count") == 7900


def test_several_files_are_all_or_nothing(empty_db, tmp_path):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(MONTHLY, bad)
    wb = openpyxl.load_workbook(bad)
    wb["業務"]["B6"] = "abc"
    wb.save(bad)
    reports = import_files(empty_db, [MONTHLY, bad], branch="10").reports
    assert not any(r.stored for r in reports)
    assert [e.line() for e in reports[1].errors] == ["bad.xlsx:業務!B6: 'abc' は数値として読めません"]
    assert monthly_values(empty_db) == []


def test_dry_run_stores_nothing(empty_db):
    report = import_workbook(empty_db, MONTHLY, branch="10", dry_run=True)
    assert report.inserted == 854 and not report.stored
    assert monthly_values(empty_db) == []


def test_hand_edit_is_validated_by_the_value_reader(demo_db):
    with pytest.raises(ValidationError):
        set_month_value(demo_db, "10", 2024, 4, "mail_count", "abc")
    assert value(demo_db, 2024, 4, "mail_count") == 7742            # never stored as zero
    assert value(demo_db, 2024, 6, "mailmag_new") == 7.0
    changes = set_month_value(demo_db, "10", 2024, 6, "mailmag_new", "▲3")
    assert value(demo_db, 2024, 6, "mailmag_new") == -3.0 and changes.indicators == {"mailmag_new"}
    set_month_value(demo_db, "10", 2024, 6, "mailmag_new", "－")
    assert value(demo_db, 2024, 6, "mailmag_new") is None


def test_undo_of_a_plan_says_what_it_removes_and_takes_all_of_it_or_refuses(demo_db, empty_db):
    from app.operations.ops import undo_import_preview
    from app.reads.queries import statuses

    reports = import_files(empty_db, [SAMPLE / "gunma_fy2024_plan.xlsx"], branch="10").reports
    items = plan_items(empty_db, "10", 2024)
    said, refusal = undo_import_preview(empty_db, reports[0].batch_id)
    assert refusal is None
    assert said.startswith(f"事業計画の {len(items)} 項目（KPI {sum(len(i.kpis) for i in items)} 件を含む）を削除します")
    undo_import(empty_db, reports[0].batch_id)
    assert plan_items(empty_db, "10", 2024) == []

    plan_batch = next(b for b in import_history(demo_db) if b.layout == "progress")   # the demo's plan, its statuses
    before = plan_items(demo_db, "10", 2024)
    worked = [6, 7]                                                   # statuses entered since the import
    for item in before:
        if item.item_no in worked:
            ops.save_row_status(demo_db, item.rows[-1].id, 3, text="第3四半期の進捗", rating="○", rank=None)
    before = plan_items(demo_db, "10", 2024)
    said, refusal = undo_import_preview(demo_db, plan_batch.id)
    assert refusal.startswith("この取込は取り消せません: 項番 " + "・".join(map(str, worked[:2])))
    with pytest.raises(ValidationError, match="計画の一部だけを消すことはしません"):
        undo_import(demo_db, plan_batch.id)
    assert plan_items(demo_db, "10", 2024) == before                                  # nothing removed
    assert next(b for b in import_history(demo_db) if b.id == plan_batch.id).undone_at is None
