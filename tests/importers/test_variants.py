"""The importers on workbooks they have never seen: the same figures written in other layouts
must read as the same records, and bad cells must be reported with their sheet and cell.

The workbooks are built in tmp_path by ``build.py`` from one description (``REFERENCE``: the
four row shapes of layout A with Gunma's R5/R6 figures).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from app.core.errors import ImportRefused
from app.operations.imports import read_workbook
from importers import identify
from importers.formats.workbook import load_book
from tests.importers.build import (
    REFERENCE, Block, Layout, PlanItem, Row, SheetSpec, Styled, april, as_full_width, as_numbers,
    as_text, catalogue, expected_months, expected_years, full_width, grid, month_values, one_block, relabel,
    retitle, twelve, write_monthly, write_plan, year_values,
)

R5, R6 = 2023, 2024


def read(path, default_branch=None):
    return read_workbook(path, catalogue(), default_branch=default_branch)


def problems(ext):
    """(severity, 'sheet!cell', message) of every problem but the plausibility warnings of the
    real figures (点検: tests/app/test_plausibility.py)."""
    return [(p.severity, f"{p.where.sheet}!{p.where.cell}", p.message) for p in ext.problems
            if not p.message.startswith("点検: ")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return read(write_monthly(tmp_path_factory.mktemp("ref") / "reference.xlsx", REFERENCE))


# --- the reference layout ----------------------------------------------------------------------

def test_reference_reads_as_described(reference):
    assert problems(reference) == []
    assert (reference.layout, reference.branch, reference.fiscal_year) == ("monthly", "10", 2024)
    assert month_values(reference) == expected_months(REFERENCE)
    assert year_values(reference) == expected_years(REFERENCE)
    assert len(month_values(reference)) == 208


@pytest.mark.parametrize("cell, fy, month, code, value", [
    # shape 2: caption 達成率 (an indicator), first row a year, then other indicators of that year
    ("業務!B5", R6, 4, "ss_rate", 100),
    ("業務!N5", R6, None, "ss_rate", 100),
    ("業務!M6", R6, 3, "ss_sickness", 3000),
    ("業務!E7", R6, 7, "ss_childbirth_family", 48),
    # shape 1: caption 令和６年度, every row an indicator of that year
    ("業務!B12", R6, 4, "mail_rate", 93.5),
    ("業務!N12", R6, None, "mail_rate", 94.3),
    ("業務!B14", R6, 4, "mail_count", 7742),
    # shape 3: caption 累計 (generic), year rows of the title's indicator, 標準化 of the latest year
    ("保健!B5", R5, 4, "decl_total", 1341),
    ("保健!M6", R6, 3, "decl_total", 1587),
    ("保健!B7", R6, 4, "decl_standardized", 1247),
    ("企画総務!D5", R5, 6, "mailmag_new", -1),
    ("企画総務!B10", R6, 4, "overtime", 192),
    # shape 4: no year in the block: the sheet title's year
    ("企画総務!B14", R6, 4, "tender_general", 3),
    ("企画総務!N16", R6, None, "tender_single_bid_rate", 8.3),
])
def test_reference_cells(reference, cell, fy, month, code, value):
    found = [v for v in reference.values if f"{v.where.sheet}!{v.where.cell}" == cell]
    assert [(v.fiscal_year, v.month, v.indicator, v.value) for v in found] == [(fy, month, code, value)]


# --- other layouts, same values ----------------------------------------------------------------

LAYOUTS = {
    "table moved (header from D7)": Layout(origin=(6, 4)),
    "blocks and sheets in another order": Layout(reverse_blocks=True, reverse_sheets=True),
    "no blank row between blocks": Layout(gap=0),
    "blank and hidden rows between blocks": Layout(gap=1, hidden_rows=2),
    "only hidden rows between blocks": Layout(gap=0, hidden_rows=1),
    "titles in merged cells": Layout(merge_titles=True),
    "month header 4月まで": Layout(first_month="4月まで"),
    "year column 合計": Layout(year_header="合計"),
    "year column 平均": Layout(year_header="平均"),
    "full-width titles, captions and labels": Layout(text=full_width),
    "Excel numbers, -1, percent formats and time cells": Layout(encode=as_numbers),
    "numbers typed as text": Layout(encode=as_text),
    "full-width digits, △, ％ and ：": Layout(encode=as_full_width),
    "all of it at once": Layout(origin=(8, 3), gap=2, hidden_rows=1, merge_titles=True, first_month="4月まで",
                                year_header="合計", text=full_width, encode=as_full_width,
                                reverse_blocks=True, reverse_sheets=True),
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_another_layout_reads_the_same_values(tmp_path, reference, name):
    ext = read(write_monthly(tmp_path / "variant.xlsx", REFERENCE, LAYOUTS[name]))
    assert problems(ext) == []
    assert (ext.branch, ext.fiscal_year) == ("10", 2024)
    assert month_values(ext) == month_values(reference)
    assert year_values(ext) == year_values(reference)


def test_moved_table_names_the_moved_cells(tmp_path):
    ext = read(write_monthly(tmp_path / "moved.xlsx", REFERENCE, Layout(origin=(6, 4))))
    first = next(v for v in ext.values if v.where.sheet == "業務")
    assert (first.where.cell, first.indicator, first.month, first.value) == ("E8", "ss_rate", 4, 100)
    last = [v for v in ext.values if v.where.sheet == "企画総務"][-1]
    assert (last.where.cell, last.indicator, last.month) == ("Q19", "tender_single_bid_rate", None)


def test_without_year_column_only_the_months_are_read(tmp_path, reference):
    ext = read(write_monthly(tmp_path / "no_year.xlsx", REFERENCE, Layout(year_header=None)))
    assert problems(ext) == []
    assert month_values(ext) == month_values(reference)
    assert year_values(ext) == {}


@pytest.mark.parametrize("old, new", [
    ("埋葬料（費）", "埋葬料(費)"),
    ("埋葬料（費）", "埋葬料 （費）"),
    ("埋葬料（費）", "埋葬費"),
    ("傷病手当金", "傷病手当金\u3000"),
    ("金額/件(円)", "金額／件（円）"),
    ("郵送化率", "郵送化率(%)"),
    ("窓口件数", "窓口件数（件）"),
    ("令和６年度", "R6年度"),
    ("令和５年度", "2023年度"),
])
def test_label_variants(tmp_path, reference, old, new):
    spec = relabel(REFERENCE, old, new)
    assert spec != REFERENCE
    ext = read(write_monthly(tmp_path / "labels.xlsx", spec))
    assert problems(ext) == []
    assert month_values(ext) == month_values(reference)


@pytest.mark.parametrize("mark", ["○", "■", "◆", "【", ""])
def test_title_marks(tmp_path, reference, mark):
    def title(t):
        bare = t.lstrip("○")
        return f"【{bare}】" if mark == "【" else mark + bare
    spec = tuple(replace(s, blocks=tuple(replace(b, title=title(b.title)) for b in s.blocks)) for s in REFERENCE)
    ext = read(write_monthly(tmp_path / "marks.xlsx", spec))
    assert problems(ext) == []
    assert month_values(ext) == month_values(reference)


# --- branch and fiscal year from the titles ------------------------------------------------------

def _only_kikaku(title):
    return lambda s: title if s.name == "企画総務" else None


@pytest.mark.parametrize("titles, default_branch, branch, tender_fy", [
    pytest.param(lambda s: f"前橋市 全国健康保険協会群馬支部 令和6年度 月次実績（{s.name}）", None, "10", R6,
                 id="branch after other words"),
    pytest.param(lambda s: f"令和6年度 月次実績（{s.name}）", "10", "10", R6, id="no branch: the default"),
    pytest.param(_only_kikaku("令和6年度 群馬支部 月次実績"), None, "10", R6, id="year only in the sheet's title"),
    pytest.param(lambda s: "令和6年度 群馬支部 月次実績" if s.name == "業務" else "群馬支部", None, "10", R6,
                 id="year only in another sheet's title"),
    pytest.param(lambda s: "令和5年度 群馬支部" if s.name == "企画総務" else "令和6年度 群馬支部", None, "10", R5,
                 id="the sheet's own year first"),
])
def test_branch_and_year_from_titles(tmp_path, titles, default_branch, branch, tender_fy):
    spec = retitle(REFERENCE, titles)
    ext = read(write_monthly(tmp_path / "titles.xlsx", spec), default_branch=default_branch)
    assert problems(ext) == []
    assert {v.branch for v in ext.values} == {branch}
    tender = {(v.fiscal_year, v.indicator) for v in ext.values if v.indicator.startswith("tender_")}
    assert tender == {(tender_fy, "tender_general"), (tender_fy, "tender_single_bid"),
                      (tender_fy, "tender_single_bid_rate")}
    others = expected_months(REFERENCE)
    assert {k: v for k, v in month_values(ext, branch).items() if not k[2].startswith("tender_")} == {
        k: v for k, v in others.items() if not k[2].startswith("tender_")}


def test_year_in_the_sheet_name(tmp_path):
    block = Block("○一般競争入札", None, (Row("一般競争", "tender_general", R6, april(3)),), "合計")
    ext = read(one_block(tmp_path / "name.xlsx", block, title="群馬支部 月次実績", sheet="令和6年度"))
    assert problems(ext) == []
    assert [(v.fiscal_year, v.month, v.indicator, v.value) for v in ext.values] == [(R6, 4, "tender_general", 3)]


def test_no_year_anywhere_is_an_error_naming_the_row(tmp_path):
    block = Block("○一般競争入札", None, (Row("一般競争", "tender_general", R6, april(3)),))
    ext = read(one_block(tmp_path / "no_year.xlsx", block, title="群馬支部 月次実績"))
    assert ext.values == []
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!A5")]
    assert "年度" in ext.problems[0].message


def test_no_branch_anywhere_is_an_error(tmp_path):
    ext = read(write_monthly(tmp_path / "no_branch.xlsx", retitle(REFERENCE, lambda s: "令和6年度 月次実績")))
    assert [(p.severity, p.where.file) for p in ext.problems if not p.message.startswith("点検: ")] == [
        ("error", "no_branch.xlsx")]
    assert "支部" in ext.problems[0].message


# --- how values are written, cell by cell --------------------------------------------------------

MAIL = ("○郵送化率", "令和6年度")
MAILMAG = ("○メールマガジン 新規登録", "単月")
OVERTIME = ("○超過勤務時間", "単月")


@pytest.mark.parametrize("block, label, cell, value", [
    (MAIL, "郵送化率", Styled(0.946, "0.0%"), 94.6),
    (MAIL, "郵送化率", Styled(0.946, "0.00%"), 94.6),
    (MAIL, "郵送化率", "94.6%", 94.6),
    (MAIL, "郵送化率", "９４．６％", 94.6),
    (MAIL, "郵送化率", 94.6, 94.6),                       # the number the user sees, no format
    (MAIL, "窓口件数", 2481, 2481),
    (MAIL, "窓口件数", "2,481", 2481),
    (MAIL, "窓口件数", "２，４８１", 2481),
    (MAIL, "窓口件数", "2481件", 2481),
    (MAILMAG, "令和6年度", "△ 1", -1),
    (MAILMAG, "令和6年度", "△1", -1),
    (MAILMAG, "令和6年度", "▲1", -1),
    (MAILMAG, "令和6年度", "△１", -1),
    (MAILMAG, "令和6年度", "-1", -1),
    (MAILMAG, "令和6年度", -1, -1),
    (MAILMAG, "令和6年度", "0", 0),
    (OVERTIME, "令和6年度", "3:05", 185),
    (OVERTIME, "令和6年度", "3：05", 185),
    (OVERTIME, "令和6年度", "３：０５", 185),
    (OVERTIME, "令和6年度", Styled(dt.time(3, 5), "h:mm"), 185),
    (OVERTIME, "令和6年度", Styled(dt.time(0, 45), "h:mm"), 45),
])
def test_a_value_written_one_way_or_another(tmp_path, block, label, cell, value):
    title, caption = block
    ext = read(one_block(tmp_path / "cell.xlsx", Block(title, caption, (Row(label, None, R6, april(cell)),))))
    assert problems(ext) == []
    assert [(v.where.cell, v.month, v.value) for v in ext.values] == [("B5", 4, value)]


@pytest.mark.parametrize("cell", ["-", "－", "―", "—", " ", ""])
def test_no_value_marks_are_no_value_not_zero(tmp_path, cell):
    block = Block(*MAIL, (Row("窓口件数", None, R6, twelve(cell, 5, *[None] * 10)),))
    ext = read(one_block(tmp_path / "dash.xlsx", block))
    assert problems(ext) == []
    assert [(v.month, v.value) for v in ext.values] == [(5, 5)]


# --- bad input: errors and warnings that name the cell -------------------------------------------

def test_an_unknown_label_is_an_error_naming_its_cell(tmp_path):
    block = Block(*MAIL, (Row("ほげほげ件数", None, R6, april(12)), Row("窓口件数", "counter_count", R6, april(7))))
    ext = read(one_block(tmp_path / "unknown.xlsx", block, layout=Layout(origin=(10, 1))))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!A12")]
    p = ext.problems[0]
    assert "ほげほげ件数" in p.message and p.label == "ほげほげ件数"
    assert p.where.file == "unknown.xlsx"
    assert [(v.where.cell, v.indicator, v.value) for v in ext.values] == [("B13", "counter_count", 7)]


def test_a_label_of_two_indicators_is_an_error_listing_both(tmp_path):
    block = Block("○申請", "令和6年度", (Row("申請件数", None, R6, april(12)),))
    ext = read(one_block(tmp_path / "ambiguous.xlsx", block))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!A5")]
    assert "judo_applications" in ext.problems[0].message
    assert "limit_cert_applications" in ext.problems[0].message
    assert ext.values == []


def test_the_block_title_decides_a_shared_label(tmp_path):
    block = Block("○限度額適用認定証", "令和6年度", (Row("申請件数", None, R6, april(12)),))
    ext = read(one_block(tmp_path / "shared.xlsx", block))
    assert problems(ext) == []
    assert [v.indicator for v in ext.values] == ["limit_cert_applications"]


def test_an_unknown_caption_indicator_is_reported_once_at_the_caption(tmp_path):
    rows = (Row("令和5年度", None, R5, april(1)), Row("令和6年度", None, R6, april(2)))
    ext = read(one_block(tmp_path / "caption.xlsx", Block("○謎", "謎の率", rows)))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!A4")]
    assert ext.problems[0].label == "謎の率"
    assert ext.values == []


def test_an_unknown_title_under_a_generic_caption_is_reported_by_the_title(tmp_path):
    """Mapping the generic word ('累計') to an indicator could never help: the title is the
    unknown label, the one the user maps."""
    rows = (Row("令和5年度", None, R5, april(1)), Row("令和6年度", None, R6, april(2)))
    ext = read(one_block(tmp_path / "title.xlsx", Block("○謎の事業所数", "累計", rows)))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!A3")]
    assert ext.problems[0].label == "○謎の事業所数"
    assert "謎の事業所数" in ext.problems[0].message
    assert ext.values == []


@pytest.mark.parametrize("block, label, cell", [
    (MAIL, "窓口件数", "abc"),
    (MAIL, "窓口件数", "12..5"),
    (MAIL, "窓口件数", "2 481"),
    (MAIL, "窓口件数", "94.6%"),                          # a percentage in a count row
    (MAIL, "窓口件数", Styled(0.5, "0.0%")),
    (MAIL, "窓口件数", True),
    (MAIL, "窓口件数", dt.datetime(2024, 4, 1)),
    (OVERTIME, "令和6年度", "3:75"),
    (OVERTIME, "令和6年度", "3時間"),
])
def test_an_unreadable_value_is_an_error_naming_its_cell(tmp_path, block, label, cell):
    title, caption = block
    good = "0:05" if block is OVERTIME else 5           # May holds a readable value: 5
    ext = read(one_block(tmp_path / "bad.xlsx", Block(title, caption, (Row(label, None, R6, twelve(
        cell, good, *[None] * 10)),))))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!B5")]
    assert [(v.where.cell, v.value) for v in ext.values] == [("C5", 5)]     # nothing read from B5


def test_an_unreadable_value_message_quotes_it(tmp_path):
    ext = read(one_block(tmp_path / "bad.xlsx", Block(*MAIL, (Row("窓口件数", None, R6, april("12..5")),))))
    assert "12..5" in ext.problems[0].message
    assert ext.problems[0].line().startswith("bad.xlsx:Sheet!B5: ")


@pytest.mark.parametrize("month_cell, year_cell, bad", [
    (1, "=SUM(B5:M5)", "Sheet!N5"),
    ("=1+1", 2, "Sheet!B5"),
])
def test_a_formula_without_a_saved_result_is_an_error_naming_its_cell(tmp_path, month_cell, year_cell, bad):
    """openpyxl writes formulas without a cached result: read with data_only they are empty."""
    path = grid(tmp_path / "formula.xlsx", {"Sheet": [
        ["令和6年度 群馬支部 月次実績"], [], ["○郵送化率"],
        ["令和6年度", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月", "計"],
        ["窓口件数", month_cell, *[None] * 11, year_cell],
    ]})
    ext = read(path)
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", bad)]
    assert "数式" in ext.problems[0].message


def test_a_year_cell_disagreeing_with_its_months_is_a_warning_naming_it(tmp_path):
    rows = (Row("窓口件数", "counter_count", R6, twelve(*[10] * 12), 121),
            Row("郵送件数", "mail_count", R6, twelve(*[90] * 12), 1080))
    ext = read(one_block(tmp_path / "year.xlsx", Block(*MAIL, rows, "計")))
    assert [(s, c) for s, c, _ in problems(ext)] == [("warning", "Sheet!N5")]
    assert "121" in ext.problems[0].message and "120" in ext.problems[0].message
    assert year_values(ext) == {(R6, "counter_count"): 121, (R6, "mail_count"): 1080}   # stored as printed


def test_the_same_month_twice_with_different_values_is_an_error(tmp_path):
    spec = [SheetSpec("Sheet", "令和6年度 群馬支部", (
        Block(*MAIL, (Row("窓口件数", "counter_count", R6, april(7)),)),
        Block("○窓口", "令和6年度", (Row("窓口件数", "counter_count", R6, april(8)),)),
    ))]
    ext = read(write_monthly(tmp_path / "twice.xlsx", spec))
    assert [(s, c) for s, c, _ in problems(ext)] == [("error", "Sheet!B9")]
    assert "Sheet!B5" in ext.problems[0].message


# --- workbooks of no known kind, or of two -------------------------------------------------------

@pytest.mark.parametrize("sheets", [
    pytest.param({"Sheet": [["会議録"], ["日時", "2024-04-01"], ["出席者", "山田"]]}, id="text"),
    pytest.param({"Sheet": [["令和6年度 群馬支部"], ["項目", *[f"{m}月" for m in range(1, 13)]],
                            ["窓口件数", *range(12)]]}, id="calendar-order months"),
    pytest.param({"Sheet": [["令和6年度"], ["項目", "4月", "5月", "6月"], ["窓口件数", 1, 2, 3]]},
                 id="three months"),
])
def test_a_workbook_of_no_known_kind_is_refused(tmp_path, sheets):
    book = load_book(grid(tmp_path / "other.xlsx", sheets))
    with pytest.raises(ImportRefused, match="other.xlsx"):
        identify(book)


def test_a_workbook_of_two_kinds_is_refused(tmp_path):
    path = write_monthly(tmp_path / "both.xlsx", REFERENCE[:1])
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("事業計画")
    ws.append(["項番", "区分", "事業", "担当", "計画内容", "KPI"])
    ws.append([1, "1.基盤", "サービス水準の向上", "業務グループ", "計画", None])
    wb.save(path)
    with pytest.raises(ImportRefused, match="複数の形式"):
        identify(load_book(path))


# --- the plan: KPI sentences --------------------------------------------------------------------

@pytest.mark.parametrize("sentence, indicator, op, target, rule, unit", [
    ("【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。", "mail_rate", ">=", 95.0, "value", "%"),
    ("【KPI】一般競争入札に占める一者応札案件の割合について１５％以下とする。",
     "tender_single_bid_rate", "<=", 15.0, "value", "%"),
    ("【KPI】サービススタンダードの達成状況を100％とする。", "ss_rate", "==", 100.0, "value", "%"),
    ("【KPI】協会のレセプト点検の査定率について前年度以上とする", "receipt_assessment_rate", ">=", None, "prev_fy", "%"),
    ("【KPI】日本年金機構回収分も含めた資格喪失後1か月以内の保険証回収率を対前年度以上とする。",
     "card_recovery_rate", ">=", None, "prev_fy", "%"),
    ("【KPI】柔道整復の多部位・頻回割合を前年度以下とする。", "judo_multi_freq_ratio", "<=", None, "prev_fy", "%"),
    ("【KPI】サービススタンダード平均所要日数を7日以内とする。", "ss_avg_days", "<=", 7.0, "value", "日"),
    ("【KPI】健康宣言事業所数を1,580事業所以上とする。", "decl_total", ">=", 1580.0, "value", "事業所"),
    ("【KPI】健康宣言事業所数を１，５８０事業所以上とする。", "decl_total", ">=", 1580.0, "value", "事業所"),
    ("【ＫＰＩ】郵送化率を９５．０％以上とする。", "mail_rate", ">=", 95.0, "value", "%"),
    ("【KPI】① 生活習慣病予防健診受診率を61.2％以上とする。", None, ">=", 61.2, "value", "%"),
    ("【KPI】広報の取組を定性評価とする。", None, "==", None, "qualitative", ""),
])
def test_kpi_sentences(tmp_path, sentence, indicator, op, target, rule, unit):
    ext = read(write_plan(tmp_path / "plan.xlsx", [PlanItem(1, "項目", sentence)]))
    assert (ext.layout, ext.problems) == ("plan", [])
    (kpi,) = ext.plan[0].kpis
    assert (kpi.indicator, kpi.op, kpi.target, kpi.rule, kpi.unit) == (indicator, op, target, rule, unit)
    assert kpi.text == sentence                            # kept as written


def test_one_kpi_cell_holding_several_sentences(tmp_path):
    cell = ("【KPI】現金給付等の申請に係る郵送化率を\n95.0％以上とする。\n"
            "【ＫＰＩ】一者応札案件の割合を１５％以下とする。\n"
            "② 健康宣言事業所数を1,580事業所以上とする。")
    ext = read(write_plan(tmp_path / "plan.xlsx", [PlanItem(1, "項目", cell)]))
    kpis = ext.plan[0].kpis
    assert [(k.indicator, k.op, k.target) for k in kpis] == [
        ("mail_rate", ">=", 95.0), ("tender_single_bid_rate", "<=", 15.0), ("decl_total", ">=", 1580.0)]
    assert kpis[0].text == "【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。"   # the line it continues on
    assert kpis[1].text == "【ＫＰＩ】一者応札案件の割合を１５％以下とする。"


def test_plan_items_flags_and_pillars(tmp_path):
    items = [PlanItem(1, "サービス水準の向上", difficult="【困難度：高】"),
             PlanItem("２", "健康経営の推進", pillar="2.戦略的保険者機能の一層の発揮", group="保健グループ",
                      important="【重要度：高】")]
    ext = read(write_plan(tmp_path / "plan.xlsx", items))
    assert (ext.branch, ext.fiscal_year, ext.problems) == ("10", 2024, [])
    assert [(i.item_no, i.pillar_no, i.title, i.owner_group, i.important, i.difficult, i.kpis, i.where.cell)
            for i in ext.plan] == [
        (1, 1, "サービス水準の向上", "業務グループ", False, True, (), "A4"),
        (2, 2, "健康経営の推進", "保健グループ", True, False, (), "A5"),
    ]


def test_plan_with_columns_moved_and_reordered(tmp_path):
    rows = [[None, "令和6年度 群馬支部 事業計画"], [], [], [],
            [None, None, "KPI", "事業", "項番", "担当", "区分", "計画内容"],
            [None, None, "【KPI】郵送化率を95.0％以上とする。", "業務改革の推進", 2, "業務グループ",
             "1.基盤的保険者機能の盤石化", "郵送による申請を促進する。"]]
    ext = read(grid(tmp_path / "plan.xlsx", {"計画": rows}))
    assert (ext.layout, ext.fiscal_year, ext.problems) == ("plan", 2024, [])
    (item,) = ext.plan
    assert (item.item_no, item.title, item.owner_group, item.plan_text, item.where.cell) == (
        2, "業務改革の推進", "業務グループ", "郵送による申請を促進する。", "E6")
    assert [(k.indicator, k.target) for k in item.kpis] == [("mail_rate", 95.0)]


def test_plan_without_a_year_is_an_error(tmp_path):
    ext = read(write_plan(tmp_path / "plan.xlsx", [PlanItem(1, "項目")], title="群馬支部 事業計画"))
    assert [s for s, _, _ in problems(ext)] == ["error"]
    assert "年度" in ext.problems[0].message


def test_month_headers_typed_as_dates_read_as_months(tmp_path, reference):
    """Excel's habit: 2024/4/1 … 2025/3/1 typed in the header, shown as 4月 … 3月 (issue 23)."""
    import openpyxl

    from app.core.fiscal import parse_month

    path = write_monthly(tmp_path / "dates.xlsx", REFERENCE)
    wb = openpyxl.load_workbook(path)
    typed = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                month = parse_month(cell.value) if isinstance(cell.value, str) else None
                if month and cell.value.strip().endswith("月"):
                    cell.value = dt.datetime(2024 + (month < 4), month, 1)
                    cell.number_format = 'm"月"'
                    typed += 1
    assert typed >= 12 * 4
    wb.save(path)
    ext = read(path)
    assert problems(ext) == []
    assert month_values(ext) == month_values(reference) and year_values(ext) == year_values(reference)
