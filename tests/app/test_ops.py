"""Operations are units of work: all of one, or none of it; undo restores; the plan re-imports.
Run against SQLite and, in CI, PostgreSQL."""
import json
import shutil

import openpyxl
import pytest

from app.operations import ops
from app.operations.edits import CellEntry, history
from app.core.errors import ImportRefused, ValidationError
from app.operations.imports import import_history
from app.workpackage.package import bring_back_package, export_package, read_package
from app.reads.queries import monthly_values, plan_items, row_statuses
from tests.conftest import SAMPLE
from tests.helpers import set_month_value

PLAN = SAMPLE / "gunma_fy2024_plan.xlsx"
SHEET = SAMPLE / "gunma_fy2024_progress.xlsx"        # the demo's plan: seed 004's progress sheet
MAIL_ROW = "C8"                                       # item 1's (２), holding the 郵送化率 KPI
MONTHLY = SAMPLE / "gunma_fy2024_monthly.xlsx"


def value(db, code, month, fy=2024):
    return next((r.value for r in monthly_values(db, "10", fy, [code]) if r.month == month), None)


def origin(db, code, month, fy=2024):
    from db.models import MonthlyValue

    with db.session() as s:
        row = s.query(MonthlyValue).filter_by(branch_code="10", fiscal_year=fy, month=month, indicator_code=code).one()
        return row.batch_id, row.source_file, row.source_cell, row.edited_by


def changed_plan(tmp_path, edits):
    path = tmp_path / "plan.xlsx"
    shutil.copy(PLAN, path)
    wb = openpyxl.load_workbook(path)
    for cell, text in edits:
        wb["事業計画"][cell] = text
    wb.save(path)
    return path


def changed_sheet(tmp_path, edits):
    """The sample progress sheet with some plan texts changed: (cell, old, new) replacements."""
    path = tmp_path / "progress.xlsx"
    shutil.copy(SHEET, path)
    wb = openpyxl.load_workbook(path)
    for cell, old, new in edits:
        assert old in wb.active[cell].value
        wb.active[cell] = wb.active[cell].value.replace(old, new)
    wb.save(path)
    return path


def test_a_changed_plan_reimports_in_place_keeping_statuses_ratings_and_results(demo_db, tmp_path):
    before = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    kpi_of_10 = before[10].kpis[0].id
    ops.set_kpi_result(demo_db, kpi_of_10, "57.1%")
    mail = before[1].kpis[1]
    ops.rate_kpi(demo_db, mail.id, 4, "○")
    row = before[1].rows[1].id
    rated = row_statuses(demo_db, [row], 4)[row]
    path = changed_sheet(tmp_path, [(MAIL_ROW, "郵送による申請を促進する。", "郵送による申請をさらに促進する。"),
                                    (MAIL_ROW, "95.0％以上", "96.0％以上")])
    report = ops.import_workbook(demo_db, path)
    assert report.stored and report.plan_items == 1 and not report.errors
    after = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    assert after[1].id == before[1].id and "郵送による申請をさらに促進する。" in after[1].rows[1].plan_text
    assert after[1].kpis[1].id == mail.id and after[1].kpis[1].target == 96.0
    assert after[1].rows[1].id == row
    assert row_statuses(demo_db, [row], 4)[row] == rated                       # the status stays with its row
    from app.reads.ratings import kpi_ratings

    assert kpi_ratings(demo_db, [mail.id], 4) == {mail.id: "○"}
    assert after[10].kpis[0].manual_result == 57.1
    assert ops.import_workbook(demo_db, path).plan_items == 0                  # the same plan again: nothing


def test_an_item_gone_from_the_workbook_is_reported_not_deleted(demo_db, tmp_path):
    path = tmp_path / "short.xlsx"
    shutil.copy(PLAN, path)
    wb = openpyxl.load_workbook(path)
    wb["事業計画"].delete_rows(24)                                              # the last item (21)
    wb.save(path)
    report = ops.import_workbook(demo_db, path)
    assert any("項番21" in w.message and "消さずに残しました" in w.message for w in report.warnings)
    assert len(plan_items(demo_db, "10", 2024)) == 21


def test_the_command_line_shows_the_reimported_plan(demo_db, tmp_path, capsys):
    from app.cli.main import main

    path = changed_plan(tmp_path, [("C5", "業務改革の推進（郵送化）")])
    url = demo_db.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--db", url, "plan", "--branch", "10", "--fy", "R6"]) == 0
    assert "業務改革の推進（郵送化）" in capsys.readouterr().out


def test_undo_restores_the_row_with_its_origin_and_a_later_workbook_is_no_conflict(demo_db, tmp_path):
    imported = origin(demo_db, "mail_count", 4)
    assert imported[1] == "gunma_fy2024_monthly.xlsx" and imported[3] is None
    changes = set_month_value(demo_db, "10", 2024, 4, "mail_count", 7800)
    assert origin(demo_db, "mail_count", 4)[3] == demo_db.user
    undone = ops.undo(demo_db, changes.op_id)
    assert value(demo_db, "mail_count", 4) == 7742 and origin(demo_db, "mail_count", 4) == imported
    log = history(demo_db, "10", 2024, 4, "mail_count")
    assert [(h.old, h.new, h.source) for h in log[:2]] == [("7800", "7742", "元に戻す"), ("7742", "7800", "手入力")]
    redone = ops.undo(demo_db, undone.op_id)                                  # undoing the undo: redo
    assert value(demo_db, "mail_count", 4) == 7800 and origin(demo_db, "mail_count", 4)[3] == demo_db.user
    ops.undo(demo_db, redone.op_id)
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["B37"] = 7750                                                    # a corrected workbook
    out = tmp_path / "corrected.xlsx"
    wb.save(out)
    report = ops.import_workbook(demo_db, out)
    assert report.stored and not report.conflicts and value(demo_db, "mail_count", 4) == 7750


def test_undo_refuses_when_the_cell_changed_since_and_stores_nothing(demo_db):
    from app.core.errors import ConflictError

    first = set_month_value(demo_db, "10", 2024, 4, "mail_count", 7800)
    set_month_value(demo_db, "10", 2024, 4, "mail_count", 7900)
    with pytest.raises(ConflictError):
        ops.undo(demo_db, first.op_id)
    assert value(demo_db, "mail_count", 4) == 7900


def test_undoing_an_operation_that_does_not_exist_says_so(demo_db):
    from app.core.errors import NotFound

    with pytest.raises(NotFound, match="操作 99999 がありません"):
        ops.undo(demo_db, 99999)


def test_an_edit_of_several_cells_is_all_or_nothing(demo_db):
    with pytest.raises(ValidationError):
        ops.edit_cells(demo_db, [CellEntry("10", 2024, 4, "mail_count", 1),
                                 CellEntry("10", 2024, 5, "mail_count", "abc")])
    assert value(demo_db, "mail_count", 4) == 7742


def test_a_package_with_one_bad_rating_stores_nothing_and_can_come_back_again(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    grid = wb["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    grid.cell(row, 3).value = "560"
    first = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 3).rows[0].id
    sheet = wb["実施状況"]
    line = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 7).value == first)
    sheet[f"F{line}"] = "新しい進捗"
    sheet[f"D{line}"] = "良"                                                   # not a rating
    wb.save(path)
    with pytest.raises(ImportRefused, match=f"実施状況!D{line}: 評価は"):
        read_package(demo_db, path)
    assert value(demo_db, "counter_count", 4) == 541
    assert row_statuses(demo_db, [first], 4)[first].progress_text != "新しい進捗"
    sheet[f"D{line}"] = "◎"
    wb.save(path)
    changes = bring_back_package(demo_db, read_package(demo_db, path))   # not marked: it comes back
    assert value(demo_db, "counter_count", 4) == 560 and changes.indicators == {"counter_count"}
    assert row_statuses(demo_db, [first], 4)[first].progress_text == "新しい進捗"


def test_an_import_reports_what_it_changed_and_its_undo_too(empty_db):
    result = ops.import_files(empty_db, [PLAN, MONTHLY], branch="10")
    assert result.stored and result.changes.plan and result.changes.years == {2022, 2023, 2024}
    assert {"mail_rate", "counter_count"} <= result.changes.indicators
    batch = next(b for b in import_history(empty_db) if b.layout == "monthly")
    report, changes = ops.undo_import(empty_db, batch.id)
    assert report.restored == 854 and "counter_count" in changes.indicators
    assert json.loads(json.dumps(sorted(changes.years))) == [2022, 2023, 2024]


def test_the_command_line_imports_a_good_and_a_bad_file_as_nothing(empty_db, tmp_path, capsys):
    from app.cli.main import main

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    url = empty_db.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "import", str(MONTHLY), str(bad), "--branch", "10"]) == 1
    err = capsys.readouterr().err
    assert "gunma_fy2024_monthly.xlsx: 取り込んでいません（ほかのファイルに問題があるため）" in err
    assert monthly_values(empty_db) == [] and import_history(empty_db) == []


def test_kpis_are_confirmed_or_corrected_and_a_reimport_keeps_that(demo_db, tmp_path):
    from app.operations.statuses import KpiReading

    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    mail, card = items[1].kpis[1], items[7].kpis[0]
    assert not mail.confirmed
    ops.confirm_kpis(demo_db, [KpiReading(mail.id, "mail_rate", ">=", 95.0, "value"),
                               KpiReading(card.id, "card_recovery_rate", ">=", 86.0, "value")])   # corrected
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    assert items[1].kpis[1].confirmed and (items[7].kpis[0].rule, items[7].kpis[0].target) == ("value", 86.0)
    path = changed_sheet(tmp_path, [(MAIL_ROW, "郵送による申請を促進する。", "郵送による申請をさらに促進する。")])
    assert ops.import_workbook(demo_db, path).stored                           # another word, same KPIs
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    assert (items[7].kpis[0].rule, items[7].kpis[0].target) == ("value", 86.0)     # the correction stays
    path = changed_sheet(tmp_path, [(MAIL_ROW, "95.0％以上", "96.0％以上")])
    ops.import_workbook(demo_db, path)
    kpi = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}[1].kpis[1]
    assert kpi.target == 96.0 and not kpi.confirmed                                 # a new sentence: again


def test_a_kpi_reading_that_makes_no_sense_is_refused_and_nothing_stored(demo_db):
    from app.operations.statuses import KpiReading

    kpis = [k for i in plan_items(demo_db, "10", 2024) for k in i.kpis]
    with pytest.raises(ValidationError):
        ops.confirm_kpis(demo_db, [KpiReading(kpis[0].id, kpis[0].indicator, ">=", 1.0, "value"),
                                   KpiReading(kpis[1].id, None, ">=", None, "value")])     # no target
    assert not any(k.confirmed for i in plan_items(demo_db, "10", 2024) for k in i.kpis)
