"""月次表: a table model over plain rows — indicator × fiscal year, 4月 … 3月 and the year."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

if TYPE_CHECKING:
    from app.figures import GridRow
from app.fiscal import FISCAL_MONTHS, format_fy, month_label
from app.values import format_value

HEADERS = ["指標", "年度", *[month_label(m) for m in FISCAL_MONTHS], "年度計"]
YEAR_COL = len(HEADERS) - 1


class MonthlyGridModel(QAbstractTableModel):
    def __init__(self, catalogue, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.rows: list[GridRow] = []
        self.negative = "△"

    def set_rows(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def _text(self, row: GridRow, value: float | None) -> str:
        ind = self.catalogue[row.indicator]
        return format_value(value, unit=ind.unit, kind=ind.kind, negative=self.negative)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        ind = self.catalogue[row.indicator]
        if role == Qt.DisplayRole:
            if col == 0:
                return f"{ind.name}（{ind.unit}）" if ind.unit not in ("", "h:mm") else ind.name
            if col == 1:
                return format_fy(row.fiscal_year)
            if col == YEAR_COL:
                return self._text(row, row.year_value)
            return self._text(row, row.months.get(FISCAL_MONTHS[col - 2]))
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeft if col < 2 else Qt.AlignRight) | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and col == YEAR_COL:
            return QBrush(QColor("#fff4d6") if row.year_disagrees else QColor("#f1f3f6"))
        if role == Qt.ToolTipRole and col == YEAR_COL:
            if row.year_disagrees:
                return "ブックに印字された年度計です。月の値から計算した値と一致しません"
            return "ブックに印字された年度計" if row.year_printed else f"月の値から計算（{ind.kind}）"
        return None
