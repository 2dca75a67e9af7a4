"""What every page of the documents says (issue 21, points 3 and 7), read from the document model
and the workbook as seed 002 (実施状況), seed 004 (進捗状況) and seed 001 (目標達成状況) print
them: the rated rows' texts under their sub-point marks, each KPI sentence once, the summary's
取組内容・結果 from the rows where the year text is empty, month tables only with figures and with
their unit, units on ■ lines, and no placeholder on any page of any kind, 第1–第4四半期."""
import re

import openpyxl
import pytest

from app.documents.build import build
from app.documents.kinds import KINDS
from app.documents.report import Section, Table, monthly_table, row_mark
from app.documents.xlsx import write_xlsx
from app.operations import ops
from app.reads.figures import Figures
from app.reads.queries import plan_items

pytestmark = pytest.mark.sqlite_only

#: What no page may hold: a stand-in for something missing, a machine's text, an empty bracket.
PLACEHOLDERS = re.compile(r"結果は未入力|データなし|\bNone\b|\bnan\b|【】|（）|\(\)|\[\]")


def block(doc, item_no):
    return next(b for b in doc.blocks if b.item_no == item_no)


def table_texts(t: Table) -> list[str]:
    return [t.caption, t.note, *t.header, *(c.text for r in t.rows for c in r)]


def texts(doc) -> list[str]:
    """Every text the document prints (a block's plan and status where it has no rated rows' lines)."""
    out = [doc.title, doc.as_of]
    for b in doc.blocks:
        out += [b.heading, b.title, b.flags, b.rank.lines] + ([] if b.lines else [b.plan, b.status])
        out += [x for line in b.lines for x in (line.plan, line.status, line.rating or "", line.rank.lines)]
        for t in b.tables:
            out += table_texts(t)
        for p in b.parts:
            out += [p.heading, p.text] if isinstance(p, Section) else table_texts(p) if isinstance(p, Table) else []
    return out + (table_texts(doc.summary) if doc.summary else [])


def test_row_marks_as_seed_002_heads_its_texts():
    assert row_mark("（１）現金給付の申請受付から支給までの標準期間を遵守する。\n【KPI】…を100％とする。") == "（１）"
    assert row_mark("（５）－１柔道整復施術療養費の適正化\n【業績評価】「…減少率」") == "（５）－１柔道整復施術療養費の適正化"
    assert row_mark("（１）山崩し方式の…推進する。\n（２）職員の…推進する。\n（４）新業務システム…推進する。") == "（１）～（４）"
    assert row_mark("【KPI】① 生活習慣病予防健診受診率を61.2％以上とする。\n【業績評価】健診実施率") == "【KPI】①"
    assert row_mark("本部で作成する…図る。\n（１）加入者等に対する広報\nホームページや…") == "（１）加入者等に対する広報"
    assert row_mark("【業績評価】 内部監査の指摘等事項件数") == "【業績評価】 内部監査の指摘等事項件数"
    assert row_mark("レセプトが20枚/月以上となる多受診者に対して、適正受診を促す。") == ""


def test_the_status_column_prints_the_rated_rows_texts_under_their_marks(demo_db, tmp_path):
    doc = build(demo_db, "10", 2024, 4)
    first = block(doc, 1).status.splitlines()
    assert first[0] == "（１）" and first[1].startswith("※令和6年8月以降、家族出産一時金は出産一時金に")
    assert first[first.index("（２）") + 1].startswith("■ 郵送化率 94.3%")       # the row's KPI under its mark
    assert first[first.index("（３）") + 1].startswith("・月に一度改善ポイントを記したカード")
    health = block(doc, 10).status
    assert "⑦ ＧＩＳを活用した特定健診の受診勧奨\n県内在住の未受診被扶養者に対し、41,236人受診勧奨を実施" in health
    assert "【KPI】①\n57.1%(受診者数:150,403人)" in health
    assert block(doc, 6).status == "令和７年３月現在で１０人対応中"                  # one row, no mark
    # a row without a text or a KPI is left out: no bare mark
    assert "（５）－１柔道整復施術療養費の適正化" not in block(doc, 3).status
    ws = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "status.xlsx")).active
    cells = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "41,236人受診勧奨を実施" in cells and "・月に一度改善ポイントを記したカード" in cells


def test_an_items_text_of_before_rated_rows_is_printed_once(demo_db):
    """Migration 0008 copied each item's status text to its first row and left the old one: the
    documents print the row's."""
    item = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 2)
    ops.save_row_status(demo_db, item.rows[0].id, 3, text="業務グループ全体会議を実施")
    ops.save_status(demo_db, item.id, 3, text="業務グループ全体会議を実施")
    for kind in ("status", "progress"):
        doc = build(demo_db, "10", 2024, 3, kind)
        assert sum(t.count("業務グループ全体会議を実施") for t in texts(doc)) == 1, kind


def test_the_rows_texts_of_the_quarter_and_none_before_they_are_written(demo_db):
    q3 = build(demo_db, "10", 2024, 3)
    assert block(q3, 2).status == ""                        # the demo's texts are 第4四半期's
    assert block(q3, 1).status.splitlines()[:2] == ["（１）", "■ サービススタンダード達成率 100%（令和6年12月末現在）／目標 100% → ○"]


def test_the_plan_column_prints_each_kpi_sentence_once(demo_db):
    doc = build(demo_db, "10", 2024, 4)
    for item in plan_items(demo_db, "10", 2024):
        plan = block(doc, item.item_no).plan
        for k in item.kpis:
            assert plan.count(k.text.removeprefix("【KPI】").strip()) == 1, (item.item_no, k.text)


def test_the_summary_does_without_a_year_text_from_the_rows(demo_db):
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    ops.save_status(demo_db, items[1].id, 4, results="・郵送申請を案内した")
    doc = build(demo_db, "10", 2024, 4, "summary")
    done = {b.item_no: p.text for b in doc.blocks for p in b.parts
            if isinstance(p, Section) and p.heading == "〇令和6年度取組内容・結果"}
    assert done[1] == "・郵送申請を案内した"                                     # the year text, where written
    assert done[13].startswith("① 健康宣言事業所の拡大\n・明治安田生命へ宣言勧奨協力依頼")
    assert "■" not in done[10]                       # the results are in the measure's tables, not again here
    assert 13 in done and 21 in done and len(done) >= 19


def test_a_long_summary_text_goes_on_rows_the_workbook_can_hold(demo_db, tmp_path):
    """特定健診's rows say 40 lines and more: the workbook puts them on rows of a few lines each,
    none at the 409-point limit of a row (where the rest would be cut off), all of it there."""
    doc = build(demo_db, "10", 2024, 4, "summary")
    ws = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "summary.xlsx"))["施策別"]
    assert max(d.height or 0 for d in ws.row_dimensions.values()) < 409
    cells = "".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "マスメディア広報等による分かりやすい効果的な受診勧奨" in re.sub(r"\s", "", cells)


def test_month_tables_only_with_figures_and_with_their_unit(demo_db):
    q1 = build(demo_db, "10", 2024, 1, "progress")
    captions = [t.caption for b in q1.blocks for t in b.tables]
    assert not any(c.startswith("保険給付適正化PT会議") for c in captions)      # no figure in any year shown
    for t in (t for b in q1.blocks for t in b.tables):
        assert any(c.value is not None for r in t.rows for c in r[1:]), t.caption
        assert t.note.startswith("※令和"), t.caption
    q4 = build(demo_db, "10", 2024, 4, "progress")
    item1 = [t.caption for t in block(q4, 1).tables]
    assert "傷病手当金（決定件数）（単位：件）" in item1 and "郵送化率" in item1       # % carries its unit
    declared = next(t for b in q4.blocks for t in b.tables if t.indicator == "decl_total")
    assert declared.caption.endswith("（単位：事業所）")


def test_a_year_without_months_has_no_year_figure(demo_db):
    """保険給付適正化PT会議 (a count of events) met from January 2025: 令和7年度's first quarter has no
    month yet, so no 計 either (not 0) and no note."""
    t = monthly_table(Figures(demo_db, "10"), "pt_meetings", 2025, 1)
    assert [r[0].text for r in t.rows] == ["令和6年度", "令和7年度"]
    assert t.rows[0][-1].text == "4" and [c.text for c in t.rows[1][1:]] == ["－"] * 13 and t.note == ""


def test_month_targets_are_not_carried_to_the_next_year(demo_db):
    kpi = next(k for i in plan_items(demo_db, "10", 2024) for k in i.kpis if "健康宣言事業所数" in k.text)
    ops.set_kpi_month_target(demo_db, kpi.id, 12, "1,560")
    ops.carry_plan_over(demo_db, "10", 2025)
    carried = next(k for i in plan_items(demo_db, "10", 2025) for k in i.kpis if "健康宣言事業所数" in k.text)
    assert carried.month_targets == () and carried.text == kpi.text
    assert next(k for i in plan_items(demo_db, "10", 2024) for k in i.kpis if k.id == kpi.id).month_targets == ((12, 1560.0),)


def test_no_placeholder_on_any_page_and_units_on_kpi_lines(demo_db):
    units = {ind.name: ind.unit for ind in demo_db.catalogue}
    checked = 0
    for quarter in (1, 2, 3, 4):
        for kind in KINDS:
            doc = build(demo_db, "10", 2024, quarter, kind)
            for text in texts(doc):
                assert not PLACEHOLDERS.search(text or ""), (kind, quarter, text)
            for line in (x for b in doc.blocks for x in b.status.splitlines() if x.startswith("■ ")):
                name = max((n for n in units if line.startswith(f"■ {n} ")), key=len, default=None)
                rest = line.removeprefix(f"■ {name} ")
                if name and units[name] not in ("%", "h:mm") and not rest.startswith("－"):
                    assert re.match(rf"[\d,.]+{units[name]}", rest), (kind, quarter, line)
                    checked += 1
    assert checked >= 20


def test_a_plan_carried_to_the_next_year_keeps_its_rated_rows_and_their_kpis(demo_db):
    """A carried plan has the rows the progress sheet rates, each KPI on its row as last year, so the
    new year's 実施状況 has a place for the rows' texts."""
    def shape(items):
        return [(i.item_no, [(r.position, r.plan_text, r.tags, [last_kpis[k] for k in r.kpi_ids]) for r in i.rows])
                for i in items]

    before = plan_items(demo_db, "10", 2024)
    ops.carry_plan_over(demo_db, "10", 2025)
    after = plan_items(demo_db, "10", 2025)
    last_kpis = {k.id: k.text for i in before + after for k in i.kpis}
    assert sum(len(i.rows) for i in after) == sum(len(i.rows) for i in before) > 70
    assert shape(after) == shape(before)
    row = next(r for i in after if i.item_no == 2 for r in i.rows)
    ops.save_row_status(demo_db, row.id, 1, text="繰り越した計画の進捗")
    assert "繰り越した計画の進捗" in block(build(demo_db, "10", 2025, 1), 2).status
