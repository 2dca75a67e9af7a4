"""The sample database against the sample workbook and the printed seed (004, 群馬 R4–R6)."""
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from app.cli.main import main
from app.reads.figures import Figures
from tests.conftest import SAMPLE

SEED = Path(__file__).resolve().parent.parent / "data" / "seed004_gunma_progress.txt"


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def workbook_month_cells() -> dict[str, object]:
    """Every non-empty, non-dash month cell of the sample workbook: 'sheet!cell' → cell."""
    wb = openpyxl.load_workbook(SAMPLE / "gunma_fy2024_monthly.xlsx")
    out = {}
    for ws in wb:
        months = None
        for row in ws.iter_rows():
            texts = [c.value for c in row]
            if "5月" in texts:
                months = [c.column for c in row if isinstance(c.value, str) and c.value[0].isdigit()]
                continue
            if months and row[0].value is not None:
                for c in row:
                    if c.column in months and c.value not in (None, "-"):
                        out[f"{ws.title}!{c.coordinate}"] = c
    return out


def test_values_csv_holds_every_unambiguous_month_value(demo_path, capsys):
    code, out = run_cli(capsys, "--db", str(demo_path), "values", "--branch", "10", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["branch", "fiscal_year", "month", "indicator", "value"]
    keys = {(r["branch"], r["fiscal_year"], r["month"], r["indicator"]) for r in rows}
    assert len(rows) == len(keys) == 854
    assert {r["branch"] for r in rows} == {"10"}
    assert {r["fiscal_year"] for r in rows} == {"2022", "2023", "2024"}
    # 880 filled month cells: 2 bare decimals left out, 24 cells of 多・頻件数 printed twice
    assert len(workbook_month_cells()) == 880


@pytest.mark.parametrize("fy, month, indicator, value", [
    ("2023", "4", "mail_rate", "94.6"),          # 94.6% (a 0.0% cell holding 0.946)
    ("2024", "4", "ss_sickness", "2462"),         # 2,462
    ("2023", "6", "mailmag_new", "-1"),           # △ 1
    ("2024", "4", "mailmag_new", "-2"),           # △ 2
    ("2023", "4", "overtime", "185"),             # 3:05 → minutes
    ("2024", "10", "overtime", "213"),            # 3：33 (full-width colon)
    ("2024", "12", "pt_meetings", "1"),           # 12/11: one meeting
    ("2023", "4", "receipt_assessment_rate", "0.052"),
    ("2024", "4", "judo_paid_amount", "68238947"),
])
def test_values_are_written_the_way_users_see_them(demo_path, capsys, fy, month, indicator, value):
    code, out = run_cli(capsys, "--db", str(demo_path), "values", "--fy", fy, "--indicator", indicator)
    assert code == 0
    got = {r["month"]: r["value"] for r in csv.DictReader(io.StringIO(out))}
    assert got[month] == value


def test_ambiguous_durations_are_not_guessed(demo_path, capsys):
    _, out = run_cli(capsys, "--db", str(demo_path), "values", "--fy", "R5", "--indicator", "overtime")
    months = {r["month"] for r in csv.DictReader(io.StringIO(out))}
    assert months == {"4", "5", "6", "7", "8", "11", "12", "1", "2", "3"}   # 9月 3.46, 10月 4.48 flagged


def seed_rows(label: str) -> list[list[str]]:
    """The seed's table rows starting with label, as cell texts (in order of appearance)."""
    rows = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] == label and len(parts) >= 13:
            rows.append(parts[1:])
    return rows


def seed_number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").replace("△", "-"))


@pytest.mark.parametrize("label, occurrence, fy, indicator", [
    ("郵送化率", 0, 2023, "mail_rate"), ("郵送化率", 1, 2024, "mail_rate"),
    ("窓口件数", 0, 2023, "counter_count"), ("郵送件数", 1, 2024, "mail_count"),
    ("傷病手当金", 0, 2023, "ss_sickness"), ("合計", 1, 2024, "ss_total"),
    ("患者照会率", 1, 2024, "judo_inquiry_rate"), ("支給金額(円)", 0, 2023, "judo_paid_amount"),
    ("平均所要日数", 0, 2023, "ss_avg_days"),
])
def test_months_equal_the_printed_seed(demo_db, label, occurrence, fy, indicator):
    seed = seed_rows(label)[occurrence]
    fig = Figures(demo_db, "10")
    months = fig.months[(indicator, fy)]
    from app.core.fiscal import FISCAL_MONTHS

    assert [months[m] for m in FISCAL_MONTHS] == pytest.approx([seed_number(t) for t in seed[:12]])


@pytest.mark.parametrize("indicator, fy, printed", [
    ("mail_rate", 2023, 95.0), ("mail_rate", 2024, 94.3),
    ("ss_avg_days", 2023, 6.36), ("judo_inquiry_rate", 2024, 3.17), ("judo_inquiry_rate", 2023, 2.96),
    ("judo_amount_per_case", 2023, 4463), ("judo_multi_freq_ratio", 2023, 1.00),
    ("ss_total", 2024, 36813), ("judo_paid_amount", 2024, 871636781), ("pt_meetings", 2024, 4),
    ("pt_meetings", 2023, 0), ("decl_new", 2024, 106), ("mailmag_new", 2023, 226), ("iin_new", 2024, 91),
    ("tender_single_bid_rate", 2024, 8.3), ("limit_cert_applications", 2022, 21808),
])
def test_computed_year_column_equals_the_seed_total(demo_db, indicator, fy, printed):
    """Recomputed by kind from the months alone (ratios from their parts), at the printed precision."""
    fig = Figures(demo_db, "10")
    computed = fig.computed(indicator, fy)
    decimals = len(str(printed).split(".")[1]) if isinstance(printed, float) else 0
    assert round(computed, decimals) == pytest.approx(printed)


def test_year_column_keeps_the_printed_figure_and_marks_the_difference(demo_db):
    fig = Figures(demo_db, "10")
    row = fig.row("ss_avg_days", 2024)          # headquarters averages per case: 6.30, months give 6.25
    assert row.year_value == 6.3 and row.year_printed and row.year_disagrees
    assert round(fig.computed("ss_avg_days", 2024), 2) == 6.25
    ok = fig.row("overtime", 2024)               # 2:27.6 printed 2:27: agrees at the printed precision
    assert ok.year_value == 147 and not ok.year_disagrees
    assert fig.row("card_recovery_rate", 2023).year_value == 85.15   # cumulative: the latest month


def test_plan_csv(demo_path, capsys):
    code, out = run_cli(capsys, "--db", str(demo_path), "plan", "--fy", "令和6年度")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["item_no", "title", "kpi_index", "indicator", "op", "target", "text"]
    assert {r["item_no"] for r in rows} == {str(i) for i in range(1, 22)}
    kpis = {(r["item_no"], r["kpi_index"]): r for r in rows if r["kpi_index"]}
    assert len(kpis) == 17
    # seed 004: the 郵送化率 KPI is item 1's (２), beside サービススタンダード; 業務改革の推進 has none
    assert ("2", "1") not in kpis
    assert (kpis[("1", "2")]["indicator"], kpis[("1", "2")]["op"], kpis[("1", "2")]["target"]) == ("mail_rate", ">=", "95")
    assert (kpis[("5", "1")]["indicator"], kpis[("5", "1")]["target"]) == ("receipt_assessment_rate", "prev_fy")
    # seed 004: item 7's (１) holds the 保険証回収率 KPI, its (２) the 債権回収率 one
    assert (kpis[("7", "1")]["indicator"], kpis[("7", "1")]["target"]) == ("card_recovery_rate", "prev_fy")
    assert (kpis[("7", "2")]["indicator"], kpis[("7", "2")]["target"]) == ("debt_recovery_rate", "prev_fy")
    assert (kpis[("21", "1")]["indicator"], kpis[("21", "1")]["op"], kpis[("21", "1")]["target"]) == (
        "tender_single_bid_rate", "<=", "15")
    # '==' made inert (a spreadsheet would run a cell starting with '='); --format json keeps it
    assert (kpis[("1", "1")]["op"], kpis[("1", "1")]["target"]) == ("'==", "100")
    assert kpis[("10", "1")]["indicator"] == "" and kpis[("10", "1")]["target"] == "61.2"
    assert kpis[("1", "2")]["text"] == "【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。"


def test_json_formats(demo_path, capsys):
    import json

    _, out = run_cli(capsys, "--db", str(demo_path), "values", "--branch", "10", "--indicator", "mail_rate", "--format", "json")
    data = json.loads(out)
    assert len(data) == 24 and data[0] == {"branch": "10", "fiscal_year": 2023, "month": 4,
                                           "indicator": "mail_rate", "value": 94.6}


def test_bad_usage_exits_2(demo_path, capsys):
    assert main(["--db", str(demo_path), "values", "--fy", "来年"]) == 2
    assert main(["--db", str(demo_path), "nonsense"]) == 2
    assert "branch-report" in capsys.readouterr().err


def progress_json(demo_path, capsys) -> dict:
    import json

    code, out = run_cli(capsys, "--db", str(demo_path), "progress", "--fy", "2024", "--quarter", "4", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_the_demo_is_seed_004_whole(demo_path, capsys):
    """Every rated row of seed 004 with its 第4四半期 mark: 82 rows, 6 of them KPI rows printed 「－ －」
    (not rated); the seed's printed count (72 / 12) against them: README, "The sample data"."""
    data = progress_json(demo_path, capsys)
    rows = data["rows"]
    assert len(rows) == 82 and len({r["item_no"] for r in rows}) == 21
    assert data["counts"] == {"全体": {"◎": 1, "○": 57, "△": 13, "×": 0, "□": 5},
                              "KPI": {"◎": 0, "○": 5, "△": 5, "×": 0, "□": 0}}
    assert data["unrated"] == 6
    assert sum(r["plan"].count("【業績評価】") for r in rows) == 28 and sum(r["plan"].count("【KPI】") for r in rows) == 16
    assert sum("業績評価" in r["tags"] for r in rows) == 23          # some rows hold two 【業績評価】 lines or three
    # the four 【業績評価】 rows below item 21's own are outside the printed count: without them, 72
    last = [r for r in rows if r["item_no"] == 21][-4:]
    assert [r["rating"] for r in last] == ["△", "△", "△", "□"]
    counted = [r["rating"] for r in rows if r not in last and r["rating"]]
    assert {m: counted.count(m) for m in "◎○△×□"} == {"◎": 1, "○": 57, "△": 10, "×": 0, "□": 4}


@pytest.mark.parametrize("item_no, row, tags, rating, rank, plan, text", [
    (1, 1, ["KPI", "業績評価"], "○", 1, "（１）現金給付の申請受付から", "※令和6年8月以降、家族出産一時金は出産一時金に"),
    (1, 2, ["KPI"], "△", 27, "（２）加入者・事業主の利便性の向上", ""),
    (1, 3, [], "□", None, "（３）お客様満足度調査", "・月に一度改善ポイントを記したカードを"),
    (5, 2, ["KPI"], "△", 47, "（２）　自動点検マスタを", "※レセプト点検効果向上に向けた進捗会議資料の通り。"),
    (7, 2, ["KPI", "業績評価"], "○", 29, "（２）返納金債権", "・「被保険者資格取消等遡及処理にかかる周知について」"),
    (10, 5, ["KPI", "業績評価"], None, None, "【KPI】① 生活習慣病予防健診受診率を61.2％以上とする。", "57.1%(受診者数:150,403人)"),
    (11, 11, ["KPI", "業績評価", "インセンティブ"], None, None, "【KPI】① 被保険者の特定保健指導", "14.1%(実績評価者数:5,173人)"),
    (18, 5, ["KPI", "業績評価"], "○", 32, "【KPI】1-1）全被保険者数に占める", ""),
    (21, 6, ["業績評価"], "△", None, "【業績評価】 内部監査の指摘等事項件数", "9/3-4実施　文書指摘2件、口頭指導1件"),
])
def test_rows_read_back_as_seed_004_prints_them(demo_path, capsys, item_no, row, tags, rating, rank, plan, text):
    got = next(r for r in progress_json(demo_path, capsys)["rows"] if (r["item_no"], r["row"]) == (item_no, row))
    assert (got["tags"], got["rating"], got["national_rank"]) == (tags, rating, rank)
    assert got["plan"].startswith(plan) and got["text"].startswith(text)


def test_the_sample_workbook_is_what_its_script_builds(tmp_path):
    """resources/sample/gunma_fy2024_progress.xlsx holds what build_progress.py writes (run it
    after changing its data)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_progress", SAMPLE / "build_progress.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = openpyxl.load_workbook(module.build(tmp_path / "built.xlsx")).active
    kept = openpyxl.load_workbook(SAMPLE / "gunma_fy2024_progress.xlsx").active
    cells = lambda ws: [[c.value for c in row] for row in ws.iter_rows()]   # noqa: E731
    assert cells(built) == cells(kept)
    assert sorted(map(str, built.merged_cells.ranges)) == sorted(map(str, kept.merged_cells.ranges))


def test_printed_year_figures_agree_at_their_printed_precision(demo_db):
    fig = Figures(demo_db, "10")
    for code, fy in (("mail_rate", 2023), ("mail_rate", 2024), ("judo_inquiry_rate", 2024),
                     ("tender_single_bid_rate", 2024), ("ss_avg_days", 2023)):
        assert not fig.row(code, fy).year_disagrees, (code, fy)


def test_the_sample_data_shows_the_national_side(demo_path, capsys):
    """Headquarters' by-branch tables are in the sample too: 全国 and every branch, with ranks."""
    code, out = run_cli(capsys, "--db", str(demo_path), "values", "--indicator", "mail_rate", "--fy", "R6")
    branches = {r["branch"] for r in csv.DictReader(io.StringIO(out))}
    assert code == 0 and "00" in branches and len(branches) == 48
    code, out = run_cli(capsys, "--db", str(demo_path), "ranks", "--indicator", "mail_rate", "--fy", "R6", "--branch", "10")
    assert code == 0 and len(list(csv.DictReader(io.StringIO(out)))) >= 1
