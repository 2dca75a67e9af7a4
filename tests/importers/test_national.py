"""Layout B (本部 支部別) in other shapes, and national ranks from it."""
import openpyxl
import pytest

from app.core.catalogue import load_catalogue
from app.cli.main import main
from app.core.errors import ImportRefused
from app.operations.imports import read_workbook
from app.operations.ops import import_workbook
from app.reads.ranks import competition_ranks, national_ranks
from app.store.database import branch_names
from importers import identify
from importers.layouts.national import branch_code
from importers.formats.workbook import load_book

CAT = load_catalogue()
NAMES = branch_names()
MONTHS = [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


@pytest.mark.parametrize("label, code", [
    ("01 北海道", "01"), ("北海道", "01"), ("01", "01"), ("1", "01"), ("10群馬", "10"), ("10 群馬支部", "10"),
    ("群馬県", "10"), ("全国", "00"), ("４７　沖縄", "47"), ("東京都", "13"),
    ("10 埼玉", None), ("48", None), ("00", None), ("どこか", None),
])
def test_branch_labels(label, code):
    assert branch_code(label, NAMES) == code


def hq_workbook(path, label_style=lambda code, name: f"{code} {name}", title="令和5年度 郵送化率（支部別）",
                start_row=4, start_col=1, values=None, year_caption="年度計", percent=True):
    """A by-branch table: branch b gets value 90 + b/10 in every month (unless values says otherwise)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    if title:
        ws.cell(1, start_col, title)
    ws.cell(start_row, start_col, "支部")
    for i, m in enumerate(MONTHS):
        ws.cell(start_row, start_col + 1 + i, m)
    if year_caption:
        ws.cell(start_row, start_col + 13, year_caption)
    codes = [c for c in NAMES if c != "00"]
    for r, code in enumerate(codes + ["00"], start=start_row + 1):
        ws.cell(r, start_col, "全国" if code == "00" else label_style(code, NAMES[code]))
        for i in range(12):
            v = (values or {}).get(code, 90 + int(code) / 10)
            cell = ws.cell(r, start_col + 1 + i, v / 100 if percent else v)
            cell.number_format = "0.0%" if percent else "0.0"
    wb.save(path)
    return path


@pytest.mark.parametrize("style", [
    lambda c, n: f"{c} {n}", lambda c, n: n, lambda c, n: c, lambda c, n: f"{c}{n}", lambda c, n: f"{n}支部",
])
def test_every_branch_and_the_national_row_in_any_label_style(tmp_path, style):
    ext = read_workbook(hq_workbook(tmp_path / "hq.xlsx", style), CAT)
    assert ext.layout == "national" and not ext.errors
    by_branch = {(v.branch, v.month): v.value for v in ext.values}
    assert len({b for b, _ in by_branch}) == 48
    assert by_branch[("10", 4)] == 91.0 and by_branch[("00", 3)] == 90.0
    assert {v.fiscal_year for v in ext.values} == {2023}


def test_table_moved_and_without_year_column(tmp_path):
    ext = read_workbook(hq_workbook(tmp_path / "hq.xlsx", start_row=9, start_col=3, year_caption=None), CAT)
    assert not ext.errors and len(ext.values) == 48 * 12
    assert ext.values[0].where.cell == "D10"


def test_unknown_branch_and_duplicate_rows_are_errors(tmp_path):
    path = hq_workbook(tmp_path / "hq.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["A6"] = "99 どこか"
    wb.active["A7"] = "01 北海道"
    wb.save(path)
    ext = read_workbook(path, CAT)
    assert [(e.where.cell, e.message) for e in ext.errors] == [
        ("A6", "'99 どこか' は支部として読めません"), ("A7", "支部 01 の行が A5 と重複しています")]


def test_a_table_whose_indicator_is_unknown(tmp_path):
    ext = read_workbook(hq_workbook(tmp_path / "hq.xlsx", title="令和5年度 謎の指標（支部別）"), CAT)
    assert [e.where.cell for e in ext.errors] == ["A1"] and "どの指標" in ext.errors[0].message


@pytest.mark.parametrize("title, code, fy", [
    ("令和６年度　平均所要日数　支部別一覧", "ss_avg_days", 2024),      # issue 12: was refused
    ("R6 郵送化率 支部別集計表", "mail_rate", 2024),
    ("2024年度 保険証回収率の推移", "card_recovery_rate", 2024),
    ("令和５年度 サービススタンダードの達成状況（支部別）", "ss_rate", 2023),
])
def test_titles_as_people_write_them(tmp_path, title, code, fy):
    ext = read_workbook(hq_workbook(tmp_path / "hq.xlsx", title=title, percent=CAT[code].unit == "%"), CAT)
    assert ext.errors == []
    assert {(v.indicator, v.fiscal_year) for v in ext.values} == {(code, fy)}


def test_an_ambiguous_title_lists_its_candidates_and_a_mapping_settles_it(tmp_path):
    path = hq_workbook(tmp_path / "hq.xlsx", title="令和６年度　申請件数　支部別一覧", percent=False)
    (err,) = read_workbook(path, CAT).errors
    assert err.message == ("'令和６年度　申請件数　支部別一覧' はどの指標の表か決められません "
                           "(候補: judo_applications, limit_cert_applications)")
    assert err.label == "申請件数"
    assert CAT.candidates(err.label) == ["judo_applications", "limit_cert_applications"]
    mapped = CAT.with_aliases({err.label: "limit_cert_applications"})      # import --map '申請件数=…'
    ext = read_workbook(path, mapped)
    assert ext.errors == [] and {v.indicator for v in ext.values} == {"limit_cert_applications"}


def test_competition_ranks_share_the_best_rank():
    assert competition_ranks({"a": 9, "b": 7, "c": 7, "d": 5}, True) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert competition_ranks({"a": 9, "b": 7, "c": 7, "d": 5}, False) == {"d": 1, "b": 2, "c": 2, "a": 4}


def test_ranks_after_import_follow_the_indicators_direction(tmp_path, empty_db, capsys):
    values = {"10": 95.0, "11": 95.0, "12": 99.0}
    import_workbook(empty_db, hq_workbook(tmp_path / "hq.xlsx", values=values))
    ranks = {r.branch: r.rank for r in national_ranks(empty_db, "mail_rate", 2023) if r.month == 4}
    assert ranks["12"] == 1 and ranks["10"] == ranks["11"] == 2 and ranks["47"] == 4
    assert "00" not in ranks
    # 平均所要日数: lower is better
    wb = openpyxl.load_workbook(hq_workbook(tmp_path / "days.xlsx", title="令和5年度 平均所要日数（支部別）"))
    for row in wb.active.iter_rows(min_row=5, min_col=2, max_col=13):
        for c in row:
            c.number_format = "0.00"
            c.value = c.value * 100 - 84          # 6.1 … 10.7 days, 10 群馬 = 7.0
    wb.save(tmp_path / "days.xlsx")
    assert import_workbook(empty_db, tmp_path / "days.xlsx").stored
    assert main(["--db", empty_db.engine.url.render_as_string(hide_password=False), "ranks", "--indicator", "ss_avg_days",
                 "--fy", "R5", "--branch", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "branch,fiscal_year,month,indicator,value,rank"
    assert lines[1] == "10,2023,4,ss_avg_days,7,10"        # 6.1 … 6.9 are better: rank 10
    assert len(lines) == 13


def test_two_importers_claiming_a_workbook_is_an_error(tmp_path):
    path = hq_workbook(tmp_path / "both.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("計画")
    ws.append(["項番", "事業", "計画内容", "KPI"])
    ws.append([1, "サービス水準の向上", "遵守する", "【KPI】100％とする"])
    wb.save(path)
    with pytest.raises(ImportRefused, match="複数の形式"):
        identify(load_book(path))
