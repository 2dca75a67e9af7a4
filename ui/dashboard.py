"""ダッシュボード: every KPI of the year in one table with a sparkline; a click goes to its item."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QStyledItemDelegate, QTableView, QVBoxLayout, QWidget,
)

from ui.navigator import GROUPS
from ui.rows_model import RowsModel

COLUMNS = ("項番", "事業", "KPI", "指標", "目標", "実績", "時点", "提案", "全国順位", "推移")
SPARK = len(COLUMNS) - 1
MARKS = {"◎": QColor("#d6f0d6"), "○": QColor("#e8f4e8"), "△": QColor("#fbe3d6")}


class OverviewModel(RowsModel):
    headers = COLUMNS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        line, col = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return (line.item_no, line.item_title, line.kpi_text, line.indicator_name, line.target, line.result,
                    line.as_of_text, line.proposed or "", line.rank.text, None)[col]
        if role == Qt.UserRole:
            return line.months if col == SPARK else line.item_no
        if role == Qt.ToolTipRole and col in (1, 2):
            return line.kpi_text
        if role == Qt.BackgroundRole and col == 7 and line.proposed in MARKS:
            return QBrush(MARKS[line.proposed])
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignCenter if col in (0, 7, 8) else Qt.AlignRight if col in (4, 5) else Qt.AlignLeft)
                       | Qt.AlignVCenter)
        return None


class SparklineDelegate(QStyledItemDelegate):
    """This year's months as a small line; gaps stay gaps."""

    def paint(self, painter: QPainter, option, index) -> None:
        super().paint(painter, option, index)
        values = index.data(Qt.UserRole) or ()
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(known) < 2:
            return
        low, high = min(v for _, v in known), max(v for _, v in known)
        r = QRectF(option.rect).adjusted(6, 5, -6, -5)
        span = (high - low) or 1

        def point(i, v):
            return QPointF(r.left() + r.width() * i / 11, r.bottom() - r.height() * (v - low) / span)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(QColor("#1f5fa8"), 1.6))
        run = []
        for i, v in enumerate(values):
            if v is None:
                if len(run) > 1:
                    painter.drawPolyline(QPolygonF(run))
                run = []
            else:
                run.append(point(i, v))
        if len(run) > 1:
            painter.drawPolyline(QPolygonF(run))
        painter.restore()


class Dashboard(QWidget):
    item_chosen = Signal(int)       # 項番

    def __init__(self, parent=None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("ダッシュボード — KPI の達成状況")
        self.resize(1300, 620)
        self.all_lines = []
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel("グループ"))
        self.group = QComboBox()
        self.group.addItems(GROUPS)
        self.group.currentIndexChanged.connect(self._filter)
        top.addWidget(self.group)
        lay.addLayout(top)
        self.model = OverviewModel(parent=self)
        self.view = QTableView()
        self.view.setObjectName("dashboard-table")
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(SPARK, SparklineDelegate(self.view))
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectRows)
        self.view.setWordWrap(False)
        self.view.clicked.connect(lambda index: self.item_chosen.emit(index.data(Qt.UserRole)))
        lay.addWidget(self.view, 1)
        self.summary = QLabel()
        lay.addWidget(self.summary)

    def show_lines(self, lines, heading: str) -> None:
        self.all_lines = list(lines)
        self.heading.setText(heading)
        self._filter()

    def _filter(self) -> None:
        group = self.group.currentText() if self.group.currentIndex() else ""
        shown = [ln for ln in self.all_lines if not group or group in ln.group or "全グループ" in ln.group]
        self.model.set_rows(shown)
        header = self.view.horizontalHeader()
        self.view.resizeColumnsToContents()
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.view.setColumnWidth(1, min(self.view.columnWidth(1), 220))
        self.view.setColumnWidth(SPARK, 130)
        counts = {m: sum(1 for ln in shown if ln.proposed == m) for m in ("◎", "○", "△")}
        self.summary.setText(f"KPI {len(shown)} 件　数値からの提案: " + "  ".join(f"{m}{n}" for m, n in counts.items())
                             + f"　未判定 {sum(1 for ln in shown if not ln.proposed)}")
