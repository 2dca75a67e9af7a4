"""One figure, one text: for every indicator and month of the demo year the grid shows the same
text as the quarterly document, and the dashboard the same as the document's KPI table."""
from app.core.fiscal import FISCAL_MONTHS, format_fy
from app.reads.overview import kpi_overview
from app.documents.build import build
from tests.ui.test_main_window import select_item
from ui.grid_model import FIRST_MONTH, YEAR_COL


def test_the_grid_and_the_progress_document_show_the_same_text_for_every_month(window, demo_db):
    doc = build(demo_db, "10", 2024, 4, "progress")
    compared = 0
    for block in doc.blocks:
        select_item(window, str(block.item_no))
        model = window.grid_model
        rows = {(r.indicator, format_fy(r.fiscal_year)): i for i, r in enumerate(model.rows)}
        for table in block.tables:
            for row in table.rows:
                r = rows[(table.indicator, row[0].text)]
                for k, _month in enumerate(FISCAL_MONTHS):
                    assert model.index(r, FIRST_MONTH + k).data() == row[1 + k].text, (table.caption, row[0].text, k)
                    compared += 1
                assert model.index(r, YEAR_COL).data() == row[13].text, (table.caption, row[0].text)
    assert compared >= 600                                   # every month of every table of the document


def test_the_dashboard_and_the_summary_document_show_the_same_kpi_texts(demo_db):
    lines = kpi_overview(demo_db, "10", 2024, quarter=4)
    summary = build(demo_db, "10", 2024, 4, "summary").summary
    from app.documents.report import target_with_unit, with_unit

    assert [(target_with_unit(ln.target, ln.unit) if ln.kpi.rule != "qualitative" else "定性評価",
             with_unit(ln.result, ln.unit)) for ln in lines] == [
        (row[3].text, row[4].text.split(" ")[0]) for row in summary.rows]
