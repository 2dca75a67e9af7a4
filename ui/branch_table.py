"""支部別: one indicator for every branch (headquarters' tables), the home branch marked.

The 48 rows are small and change only when another indicator is chosen: the texts, colours and
fonts are worked out once and held by a QStandardItemModel, so that scrolling asks Qt's own items
(no Python call per cell painted; a scroll step as quick as a bare QStandardItemModel's)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel

from app.core.fiscal import FISCAL_MONTHS, month_label
from app.core.values import format_value

HOME = QColor("#dcebfb")
COLUMNS = 14
_LEFT, _RIGHT = Qt.AlignLeft | Qt.AlignVCenter, Qt.AlignRight | Qt.AlignVCenter
_READ_ONLY = Qt.ItemIsEnabled | Qt.ItemIsSelectable


class BranchTableModel(QStandardItemModel):
    def __init__(self, parent=None):
        super().__init__(0, COLUMNS, parent)
        self.rows = []
        self.unit, self.kind, self.home, self.latest, self.decimals = "", "count", "", None, None
        self._bold = QFont()
        self._bold.setBold(True)
        self._home = QBrush(HOME)
        self.setHorizontalHeaderLabels(self.headers())

    def set_rows(self, rows, unit: str, kind: str, home: str, latest: int | None, decimals: int | None = None) -> None:
        """``decimals``: the indicator's (Figures.decimals), so 95.0% stands beside 94.5%."""
        self.rows, self.unit, self.kind, self.home, self.latest = list(rows), unit, kind, home, latest
        self.decimals = decimals
        self.beginResetModel()
        self.blockSignals(True)                 # one reset, not a signal per item
        try:
            self.setRowCount(0)
            for row in self.rows:
                self.appendRow(self._items(row))
            self.setHorizontalHeaderLabels(self.headers())
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def headers(self) -> list[str]:
        rank = f"全国順位（{self.latest}月）" if self.latest else "全国順位"
        return ["支部", *[month_label(m) for m in FISCAL_MONTHS], rank]

    def _items(self, row) -> list[QStandardItem]:
        texts = [f"{row.branch} {row.name}" if row.branch != "00" else "全国",
                 *(format_value(row.months.get(m), unit=self.unit, kind=self.kind, decimals=self.decimals)
                   for m in FISCAL_MONTHS),
                 f"{row.rank}位" if row.rank else ""]
        items = []
        for col, text in enumerate(texts):
            item = QStandardItem(text)
            item.setFlags(_READ_ONLY)
            item.setTextAlignment(_LEFT if col == 0 else _RIGHT)
            if row.branch == self.home:
                item.setBackground(self._home)
            if row.branch in (self.home, "00"):
                item.setFont(self._bold)
            items.append(item)
        return items
