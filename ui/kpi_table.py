"""The item's KPIs for the chosen quarter (rows built by app.reads.overview.kpi_lines): target, result
and the month it is as of, the proposed rating, and the user's rating; a result with no monthly
indicator is typed here, and so is the 月次目標 of the month shown (the last column). The table only asks: choices come out as signals, the window calls the
operation and redraws the rows from what is stored."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from app.core.kpi import RATINGS

RESULT, RATING, MONTH_TARGET = 3, 6, 7


class KpiTable(QTableWidget):
    rating_chosen = Signal(int, object)     # kpi id, mark (None: no rating)
    result_typed = Signal(int, str)         # kpi id, the text typed
    month_target_typed = Signal(int, int, str)   # kpi id, calendar month, the text typed

    def __init__(self, parent=None):
        super().__init__(0, 8, parent)
        self.setObjectName("kpi-table")
        self.setHorizontalHeaderLabels(["KPI", "指標", "目標", "実績", "時点", "提案", "評価", "月次目標"])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.setWordWrap(True)
        self.itemChanged.connect(self._typed)

    def show_lines(self, lines) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        for line in lines:
            row = self.rowCount()
            self.insertRow(row)
            cells = [line.kpi_text, line.indicator_name if line.indicator else "（手入力）", line.target,
                     line.result, line.as_of_text, line.proposed or ""]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                cell.setFlags(cell.flags() & ~Qt.ItemIsEditable)
                if c >= 2:
                    cell.setTextAlignment(Qt.AlignCenter)
                if c == RESULT and line.indicator is None:   # no monthly indicator: the result is typed here
                    cell.setFlags(cell.flags() | Qt.ItemIsEditable)
                    cell.setData(Qt.UserRole, line.kpi.id)
                    cell.setToolTip("結果を入力してください（ダブルクリック）")
                    cell.setBackground(Qt.yellow if line.result_value is None else Qt.white)
                self.setItem(row, c, cell)
            self.setCellWidget(row, RATING, self._rating_box(line.kpi.id, line.rating))
            goal = QTableWidgetItem(f"{line.month_target}（{line.target_month}月）" if line.month_target else "")
            goal.setTextAlignment(Qt.AlignCenter)
            if line.target_month:
                goal.setData(Qt.UserRole, (line.kpi.id, line.target_month))
                goal.setToolTip(f"{line.target_month}月の月次目標（ダブルクリックで入力、空で削除）")
            else:
                goal.setFlags(goal.flags() & ~Qt.ItemIsEditable)
            self.setItem(row, MONTH_TARGET, goal)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.resizeRowsToContents()
        self.blockSignals(False)

    def _rating_box(self, kpi_id: int, rating: str | None) -> QComboBox:
        box = QComboBox()
        box.addItem("－", None)
        for mark in RATINGS:
            box.addItem(mark, mark)
        box.setCurrentIndex(box.findData(rating) if rating else 0)
        box.currentIndexChanged.connect(lambda _i: self.rating_chosen.emit(kpi_id, box.currentData()))
        return box

    def _typed(self, cell) -> None:
        kpi_id = cell.data(Qt.UserRole)
        if kpi_id is not None and cell.column() == RESULT:
            self.result_typed.emit(kpi_id, cell.text())
        elif kpi_id is not None and cell.column() == MONTH_TARGET:
            kpi, month = kpi_id
            self.month_target_typed.emit(kpi, month, cell.text().removesuffix(f"（{month}月）"))
