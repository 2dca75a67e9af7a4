"""The offline round trip: a group's work package out, filled in Excel, back in."""
import openpyxl
import pytest

from tests.helpers import set_month_value
from app.core.errors import ImportRefused, PermissionDenied, ValidationError
from app.workpackage.package import bring_back_package as apply_package
from app.workpackage.package import export_package, read_package
from app.reads.queries import monthly_values, plan_items, row_statuses


def value(db, code, month, fy=2024):
    return next((r.value for r in monthly_values(db, "10", fy, [code]) if r.month == month), None)


def first_row(db, item_no):
    """An item's first rated row (評価行)."""
    return next(i for i in plan_items(db, "10", 2024) if i.item_no == item_no).rows[0]


def sheet_row(path, row_id) -> int:
    """The line of 実施状況 that holds a rated row (its id in the hidden column G)."""
    st = openpyxl.load_workbook(path)["実施状況"]
    return next(r for r in range(4, st.max_row + 1) if st.cell(r, 7).value == row_id)


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
    st = wb["実施状況"]                        # 項番 | 事業 | 計画内容（評価行） | 評価 | 全国順位 | 進捗状況 | id
    rows = [r for i in plan_items(demo_db, "10", 2024) if "業務" in i.owner_group for r in i.rows]
    assert [st.cell(n, 7).value for n in range(4, 4 + len(rows))] == [r.id for r in rows]
    assert st.column_dimensions["G"].hidden
    assert st.protection.sheet and not st["F4"].protection.locked and st["C4"].protection.locked
    mail = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 1).rows[1]     # seed 004: item 1's (２)
    two = sheet_row(path, mail.id)
    assert st.cell(two, 1).value == 1 and st.cell(two, 4).value == "△" and st.cell(two, 5).value == 27
    assert st.cell(two, 3).value == mail.plan_text and "【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。" in mail.plan_text
    assert any("◎" in dv.formula1 for dv in st.data_validations.dataValidation)
    grid = wb["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    assert grid.cell(row, 3).value == 541 and grid.cell(row, 3).number_format.startswith("#,##0")   # a number Excel sums
    assert not grid.cell(row, 3).protection.locked
    assert wb["_package"].sheet_state == "veryHidden"


def test_changes_come_back_and_are_logged_with_the_sender(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    grid = openpyxl.load_workbook(path)["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    three = first_row(demo_db, 3)
    line = sheet_row(path, three.id)
    one = sheet_row(path, first_row(demo_db, 1).id)                   # rated ○ already
    filled_in(path, [("月次実績", f"C{row}", "560"), ("実施状況", f"F{line}", "新しい進捗\n・二行目"),
                     ("実施状況", f"D{line}", "◎"), ("実施状況", f"D{one}", "〇")])   # 〇 (a circle) is ○: no change
    diff = read_package(demo_db, path)
    assert {c.label for c in diff.changes} == {"窓口件数 令和6年度 4月", "項番3（1） 進捗状況", "項番3（1） 評価"}
    assert not diff.conflicts
    assert value(demo_db, "counter_count", 4) == 541                    # nothing stored before confirming
    changes = apply_package(demo_db, diff)
    assert changes.indicators == {"counter_count"} and changes.rows == {(three.id, 4)}
    assert value(demo_db, "counter_count", 4) == 560
    from app.operations.edits import history

    log = history(demo_db, "10", 2024, 4, "counter_count")[0]
    assert log.who == demo_db.user and log.source == f"作業用ブック（{demo_db.user} から）"   # who brought it, who sent it
    st = row_statuses(demo_db, [three.id], 4)[three.id]
    assert (st.progress_text, st.rating) == ("新しい進捗\n・二行目", "◎")
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
    from app.reads.figures import Figures

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


def test_package_figures_are_numbers_in_users_formats_and_come_back_unchanged(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    grid = openpyxl.load_workbook(path)["月次実績"]
    cells = {grid.cell(r, 2).value: [grid.cell(r, c) for c in range(3, 15)] for r in range(4, grid.max_row + 1)}
    assert cells["mail_rate"][0].value == pytest.approx(0.935) and cells["mail_rate"][0].number_format == "0.0%"
    assert cells["ss_avg_days"][0].number_format.startswith("#,##0.00")          # 6.14: two decimals, as users write
    assert all(not isinstance(c.value, str) for row in cells.values() for c in row)
    assert read_package(demo_db, path).changes == []                             # numbers read back as they were
    filled_in(path, [("月次実績", cells["counter_count"][1].coordinate, "600")])    # typed as text in Excel: fine too
    assert [c.theirs for c in read_package(demo_db, path).changes] == [600.0]


# ---- packages that cannot be forged ---------------------------------------------------------------
def _record(wb):
    import json

    return json.loads("".join(c.value for c in wb["_package"]["A"] if c.value))


def _put_record(wb, record):
    import json

    text = json.dumps(record, ensure_ascii=False)
    for cell in wb["_package"]["A"]:
        cell.value = None
    for n in range(0, len(text), 30000):
        wb["_package"].cell(n // 30000 + 1, 1).value = text[n:n + 30000]


def _grid_row(wb, code="counter_count"):
    grid = wb["月次実績"]
    return next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == code)


def _edit_record(change):
    def alter(wb, db):
        record = _record(wb)
        change(record, db)
        _put_record(wb, record)
    return alter


def record_mac(db, record) -> str:
    """The record's signature made with the database's key, as only the program (SQLite: the
    file's key) or the server (its private key, the sender bound in) could make it."""
    from sqlalchemy import text

    from app.workpackage.seal import _mac, _record_part

    if db.is_sqlite:
        return _mac(db.stored("package_secret"), _record_part(record))
    with db.session() as s:
        secret = s.scalar(text("SELECT secret FROM branch_report_private.package_key"))
    return _mac(secret, f"{record['made_by']}\n{_record_part(record)}")


def _resign(change):
    """A record changed and signed again with the database's own key: what only a holder of
    the key could make (a broken record is still refused, never a KeyError)."""
    def alter(wb, db):
        import json

        record = _record(wb)
        change(record)
        _put_record(wb, record)
        signature = json.loads(wb["_package"]["B1"].value)
        signature["record"] = record_mac(db, record)
        wb["_package"]["B1"].value = json.dumps(signature)
    return alter


def _set(sheet, cell, value):
    def alter(wb, db):
        wb[sheet][cell if not callable(cell) else cell(wb)] = value
    return alter


ALTERATIONS = {
    "package id (a replay)": (_edit_record(lambda r, db: r.update(package="0" * 32)), "記録（隠しシート）が書き出した後"),
    "database id": (_edit_record(lambda r, db: r.update(database="another")), "別のデータベース"),
    "base value": (_edit_record(lambda r, db: r["base"]["values"].update({"counter_count/4": 560})), "書き出した後"),
    "group": (_edit_record(lambda r, db: r.update(group="保健")), "書き出した後"),
    "title": (_set("実施状況", "B4", "別の事業"), "「実施状況」シートの入力欄"),
    "item number": (_set("実施状況", "A5", 13), "「実施状況」シートの入力欄"),
    "plan text of a row": (_set("実施状況", "C4", "別の計画"), "「実施状況」シートの入力欄"),
    "hidden row id": (_set("実施状況", "G4", 99), "「実施状況」シートの入力欄"),
    "hidden indicator code": (_set("月次実績", lambda wb: f"B{_grid_row(wb)}", "decl_new"), "「月次実績」シート"),
    "a row added below": (_set("月次実績", "C200", "5"), "「月次実績」シート"),
    "hidden KPI id": (_set("KPI", "E4", 1), "「KPI」シート"),
    "sheet added": (lambda wb, db: wb.create_sheet("メモ"), "シートが追加"),
    "sheet renamed": (lambda wb, db: setattr(wb["KPI"], "title", "KPI2"), "シートが追加・削除・改名"),
    "signature removed": (_set("_package", "B1", None), "署名がありません"),
    "signature of another package": (_set("_package", "B1", '{"record": "00", "sheets": {}}'), "書き出した後"),
    "record cut short": (lambda wb, db: setattr(wb["_package"]["A1"], "value", wb["_package"]["A1"].value[:-9]),
                         "壊れています"),
    "record emptied": (_set("_package", "A1", None), "壊れています"),
    "a cell added to the hidden sheet": (_set("_package", "C3", "x"), "隠しシート"),
    "record signed but missing a key": (_resign(lambda r: r["base"].pop("values")), "壊れています（base.values）"),
    "record signed but the wrong type": (_resign(lambda r: r.update(quarter="4")), "壊れています（quarter）"),
}


@pytest.mark.parametrize("part", list(ALTERATIONS))
def test_a_package_altered_outside_its_unlocked_cells_is_refused_with_the_reason(part, demo_db, tmp_path):
    from sqlalchemy import select

    from db.models import Setting

    alter, reason = ALTERATIONS[part]
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["月次実績"][f"C{_grid_row(wb)}"] = "560"                     # a proper change, in an unlocked cell
    alter(wb, demo_db)
    wb.save(path)
    with pytest.raises(ImportRefused, match=reason):
        read_package(demo_db, path)
    assert value(demo_db, "counter_count", 4) == 541
    with demo_db.session() as s:
        assert s.scalars(select(Setting.key).where(Setting.key.like("package:%"))).all() == []


def test_a_package_comes_back_once_and_a_package_of_another_database_never(demo_db, empty_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    filled_in(path, [("月次実績", f"C{_grid_row(openpyxl.load_workbook(path))}", "560")])
    diff = read_package(demo_db, path)
    apply_package(demo_db, diff)
    with pytest.raises(ImportRefused, match="取り込み済み"):
        apply_package(demo_db, diff)                                    # the same, read before it came back
    with pytest.raises(ImportRefused, match="取り込み済み"):
        read_package(demo_db, path)
    foreign = export_package(empty_db, "10", 2024, "業務", 4, tmp_path / "other.xlsx")
    with pytest.raises(ImportRefused, match="別のデータベース"):
        read_package(demo_db, foreign)


def test_a_national_rank_that_is_not_a_rank_is_refused_naming_the_cell(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    filled_in(path, [("実施状況", "E6", "三位")])
    with pytest.raises(ImportRefused, match="実施状況!E6"):
        read_package(demo_db, path)
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu2.xlsx")
    filled_in(path, [("実施状況", "D6", "よい")])
    with pytest.raises(ImportRefused, match=r"実施状況!D6: 評価は ◎ ○ △ × □ のいずれかです \('よい'\)"):
        read_package(demo_db, path)


def test_a_registered_group_leader_brings_back_her_own_package(team, demo_db, tmp_path):
    """Shared mode: the leader writes her package, fills it in offline and brings it back herself;
    another group's leader may not bring it back."""
    team.add("gyomu", "業務")
    team.add("hoken", "保健")
    db, who = team.acting("gyomu")
    path = export_package(db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx", who or db.user)
    filled_in(path, [("月次実績", f"C{_grid_row(openpyxl.load_workbook(path))}", "560"), ("実施状況", "F6", "進んだ")])
    other, other_who = team.acting("hoken")
    with pytest.raises(PermissionDenied):
        apply_package(other, read_package(other, path), who=other_who)
    apply_package(db, read_package(db, path), who=who)
    assert value(demo_db, "counter_count", 4) == 560
    from app.operations.edits import history

    log = history(demo_db, "10", 2024, 4, "counter_count")[0]
    assert log.who == team.logins["gyomu"] and team.logins["gyomu"] in log.source


def test_the_command_line_writes_reads_and_applies_a_package(demo_db, tmp_path, capsys):
    from app.cli.main import main

    url = demo_db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "gyomu.xlsx"
    assert main(["--db", url, "package", "write", "--group", "業務", "--fy", "R6", "--quarter", "4", "--out", str(out)]) == 0
    row = _grid_row(openpyxl.load_workbook(out))
    filled_in(out, [("月次実績", f"C{row}", "560"), ("月次実績", f"D{row}", "460"), ("実施状況", "F6", "新しい進捗\n二行目")])
    set_month_value(demo_db, "10", 2024, 5, "counter_count", 455)              # 5月 changed meanwhile
    capsys.readouterr()
    assert main(["--db", url, "package", "read", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"月次実績!C{row}: 541 -> 560" in lines
    assert f"月次実績!D{row}: 453 -> 460 (競合: データベースでは 455 に変更済み)" in lines
    assert any(line.startswith("実施状況!F6: ") and line.endswith('-> "新しい進捗\\n二行目"') for line in lines)
    assert main(["--db", url, "package", "read", str(out), "--apply"]) == 1            # a conflict, no choice
    assert value(demo_db, "counter_count", 4) == 541
    assert main(["--db", url, "package", "read", str(out), "--apply", "--prefer-database"]) == 0
    assert (value(demo_db, "counter_count", 4), value(demo_db, "counter_count", 5)) == (560, 455)
    capsys.readouterr()
    assert main(["--db", url, "package", "read", str(out), "--apply"]) == 1
    assert "取り込み済み" in capsys.readouterr().err


def test_a_package_written_before_rated_rows_is_refused_not_misread(demo_db, tmp_path):
    """A version-1 package (a status per item, as written before rated rows): refused with what to
    do, even though it is signed by this database."""
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    _resign(lambda r: r.pop("format"))(wb, demo_db)
    wb.save(path)
    with pytest.raises(ImportRefused, match="以前の版で書き出した作業用ブック.*書き出し直してください"):
        read_package(demo_db, path)


def test_bringing_back_a_package_names_its_implausible_figures(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    grid = openpyxl.load_workbook(path)["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    filled_in(path, [("月次実績", f"D{row}", "45.5")])
    diff = read_package(demo_db, path)
    assert f"月次実績!D{row}: 点検: 窓口件数 5月 45.5: 件数に小数があります" in diff.warnings
    apply_package(demo_db, diff)                                        # warned, never blocked
    assert value(demo_db, "counter_count", 5) == 45.5


# --- packages you can trust (issue 23) ------------------------------------------------------------

def test_a_formula_without_a_saved_result_is_refused_as_an_import_refuses_it(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    row = _grid_row(openpyxl.load_workbook(path))
    filled_in(path, [("月次実績", f"D{row}", f"=C{row}+1")])      # openpyxl saves no result, as a script would
    with pytest.raises(ImportRefused, match=f"gyomu.xlsx:月次実績!D{row}: 数式の計算結果が保存されていません"):
        read_package(demo_db, path)
    assert value(demo_db, "counter_count", 5) is not None


def test_a_package_whose_record_sheet_was_made_visible_is_refused(demo_db, tmp_path):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["_package"].sheet_state = "visible"
    wb.save(path)
    with pytest.raises(ImportRefused, match="隠しシート）が表示されています"):
        read_package(demo_db, path)


def test_a_package_is_read_within_its_caps_before_openpyxl(demo_db, tmp_path, monkeypatch):
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["月次実績"]
    for r in range(100, 1100):
        for c in range(20, 80):
            ws.cell(r, c, r * c)
    wb.save(path)
    loaded = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loaded.append(a))
    with pytest.raises(ImportRefused, match="gyomu.xlsx:月次実績: 値のあるセルが多すぎます"):
        read_package(demo_db, path)
    assert loaded == []


def test_the_year_texts_travel_in_a_fourth_quarter_package(demo_db, tmp_path):
    from app.operations.ops import save_status
    from app.reads.queries import statuses

    item = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 1)
    save_status(demo_db, item.id, 4, next_year="・電子申請を案内する")
    assert "年度のまとめ" not in openpyxl.load_workbook(
        export_package(demo_db, "10", 2024, "業務", 3, tmp_path / "q3.xlsx")).sheetnames     # written on 第4四半期 only
    path = export_package(demo_db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    sheet = openpyxl.load_workbook(path)["年度のまとめ"]
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 5).value == item.id)
    assert sheet.cell(row, 4).value == "・電子申請を案内する"
    filled_in(path, [("年度のまとめ", f"C{row}", "・郵送申請を案内した")])
    diff = read_package(demo_db, path)
    (change,) = diff.changes
    assert (change.label, change.base, change.theirs, change.cell) == (
        "項番1 取組内容・結果", "", "・郵送申請を案内した", f"年度のまとめ!C{row}")
    apply_package(demo_db, diff)
    st = statuses(demo_db, [item.id], 4)[0]
    assert (st.results_text, st.next_year_text) == ("・郵送申請を案内した", "・電子申請を案内する")
