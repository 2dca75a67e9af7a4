"""KPI sentences → rules, targets resolved, ratings proposed."""
import pytest

from app.core.catalogue import load_catalogue
from app.core.kpi import normalize_rating, propose_rating, target_text
from importers.layouts.kpi_text import read_kpi, split_kpis


def parse_kpi(sentence, catalogue):
    return read_kpi(sentence, catalogue)[0]

CAT = load_catalogue()


@pytest.mark.parametrize("sentence, indicator, op, target, rule", [
    ("【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。", "mail_rate", ">=", 95.0, "value"),
    ("【KPI】協会のレセプト点検の査定率について前年度以上とする", "receipt_assessment_rate", ">=", None, "prev_fy"),
    ("【KPI】協会の再審査レセプト1件当たりの査定額を対前年度以上とする。", "receipt_amount_per_case", ">=", None, "prev_fy"),
    ("【KPI】一般競争入札に占める一者応札案件の割合について１５％以下とする。", "tender_single_bid_rate", "<=", 15.0, "value"),
    ("【KPI】サービススタンダードの達成状況を100％とする。", "ss_rate", "==", 100.0, "value"),
    ("【KPI】① 生活習慣病予防健診受診率を61.2％以上とする。", None, ">=", 61.2, "value"),
    ("【KPI】健康宣言事業所数を1,580事業所以上とする。", "decl_total", ">=", 1580.0, "value"),
    ("【KPI】日本年金機構回収分も含めた資格喪失後1か月以内の保険証回収率を対前年度以上とする。",
     "card_recovery_rate", ">=", None, "prev_fy"),
    ("【KPI】返納金債権（診療報酬返還金（不当請求）を除く。）の回収率を前年度以上とする",
     "debt_recovery_rate", ">=", None, "prev_fy"),
    ("【KPI】サービススタンダード平均所要日数を7日以内とする。", "ss_avg_days", "<=", 7.0, "value"),
    ("【KPI】柔整 多部位・頻回 件数を前年度以下とする。", "judo_multi_freq", "<=", None, "prev_fy"),
    ("【KPI】広報の充実を図る（定性評価）。", None, "==", None, "qualitative"),
])
def test_kpi_sentences(sentence, indicator, op, target, rule):
    kpi = parse_kpi(sentence, CAT)
    assert (kpi.indicator, kpi.op, kpi.target, kpi.rule) == (indicator, op, target, rule)
    assert kpi.text == sentence


def test_kpi_cell_splits_into_sentences_and_joins_wrapped_lines():
    cell = ("【KPI】1-1）全被保険者数に占める健康保険委員が委嘱されている事業所の被\n保険者数の割合を56.0％以上とする。\n"
            "1-2）健康保険委員の委嘱事業所数を前年度以上とする")
    parts = split_kpis(cell)
    assert len(parts) == 2
    assert parts[0].endswith("被保険者数の割合を56.0％以上とする。")
    assert [parse_kpi(p, CAT).indicator for p in parts] == ["iin_coverage", "iin_companies"]


@pytest.mark.parametrize("op, target, result, higher, rating", [
    (">=", 95.0, 94.3, True, "△"), (">=", 95.0, 95.0, True, "○"), (">=", 95.0, 96.0, True, "○"),
    (">=", 95.0, 99.8, True, "◎"), ("<=", 15.0, 8.3, False, "◎"), ("<=", 15.0, 15.0, False, "○"),
    ("<=", 15.0, 15.1, False, "△"), ("==", 100.0, 100.0, True, "○"), ("==", 100.0, 99.9, True, "△"),
    (">=", 95.0, None, True, None), (">=", None, 95.0, True, None),
    ("<", 10.0, 10.0, False, "△"), ("<", 10.0, 9.9, False, "○"), (">", 10.0, 10.0, True, "△"),
    (">", 10.0, 10.3, True, "○"), (">", 10.0, 10.6, True, "◎"),
])
def test_proposed_rating(op, target, result, higher, rating):
    assert propose_rating(op, target, result, higher) == rating


def test_prev_fy_target_is_last_years_year_end_figure(demo_db):
    from app.reads.figures import Figures
    from app.reads.queries import plan_items

    fig = Figures(demo_db, "10")
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    assessment = items[5].kpis[0]
    assert parse_kpi(assessment.text, CAT).rule == "prev_fy" and fig.year_value("receipt_assessment_rate", 2023) == 0.08
    res = fig.kpi_result(assessment, 2024)
    assert res.target == pytest.approx(0.080)      # seed 004: ※KPI 0.080%
    assert res.result == pytest.approx(0.069) and res.proposed == "△"
    card = fig.kpi_result(items[7].kpis[0], 2024)   # 保険証回収率 (its (１)): ※KPI 85.15%, 11月現在 83.62%
    assert card.target == pytest.approx(85.15) and card.result == pytest.approx(83.62)
    assert card.as_of.label() == "令和6年11月末現在" and card.proposed == "△"


def test_rating_marks():
    assert normalize_rating("〇") == "○"
    assert normalize_rating(" ◎ ") == "◎"
    assert normalize_rating("A") is None


@pytest.mark.parametrize("rule, op, target, unit, text", [
    ("value", ">=", 95.0, "%", "95%以上"), ("value", "<=", 15.0, "%", "15%以下"),
    ("value", "==", 100.0, "%", "100%"), ("prev_fy", ">=", 85.15, "%", "前年度 85.15%以上"),
    ("prev_fy", ">=", None, "", "前年度以上"), ("qualitative", "==", None, "", "定性"),
    ("value", ">=", 1580.0, "事業所", "1,580以上"),
])
def test_targets_as_users_write_them(rule, op, target, unit, text):
    from app.core.kpi import target_text

    assert target_text(rule, op, target, unit) == text


def test_strict_targets_are_written_as_users_write_them():
    assert target_text("value", "<", 10.0, "%") == "10%未満"
    assert target_text("value", ">", 1350.0, "事業所") == "1,350超"
