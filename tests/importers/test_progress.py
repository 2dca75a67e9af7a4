"""The progress sheet (layout E, seed 004's form) imports: the plan with its rated rows, the month
tables between the rows, and — when filled — the quarter's texts, ratings and ranks. Proved on
sheets built here in several shapes (columns moved or added, merged or not, full-width text,
another quarter), blank and filled; bad cells named; re-import changes nothing; undo removes it."""
import json

import pytest

from app.cli.main import main
from app.operations import ops
from app.operations.imports import read_workbook
from app.reads.queries import monthly_values, plan_items, row_statuses
from app.reads.ratings import row_counts
from tests.importers.build import (
    Block, ProgressItem, ProgressLayout, RatedLine, Row, catalogue, full_width, twelve, write_progress,
)

MAIL = Block(None, "令和６年度", (
    Row("郵送化率", "mail_rate", 2024, twelve(93.5, 93.8, 94.7, 94.7, 93.6, 95.1, 94.1, 94.5, 94.8, 94.0, 94.7, 93.9)),
    Row("窓口件数", "counter_count", 2024, twelve(541, 453, 359, 384, 429, 393, 419, 374, 347, 438, 366, 466))), "計")


def entries(filled=True):
    f = (lambda *v: v) if filled else (lambda *v: (None,) * len(v))
    return [
        "１．基盤的保険者機能関係",
        ProgressItem(1, "サービス水準の向上【困難度：高】", (
            RatedLine("（１）現金給付の標準期間（サービススタンダード：10日間）を遵守する。\n"
                      "【KPI】【業績評価】サービススタンダードの達成状況を100％とする。", *f("毎月達成した。", "〇", None)),
            RatedLine("（２）郵送による申請を促進する。", *f("・広報した\n・窓口で案内した", "△", "（27位）")),
            RatedLine("【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。"),
            MAIL,
            RatedLine(None, *f("※郵送化率は年度末で94.3％", None, None)),
            RatedLine("【業績評価】事務処理誤り発生件数状況", *f("発生なし", "◎", "1位")),
        ), group="業務グループ", heading="○サービス水準の向上（業務グループ）"),
        ProgressItem(2, "業務改革の推進", (
            RatedLine("（１）業務の標準化を推進する。", *f("マニュアルを見直した", "○", 27)),
            RatedLine("（２）相談体制を整備する。", *f("", "□", None)),
        ), group="業務グループ"),
        "２．戦略的保険者機能関係",
        ProgressItem(3, "ジェネリック医薬品の使用促進", (
            RatedLine("①通知を送る。"),
            RatedLine("②セミナーを開く。", *f("開いた", "○", "３位")),
        ), group="保健グループ", heading="○ジェネリック（保健グループ）"),
    ]


EXPECTED_ROWS = [      # (item, row, tags, first plan line, rating, rank, text)
    (1, 1, ("KPI", "業績評価"), "（１）現金給付の標準期間（サービススタンダード：10日間）を遵守する。", "○", None, "毎月達成した。"),
    (1, 2, ("KPI",), "（２）郵送による申請を促進する。", "△", 27, "・広報した\n・窓口で案内した\n※郵送化率は年度末で94.3％"),
    (1, 3, ("業績評価",), "【業績評価】事務処理誤り発生件数状況", "◎", 1, "発生なし"),
    (2, 1, (), "（１）業務の標準化を推進する。", "○", 27, "マニュアルを見直した"),
    (2, 2, (), "（２）相談体制を整備する。", "□", None, ""),
    (3, 1, (), "①通知を送る。", None, None, ""),
    (3, 2, (), "②セミナーを開く。", "○", 3, "開いた"),
]

SHAPES = {
    "as headquarters lays it out": ProgressLayout(),
    "columns moved, 担当 added, nothing merged, header lower": ProgressLayout(
        columns=("group", "no", "title", "plan", "rating", "rank", "progress"), header_row=6, merge=False),
    "full-width text, tables to the right": ProgressLayout(text=lambda t: full_width(t) if t.isascii() else t,
                                                          table_column=9),
}


def _who(db):
    return "admin" if db.is_sqlite else None


def stored_rows(db, quarter):
    items = plan_items(db, "10", 2024)
    got = row_statuses(db, [r.id for i in items for r in i.rows], quarter)
    out = []
    for i in items:
        for r in i.rows:
            st = got.get(r.id)
            out.append((i.item_no, r.position, r.tags, r.plan_text.splitlines()[0], st.rating if st else None,
                        st.national_rank if st else None, st.progress_text if st else ""))
    return out


@pytest.mark.parametrize("shape", SHAPES)
def test_a_filled_sheet_in_any_shape_reads_as_its_rows(tmp_path, shape):
    ext = read_workbook(write_progress(tmp_path / "p.xlsx", entries(), layout=SHAPES[shape]), catalogue())
    assert ext.layout == "progress" and not ext.errors, [p.line() for p in ext.errors]
    assert (ext.branch, ext.fiscal_year, ext.quarter) == ("10", 2024, 4)
    got = [(st.item_no, st.position, st.rating, st.rank, st.text) for st in ext.statuses]
    assert got == [(i, r, m, k, t) for i, r, _, _, m, k, t in EXPECTED_ROWS]
    item1 = ext.plan[0]
    assert (item1.title, item1.owner_group, item1.difficult, item1.pillar_no) == ("サービス水準の向上", "業務グループ", True, 1)
    assert [k.indicator for k in item1.kpis] == ["ss_rate", "mail_rate"] and [r.kpis for r in item1.rows] == [(1,), (2,), ()]
    assert (ext.plan[2].pillar_no, ext.plan[2].owner_group) == (2, "保健グループ")
    assert sorted({(v.indicator, v.fiscal_year) for v in ext.values}) == [("counter_count", 2024), ("mail_rate", 2024)]
    assert len([v for v in ext.values if v.month]) == 24


def test_a_filled_sheet_is_stored_counted_reimported_unchanged_and_undone(empty_db, tmp_path):
    path = write_progress(tmp_path / "p.xlsx", entries(), count={"全体": {"◎": 1, "○": 3, "△": 1, "□": 1},
                                                                 "KPI": {"○": 1, "△": 1}})
    report = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))
    assert report.stored and not report.errors, [p.line() for p in report.errors]
    assert (report.quarter, report.row_statuses, report.plan_items) == (4, 6, 3)     # 3-1 has nothing yet
    assert report.warnings == []                                  # the printed count agrees with the rows
    assert stored_rows(empty_db, 4) == EXPECTED_ROWS
    counts = row_counts(empty_db, "10", 2024, 4)
    assert (counts.all, counts.kpi, counts.unrated, counts.total) == (
        {"◎": 1, "○": 3, "△": 1, "×": 0, "□": 1}, {"◎": 0, "○": 1, "△": 1, "×": 0, "□": 0}, 1, 7)
    assert len(monthly_values(empty_db, "10", 2024)) == 24
    again = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))
    assert not again.stored and again.row_statuses == 0 and again.plan_items == 0 and again.inserted == 0
    ops.undo_import(empty_db, report.batch_id, who=_who(empty_db))
    assert plan_items(empty_db, "10", 2024) == [] and monthly_values(empty_db, "10", 2024) == []


def test_a_blank_sheet_stores_the_plan_and_no_quarter(empty_db, tmp_path):
    path = write_progress(tmp_path / "p.xlsx", entries(filled=False), as_of=None)
    report = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))
    assert report.stored and not report.errors and report.row_statuses == 0
    assert [(i, r, t, p) for i, r, t, p, *_ in stored_rows(empty_db, 4)] == [e[:4] for e in EXPECTED_ROWS]
    assert row_counts(empty_db, "10", 2024, 4).unrated == 7


def test_the_quarter_comes_from_the_command_line_when_the_title_has_no_as_of_month(empty_db, tmp_path):
    path = write_progress(tmp_path / "p.xlsx", entries(), as_of=None)
    refused = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))
    assert not refused.stored and [p.line() for p in refused.errors] == [
        "p.xlsx:進捗状況!C7: どの四半期の進捗状況か分かりません (タイトルに「令和7年3月末現在」などがありません)。"
        "--quarter で指定してください"]
    assert plan_items(empty_db, "10", 2024) == []
    assert ops.import_workbook(empty_db, path, "10", who=_who(empty_db), quarter=2).stored
    assert stored_rows(empty_db, 2) == EXPECTED_ROWS and row_counts(empty_db, "10", 2024, 4).unrated == 7
    with_as_of = write_progress(tmp_path / "q.xlsx", entries(), as_of="令和6年9月末現在")
    assert read_workbook(with_as_of, catalogue()).quarter == 2


def test_bad_marks_and_ranks_are_named_by_cell_and_nothing_is_stored(empty_db, tmp_path):
    bad = entries()
    bad[1] = ProgressItem(1, "サービス水準の向上", (RatedLine("（１）標準期間を守る。", "した", "A", "48位"),
                                                     RatedLine("（２）郵送。", "した", "○", "上位")))
    report = ops.import_workbook(empty_db, write_progress(tmp_path / "p.xlsx", bad), "10", who=_who(empty_db))
    assert [p.line() for p in report.errors] == [
        "p.xlsx:進捗状況!E6: 評価 'A' は ◎ ○ △ × □ のいずれでもありません",
        "p.xlsx:進捗状況!F6: 全国順位 '48位' は 1〜47 の順位ではありません (「27位」「27」など)",
        "p.xlsx:進捗状況!F7: 全国順位 '上位' は 1〜47 の順位ではありません (「27位」「27」など)"]
    assert not report.stored and plan_items(empty_db, "10", 2024) == []


def test_progress_prints_the_rows_and_the_closing_count(empty_db, tmp_path, capsys):
    ops.import_workbook(empty_db, write_progress(tmp_path / "p.xlsx", entries()), "10", who=_who(empty_db))
    url = empty_db.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "progress", "--fy", "2024", "--quarter", "4", "--branch", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "item_no,row,tags,plan,rating,national_rank,text"
    assert lines[1].startswith("1,1,KPI+業績評価,\"（１）現金給付") and lines[-1] == "3,2,,②セミナーを開く。,○,3,開いた"
    assert main(["--db", url, "progress", "--fy", "令和6年度", "--quarter", "4", "--format", "json", "--branch", "10"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["counts"] == {"全体": {"◎": 1, "○": 3, "△": 1, "×": 0, "□": 1}, "KPI": {"◎": 0, "○": 1, "△": 1, "×": 0, "□": 0}}
    assert got["unrated"] == 1 and len(got["rows"]) == 7
    assert got["rows"][1] == {"item_no": 1, "row": 2, "tags": ["KPI"], "plan": "（２）郵送による申請を促進する。\n"
                              "【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。", "rating": "△", "national_rank": 27,
                              "text": "・広報した\n・窓口で案内した\n※郵送化率は年度末で94.3％"}


def test_a_printed_count_that_differs_from_the_rows_read_is_a_warning_naming_its_cell(tmp_path):
    path = write_progress(tmp_path / "p.xlsx", entries(), count={"全体": {"◎": 1, "○": 4, "△": 1, "□": 1},
                                                                 "KPI": {"○": 1, "△": 1}})
    ext = read_workbook(path, catalogue())
    assert [p.line() for p in ext.warnings] == [
        "p.xlsx:進捗状況!C25: 評価の集計の全体 ○ 4 と、読み取った評価行の ○ 3 が一致しません"]


def test_the_month_tables_under_an_item_become_the_indicators_it_keeps(empty_db, tmp_path):
    from app.reads.queries import item_indicators, kept_indicators

    path = write_progress(tmp_path / "p.xlsx", entries(), layout=SHAPES["columns moved, 担当 added, nothing merged, header lower"])
    report = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))
    items = {i.item_no: i for i in plan_items(empty_db, "10", 2024)}
    assert kept_indicators(empty_db, [i.id for i in items.values()]) == {items[1].id: ["mail_rate", "counter_count"]}
    assert item_indicators(empty_db, items[2]) == []          # no table under it: its KPIs' (none)
    ops.set_item_indicators(empty_db, items[1].id, ["mail_rate", "ss_rate"], who=_who(empty_db))
    again = ops.import_workbook(empty_db, path, "10", who=_who(empty_db))      # the sheet's first, the user's kept
    assert again.plan_items == 1 and item_indicators(empty_db, items[1]) == ["mail_rate", "counter_count", "ss_rate"]
    assert ops.import_workbook(empty_db, path, "10", who=_who(empty_db)).plan_items == 0
    ops.undo_import(empty_db, again.batch_id, who=_who(empty_db))
    assert item_indicators(empty_db, items[1]) == ["mail_rate", "ss_rate"]
    ops.set_item_indicators(empty_db, items[1].id, ["mail_rate", "counter_count"], who=_who(empty_db))
    ops.undo_import(empty_db, report.batch_id, who=_who(empty_db))
    assert plan_items(empty_db, "10", 2024) == [] and kept_indicators(empty_db, [items[1].id]) == {}
