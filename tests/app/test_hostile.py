"""Broken and hostile files: one clear message each, and the database byte-for-byte unchanged."""
import hashlib
import time
import zipfile

import openpyxl
import pytest

from app.cli.main import main
from app.operations.ops import import_workbook
from importers.formats import workbook
from tests.conftest import SAMPLE

pytestmark = pytest.mark.sqlite_only      # about SQLite files themselves

MONTHLY = SAMPLE / "gunma_fy2024_monthly.xlsx"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zip_with(tmp_path, name, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    out = tmp_path / name
    with zipfile.ZipFile(out, "w", compression) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return out


def sample_members() -> dict[str, bytes]:
    with zipfile.ZipFile(MONTHLY) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def other_kind(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "議事録"
    wb.active["A2"] = "出席者 5名"
    out = tmp_path / "minutes.xlsx"
    wb.save(out)
    return out


def empty_workbook(tmp_path):
    out = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(out)
    return out


def macro_workbook(tmp_path):
    """The sample's sheets saved as .xlsm with a (fake) VBA project part."""
    members = sample_members()
    members["xl/vbaProject.bin"] = b"\x00" * 64
    return zip_with(tmp_path, "monthly.xlsm", members)


CASES = {
    "not a zip": (lambda t: (t / "x.xlsx").write_bytes(b"hello, not excel") and t / "x.xlsx",
                  "Excel ブック (.xlsx) ではないか、ファイルが壊れています"),
    "empty file": (lambda t: (t / "e.xlsx").write_bytes(b"") or t / "e.xlsx", "空のファイルです"),
    "password / old xls": (lambda t: (t / "p.xlsx").write_bytes(workbook.OLE_SIGNATURE + b"\0" * 512) and t / "p.xlsx",
                           "パスワード付き"),
    "damaged zip": (lambda t: (t / "d.xlsx").write_bytes(MONTHLY.read_bytes()[:3000]) and t / "d.xlsx",
                    "壊れています"),
    "zip without a workbook": (lambda t: zip_with(t, "z.xlsx", {"hello.txt": b"hi"}), "xl/workbook.xml がありません"),
    "compression bomb": (lambda t: zip_with(t, "bomb.xlsx", {**sample_members(),
                                                            "xl/worksheets/sheet9.xml": b"<" * (50 * 2**20)}),
                         "圧縮率が異常"),
    "empty workbook": (empty_workbook, "空のブック"),
    "another kind of workbook": (other_kind, "取り込める形式のブックではありません"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_files_get_one_clear_message_and_change_nothing(case, demo_db, tmp_path):
    make, expected = CASES[case]
    path = make(tmp_path)
    db_file = demo_db.engine.url.database
    demo_db.engine.dispose()
    from pathlib import Path

    before = digest(Path(db_file))
    started = time.perf_counter()
    report = import_workbook(demo_db, path)
    assert time.perf_counter() - started < 5
    assert not report.stored
    assert len(report.errors) == 1 and expected in report.errors[0].message
    assert report.errors[0].where.file == path.name
    demo_db.engine.dispose()
    assert digest(Path(db_file)) == before


def test_limits_are_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_SHEETS", 2)
    with pytest.raises(Exception, match="シートが多すぎます"):
        workbook.load_book(MONTHLY)
    monkeypatch.setattr(workbook, "MAX_SHEETS", 200)
    monkeypatch.setattr(workbook, "MAX_ROWS", 50)
    with pytest.raises(Exception, match="行数"):
        workbook.load_book(MONTHLY)
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(Exception, match="展開後のサイズ"):
        workbook.load_book(MONTHLY)


def test_xml_is_parsed_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_macro_workbook_is_read_for_values_only(empty_db, tmp_path):
    path = macro_workbook(tmp_path)
    report = import_workbook(empty_db, path, branch="10")
    assert report.stored and report.inserted == 854


def test_failed_import_on_the_command_line(demo_path, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.load_workbook(MONTHLY)
    wb["業務"]["C7"] = "２,４８１件x"
    wb.save(bad)
    assert main(["--db", str(demo_path), "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == ["bad.xlsx:業務!C7: '２,４８１件x' は数値として読めません"]
    assert main(["--db", str(demo_path), "import", str(tmp_path / "missing.xlsx")]) == 2


def test_import_json_report(tmp_path, capsys):
    import json

    db = tmp_path / "j.sqlite3"
    assert main(["--db", str(db), "import", str(MONTHLY), "--branch", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stored"] is True
    (f,) = report["files"]
    assert f["inserted"] == 854 and f["layout"] == "monthly" and f["errors"] == []
    assert {"file": "gunma_fy2024_monthly.xlsx", "sheet": "企画総務", "cell": "G35"} == {
        k: f["warnings"][0][k] for k in ("file", "sheet", "cell")}
    assert f["warnings"][0]["proposal"] == 226


# --- clean output (issue 23) ----------------------------------------------------------------------

def test_csv_cells_a_spreadsheet_would_run_are_made_inert(demo_path, tmp_path, capsys):
    import csv
    import io
    import shutil
    import sqlite3

    db = tmp_path / "csv.sqlite3"
    shutil.copy(demo_path, db)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE plan_item SET title = '=HYPERLINK(\"http://x\",\"y\")' WHERE id = (SELECT min(id) FROM plan_item)")
        con.execute("UPDATE kpi SET text = '@SUM(A1)', op = '==' WHERE id = (SELECT min(id) FROM kpi)")
        con.execute("UPDATE kpi SET text = '+1-2' WHERE id = (SELECT max(id) FROM kpi)")
    con.close()
    assert main(["--db", str(db), "plan", "--format", "csv"]) == 0
    cells = [c for row in csv.reader(io.StringIO(capsys.readouterr().out)) for c in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'@SUM(A1)" in cells and "'==" in cells
    assert "'+1-2" in cells and ">=" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert main(["--db", str(db), "plan", "--format", "json"]) == 0
    assert '"==' in capsys.readouterr().out           # JSON is data: kept as it is


def test_control_characters_in_names_are_made_visible(demo_path, tmp_path, capsys):
    import shutil

    db = tmp_path / "c.sqlite3"
    shutil.copy(demo_path, db)
    name = tmp_path / "a\x1b[31m\x9b2Jb.xlsx"
    shutil.copy(MONTHLY, name)
    main(["--db", str(db), "import", str(name), "--dry-run"])
    main(["--db", str(db), "import", str(tmp_path / "gone\x1b]0;x\x07.xlsx")])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err and "\x07" not in err
    assert "a\\x1b[31m\\x9b2Jb.xlsx: 確認のみ" in err and "gone\\x1b]0;x\\x07.xlsx: ファイルがありません" in err


def test_a_problem_over_many_cells_is_said_once_with_a_count(tmp_path, capsys):
    wb = openpyxl.load_workbook(MONTHLY)
    ws = wb["業務"]
    bad = [cell for row in ws.iter_rows(min_row=7, max_row=9, min_col=3, max_col=14) for cell in row]
    for cell in bad:
        cell.value = "x件"
    wb.save(tmp_path / "many.xlsx")
    assert main(["--db", str(tmp_path / "m.sqlite3"), "import", str(tmp_path / "many.xlsx"), "--branch", "10"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all("'x件' は数値として読めません" in line for line in lines[:3])
    assert lines[3] == f"many.xlsx:業務: 同じ問題がほかに {len(bad) - 3} セルあります (F7〜N9)"


@pytest.mark.parametrize("argv, said", [
    (["values", "--format", "xml"], "branch-report: --format: 'xml' は選べません (選べるもの: 'csv', 'json')"),
    (["ranks", "--fy", "2024"], "branch-report: 次の指定が必要です: --indicator"),
    (["values", "--bogus"], "branch-report: 分からない指定があります: --bogus"),
    (["export", "--fy", "2024", "--out", "x", "--quarter", "9"], "branch-report: --quarter: 9 は選べません"),
])
def test_usage_errors_in_japanese(tmp_path, capsys, argv, said):
    assert main(["--db", str(tmp_path / "u.sqlite3"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(said) and len(err.splitlines()) == 1 and "usage" not in err


def test_library_text_goes_to_the_log_not_the_line(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as zf:
        for n, data in sample_members().items():
            zf.writestr(n, data.replace(b"<sheetData>", b"<sheetData><row><c><v>1</c>") if n.endswith("sheet1.xml") else data)
    assert main(["--db", str(tmp_path / "l.sqlite3"), "import", str(bad), "--branch", "10"]) == 1
    out = capsys.readouterr().out
    assert "の XML が壊れています (1 行" in out and "mismatched" not in out and "tag" not in out


def test_inert_keeps_numbers_and_neutralises_the_rest():
    from app.cli.common import inert

    assert [inert(v) for v in ("-1", "-2,481.5", 3, None, "-1+cmd|'/C calc'!A0", "\tx", "\r=1", "a=b")] == [
        "-1", "-2,481.5", 3, None, "'-1+cmd|'/C calc'!A0", "'\tx", "'\r=1", "a=b"]
