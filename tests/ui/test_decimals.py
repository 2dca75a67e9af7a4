"""Decimals, one rule: an indicator's figures are written with its decimals (Figures.decimals: the
catalogue's when it says, else its stored figures') in the grid, 支部別（全国）, the chart's tooltips
and the documents — 達成率 100% as seed 004 prints it, 郵送化率 95.0% beside 94.5%."""
import json

import pytest

from app.core.catalogue import load_catalogue
from app.documents.charts import chart_data
from app.reads.figures import Figures
from tests.conftest import SAMPLE
from ui.chart import TrendChart


def test_the_catalogue_gives_the_achievement_rate_no_decimals_and_the_grid_follows(window, qtbot, demo_db):
    assert Figures(demo_db, "10").decimals("ss_rate") == 0
    assert Figures(demo_db, "10").decimals("mail_rate") == 1
    window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == "1"))
    model = window.grid_model
    qtbot.waitUntil(lambda: any(r.indicator == "ss_rate" for r in model.rows))
    r = next(i for i, row in enumerate(model.rows) if row.indicator == "ss_rate")
    assert [model.index(r, c).data() for c in range(2, model.columnCount())] == ["100%"] * 13


def test_the_branch_table_and_the_chart_write_the_indicators_decimals(window, qtbot, demo_db):
    from app.operations.ops import import_workbook

    import_workbook(demo_db, SAMPLE / "hq_national_fy2024.xlsx")
    figures = Figures(demo_db, "10")
    window.branch_page.show_indicator(demo_db, "mail_rate", 2024, "10", figures)
    model = window.branch_page.model
    texts = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(1, 13)]
    texts = [t for t in texts if t != "－"]
    assert texts and all(t.endswith("%") and len(t.split(".")[1]) == 2 for t in texts), texts[:5]   # 1 place + %
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.show_data(chart_data(demo_db, "10", "mail_rate", 2024, figures=figures))
    assert chart.shown(95.45) == "95.5%" and chart.shown(95.0) == "95.0%"      # a tooltip's figure
    assert chart.shown(95.45, 2) == "95.45%"                                   # the axis' own places


@pytest.mark.parametrize("bad", [-1, 4, 1.5, True, "1"])
def test_a_catalogues_decimals_are_checked(tmp_path, bad):
    own = tmp_path / "own.json"
    own.write_text(json.dumps([{"code": "x_rate", "name": "独自の率", "group": "業務", "unit": "%", "kind": "ratio",
                                "decimals": bad}]), encoding="utf-8")
    with pytest.raises(ValueError, match="decimals"):
        load_catalogue(own)
