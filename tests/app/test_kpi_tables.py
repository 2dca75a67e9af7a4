"""The tables seed 002 prints under a KPI, built from the figures and chosen by the indicator's kind
(app/documents/status.py): counts by quarter with 通期 and 【参考】last year, ratios and averages the
year so far against 前年同期 with their parts, running figures the target against this month, last
year's month and 全国, each one's months — and only the tables that have figures."""
import pytest
from sqlalchemy import select, update

from app.documents.build import build
from app.documents.status import TABLES
from app.operations import ops
from app.operations.edits import CellEntry
from db.models import Kpi, PlanItem

pytestmark = pytest.mark.sqlite_only


def captions(doc, item_no: int) -> list[str]:
    return [t.caption for b in doc.blocks if b.item_no == item_no for t in b.tables]


def test_the_demo_q3_document_prints_each_kpi_its_kinds_tables(demo_db):
    doc = build(demo_db, "10", 2024, 3)
    assert captions(doc, 1) == ["サービススタンダード達成率（前年同期比較）", "サービススタンダード達成率",
                                "郵送化率（前年同期比較）", "郵送化率"]
    per_case = [t for b in doc.blocks if b.item_no == 5 for t in b.tables][2:]
    assert [t.caption for t in per_case] == ["令和6年度目標（KPI）：再審査レセプト1件当たり査定額（累計）：前年度 3,788円以上",
                                             "再審査レセプト1件当たり査定額（累計）（単位：円）"]
    assert [r[0].text for r in per_case[0].rows] == ["令和6年12月", "令和5年12月"]     # no national figure: no row
    assert per_case[0].rows[0][1].text == "2,740円"
    generic = next(t for b in doc.blocks for t in b.tables if t.caption.startswith("令和6年度目標（KPI）：ジェネリック"))
    assert [r[0].text for r in generic.rows] == ["令和6年12月", "令和5年12月", "全国（令和6年12月）"]
    # 一者応札割合 has no figures last year: the year so far with its parts alone, no 前年同期
    tender = next(t for b in doc.blocks for t in b.tables if t.caption == "一者応札割合（12月まで）")
    assert [c.text for c in tender.rows[0]] == ["令和6年度（12月まで）", "1件", "11件", "9.1%"] and len(tender.rows) == 1
    assert not any("四半期別" in c for b in doc.blocks for c in captions(doc, b.item_no))   # no count KPI in the demo
    assert set(TABLES) <= {"count", "amount", "ratio", "average", "cumulative", "stock"}


@pytest.fixture
def next_year(demo_db):
    """The demo's plan carried over to 令和7年度, item 1's 郵送化率 KPI counting 窓口件数 instead
    (a count), and figures typed in shapes of their own: 窓口件数 for April–August only, 平均所要
    日数 with its 決定件数, no figures at all for 査定率."""
    ops.carry_plan_over(demo_db, "10", 2025)
    with demo_db.unit() as s:
        item = s.scalars(select(PlanItem.id).join(PlanItem.pillar).where(PlanItem.item_no == 1)
                         .order_by(PlanItem.id.desc())).first()
        s.execute(update(Kpi).where(Kpi.item_id == item, Kpi.indicator_code == "mail_rate")
                  .values(indicator_code="counter_count", op="<=", target=None, target_rule="prev_fy"))
        s.execute(update(Kpi).where(Kpi.item_id == item, Kpi.indicator_code == "ss_rate")
                  .values(indicator_code="ss_avg_days", op="<=", target=7, target_rule="value"))
    cells = [CellEntry("10", 2025, m, "counter_count", v) for m, v in zip((4, 5, 6, 7, 8), (300, 280, 310, 290, 305))]
    cells += [CellEntry("10", 2025, m, "ss_avg_days", v) for m, v in zip((4, 5, 6, 7), (6.5, 6.1, 6.0, 5.8))]
    cells += [CellEntry("10", 2025, m, "ss_total", v) for m, v in zip((4, 5, 6, 7), (1000, 1200, 900, 1100))]
    ops.edit_cells(demo_db, cells)
    return demo_db


def test_a_count_by_quarter_and_an_average_against_the_same_period(next_year):
    doc = build(next_year, "10", 2025, 2)
    tables = {t.caption: t for b in doc.blocks if b.item_no == 1 for t in b.tables}
    quarters = tables["窓口件数（単位：件）（四半期別）"]
    assert quarters.header[1:] == ["第1四半期 4～6月", "第2四半期 7～9月", "第3四半期 10～12月", "第4四半期 1～3月",
                                   "通期", "【参考】R6年度実績"]
    row = [c.value for c in quarters.rows[0][1:]]
    assert row[:5] == [890, 595, None, None, 1485]
    assert row[5] is not None                                                      # 令和6年度 窓口件数, the demo's
    same = tables["サービススタンダード平均所要日数（前年同期比較）"]
    assert same.header == ["年度", "現金給付 決定件数 合計", "サービススタンダード平均所要日数"]
    assert [c.text for c in same.rows[0]][:2] == ["令和7年度（7月まで）", "4,200件"]
    assert same.rows[0][2].text.endswith("日") and same.rows[1][0].text == "令和6年度（前年同期）"
    weighted = (6.5 * 1000 + 6.1 * 1200 + 6.0 * 900 + 5.8 * 1100) / 4200
    assert same.rows[0][2].value == pytest.approx(weighted)
    # 査定率 has no figure this year: neither a target table nor a table of last year's months alone
    assert not any("査定率" in c for c in captions(doc, 5))
