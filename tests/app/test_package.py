"""The offline round trip: a group's work package out, filled in Excel, back in."""
import openpyxl
import pytest

from tests.helpers import set_month_value
from app.errors import ImportRefused, ValidationError
from app.ops import bring_back_package as apply_package
from app.package import export_package, read_package
from app.queries import monthly_values, plan_items, statuses


def value(db, code, month, fy=2024):
    return next((r.value for r in monthly_values(db, "10", fy, [code]) if r.month == month), None)


def filled_in(path, edits):
    """What a group leader does in Excel: type into the unlocked cells."""
    wb = openpyxl.load_workbook(path)
    for sheet, cell, text in edits:
        wb[sheet][cell] = text
    wb.save(path)
    return path


def test_the_package_holds_the_groups_items_and_grid_protected(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    st = wb["実施状況"]
    assert [st.cell(r, 1).value for r in range(4, 8)] == [1, 2, 3, 4]
    assert st.protection.sheet and not st["E4"].protection.locked and st["B4"].protection.locked
    assert st["C5"].value == "△" and st["D5"].value == 27
    assert any("◎" in dv.formula1 for dv in st.data_validations.dataValidation)
    grid = wb["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    assert grid.cell(row, 3).value == "541" and not grid.cell(row, 3).protection.locked
    assert wb["_package"].sheet_state == "veryHidden"


def test_changes_come_back_and_are_logged_with_the_sender(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    grid = openpyxl.load_workbook(path)["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    filled_in(path, [("月次実績", f"C{row}", "560"), ("実施状況", "E6", "新しい進捗\n・二行目"), ("実施状況", "C6", "◎")])
    diff = read_package(demo_db, path)
    assert {c.label for c in diff.changes} == {"窓口件数 令和6年度 4月", "項番3 進捗状況", "項番3 評価"}
    assert not diff.conflicts
    assert value(demo_db, "counter_count", 4) == 541                    # nothing stored before confirming
    changes = apply_package(demo_db, diff)
    assert changes.indicators == {"counter_count"} and changes.statuses == {(3, 4)}
    assert value(demo_db, "counter_count", 4) == 560
    from app.edits import history

    log = history(demo_db, "10", 2024, 4, "counter_count")[0]
    assert log.who == demo_db.user and log.source == f"作業用ブック（{demo_db.user} から）"   # who brought it, who sent it
    item3 = {i.item_no: i.id for i in plan_items(demo_db, "10", 2024)}[3]
    st = statuses(demo_db, [item3], 4)[0]
    assert (st.status_text, st.rating) == ("新しい進捗\n・二行目", "◎")
    with pytest.raises(ImportRefused, match="取り込み済み"):
        read_package(demo_db, path)                                     # the same package twice


def test_a_change_on_both_sides_is_a_conflict_to_resolve(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    grid = openpyxl.load_workbook(path)["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    filled_in(path, [("月次実績", f"C{row}", "560"), ("月次実績", f"D{row}", "460")])
    set_month_value(demo_db, "10", 2024, 4, "counter_count", 555)      # the branch changed 4月 meanwhile
    diff = read_package(demo_db, path)
    (conflict,) = diff.conflicts
    assert (conflict.base, conflict.theirs, conflict.ours) == (541, 560, 555)
    with pytest.raises(ValidationError):
        apply_package(demo_db, diff)                                    # not without a choice
    assert value(demo_db, "counter_count", 5) == 453
    apply_package(demo_db, diff, {conflict.key: "ours"})
    assert value(demo_db, "counter_count", 4) == 555 and value(demo_db, "counter_count", 5) == 460


def test_a_package_of_another_database_or_a_bad_cell_is_refused(demo_db, empty_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    with pytest.raises(ImportRefused, match="別のデータベース"):
        read_package(empty_db, path)
    grid = openpyxl.load_workbook(path)["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    filled_in(path, [("月次実績", f"E{row}", "abc")])
    with pytest.raises(ImportRefused, match=f"月次実績!E{row}"):
        read_package(demo_db, path)


def test_kpi_results_entered_by_hand_travel_in_the_package(demo_db, tmp_path):
    from app.figures import Figures

    path = export_package(demo_db, "10", 2024, "保健", 4, tmp_path / "hoken.xlsx")
    sheet = openpyxl.load_workbook(path)["KPI"]
    rows = [r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == 10]
    assert len(rows) == 3 and sheet.cell(rows[0], 3).value == "61.2%以上"
    filled_in(path, [("KPI", f"D{rows[0]}", "57.1%")])
    diff = read_package(demo_db, path)
    (change,) = diff.changes
    assert (change.label, change.theirs) == ("項番10 KPI結果", 57.1)
    apply_package(demo_db, diff)
    kpi = plan_items(demo_db, "10", 2024)[9].kpis[0]
    assert kpi.manual_result == 57.1
    assert Figures(demo_db, "10").kpi_result(kpi, 2024).proposed == "△"        # 57.1 < 61.2
