"""支部別: one indicator for every branch (headquarters' tables), the home branch marked."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.fiscal import FISCAL_MONTHS, month_label
from app.core.values import format_value

HOME = QColor("#dcebfb")


class BranchTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = []
        self._texts: dict[int, list] = {}
        self.unit, self.kind, self.home, self.latest, self.decimals = "", "count", "", None, None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows, unit: str, kind: str, home: str, latest: int | None, decimals: int | None = None) -> None:
        """``decimals``: the indicator's (Figures.decimals), so 95.0% stands beside 94.5%."""
        self.beginResetModel()
        self._texts = {}
        self.rows, self.unit, self.kind, self.home, self.latest = list(rows), unit, kind, home, latest
        self.decimals = decimals
        self.endResetModel()

    def headers(self) -> list[str]:
        rank = f"全国順位（{self.latest}月）" if self.latest else "全国順位"
        return ["支部", *[month_label(m) for m in FISCAL_MONTHS], rank]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 14

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < 14:
            return self.headers()[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.DisplayRole:                 # texts worked out once per row
            texts = self._texts.get(index.row())
            if texts is None:
                texts = self._texts[index.row()] = [self._data(index.row(), c, role) for c in range(14)]
            return texts[index.column()]
        if role in (Qt.TextAlignmentRole, Qt.BackgroundRole, Qt.FontRole):
            return self._data(index.row(), index.column(), role)
        return None

    def _data(self, r: int, col: int, role):
        row = self.rows[r]
        if role == Qt.DisplayRole:
            if col == 0:
                return f"{row.branch} {row.name}" if row.branch != "00" else "全国"
            if col == 13:
                return f"{row.rank}位" if row.rank else ""
            return format_value(row.months.get(FISCAL_MONTHS[col - 1]), unit=self.unit, kind=self.kind,
                                decimals=self.decimals)
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeft if col == 0 else Qt.AlignRight) | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and row.branch == self.home:
            return QBrush(HOME)
        if role == Qt.FontRole and row.branch in (self.home, "00"):
            return self._bold
        return None
