"""進捗状況 as seed 004 prints it: every indicator an item keeps (stored per item, chosen by the
user), earlier years where there are figures, group headings, the count with its legend."""
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.core.errors import ValidationError
from app.documents.build import build
from app.documents.xlsx import write_xlsx
from app.operations import ops
from app.reads.queries import item_indicators, plan_items
from db.models import ChangeLog


def items(db):
    return {i.item_no: i for i in plan_items(db, "10", 2024)}


def captions(doc, item_no):
    return [t.caption for b in doc.blocks if b.item_no == item_no for t in b.tables]


def test_the_sample_keeps_the_tables_seed_004_prints(demo_db):
    doc = build(demo_db, "10", 2024, 4, "progress")
    assert {"柔整 患者照会率", "柔整 多部位・頻回 件数（単位：件）", "柔整 患者照会数（単位：件）",
            "柔整 回答件数（単位：件）"} <= set(captions(doc, 3))
    assert "メールマガジン 新規登録（単月・純増）（単位：件）" in captions(doc, 18)
    assert captions(doc, 20) == ["超過勤務時間（月平均）"]
    limit = next(t for b in doc.blocks if b.item_no == 4 for t in b.tables)
    assert [r[0].text for r in limit.rows] == ["令和4年度", "令和5年度", "令和6年度"]
    assert limit.rows[0][1].value == 1969 and limit.rows[0][13].value == 21808      # seed 004: 1,969 … 21,808
    overtime = next(t for b in doc.blocks if b.item_no == 20 for t in b.tables)
    assert [r[0].text for r in overtime.rows] == ["令和5年度", "令和6年度"]             # no 令和4年度 figures


def test_the_user_chooses_and_orders_an_items_indicators(demo_db):
    item = items(demo_db)[6]
    assert item_indicators(demo_db, item) == []                          # no KPI indicator, nothing chosen
    changes = ops.set_item_indicators(demo_db, item.id, ["overtime", "mail_rate"])
    assert changes.items == {item.id}
    assert item_indicators(demo_db, item) == ["overtime", "mail_rate"]
    assert captions(build(demo_db, "10", 2024, 4, "progress"), 6) == ["超過勤務時間（月平均）", "郵送化率"]
    assert not ops.set_item_indicators(demo_db, item.id, ["overtime", "mail_rate"])    # the same: nothing
    with demo_db.session() as s:
        log = s.scalars(select(ChangeLog).where(ChangeLog.entity == "item_indicator")
                        .order_by(ChangeLog.id.desc())).first()
    assert (log.key, log.old, log.new) == (str(item.id), None, "overtime mail_rate")
    with pytest.raises(ValidationError, match="指標一覧にない指標です: nothing"):
        ops.set_item_indicators(demo_db, item.id, ["overtime", "nothing"])
    assert item_indicators(demo_db, item) == ["overtime", "mail_rate"]    # refused whole


def test_an_item_without_a_choice_keeps_its_kpis_indicators(demo_db):
    item = items(demo_db)[1]                   # seed 004: サービススタンダード and 郵送化率, with their tables
    assert item_indicators(demo_db, item)[-3:] == ["mail_rate", "mail_count", "counter_count"]
    assert item_indicators(demo_db, item)[0] == "ss_rate" and item_indicators(demo_db, items(demo_db)[2]) == []


def flat(text: str) -> str:
    """A text without its line breaks (a workbook breaks its lines as they print)."""
    return re.sub(r"\n　?", "", text)


def test_the_workbook_has_group_headings_and_the_count_with_legend(demo_db, tmp_path):
    doc = build(demo_db, "10", 2024, 4, "progress")
    ws = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "p.xlsx"))["進捗状況"]
    texts = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    heading = texts["○サービス水準の向上（業務グループ）"]
    assert ws.cell(heading.row + 1, 1).value == "1"
    legend = texts["◎：目標を上回る"]
    assert [ws.cell(legend.row + n, legend.column).value for n in range(5)] == [
        "◎：目標を上回る", "○：目標達成（計画通り）", "△：目標未達", "×：未実施", "□：未実施（これから実施）"]
    unrated = texts["未評価"]
    counted = doc.summary.rows[5][1].value
    assert counted + doc.summary.rows[6][1].value == sum(len(b.lines) for b in doc.blocks)
    assert unrated.row == texts["合計"].row + 1


def test_a_line_per_rated_row_with_its_rating_rank_and_tags_and_the_counts_over_rows(demo_db, tmp_path):
    before = build(demo_db, "10", 2024, 4, "progress").summary
    doc = build(demo_db, "10", 2024, 4, "progress")
    block = next(b for b in doc.blocks if b.item_no == 1)      # seed 004: （１）【KPI】, （２）【KPI】, （３）
    # 全国順位 says its basis: typed as seed 004 prints it (本部公表); 郵送化率's by-branch table of March
    # disagrees and is shown beside it (ranks: app.reads.ranks.plan_ranks)
    assert [(line.rating, line.rank.text) for line in block.lines] == [
        ("○", "1位（本部公表）"), ("△", "27位（本部公表）／34位（3月・支部別表）"), ("□", "")]
    assert block.lines[1].plan.startswith("（２）加入者・事業主") and block.lines[1].plan.count("【KPI】") == 1
    assert block.lines[1].status.startswith("■ 郵送化率 94.3%")            # the KPI's result on its row
    assert "■ 郵送化率" not in block.lines[0].status and "■ 郵送化率" not in block.lines[2].status
    ten, thirteen = items(demo_db)[10].rows[4], items(demo_db)[13].rows[3]     # KPI rows printed 「－ －」
    ops.save_row_status(demo_db, ten.id, 4, rating="△")
    ops.save_row_status(demo_db, thirteen.id, 4, text="1,587事業所", rating="〇")
    doc = build(demo_db, "10", 2024, 4, "progress")
    counts = {r[0].text: (r[1].value, r[2].value) for r in doc.summary.rows}
    old = {r[0].text: (r[1].value, r[2].value) for r in before.rows}
    assert counts["△"] == (old["△"][0] + 1, old["△"][1] + 1) and counts["○"] == (old["○"][0] + 1, old["○"][1] + 1)
    assert counts["未評価"][0] == old["未評価"][0] - 2 and counts["合計"][0] == old["合計"][0] + 2
    block = next(b for b in doc.blocks if b.item_no == 13)
    assert block.lines[3].plan.startswith("【KPI】健康宣言事業所数") and block.lines[3].rating == "○"
    ws = openpyxl.load_workbook(write_xlsx(doc, tmp_path / "p.xlsx"))["進捗状況"]

    def line_of(text):                        # the cell a text starts in, its lines broken for print
        return next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                    and flat(c.value) == flat(text)[:len(flat(c.value))] and c.column == 4)
    assert ws.cell(line_of(block.lines[3].plan).row, 14).value == "○"
    one = next(b for b in doc.blocks if b.item_no == 1)
    kpi_line, first = line_of(one.lines[1].plan), line_of(one.lines[0].plan)
    assert kpi_line.column == 4 and ws.cell(kpi_line.row, 1).value is None          # 項番 on the item's first line only
    assert (ws.cell(kpi_line.row, 14).value, ws.cell(kpi_line.row, 15).value) == ("△", "27位\n（本部公表）\n34位\n（3月・支部別表）")
    assert ws.cell(first.row, 1).value == "1" and ws.cell(first.row, 14).value == "○"
