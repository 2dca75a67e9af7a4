"""点検: each plausibility rule on both sides of its threshold, the overrides kept with the
catalogue, and an import that trips warnings (stored, every warning named at its cell)."""
from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from app.core.catalogue import load_catalogue
from app.core.plausibility import check_rank, check_row, rules_for

CAT = load_catalogue()


def rules_hit(code, months, **kw):
    return [(f.month, f.rule) for f in check_row(CAT[code], months, **kw)]


@pytest.mark.parametrize("code, value, hit", [
    ("mail_rate", 100, False), ("mail_rate", 100.1, True),          # a rate above 100 %
    ("mail_rate", 0, False), ("mail_rate", -0.1, True),
    ("ss_sickness", 0, False), ("ss_sickness", -1, True),           # a count below zero
    ("judo_paid_amount", -1, True), ("judo_amount_per_case", 1e9, False),  # 円: no upper bound
    ("mailmag_new", -2, False),                                     # 純増: may be negative (override)
])
def test_range(code, value, hit):
    assert (rules_hit(code, {4: value}) == [(4, "range")]) is hit


@pytest.mark.parametrize("code, value, hit", [
    ("ss_sickness", 12, False), ("ss_sickness", 12.5, True),        # 件
    ("iin_companies", 3.5, True), ("ss_avg_days", 6.25, False),      # 事業所; an average of days
    ("mail_rate", 93.5, False),
])
def test_whole_counts(code, value, hit):
    assert ((4, "integer") in rules_hit(code, {4: value})) is hit


def test_a_ratio_typed_as_a_fraction():
    row = {4: 93.1, 5: 94.0, 7: 93.8}
    assert rules_hit("mail_rate", {**row, 6: 0.935}) == [(6, "fraction")]
    assert rules_hit("mail_rate", {**row, 6: 1.0}) == [(6, "jump")]   # 1 % is 1 % (a jump, not a fraction)
    assert rules_hit("receipt_assessment_rate", {4: 0.31, 5: 0.28}) == []   # a small rate stays small
    assert rules_hit("mail_rate", {6: 0.935}) == []                 # nothing to compare with


def test_jumps_against_neighbours_and_last_year():
    last = {4: 3000, 5: 3100, 6: 3050}
    assert rules_hit("ss_sickness", {4: 3000, 5: 9301, 6: 2990}, last_year=last) == [(5, "jump")]
    assert rules_hit("ss_sickness", {4: 3100, 5: 9300, 6: 3100}, last_year=last) == []   # exactly 3×
    assert rules_hit("ss_sickness", {4: 3000, 5: 999, 6: 3000}, last_year=last) == [(5, "jump")]
    assert rules_hit("ss_sickness", {4: 3000, 5: 1000, 6: 3000}, last_year=last) == []
    # the same month last year was as high: not a jump
    assert rules_hit("ss_sickness", {4: 3000, 5: 9301, 6: 2990}, last_year={5: 8800}) == []
    assert rules_hit("ss_sickness", {4: 3, 5: 0, 6: 2}) == []        # small counts: no news
    assert rules_hit("pt_meetings", {4: 1, 5: 9, 6: 1}) == []        # events: no jump rule


def test_cumulative_counts_only_rise():
    assert rules_hit("decl_total", {4: 1391, 5: 1388}) == [(5, "falls")]
    assert rules_hit("decl_total", {4: 1391, 5: 1391}) == []
    assert rules_hit("card_recovery_rate", {4: 85.2, 5: 85.1}) == []  # a cumulative rate may fall
    assert rules_hit("mailmag_total", {4: 3645, 5: 3644}) == []       # net registrations (override)


def test_parts_and_total():
    ss = ("ss_sickness", "ss_maternity", "ss_childbirth", "ss_childbirth_family", "ss_burial", "ss_burial_family")
    parts = {c: {4: 10} for c in ss}
    assert rules_hit("ss_total", {4: 60}, parts=parts) == []
    assert rules_hit("ss_total", {4: 61}, parts=parts) == [(4, "parts")]
    assert rules_hit("ss_total", {4: 61}, parts={**parts, "ss_burial": {}}) == []   # a part missing


def test_ratio_against_its_parts():
    parts = {"mail_count": {4: 935}, "counter_count": {4: 65}}
    assert rules_hit("mail_rate", {4: 93.5}, parts=parts) == []
    assert rules_hit("mail_rate", {4: 93.6}, parts=parts) == [(4, "parts")]


def test_ranks():
    assert check_rank(1) is None and check_rank(47) is None and check_rank(None) is None
    assert "1〜47" in check_rank(48) and check_rank(0) and check_rank(2.5)


def test_reasons_are_japanese_and_name_the_month():
    (flag,) = check_row(CAT["ss_sickness"], {10: 12.5})
    assert flag.reason == "10月 12.5: 件数に小数があります"


def test_overrides_are_data(tmp_path):
    extra = tmp_path / "mine.json"
    extra.write_text(json.dumps([{"code": "mail_rate", "plausibility": {"max": 200, "jump": None}}]), encoding="utf-8")
    cat = load_catalogue(extra)
    assert rules_for(cat["mail_rate"]).maximum == 200 and rules_for(cat["mail_rate"]).jump is None
    assert check_row(cat["mail_rate"], {4: 150}) == []
    new = tmp_path / "new.json"                       # a new indicator gets the rules of its kind and unit
    new.write_text(json.dumps([{"code": "x_count", "name": "新しい件数", "group": "業務", "unit": "件",
                                "kind": "count"}]), encoding="utf-8")
    assert [f.rule for f in check_row(load_catalogue(new)["x_count"], {4: -1.5})] == ["range", "integer"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "mail_rate", "plausibility": {"maximum": 1}}]), encoding="utf-8")
    with pytest.raises(ValueError, match="未知の規則 'maximum'"):
        load_catalogue(bad)


def test_import_tripping_warnings_stores_every_value_and_names_each_cell(tmp_path, capsys):
    from app.cli.main import main
    from tests.importers.build import Block, Row, one_block, twelve

    path = one_block(tmp_path / "odd.xlsx", Block("○サービス", "令和６年度", (
        Row("傷病手当金", "ss_sickness", 2024, twelve(3000, 12.5, 3100, 2990, *[None] * 8)),
        Row("郵送化率", "mail_rate", 2024, twelve(93.1, 150, 94.0, 93.9, *[None] * 8)),
        Row("窓口件数", "counter_count", 2024, twelve(541, 453, 4000, 384, *[None] * 8)),
    )))
    db = tmp_path / "t.sqlite3"
    assert main(["--db", str(db), "import", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    report = report["files"][0] if "files" in report else report
    warned = [(w["cell"], w["message"]) for w in report["warnings"] if w["message"].startswith("点検")]
    assert sorted(warned) == [
        ("C5", "点検: 傷病手当金（決定件数） 5月 12.5: 件数に小数があります"),
        ("C5", "点検: 傷病手当金（決定件数） 5月 12.5: 前後の月・前年同月（3,000、3,100）と大きく違います"),
        ("C6", "点検: 郵送化率 5月 150%: 100% を超えています"),
        ("D7", "点検: 窓口件数 6月 4,000: 前後の月・前年同月（453、384）と大きく違います")]
    assert main(["--db", str(db), "import", str(path), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "odd.xlsx:Sheet!C5: 点検: 傷病手当金（決定件数） 5月 12.5: 件数に小数があります (警告)" in err
    assert main(["--db", str(db), "values", "--indicator", "ss_sickness", "--format", "csv"]) == 0
    assert "10,2024,5,ss_sickness,12.5" in capsys.readouterr().out
