"""KPI cells → KPIs: the seeds' own KPI sentences, the target forms, and a plan workbook in the
style of seed 002 (several KPIs in one cell)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from app.operations.imports import read_workbook
from importers.layouts.kpi_text import PROVISO, UNREAD, read_kpi, read_kpis, split_kpis
from tests.importers.build import PlanItem, catalogue, write_plan

SEED_KPIS = Path(__file__).resolve().parents[1] / "data" / "seed_kpis.tsv"


def seed_cells() -> list[tuple[str, str, list[tuple]]]:
    """(seed, cell, expected KPIs) from ``tests/data/seed_kpis.tsv``."""
    cells: list[tuple[str, str, list[tuple]]] = []
    for line in SEED_KPIS.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "seed\t")):
            continue
        seed, cell, indicator, op, target, rule, unit = line.split("\t")
        kpi = (indicator or None, op, float(target) if target else None, rule, unit)
        if cell:
            cells.append((seed, cell.replace("\\n", "\n"), [kpi]))
        else:
            cells[-1][2].append(kpi)
    return cells


def fields(cell: str) -> list[tuple]:
    return [(k.indicator, k.op, k.target, k.rule, k.unit) for k, _ in read_kpis(cell, catalogue())]


SEEDS = seed_cells()


def test_seed_table_is_sound():
    cat = catalogue()
    kpis = [k for _, _, ks in SEEDS for k in ks]
    assert len(kpis) == 68 and {s for s, _, _ in SEEDS} == {"000", "001", "002"}
    for indicator, op, target, rule, unit in kpis:
        assert indicator is None or indicator in cat
        assert op in (">=", "<=", "==", "<", ">") and rule in ("value", "prev_fy", "qualitative")
        assert (target is None) == (rule != "value")


@pytest.mark.parametrize("seed, cell, expected", SEEDS, ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(SEEDS)])
def test_seed_kpis(seed, cell, expected):
    assert fields(cell) == expected


def test_seed_kpis_needing_a_look():
    """Among the seeds' 68 KPIs only the generic-drug one has a proviso (ただし…); none is unread."""
    flagged = [(seed, why, kpi.text[:16]) for seed, cell, _ in SEEDS for kpi, why in read_kpis(cell, catalogue()) if why]
    assert flagged == [("000", PROVISO, "■ KPI：1）医薬品の安定的な")]


def test_texts_are_kept_as_written():
    cell = ("■ KPI：\n１） 協会のレセプト点検の査定率（※）について対前年度以上とする\n"
            "（※）査定率＝協会のレセプト点検により査定（減額）した額÷協会の医療費\n総額\n"
            "２） 協会の再審査レセプト 1 件当たりの査定額を対前年度以上とする")
    assert split_kpis(cell) == [
        "■ KPI：１） 協会のレセプト点検の査定率（※）について対前年度以上とする\n"
        "（※）査定率＝協会のレセプト点検により査定（減額）した額÷協会の医療費総額",   # the note, on its line
        "２） 協会の再審査レセプト 1 件当たりの査定額を対前年度以上とする"]


@pytest.mark.parametrize("cell, texts", [
    ("1）郵送化率を95％以上とする2）一者応札案件の割合を15％以下とする3）健康宣言事業所数を前年度以上とする",
     ["1）郵送化率を95％以上とする", "2）一者応札案件の割合を15％以下とする", "3）健康宣言事業所数を前年度以上とする"]),
    ("①郵送化率を95％以上とする②健康宣言事業所数を前年度以上とする",
     ["①郵送化率を95％以上とする", "②健康宣言事業所数を前年度以上とする"]),
    ("1. 郵送化率を95.0％以上とする 2. 健康宣言事業所数を前年度以上とする",
     ["1. 郵送化率を95.0％以上とする", "2. 健康宣言事業所数を前年度以上とする"]),
    ("（１）郵送化率を95％以上とする（２）健康宣言事業所数を前年度以上とする",
     ["（１）郵送化率を95％以上とする", "（２）健康宣言事業所数を前年度以上とする"]),
    ("・郵送化率を95％以上とする。・健康宣言事業所数を前年度以上とする。",
     ["・郵送化率を95％以上とする。", "・健康宣言事業所数を前年度以上とする。"]),
    ("郵送化率を95％以上とする\n健康宣言事業所数を前年度以上とする",                   # a line per KPI
     ["郵送化率を95％以上とする", "健康宣言事業所数を前年度以上とする"]),
    ("【KPI】郵送化率を\n95.0％以上とする。", ["【KPI】郵送化率を95.0％以上とする。"]),  # a wrapped line
    # not markers: a number in brackets out of sequence, a footnote number, a 中黒 inside a word
    ("1）2025（令和７）年度から多部位・頻回割合を前年度以下とする2）割合（※２）を15％以下とする",
     ["1）2025（令和７）年度から多部位・頻回割合を前年度以下とする", "2）割合（※２）を15％以下とする"]),
    ("■ KPI\n", []),
    (None, []),
])
def test_split(cell, texts):
    assert split_kpis(cell) == texts


@pytest.mark.parametrize("sentence, op, target, unit", [
    ("健康宣言事業所数を１，３５０事業所（※）以上とする", ">=", 1350.0, "事業所"),
    ("郵送化率を９５．０％以上とする", ">=", 95.0, "%"),
    ("郵送化率を 95.0 ％ 以上とする", ">=", 95.0, "%"),
    ("一者応札案件の割合を10％未満とする", "<", 10.0, "%"),
    ("健康宣言事業所数を1,300事業所超とする", ">", 1300.0, "事業所"),
    ("平均所要日数を７日以内とする", "<=", 7.0, "日"),
    ("郵送化率を100％とする", "==", 100.0, "%"),
    ("健康宣言事業所数 1,010事業所", "==", 1010.0, "事業所"),
    ("健康宣言事業所数 1,010事業所。", "==", 1010.0, "事業所"),
    ("ホームページアクセス数を 1 億 3,700 万以上とする", ">=", 137_000_000.0, ""),
    ("郵送化率を95以上とする", ">=", 95.0, "%"),                     # the indicator's unit
    ("一者応札案件の割合が10％を下回るようにする", "<", 10.0, "%"),
])
def test_targets(sentence, op, target, unit):
    kpi, why = read_kpi(sentence, catalogue())
    assert (kpi.op, kpi.target, kpi.rule, kpi.unit, why) == (op, target, "value", unit, None)


@pytest.mark.parametrize("sentence, op", [
    ("郵送化率を前年度以上とする", ">="), ("郵送化率を対前年度以下とする", "<="),
    ("郵送化率を前年度末（82.8％）以上とする", ">="), ("郵送化率を前年度実績以上とする", ">="),
    ("窓口件数を前年度未満とする", "<"), ("健康宣言事業所数を前年度実績を上回る数とする", ">"),
])
def test_previous_year_targets(sentence, op):
    kpi, why = read_kpi(sentence, catalogue())
    assert (kpi.op, kpi.target, kpi.rule, why) == (op, None, "prev_fy", None)


def test_strict_words_inside_other_words_are_no_target():
    kpi, why = read_kpi("超過勤務時間を前年度以下とする", catalogue())
    assert (kpi.indicator, kpi.op, kpi.rule) == ("overtime", "<=", "prev_fy")
    kpi, why = read_kpi("使用割合が80％を超える支部を増やす", catalogue())
    assert (kpi.rule, why) == ("qualitative", UNREAD)


@pytest.mark.parametrize("sentence, why", [
    ("郵送化率を95％程度まで高める", UNREAD),                  # a number, but no target form
    ("健康宣言事業所数を1,400事業所に近づける", UNREAD),
    ("郵送化率を対前年度比105％以上とする", UNREAD),            # relative to last year: no rule for it
    ("広報の充実を図る（定性評価）", None),                     # qualitative, and says so
    ("SNS（LINE 公式アカウント）を運用し、毎月情報発信を行う", None),  # nothing to measure
])
def test_unread_targets_are_kept_as_qualitative(sentence, why):
    kpi, reason = read_kpi(sentence, catalogue())
    assert (kpi.op, kpi.target, kpi.rule, kpi.text, reason) == ("==", None, "qualitative", sentence, why)


def test_two_targets_joined_by_tomotomoni_are_two_kpis_only_when_both_read():
    cell = "委嘱事業所の被保険者数の割合を 54％以上とするとともに、委嘱事業所数を対前年度以上とする"
    (a, _), (b, _) = read_kpis(cell, catalogue())
    assert a.text + b.text == cell
    assert [(a.indicator, a.op, a.target), (b.indicator, b.op, b.target)] == [
        (None, ">=", 54.0), ("iin_companies", ">=", None)]
    (one, _), = read_kpis("郵送化率を95％以上とするとともに、広報に努める", catalogue())
    assert (one.indicator, one.target) == ("mail_rate", 95.0)


# --- a plan workbook in the style of seed 002 ---------------------------------------------------

SAITAMA = [
    PlanItem(1, "サービス水準の向上", "■ KPI：1）サービススタンダードの達成状況を 100%とする2）サービススタンダードの"
             "平均所要日数 7 日以内を維持する3）現金給付等の申請書類に係る窓口での受付率を対前年度以下とする"),
    PlanItem(2, "レセプト内容点検の精度向上", "■ KPI :\n1) 協会のレセプト点検の査定率 (※) について前年度以上とする"
             "(※) 査定率=協会のレセプト点検により査定(減額)した額÷協会の医療費総額2) 協会の再審査レセプト1件当たりの"
             "査定額を前年度以上とする", group="レセプトグループ"),
    PlanItem(3, "特定健診実施率・事業者健診データ取得率等の向上", "①生活習慣病予防健診実施率を５３．２％以上とする"
             "②事業者健診データ取得率を１０．６％以上とする③被扶養者の特定健診実施率を３０．６％以上とする",
             group="保健グループ"),
    PlanItem(4, "コラボヘルスの推進", "健康宣言事業所数を 1,350 事業所 (※) 以上とする\n"
             "※ 標準化された健康宣言の事業所数及び今後標準化された健康宣言への更新が見込まれる事業所数",
             group="保健グループ"),
    PlanItem(5, "医療資源の適正使用", "・ジェネリック医薬品使用割合（数量ベース）（※）を年度末時点で前年度以上とする。"
             "・バイオシミラー使用促進事業を開始し、医療機関や関係者への働きかけを実施する。", group="企画総務グループ"),
    PlanItem(6, "広報活動や健康保険委員を通じた加入者等の理解促進",
             "1）全被保険者数に占める健康保険委員が委嘱されている事業所の被保険者数の割合を 47.0%以上とする\n"
             "2）SNS（LINE 公式アカウント）を運用し、毎月情報発信を行う\n3）健康保険委員の委嘱事業所数を前年度以上とする",
             group="企画総務グループ"),
    PlanItem(7, "費用対効果を踏まえたコスト削減等", "1）一般競争入札に占める一者応札案件の割合について、１５％以下とする"
             "2）一者応札案件の割合を10％未満とする3）健康宣言事業所数を1,300事業所超とする", group="企画総務グループ"),
    PlanItem(8, "業務改革の推進", "【ＫＰＩ】郵送化率を95％程度まで高める"),
]


def test_plan_in_the_style_of_seed_002(tmp_path):
    ext = read_workbook(write_plan(tmp_path / "plan.xlsx", SAITAMA, title="令和７年度 埼玉支部 事業計画"), catalogue())
    assert (ext.layout, ext.branch, ext.fiscal_year, ext.errors) == ("plan", "11", 2025, [])
    got = {item.item_no: [(k.indicator, k.op, k.target, k.rule, k.unit) for k in item.kpis] for item in ext.plan}
    assert got == {
        1: [("ss_rate", "==", 100.0, "value", "%"), ("ss_avg_days", "<=", 7.0, "value", "日"),
            (None, "<=", None, "prev_fy", "")],
        2: [("receipt_assessment_rate", ">=", None, "prev_fy", "%"),
            ("receipt_amount_per_case", ">=", None, "prev_fy", "円")],
        3: [(None, ">=", 53.2, "value", "%"), (None, ">=", 10.6, "value", "%"), (None, ">=", 30.6, "value", "%")],
        4: [("decl_total", ">=", 1350.0, "value", "事業所")],
        5: [("generic_rate", ">=", None, "prev_fy", "%"), (None, "==", None, "qualitative", "")],
        6: [("iin_coverage", ">=", 47.0, "value", "%"), (None, "==", None, "qualitative", ""),
            ("iin_companies", ">=", None, "prev_fy", "事業所")],
        7: [("tender_single_bid_rate", "<=", 15.0, "value", "%"), ("tender_single_bid_rate", "<", 10.0, "value", "%"),
            ("decl_total", ">", 1300.0, "value", "事業所")],
        8: [("mail_rate", "==", None, "qualitative", "%")],
    }
    assert [k.text for k in ext.plan[1].kpis] == [
        "■ KPI :1) 協会のレセプト点検の査定率 (※) について前年度以上とする"
        "(※) 査定率=協会のレセプト点検により査定(減額)した額÷協会の医療費総額",
        "2) 協会の再審査レセプト1件当たりの査定額を前年度以上とする"]
    # the one KPI not read is named, with its cell, as a warning; the import goes on
    assert [(p.severity, p.where.sheet, p.where.cell, p.message) for p in ext.warnings] == [
        ("warning", "事業計画", "F11", f"{UNREAD}: 「【ＫＰＩ】郵送化率を95％程度まで高める」")]
    assert [p for p in ext.problems if p.message.startswith((UNREAD, PROVISO))] == ext.warnings


@given(st.text(alphabet="1２3０①②（）()・。る※■KPI【】：:%％以上下前年度とする率 \n,.億万超未満", max_size=40)
       | st.text(max_size=40))
def test_any_cell_splits_into_its_own_text_in_order(cell):
    texts = split_kpis(cell)
    joined = "".join("".join(texts).split())
    assert "".join(cell.split()).startswith(joined)         # only a bare trailing marker is dropped
    assert len(read_kpis(cell, catalogue())) >= len(texts)
