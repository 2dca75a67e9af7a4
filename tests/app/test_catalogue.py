"""The indicator catalogue: every label of the sample monthly workbook resolves to its code."""
from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, strategies as st

from app.core.catalogue import (GENERIC_CAPTIONS, Catalogue, Indicator, Resolution, load_catalogue,
                           normalize_label, title_forms)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next((p for p in (ROOT / "resources/sample/gunma_fy2024_monthly.xlsx",
                           Path("/work/shared/fixtures/gunma_fy2024_monthly.xlsx")) if p.exists()), None)
DOMAIN_MD = Path("/work/shared/docs/domain.md")

# (block title, caption or row label) -> code, for every block of gunma_fy2024_monthly.xlsx.
# Fiscal-year labels (令和５年度) are the importer's business and are not listed.
SS, MAIL = "○サービススタンダード", "○郵送化率"
JI, JP, JM = "○柔道整復 患者照会", "○柔道整復 支給", "○柔道整復 多部位・頻回"
WORKBOOK = {
    # 業務
    (SS, "達成率"): "ss_rate",
    (SS, "傷病手当金"): "ss_sickness",
    (SS, "出産手当金"): "ss_maternity",
    (SS, "出産一時金"): "ss_childbirth",
    (SS, "家族出産一時金"): "ss_childbirth_family",
    (SS, "埋葬料（費）"): "ss_burial",
    (SS, "家族埋葬料"): "ss_burial_family",
    (SS, "合計"): "ss_total",
    (SS, "平均所要日数"): "ss_avg_days",
    (MAIL, "郵送化率"): "mail_rate",
    (MAIL, "窓口件数"): "counter_count",
    (MAIL, "郵送件数"): "mail_count",
    (JI, "患者照会率"): "judo_inquiry_rate",
    (JI, "多・頻件数"): "judo_multi_freq",
    (JI, "患者照会数"): "judo_inquiries",
    (JI, "回答件数"): "judo_answers",
    (JP, "金額/件(円)"): "judo_amount_per_case",
    (JP, "支給件数"): "judo_paid_count",
    (JP, "支給金額(円)"): "judo_paid_amount",
    (JM, "多・頻/件"): "judo_multi_freq_ratio",
    (JM, "申請件数"): "judo_applications",
    (JM, "多・頻件数"): "judo_multi_freq",
    ("○保険給付適正化PT会議", "実施月"): "pt_meetings",
    ("○面接確認委員会", "実施月"): "interview_committee",
    ("○限度額適用認定証", "申請件数"): "limit_cert_applications",
    # レセプト
    ("○レセプト内容点検 査定率", "累計"): "receipt_assessment_rate",
    ("○再審査レセプト1件当たり査定額", "累計"): "receipt_amount_per_case",
    ("○保険証回収率", "累計"): "card_recovery_rate",
    ("○返納金債権回収率", "累計"): "debt_recovery_rate",
    # 保健
    ("○健康宣言事業所 新規", "単月"): "decl_new",
    ("○健康宣言事業所数", "累計"): "decl_total",
    ("○健康宣言事業所数", "標準化"): "decl_standardized",
    # 企画総務
    ("○ジェネリック医薬品使用割合", ""): "generic_rate",
    ("○メールマガジン 新規登録", "新規登録"): "mailmag_new",
    ("○メールマガジン 登録件数", "累計"): "mailmag_total",
    ("○健康保険委員 委嘱数", "委嘱数単月"): "iin_new",
    ("○健康保険委員 委嘱事業所数", "委嘱事業所数"): "iin_companies",
    ("○健康保険委員 カバー率", "カバー率"): "iin_coverage",
    ("○超過勤務時間", "単月"): "overtime",
    ("○一般競争入札", ""): "tender_general",        # shape 4: the empty caption is not used
    ("○一般競争入札", "一般競争"): "tender_general",
    ("○一般競争入札", "一者応札"): "tender_single_bid",
    ("○一般競争入札", "割合"): "tender_single_bid_rate",
}

TITLES = {
    SS: "ss_rate", MAIL: "mail_rate", JI: None, JP: None, JM: None,
    "○保険給付適正化PT会議": "pt_meetings", "○面接確認委員会": "interview_committee",
    "○限度額適用認定証": "limit_cert_applications",
    "○レセプト内容点検 査定率": "receipt_assessment_rate",
    "○再審査レセプト1件当たり査定額": "receipt_amount_per_case",
    "○保険証回収率": "card_recovery_rate", "○返納金債権回収率": "debt_recovery_rate",
    "○健康宣言事業所 新規": "decl_new", "○健康宣言事業所数": "decl_total",
    "○ジェネリック医薬品使用割合": "generic_rate",
    "○メールマガジン 新規登録": "mailmag_new", "【メールマガジン 登録件数】": "mailmag_total",
    "○健康保険委員 委嘱数": "iin_new", "○健康保険委員 委嘱事業所数": "iin_companies",
    "○健康保険委員 カバー率": "iin_coverage", "○超過勤務時間": "overtime",
    "○一般競争入札": "tender_general",
    # seed 004's section titles
    "○郵送化率（業務グループ）": "mail_rate",
    "○サービス水準の向上（業務グループ）": None,
    "○現金給付の適正化の推進（業務グループ）": None,
    "○限度額適用認定証の利用促進（業務グループ）": "limit_cert_applications",
    "○業務の標準化": None,
    "■ 超過勤務時間": "overtime",
    "◆返納金債権回収率": "debt_recovery_rate",
}

# code, 名称, group, unit, kind – domain.md's table
DOMAIN = """
ss_rate サービススタンダード達成率 業務 % ratio
ss_sickness 傷病手当金（決定件数） 業務 件 count
ss_maternity 出産手当金（決定件数） 業務 件 count
ss_childbirth 出産育児一時金（決定件数） 業務 件 count
ss_childbirth_family 家族出産育児一時金（決定件数） 業務 件 count
ss_burial 埋葬料（費）（決定件数） 業務 件 count
ss_burial_family 家族埋葬料（決定件数） 業務 件 count
ss_total 現金給付_決定件数_合計 業務 件 count
ss_avg_days サービススタンダード平均所要日数 業務 日 average
mail_rate 郵送化率 業務 % ratio
counter_count 窓口件数 業務 件 count
mail_count 郵送件数 業務 件 count
judo_inquiry_rate 柔整_患者照会率 業務 % ratio
judo_multi_freq 柔整_多部位・頻回_件数 業務 件 count
judo_inquiries 柔整_患者照会数 業務 件 count
judo_answers 柔整_回答件数 業務 件 count
judo_amount_per_case 柔整_支給金額／件 業務 円 ratio
judo_paid_count 柔整_支給件数 業務 件 count
judo_paid_amount 柔整_支給金額 業務 円 amount
judo_multi_freq_ratio 柔整_多・頻／件 業務 % ratio
judo_applications 柔整_申請件数 業務 件 count
pt_meetings 保険給付適正化PT会議_実施日 業務 回 event
interview_committee 面接確認委員会_実施日 業務 回 event
limit_cert_applications 限度額適用認定証_申請件数 業務 件 count
receipt_assessment_rate レセプト内容点検_査定率（累計） レセプト % cumulative
receipt_amount_per_case 再審査レセプト1件当たり査定額（累計） レセプト 円 cumulative
card_recovery_rate 資格喪失後1か月以内の保険証回収率（累計） レセプト % cumulative
debt_recovery_rate 返納金債権回収率（累計） レセプト % cumulative
decl_new 健康宣言事業所_新規（単月） 保健 事業所 count
decl_total 健康宣言事業所数（累計） 保健 事業所 cumulative
decl_standardized 標準化された健康宣言事業所数 保健 事業所 cumulative
generic_rate ジェネリック医薬品使用割合（数量ベース） 企画総務 % stock
mailmag_new メールマガジン_新規登録（単月・純増） 企画総務 件 count
mailmag_total メールマガジン_登録件数（累計） 企画総務 件 cumulative
iin_new 健康保険委員_委嘱数（単月・純増） 企画総務 人 count
iin_companies 健康保険委員_委嘱事業所数 企画総務 事業所 stock
iin_coverage 健康保険委員_カバー率 企画総務 % stock
overtime 超過勤務時間（月平均） 全グループ h:mm duration
tender_general 一般競争入札_件数 企画総務 件 count
tender_single_bid 一者応札_件数 企画総務 件 count
tender_single_bid_rate 一者応札割合 企画総務 % ratio
"""
DOMAIN_ROWS = [line.split() for line in DOMAIN.strip().splitlines()]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


# --- the sample workbook --------------------------------------------------------------------
@pytest.mark.parametrize(("title", "label"), list(WORKBOOK))
def test_workbook_label_resolves(cat, title, label):
    assert cat.resolve(label, title).code == WORKBOOK[title, label]


@pytest.mark.parametrize("title", list(TITLES))
def test_title_resolves(cat, title):
    assert cat.resolve_title(title).code == TITLES[title]


def _workbook_pairs(path: Path) -> set[tuple[str, str]]:
    """(title, caption) and (title, row label) of every block, fiscal-year labels left out."""
    pairs, fy = set(), re.compile(r"^(令和|平成|R)\S*年度$")
    for ws in openpyxl.load_workbook(path, read_only=True, data_only=True):
        title, in_block = "", False
        for row in ws.iter_rows(values_only=True):
            first = "" if row[0] is None else str(row[0]).strip()
            rest = [v for v in row[1:] if v is not None]
            if any(str(v).startswith("4月") for v in rest):           # month header
                in_block = True
                labels = [first]
            elif not first and not rest:                               # blank row ends a block
                in_block = False
                continue
            elif not rest:                                             # title line
                title, in_block = first, False
                continue
            else:
                labels = [first] if in_block else []
            pairs |= {(title, lab) for lab in labels if not fy.match(lab)}
    return pairs


@pytest.mark.skipif(SAMPLE is None, reason="sample workbook not found")
def test_table_covers_every_block_and_row_of_the_sample_workbook():
    assert _workbook_pairs(SAMPLE) == set(WORKBOOK)


# --- context, variants, ambiguity ---------------------------------------------------------------
@pytest.mark.parametrize(("title", "label", "code"), [
    ("○サービス水準の向上（業務グループ）", "合計", "ss_total"),           # seed 004's titles
    ("○サービス水準の向上（業務グループ）", "郵送化率", "mail_rate"),
    ("○現金給付の適正化の推進（業務グループ）", "多・頻件数", "judo_multi_freq"),
    ("○限度額適用認定証の利用促進（業務グループ）", "申請件数", "limit_cert_applications"),
    ("", "柔整 申請件数", "judo_applications"),
    ("", "支給金額／件", "judo_amount_per_case"),
    ("", "柔整 支給金額／件", "judo_amount_per_case"),
    ("", "金額/件", "judo_amount_per_case"),
    ("", "出産育児一時金", "ss_childbirth"),
    ("", "現金給付 決定件数 合計", "ss_total"),
    ("", "サービススタンダード達成率", "ss_rate"),
    ("", "多部位・頻回件数", "judo_multi_freq"),
    ("", "レセプト内容点検 査定率", "receipt_assessment_rate"),
    ("", "査定率（累計）", "receipt_assessment_rate"),
    ("", "一者応札割合", "tender_single_bid_rate"),
    ("", "委嘱数単月", "iin_new"),
    ("", "mail_rate", "mail_rate"),                                    # the code itself
    ("令和6年度 群馬支部 事業計画 月次実績（企画総務）", "一者応札", "tender_single_bid"),
])
def test_more_labels(cat, title, label, code):
    assert cat.resolve(label, title).code == code


@pytest.mark.parametrize(("label", "variant"), [
    ("埋葬料（費）", "埋葬料(費)"), ("埋葬料（費）", "埋葬料 （費）"), ("埋葬料（費）", "埋葬料【費】"),
    ("カバー率", "ｶﾊﾞｰ率"), ("カバー率", " カバー率　"), ("金額/件(円)", "金額／件（円）"),
    ("金額/件(円)", "金額/件"), ("保険給付適正化PT会議", "保険給付適正化ＰＴ会議"),
    ("多・頻件数", "多･頻件数"), ("再審査レセプト1件当たり査定額", "再審査レセプト１件当たり査定額"),
    ("郵送化率", "○郵送化率"), ("郵送化率", "【郵送化率】"), ("郵送化率", "郵送化率(%)"),
])
def test_variants_resolve_the_same(cat, label, variant):
    assert normalize_label(label) == normalize_label(variant)
    assert cat.resolve(variant).code == cat.resolve(label).code is not None


def test_normalize_keeps_long_vowel_and_thousand_yen():
    assert normalize_label("ｶﾊﾞｰ率") == "カバー率"
    assert normalize_label("支給金額(千円)") != normalize_label("支給金額(円)")


@given(st.text(alphabet="○【】（）() 　／/ｶﾊﾞｰ率ーＡa円件%※:：・-－１1", max_size=12) | st.text(max_size=12))
def test_normalize_is_idempotent(text):
    once = normalize_label(text)
    assert normalize_label(once) == once


def test_unknown_label(cat):
    assert cat.resolve("特定健診受診率", "○サービススタンダード") == Resolution(None, ())
    assert not cat.resolve("令和５年度").ok


def test_shared_label_without_title_is_ambiguous(cat):
    res = cat.resolve("申請件数")
    assert res.code is None
    assert set(res.candidates) == {"judo_applications", "limit_cert_applications"}


@pytest.mark.parametrize(("title", "code"), [
    ("令和６年度　平均所要日数　支部別一覧", "ss_avg_days"),
    ("R6 平均所要日数 推移", "ss_avg_days"),
    ("R6年度 郵送化率の状況", "mail_rate"),
    ("2024年度 郵送化率 集計表", "mail_rate"),
    ("令和元年度 返納金債権回収率（全支部）", "debt_recovery_rate"),
    ("平成３１年度　健康宣言事業所数　一覧表", "decl_total"),
    ("ＲＸ 平均所要日数 推移", None),                         # not a fiscal year: nothing taken off
    ("令和6年度 サービススタンダードの達成状況", "ss_rate"),    # 状況 kept where it is the name
    ("令和6年度 支部別一覧", None),
])
def test_table_titles_as_people_write_them(cat, title, code):
    assert cat.resolve_title(title).code == code


def test_title_forms_take_off_year_and_table_words():
    assert title_forms("令和６年度　平均所要日数　支部別一覧") == [
        "令和6年度平均所要日数支部別一覧", "平均所要日数支部別一覧", "平均所要日数支部別", "平均所要日数"]
    assert title_forms("郵送化率") == ["郵送化率"]


def test_candidates_of_labels_and_titles(cat):
    assert cat.candidates("申請件数") == ["judo_applications", "limit_cert_applications"]
    assert cat.candidates("令和６年度　申請件数　支部別一覧") == ["judo_applications", "limit_cert_applications"]
    assert cat.candidates("申請件数", "○限度額適用認定証") == ["judo_applications", "limit_cert_applications"]
    assert cat.resolve("申請件数", "○限度額適用認定証").code == "limit_cert_applications"
    assert cat.candidates("郵送化率") == ["mail_rate"]
    assert cat.candidates("謎の指標") == []
    # a mapping settles the ambiguous title, for any year
    mapped = cat.with_aliases({"申請件数": "judo_applications"})
    assert mapped.resolve_title("令和７年度 申請件数 支部別一覧").code == "judo_applications"


def test_generic_caption_uses_the_title(cat):
    assert cat.resolve("累計", "○保険証回収率").code == "card_recovery_rate"
    assert cat.resolve("累計", "").code is None
    assert "合計" not in GENERIC_CAPTIONS and "累計" in GENERIC_CAPTIONS


def test_a_lone_match_contradicted_by_the_title_is_doubtful(cat):
    assert cat.resolve("合計", "○メールマガジン 登録件数") == Resolution(None, ("ss_total",))
    assert cat.resolve("割合", "○ジェネリック医薬品使用割合") == Resolution(None, ("tender_single_bid_rate",))
    assert cat.resolve("合計").code == "ss_total"


def test_extra_aliases(cat):
    assert cat.resolve("柔整 照会件数計").code is None
    more = cat.with_aliases({normalize_label("柔整 照会件数計"): "judo_inquiries"})
    assert more.resolve("柔整照会件数計").code == "judo_inquiries"
    assert cat.resolve("柔整 照会件数計").code is None                  # the original is unchanged
    # a learned mapping breaks a tie the title cannot, but not the title's own verdict
    pref = Catalogue(cat, {"申請件数": "limit_cert_applications"})
    assert pref.resolve("申請件数").code == "limit_cert_applications"
    assert pref.resolve("申請件数", "○柔道整復 多部位・頻回").code == "judo_applications"
    # a learned mapping overrides the title veto
    assert cat.with_aliases({"合計": "ss_total"}).resolve("合計", "○メールマガジン").code == "ss_total"
    with pytest.raises(ValueError, match="no_such"):
        cat.with_aliases({"x": "no_such"})


# --- loading ------------------------------------------------------------------------------------
def _write(tmp_path: Path, entries, name="extra.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def test_extra_file_adds_an_indicator_and_an_alias(tmp_path):
    path = _write(tmp_path, [
        {"code": "newsletter_sent", "name": "健康保険委員だより 発送部数", "group": "企画総務",
         "unit": "部", "kind": "count", "aliases": ["健康保険委員だより"]},
        {"code": "mail_rate", "aliases": ["郵送申請率"]},
    ])
    cat = load_catalogue(path, extra_aliases={"窓口受付": "counter_count"})
    assert len(cat) == 42 and "newsletter_sent" in cat
    assert list(cat)[-1].code == "newsletter_sent"
    assert cat.resolve("健康保険委員だより").code == "newsletter_sent"
    assert cat["newsletter_sent"].scale == 1 and cat["newsletter_sent"].higher_is_better
    assert cat.resolve("郵送申請率").code == "mail_rate"
    assert "郵送化率" in cat["mail_rate"].aliases                      # merged, not replaced
    assert cat["mail_rate"].numerator == "mail_count"
    assert cat.resolve("窓口受付").code == "counter_count"


@pytest.mark.parametrize(("entries", "message"), [
    ([{"code": "x", "name": "X", "group": "業務", "unit": "件", "kind": "sum"}], "kind"),
    ([{"code": "x", "name": "X", "group": "業務", "kind": "count"}], "unit"),
    ([{"code": "x", "name": "X", "group": "本部", "unit": "件", "kind": "count"}], "group"),
    ([{"code": "x", "name": "X", "group": "業務", "unit": "%", "kind": "ratio",
       "numerator": "mail_count", "denominator": ["nowhere"]}], "nowhere"),
    ([{"code": "x", "name": "X", "group": "業務", "unit": "件", "kind": "count"}] * 2, "重複|duplicate"),
    ([{"code": "x", "name": "X", "group": "業務", "unit": "件", "kind": "count", "alias": []}], "unknown fields"),
    ([{"code": "x", "name": "X", "group": "業務", "unit": "件", "kind": "count", "aliases": ["累計"]}], "generic"),
    ([{"code": "mail_rate", "denominator": []}], "both"),
    ({"code": "x"}, "list"),
])
def test_invalid_files_raise(tmp_path, entries, message):
    path = _write(tmp_path, entries, "bad.json")
    with pytest.raises(ValueError, match=message) as err:
        load_catalogue(path)
    assert "bad.json" in str(err.value)


def test_invalid_json_raises(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.json"):
        load_catalogue(path)


# --- the built-in catalogue -------------------------------------------------------------------
def test_domain_codes_units_and_kinds(cat):
    assert [i.code for i in cat] == [row[0] for row in DOMAIN_ROWS]
    for code, name, group, unit, kind in DOMAIN_ROWS:
        ind = cat[code]
        assert (ind.name, ind.group, ind.unit, ind.kind) == (name.replace("_", " "), group, unit, kind)


@pytest.mark.skipif(not DOMAIN_MD.exists(), reason="domain.md not available")
def test_matches_domain_md_table(cat):
    rows = re.findall(r"^\| (\w+) \| (.+?) \| (.+?) \| (.+?) \| (\w+)", DOMAIN_MD.read_text("utf-8"), re.M)
    rows = [r for r in rows if r[0] != "code" and r[0] in {row[0] for row in DOMAIN_ROWS}]
    assert len(rows) == 41
    for code, name, group, unit, kind in rows:
        assert (cat[code].name, cat[code].group, cat[code].unit, cat[code].kind) == (name, group, unit, kind)


def test_ratio_parts_exist_and_match_domain(cat):
    parts = {c: (i.numerator, i.denominator, i.scale) for c, i in ((i.code, i) for i in cat) if i.is_ratio_with_parts}
    assert parts == {
        "mail_rate": ("mail_count", ("mail_count", "counter_count"), 100),
        "judo_inquiry_rate": ("judo_inquiries", ("judo_applications",), 100),
        "judo_amount_per_case": ("judo_paid_amount", ("judo_paid_count",), 1),
        "judo_multi_freq_ratio": ("judo_multi_freq", ("judo_applications",), 100),
        "tender_single_bid_rate": ("tender_single_bid", ("tender_general",), 100),
    }
    for ind in cat:
        assert all(ref in cat for ref in ind.references)
    assert not cat["ss_rate"].is_ratio_with_parts and cat["ss_rate"].kind == "ratio"
    assert cat["ss_avg_days"].weight == "ss_total"
    assert len(cat["ss_total"].sum_of) == 6
    assert [i.code for i in cat if i.quarterly] == ["iin_coverage"]


def test_directions(cat):
    lower = {i.code for i in cat if not i.higher_is_better}
    assert {"ss_avg_days", "counter_count", "judo_multi_freq", "judo_multi_freq_ratio",
            "judo_amount_per_case", "tender_single_bid_rate", "overtime",
            "limit_cert_applications"} <= lower
    assert not lower & {"ss_rate", "mail_rate", "judo_inquiry_rate", "debt_recovery_rate",
                        "card_recovery_rate", "generic_rate", "decl_total", "decl_new",
                        "decl_standardized", "iin_coverage"}


def test_only_one_built_in_label_is_shared(cat):
    shared = {}
    for ind in cat:
        for word in {normalize_label(w) for w in (ind.name, *ind.aliases)}:
            shared.setdefault(word, []).append(ind.code)
    assert {w: c for w, c in shared.items() if len(c) > 1} == {
        "申請件数": ["judo_applications", "limit_cert_applications"]}


def test_indicator_is_frozen(cat):
    with pytest.raises(AttributeError):
        cat["mail_rate"].unit = "件"          # type: ignore[misc]
    assert isinstance(cat["mail_rate"], Indicator) and cat.get("nope") is None
