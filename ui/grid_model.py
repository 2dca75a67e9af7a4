"""月次表: a table model over plain rows — indicator × fiscal year, 4月 … 3月 and the year.

Month cells are editable; an entry is read by the importer's value reader and refused, with
its reason at the cell, when it cannot be read. Stored changes go through ``editor`` (an
undo stack whose commands call the edit service); the model never writes itself.

What painting asks for — texts, alignments, colours, fonts, flags — is worked out once per set of
rows and held by Qt's own items (a QStandardItemModel): a scroll step then calls no Python at all
(issue 25: as quick as a bare QStandardItemModel). A cell's tooltip and the text an editor starts
with are worked out when asked (``tooltip``, ``edit_text``; the grid view's delegate asks).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel

if TYPE_CHECKING:
    from app.reads.figures import GridRow
from app.core.fiscal import FISCAL_MONTHS, format_fy, month_label, quarter_of
from app.core.plausibility import places
from app.core.values import format_value

HEADERS = ["指標", "年度", *[month_label(m) for m in FISCAL_MONTHS], "年度計"]
FIRST_MONTH = 2
YEAR_COL = len(HEADERS) - 1
_READ_ONLY = Qt.ItemIsEnabled | Qt.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemIsEditable
BRUSHES = {"refused": "#f8c9c4", "disagree": "#ffe2b8", "locked": "#e2e4e8", "year": "#f1f3f6", "year_warn": "#fff4d6", "computed": "#666"}
_MONTH_COLS = list(enumerate(FISCAL_MONTHS, FIRST_MONTH))
KILO_FROM = 1_000_000        # a yen figure from here on is shown in 千円 in a group's table


class MonthlyGridModel(QStandardItemModel):
    refused = Signal(str)          # why an entry was not stored

    def __init__(self, catalogue, parent=None):
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.catalogue = catalogue
        self.rows: list[GridRow] = []
        self.negative = "△"
        self.thousands = False      # a group's table: large yen amounts shown in 千円 (the months fit at 1366 px)
        self._kilo: set[str] = set()  # the indicators shown in 千円
        self._style = None          # what else the items were drawn with: negative sign, _kilo, catalogue
        self.editor = None          # set by the window: editor.set_cells(model, [(row, month, entry)])
        self.errors: dict[tuple[int, int], str] = {}
        self.locks: dict[tuple[int, int], str] = {}     # (fiscal year, quarter) submitted → why it is read-only
        self._italic = QFont()
        self._italic.setItalic(True)
        self._brushes = {name: QBrush(QColor(color)) for name, color in BRUSHES.items()}
        # Items are made here (QStandardItem(text)), never by clone(): a clone made in C++ and
        # handed to Python is not known to the bindings when the model deletes it (a crash later).
        self._align = [(Qt.AlignLeft if c < FIRST_MONTH else Qt.AlignRight) | Qt.AlignVCenter for c in range(len(HEADERS))]

    # ---- rows ---------------------------------------------------------------------------
    def set_rows(self, rows: list[GridRow]) -> None:
        """New rows; when they are the same indicators and years, only the rows whose figures
        changed are drawn again (the current cell, the selection and the scroll position stay)."""
        rows = list(rows)
        kilo = {r.indicator for r in rows if self.thousands and self._is_large(r)}
        style, self._style = self._style, (self.negative, kilo, id(self.catalogue))
        if [(r.indicator, r.fiscal_year) for r in rows] == [(r.indicator, r.fiscal_year) for r in self.rows]:
            changed = {r for r, (new, old) in enumerate(zip(rows, self.rows)) if style != self._style or new != old}
            self.rows, self._kilo = rows, kilo
            changed |= {r for r, _ in self.errors}
            self.errors.clear()
            self._redraw(sorted(changed))
            return
        self.beginResetModel()
        self.blockSignals(True)                 # one reset, not a signal per row
        try:
            self.rows, self._kilo = rows, kilo
            self.errors.clear()
            self.setRowCount(0)
            for r in range(len(rows)):
                self.appendRow(self._items(r))
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def _redraw(self, rows=None) -> None:
        """The items of ``rows`` (all: None) made again from the rows, one dataChanged for them."""
        rows = range(len(self.rows)) if rows is None else rows
        if not rows:
            return
        self.blockSignals(True)
        try:
            for r in rows:
                for c, item in enumerate(self._items(r)):
                    self.setItem(r, c, item)
        finally:
            self.blockSignals(False)
        self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), YEAR_COL))

    def show_stored(self, cells: list[tuple]) -> None:
        """Cells just stored (code, fiscal year, month, value) shown at once; the rest of their rows
        (year column, origins, checks) follows when the figures have been read again."""
        changed = []
        for i, row in enumerate(self.rows):
            mine = {m: v for code, fy, m, v in cells if (code, fy) == (row.indicator, row.fiscal_year)}
            if mine:
                months = {m: v for m, v in {**row.months, **mine}.items() if v is not None}
                self.rows[i] = replace(row, months=months)
                for m in mine:
                    self.errors.pop((i, FIRST_MONTH + FISCAL_MONTHS.index(m)), None)
                changed.append(i)
        self._redraw(changed)

    @staticmethod
    def month_of(col: int) -> int | None:
        return FISCAL_MONTHS[col - FIRST_MONTH] if FIRST_MONTH <= col < YEAR_COL else None

    def lock_of(self, r: int, col: int) -> str | None:
        """Why a month cell is read-only: its quarter was submitted (None: it is not)."""
        month = self.month_of(col)
        if not month or not self.locks or not 0 <= r < len(self.rows):
            return None
        return self.locks.get((self.rows[r].fiscal_year, quarter_of(month)))

    def set_locks(self, locks: dict[tuple[int, int], str]) -> None:
        if locks != self.locks:
            self.locks = locks
            self._redraw()

    def _is_large(self, row: GridRow) -> bool:
        """A yen amount of seven digits or more (柔整 支給金額's 69,253,827 a month)."""
        figures = [*row.months.values(), row.year_value]
        return self.catalogue[row.indicator].unit == "円" and any(v is not None and abs(v) >= KILO_FROM for v in figures)

    def text(self, row: GridRow, value: float | None, decimals: int | None = None, shown: bool = True) -> str:
        """A figure as the grid shows it (``shown``: in 千円 for a large amount in a group's table)
        or as it is typed and stored."""
        ind = self.catalogue[row.indicator]
        if shown and row.indicator in self._kilo:
            return format_value(None if value is None else value / 1000, unit="千円", kind=ind.kind,
                                negative=self.negative, decimals=0)
        return format_value(value, unit=ind.unit, kind=ind.kind, negative=self.negative, decimals=decimals)

    def tooltip(self, index) -> str | None:
        """The cell's tooltip (its origin, why it is marked or read-only), worked out when asked."""
        r = index.row()
        return self._data(r, index.column(), Qt.ToolTipRole) if 0 <= r < len(self.rows) else None

    def edit_text(self, index) -> str:
        """The text an editor starts with: the stored figure as it is typed (in 円 in a 千円 row)."""
        r = index.row()
        return self._data(r, index.column(), Qt.EditRole) if 0 <= r < len(self.rows) else ""

    def _items(self, r: int) -> list[QStandardItem]:
        """A row's items: display texts, backgrounds, and the grey italics of a month worked out
        from its parts; a month of a submitted quarter is not editable."""
        row, brush, align = self.rows[r], self._brushes, self._align
        items = [QStandardItem(self._data(r, 0, Qt.DisplayRole)), QStandardItem(format_fy(row.fiscal_year))]
        for item in items:
            item.setTextAlignment(align[0])
            item.setFlags(_READ_ONLY)
        for col, month in _MONTH_COLS:
            stored = row.months.get(month)
            computed = stored is None and month in row.from_parts
            value = row.from_parts[month] if computed else stored
            own = row.decimals if row.decimals is None or stored is None else max(row.decimals, min(places(stored), 3))
            item = QStandardItem(self.text(row, value, own))
            item.setTextAlignment(align[col])
            locked = self.locks.get((row.fiscal_year, quarter_of(month))) if self.locks else None
            back = (brush["refused"] if (r, col) in self.errors else
                    brush["disagree"] if month in row.disagree or month in row.warnings else
                    brush["locked"] if locked else None)
            if back is not None:
                item.setBackground(back)
            if computed:
                item.setForeground(brush["computed"])
                item.setFont(self._italic)
            item.setFlags(_READ_ONLY if locked else _EDITABLE)
            items.append(item)
        item = QStandardItem(self.text(row, row.year_value, row.decimals))
        item.setTextAlignment(align[YEAR_COL])
        item.setFlags(_READ_ONLY)
        item.setBackground(brush["refused"] if (r, YEAR_COL) in self.errors else
                           brush["year_warn" if row.year_disagrees else "year"])
        items.append(item)
        return items

    def _data(self, r: int, col: int, role):
        row = self.rows[r]
        ind = self.catalogue[row.indicator]
        month = self.month_of(col)
        stored = row.months.get(month) if month else None
        if role in (Qt.DisplayRole, Qt.EditRole):
            if col == 0:
                unit = "千円" if row.indicator in self._kilo else ind.unit
                return f"{ind.name}（{unit}）" if unit not in ("", "h:mm") else ind.name
            if col == 1:
                return format_fy(row.fiscal_year)
            if col == YEAR_COL:
                return self.text(row, row.year_value, row.decimals)
            # a month: the text an editor starts with (shown texts are worked out a row at a time, _items)
            return "" if stored is None else self.text(row, stored, shown=False)
        if role == Qt.ToolTipRole:
            return self._tooltip(r, row, col, month, stored)
        return None

    def _tooltip(self, r, row: GridRow, col: int, month: int | None, stored) -> str | None:
        if (r, col) in self.errors:
            return self.errors[(r, col)]
        ind = self.catalogue[row.indicator]
        kilo = row.indicator in self._kilo
        if col == 0:
            return f"{ind.name}（{ind.unit}）" + ("\n千円単位で表示しています（入力は円で）" if kilo else "")
        full = f"{self.text(row, row.year_value if col == YEAR_COL else stored, row.decimals, shown=False)}円\n" \
            if kilo and (col == YEAR_COL or stored is not None) else ""
        if col == YEAR_COL:
            if row.year_disagrees:
                return (f"{full}ブックに印字された年度計です。月の値から計算すると "
                        f"{self.text(row, row.year_computed, row.decimals, shown=False)} で、一致しません")
            return full + ("ブックに印字された年度計" if row.year_printed else "月の値から計算（読み取り専用）")
        if not month:
            return None
        if lock := self.lock_of(r, col):
            return "\n".join(t for t in (lock, self._tooltip_of_month(row, ind, month, stored, full)) if t)
        return self._tooltip_of_month(row, ind, month, stored, full)

    def _tooltip_of_month(self, row: GridRow, ind, month: int, stored, full: str) -> str | None:
        parts = "・".join(self.catalogue[c].name for c in (ind.numerator, *ind.denominator) if c)
        if stored is None:
            return f"{parts}から計算（入力すると上書きします）" if month in row.from_parts else "値なし"
        tip = full + (row.origin.get(month) or "")
        if month in row.warnings:
            tip += f"\n点検: {row.warnings[month]}"
        return tip.strip() or None

    def setData(self, index, value, role=Qt.EditRole):
        month = self.month_of(index.column()) if index.isValid() else None
        if role != Qt.EditRole or month is None or self.editor is None:
            return False
        return self.editor.set_cells(self, [(index.row(), index.column(), value)])

    def refuse(self, cells: list[tuple[int, int]], message: str) -> None:
        """Mark cells whose entry was not stored, with the reason (shown at the cell)."""
        for r, c in cells:
            self.errors[(r, c)] = message
        self._redraw(sorted({r for r, _ in cells}))
        self.refused.emit(message)
