"""The detail pages that follow the grid's current row: 支部別（全国）, the indicator for every
branch with the latest month's rank; and グラフ, its trend chart (pyqtgraph, loaded on first view)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from app.core.fiscal import format_fy


class BranchPage(QWidget):
    def __init__(self, parent=None):
        from ui.branch_table import BranchTableModel

        super().__init__(parent)
        self.model = BranchTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("branch-table")
        self.view.setModel(self.model)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().hide()
        self.label = QLabel()
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.view, 1)

    def show_indicator(self, db, code: str | None, fiscal_year: int, branch: str, figures=None) -> None:
        """At once (the window reads off the GUI thread through ``reader``)."""
        read, show = self.reader(db, code, fiscal_year, branch, figures)
        show(read())

    def reader(self, db, code: str | None, fiscal_year: int, branch: str, figures=None):
        """(read, show): ``read()`` the indicator's national table (any thread), ``show(result)`` it
        here. ``figures``: the branch's (its decimals are the indicator's everywhere)."""
        from app.reads.ranks import national_table

        if code is None:
            return lambda: None, lambda _none: self._show_none(branch)
        decimals = figures.decimals(code) if figures else None
        return (lambda: national_table(db, code, fiscal_year),
                lambda read: self._show(db.catalogue[code], fiscal_year, branch, decimals, *read))

    def _show_none(self, branch: str) -> None:
        self.model.set_rows([], "", "count", branch, None)
        self.label.setText("この項目には月次の指標がないため、支部別の表はありません")

    def _show(self, ind, fiscal_year: int, branch: str, decimals, table, latest) -> None:
        self.model.set_rows(table, ind.unit, ind.kind, branch, latest, decimals)
        self.view.resizeColumnsToContents()
        direction = "高いほど良い" if ind.higher_is_better else "低いほど良い"
        self.label.setText(f"<b>{ind.name}</b>　{format_fy(fiscal_year)}　{len(table)} 行　（{direction}）"
                           if table else f"{ind.name}: 本部の支部別の表が取り込まれていません"
                           "（ファイル → Excel を取り込む）")


class ChartPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        QVBoxLayout(self)
        self.chart = None                  # made on first use (pyqtgraph loads then)
        self.redraw = lambda: None         # set by the window: draw the current row again

    def reader(self, db, branch: str, code: str | None, fiscal_year: int, figures):
        """(read, show): ``read()`` the chart's data (any thread), ``show(data)`` draws it here."""
        from app.documents.charts import chart_data
        from ui.chart import TrendChart

        if self.chart is None:
            self.chart = TrendChart()
            self.chart.cumulative.toggled.connect(lambda _on: self.redraw())
            self.layout().addWidget(self.chart)
        cumulative = self.chart.cumulative.isChecked()
        return (lambda: chart_data(db, branch, code, fiscal_year, cumulative=cumulative, figures=figures) if code else None,
                self.chart.show_data)
