"""A rank says what it is: typed as headquarters published it (本部公表) or computed from the
by-branch tables (支部別表, with its month); where both exist every view and document shows the
same one, and a disagreement beside it (app.reads.ranks.plan_ranks — one rule for all)."""
import subprocess
import shutil

from PySide6.QtWidgets import QSpinBox

from app.documents.build import build
from app.documents.charts import chart_data
from app.operations import ops
from app.reads.overview import kpi_overview
from app.reads.queries import plan_items
from app.reads.ranks import Rank, ShownRank, plan_ranks
from tests.helpers import settle
from tests.ui.test_main_window import select_item
from ui.export import write_pdf

TYPED_AND_TABLE = "27位（本部公表）／34位（3月・支部別表）"


def mail_row(db):
    item = next(i for i in plan_items(db, "10", 2024) if i.item_no == 1)
    return item, item.rows[1]                         # seed 004: item 1's （２） holds the 郵送化率 KPI


def test_the_texts_of_the_rule():
    march = Rank("10", 2024, 3, "mail_rate", 93.9, 34, 47)
    assert ShownRank(27, march).text == TYPED_AND_TABLE and ShownRank(27, march).disagrees
    assert ShownRank(34, march).text == "34位（本部公表）" and not ShownRank(34, march).disagrees
    assert ShownRank(None, march).text == "34位（3月・支部別表）" and ShownRank(None, march).rank == 34
    assert ShownRank(5, None).text == "5位（本部公表）" and ShownRank().text == "" and ShownRank().rank is None


def test_every_view_and_document_shows_the_same_rank(window, qtbot, demo_db, tmp_path):
    item, row = mail_row(demo_db)
    kpi = next(k for k in item.kpis if k.indicator == "mail_rate")
    assert plan_ranks(demo_db, [item], 4).kpi(kpi.id).text == TYPED_AND_TABLE
    dashboard = {(ln.item_no, ln.indicator): ln for ln in kpi_overview(demo_db, "10", 2024)}
    assert dashboard[(1, "mail_rate")].rank.text == TYPED_AND_TABLE
    assert chart_data(demo_db, "10", "mail_rate", 2024).rank.text == TYPED_AND_TABLE
    assert chart_data(demo_db, "10", "mail_rate", 2024, quarter=4).rank.text == TYPED_AND_TABLE
    progress = build(demo_db, "10", 2024, 4, "progress")
    assert next(b for b in progress.blocks if b.item_no == 1).lines[1].rank.text == TYPED_AND_TABLE
    window.tabs.setCurrentIndex(1)
    window.status.set_quarter(4)
    select_item(window, "1")
    editor = window.status.rows[1]
    assert editor.rank.value() == 27 and editor.basis.text() == TYPED_AND_TABLE and editor.basis.isVisible()
    # typing the rank again (as headquarters now publishes it): the label follows, the disagreement goes
    editor.rank.setValue(34)
    assert editor.basis.text() == "34位（本部公表）"
    assert plan_ranks(demo_db, [item], 4).row(row.id).text == "34位（本部公表）"   # stored as typed
    editor.rank.setValue(0)                          # cleared: the by-branch table's, saying so
    assert editor.basis.text() == "34位（3月・支部別表）"
    assert build(demo_db, "10", 2024, 4, "progress").blocks[0].lines[1].rank.text == "34位（3月・支部別表）"
    if shutil.which("pdftotext"):
        pdf = write_pdf(demo_db, build(demo_db, "10", 2024, 4, "progress"), tmp_path / "p.pdf")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "支部別表" in text.replace("\n", "")


def test_a_quarter_ranks_up_to_its_own_end(demo_db):
    """Another shape: no rank typed in 第2四半期, and a typed rank only on a row without figures."""
    item, row = mail_row(demo_db)
    first = item.rows[2]                              # （３）: no KPI, no by-branch table
    ops.save_row_status(demo_db, first.id, 2, rank=12)
    ranks = plan_ranks(demo_db, [item], 2)
    assert ranks.row(row.id).text == "27位（9月・支部別表）"     # September's table, not a later one
    assert ranks.row(first.id).text == "12位（本部公表）"
    assert plan_ranks(demo_db, [item], 1).row(first.id).text == ""
    kpi = next(k for k in item.kpis if k.indicator == "mail_rate")
    assert ranks.kpi(kpi.id) == ranks.row(row.id)


def test_the_rank_field_and_its_basis_are_together(window):
    window.tabs.setCurrentIndex(1)
    window.status.set_quarter(4)
    select_item(window, "4")                          # no KPI, no rank typed: nothing to say
    editor = window.status.rows[0]
    assert isinstance(editor.rank, QSpinBox) and editor.basis.text() == "" and not editor.basis.isVisible()


def test_a_month_target_is_typed_in_the_kpi_table(window, demo_db):
    """月次目標 (not a rank, but the same tab): typed for the month the KPI is as of, stored, printed."""
    window.status.set_quarter(3)
    select_item(window, "13")
    table = window.kpi_table
    assert table.horizontalHeaderItem(7).text() == "月次目標" and table.item(0, 7).text() == ""
    table.item(0, 7).setText("1,560")
    settle(window)
    assert table.item(0, 7).text() == "1,560（12月）"                 # redrawn from what is stored
    line = next(x for b in build(demo_db, "10", 2024, 3).blocks for x in b.status.splitlines() if "健康宣言事業所数" in x)
    assert "（月次目標 1,560事業所）" in line
    table.item(0, 7).setText("abc")                                  # refused: the stored figure again
    assert table.item(0, 7).text() == "1,560（12月）"
