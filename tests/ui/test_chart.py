"""Trend charts on the sample data: what is plotted is what is stored."""
import pytest
from PySide6.QtGui import QImage

from app.documents.charts import chart_data
from app.reads.queries import monthly_values
from main import GUI_VERBS
from app.cli.main import main as cli
from tests.conftest import SAMPLE
from tests.helpers import settle
from tests.ui.test_main_window import select_item
from ui.chart import TrendChart, pen_width


def stored_months(db, indicator, fy, branch="10"):
    from app.core.fiscal import FISCAL_MONTHS

    got = {r.month: r.value for r in monthly_values(db, branch, fy, [indicator])}
    return [got.get(m) for m in FISCAL_MONTHS]


def test_series_per_year_with_target_and_gaps(qtbot, demo_db):
    chart = TrendChart()
    qtbot.addWidget(chart)
    data = chart_data(demo_db, "10", "mail_rate", 2024)
    chart.show_data(data)
    assert [s.label for s in data.series] == ["令和5年度", "令和6年度"]
    assert chart.plotted["令和6年度"] == stored_months(demo_db, "mail_rate", 2024)
    assert chart.plotted["令和5年度"] == stored_months(demo_db, "mail_rate", 2023)
    assert chart.plotted["目標"] == [95.0]
    lines = {i.name(): i for i in chart.plot.getPlotItem().listDataItems()}
    assert pen_width(lines["令和6年度"]) > pen_width(lines["令和5年度"])        # this year bold
    assert "令和7年3月末現在" in chart.note.text()
    gaps = chart_data(demo_db, "10", "overtime", 2024).series[0]              # R5: 9月 and 10月 not read
    assert gaps.values[5] is None and gaps.values[6] is None and gaps.values[4] == 133


def test_prev_fy_target_and_hover_text(qtbot, demo_db):
    data = chart_data(demo_db, "10", "receipt_assessment_rate", 2024)
    assert data.target == pytest.approx(0.08) and data.target_label == "目標（前年度実績）"
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.show_data(chart_data(demo_db, "10", "overtime", 2024))
    text = chart.hover_text(0)
    assert text.splitlines()[:3] == ["4月", "令和5年度: 3:05", "令和6年度: 3:12"]
    assert "令和5年度: －" in chart.hover_text(5)                              # a gap, not zero


def test_counts_as_bars_and_year_to_date(qtbot, demo_db):
    monthly = chart_data(demo_db, "10", "counter_count", 2024)
    assert monthly.bars
    ytd = chart_data(demo_db, "10", "counter_count", 2024, cumulative=True)
    assert not ytd.bars and ytd.series[-1].values[-1] == 4969                # 窓口件数 R6 計
    assert ytd.series[-1].values[0] == 541
    rate = chart_data(demo_db, "10", "mail_rate", 2024, cumulative=True)      # not a count: as it is
    assert not rate.cumulative


def test_national_line_and_rank_after_importing_hq_tables(qtbot, demo_db):
    from app.operations.ops import import_workbook

    import_workbook(demo_db, SAMPLE / "hq_national_fy2024.xlsx")
    data = chart_data(demo_db, "10", "mail_rate", 2024)
    assert data.national == tuple(stored_months(demo_db, "mail_rate", 2024, branch="00"))
    assert data.ranks[-1] == 34
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.show_data(data)
    # the rank the dashboard and the documents show: typed (本部公表), the by-branch table's beside it
    assert "全国" in chart.plotted and "全国順位 27位（本部公表）／34位（3月・支部別表）" in chart.note.text()


def test_the_chart_follows_the_grid_row_and_edits(window, qtbot, demo_db, tmp_path):
    select_item(window, "1")
    model = window.grid_model
    r = next(i for i in range(model.rowCount()) if model.index(i, 0).data().startswith("窓口件数")
             and model.index(i, 1).data() == "令和6年度")
    window.grid.setCurrentIndex(model.index(r, 2))
    window.tabs.setCurrentIndex(3)
    settle(window)
    assert window.chart.data.indicator == "counter_count"
    model.setData(model.index(r, 2), "600")
    settle(window)                                # the figures read again, then the chart
    assert window.chart.plotted["令和6年度"][0] == 600
    out = window.export_chart(str(tmp_path / "c.png"))
    assert out and not QImage(out).isNull()


def test_chart_command_writes_a_png(demo_path, tmp_path):
    out = tmp_path / "x.png"
    assert cli(["--db", str(demo_path), "chart", "--indicator", "mail_rate", "--fy", "2024", "--out", str(out)],
               extra_verbs=GUI_VERBS) == 0
    image = QImage(str(out))
    assert image.width() >= 900 and image.height() >= 500
    assert cli(["--db", str(demo_path), "chart", "--indicator", "nope", "--fy", "2024", "--out", str(out)],
               extra_verbs=GUI_VERBS) == 2


def test_hovering_a_month_shows_its_values_as_users_write_them(qtbot, demo_db):
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QToolTip

    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(900, 500)
    chart.show_data(chart_data(demo_db, "10", "mail_count", 2024))      # 郵送件数: R6 4月 7,742, 3月 7,159
    chart.show()
    qtbot.waitExposed(chart)
    view = chart.plot.getPlotItem().vb

    def hover(month_index, value):
        where = chart.plot.mapFromScene(view.mapViewToScene(QPointF(month_index, value)))

        def shown():         # the mouse rests there (moved again while Qt hides the previous tip)
            if QToolTip.isVisible() and QToolTip.text().startswith(("4月", "3月")[month_index == 11]):
                return True
            QTest.mouseMove(chart.plot.viewport(), where)
            return False
        qtbot.waitUntil(shown)
        return QToolTip.text().splitlines()

    assert hover(0, 7000)[:3] == ["4月", "令和5年度: 7,421件", "令和6年度: 7,742件"]
    assert hover(11, 3000)[2] == "令和6年度: 7,159件"
    chart.show_data(chart_data(demo_db, "10", "mail_rate", 2024))
    assert hover(0, 94)[2] == "令和6年度: 93.5%"


def test_a_quarterly_indicator_is_one_line_with_markers_and_monthly_gaps_stay(qtbot, demo_db):
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.show_data(chart_data(demo_db, "10", "iin_coverage", 2024))    # 健康保険委員 カバー率: 6, 9, 12, 3月
    items = chart.plot.getPlotItem().listDataItems()
    assert len(items) == 2                                               # 令和5年度, 令和6年度: one line each
    r6 = next(i for i in items if i.name() == "令和6年度")
    assert list(r6.xData) == [2, 5, 8, 11] and r6.opts["symbol"] == "o" and pen_width(r6) > 0
    chart.show_data(chart_data(demo_db, "10", "overtime", 2024))        # monthly, R5 without 9月 and 10月
    assert len(chart.plot.getPlotItem().listDataItems()) == 3


def test_axis_labels_have_thousands_separators_and_the_unit(qtbot, demo_db):
    chart = TrendChart()
    qtbot.addWidget(chart)
    axis = chart.plot.getAxis("left")
    chart.show_data(chart_data(demo_db, "10", "mail_count", 2024))
    assert axis.tickStrings([8000, 9000, 10000], 1, 1000) == ["8,000件", "9,000件", "10,000件"]
    chart.show_data(chart_data(demo_db, "10", "mail_rate", 2024))
    assert axis.tickStrings([94.5, 95], 1, 0.5) == ["94.5%", "95.0%"]
    chart.show_data(chart_data(demo_db, "10", "overtime", 2024))
    assert axis.tickStrings([150, 180], 1, 30) == ["2:30", "3:00"]
    assert chart.hover_text(0).splitlines()[1] == "令和5年度: 3:05"


def test_an_item_without_indicators_says_so_instead_of_bare_axes(window, qtbot):
    from ui.chart import NOTHING_TO_DRAW

    for node in window._item_nodes():
        window.tree.setCurrentItem(node)
        if not window.grid_model.rows:
            break
    else:
        raise AssertionError("the sample has an item without monthly indicators")
    window.tabs.setCurrentIndex(3)
    settle(window)
    chart = window.chart_page.chart
    assert chart.note.text() == NOTHING_TO_DRAW and not chart.plot.isVisible()
    window.tabs.setCurrentIndex(2)
    settle(window)
    assert window.national_label.text() == "この項目には月次の指標がないため、支部別の表はありません"


def _bars(image, color) -> list[int]:
    """The heights in pixels of the bars of ``color`` in ``image``, left to right (the longest
    stretch of the colour down each column: the legend's box is not a bar)."""
    heights, run = [], []
    for x in range(image.width()):
        h = longest = 0
        for y in range(image.height()):
            h = h + 1 if image.pixel(x, y) == color.rgb() else 0
            longest = max(longest, h)
        h = longest
        if h > 2:
            run.append(h)
        elif run:
            heights.append(max(run))
            run = []
    return heights


def test_the_documents_chart_is_painted_from_the_data_without_a_widget(qapp, demo_db):
    from ui.chart import CURRENT, EARLIER, TARGET, chart_image

    data = chart_data(demo_db, "10", "counter_count", 2024)                # 窓口件数: bars from zero
    image = chart_image(data, (900, 480))
    assert (image.width(), image.height()) == (900, 480)
    this_year = _bars(image, CURRENT)
    values = data.series[-1].values
    assert len(this_year) == 12 and len(_bars(image, EARLIER[0])) == 12
    scale = this_year[0] / values[0]                                       # 4月 541件
    assert all(abs(h - v * scale) <= 2 for h, v in zip(this_year, values)), (this_year, values)
    rate = chart_image(chart_data(demo_db, "10", "mail_rate", 2024), (900, 480))   # lines, the target dashed
    rows = [sum(1 for x in range(900) if rate.pixel(x, y) == TARGET.rgb()) for y in range(480)]
    assert max(rows) > 400                                                 # across the plot, dashed
    empty = chart_image(None, (900, 480))
    assert not any(empty.pixel(x, y) == CURRENT.rgb() for x in range(0, 900, 3) for y in range(0, 480, 3))
    assert any(empty.pixel(x, y) != 0xFFFFFFFF for x in range(0, 900, 3) for y in range(440, 480))   # the note


@pytest.mark.parametrize("verb", [["export", "--kind", "summary", "--quarter", "4", "--out", "s.pdf"],
                                  ["export", "--kind", "summary", "--quarter", "4", "--out", "s.xlsx"],
                                  ["chart", "--indicator", "mail_rate", "--out", "c.png"]])
def test_an_export_draws_its_charts_without_loading_pyqtgraph(demo_path, tmp_path, verb):
    import subprocess
    import sys

    from tests.conftest import ROOT

    args = ["--db", str(demo_path)] + verb[:1] + ["--branch", "10", "--fy", "2024"] + verb[1:]
    args[-1] = str(tmp_path / args[-1])
    script = ("import os, sys\nfrom app.cli.main import main\nfrom main import GUI_VERBS\n"
              f"code = main({args!r}, extra_verbs=GUI_VERBS)\n"
              "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'pyqtgraph'), flush=True)\n"
              "os._exit(0)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "0 []", run.stdout + run.stderr
    assert (tmp_path / args[-1]).stat().st_size > 10_000


def test_a_documents_charts_share_one_read_of_the_plan_and_show_the_same(demo_db):
    from app.documents.build import build
    from app.documents.charts import plan_of

    for quarter in (1, 4):
        doc = build(demo_db, "10", 2024, quarter, "summary")
        plan = plan_of(demo_db, "10", 2024, quarter)
        assert len(doc.charts) >= 10
        for code in doc.charts:
            assert chart_data(demo_db, "10", code, 2024, quarter=quarter, plan=plan) == \
                chart_data(demo_db, "10", code, 2024, quarter=quarter), (quarter, code)
