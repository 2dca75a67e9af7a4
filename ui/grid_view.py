"""The monthly grid as a spreadsheet: arrows, Enter/Tab, F2 or typing, Delete, Ctrl+C/Ctrl+V of
rectangular ranges with Excel (tab-separated text), a context menu with the cell's history."""
from __future__ import annotations

import csv
import io

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QHeaderView, QMenu, QStyledItemDelegate,
                               QTableView, QToolTip)

from ui.grid_model import FIRST_MONTH, YEAR_COL


NAME_MIN = 120                               # px the indicator column keeps however narrow the window
CELL_PAD, HEADER_PAD = 8, 16                  # px around a cell's text (the delegate's margins, a little air)


class CellDelegate(QStyledItemDelegate):
    """Painting is Qt's own (the model's items hold what it needs); the two things worked out when
    asked come from the model: the text an editor starts with, and a cell's tooltip."""

    def setEditorData(self, editor, index) -> None:
        model = index.model()
        if hasattr(model, "edit_text") and hasattr(editor, "setText"):
            editor.setText(model.edit_text(index))
        else:
            super().setEditorData(editor, index)

    def helpEvent(self, event, view, option, index) -> bool:
        model = index.model()
        if event.type() != QEvent.ToolTip or not hasattr(model, "tooltip"):
            return super().helpEvent(event, view, option, index)
        tip = model.tooltip(index)
        if tip:
            QToolTip.showText(event.globalPos(), tip, view)
        else:
            QToolTip.hideText()
            event.ignore()
        return bool(tip)


class MonthlyGridView(QTableView):
    history_requested = Signal(int, int)     # row, column
    check_requested = Signal(int, int)       # row, column: acknowledge the cell's warnings (点検)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("monthly-grid")
        self.setItemDelegate(CellDelegate(self))
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(24)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self._name_width = 0                 # the indicator column's content width (set per new rows)
        self.wrap_names = False              # a group's table: names take two lines rather than be cut
        self.verticalScrollBar().rangeChanged.connect(lambda *_: self._fit_names())    # a scroll bar came or went
        self.setContextMenuPolicy(Qt.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelReset.connect(self._fit_columns)     # once per new set of rows, not per edit

    def _fit_columns(self) -> None:
        """Each column as wide as its own contents (its widest text and its header; measured here
        from the texts, which is many times quicker than asking the delegate of every cell); the
        indicator names take the room that is left, and are cut (the tooltip has the whole name)
        only when 3月 and 年度計 would not fit."""
        model, text_width = self.model(), self.fontMetrics().horizontalAdvance
        header_width = self.horizontalHeader().fontMetrics().horizontalAdvance
        for c in range(model.columnCount()):
            cells = (model.index(r, c).data() or "" for r in range(model.rowCount()))
            self.setColumnWidth(c, max(header_width(model.headerData(c, Qt.Horizontal)) + HEADER_PAD,
                                       max(map(text_width, cells), default=0) + CELL_PAD))
        self._name_width = self.columnWidth(0)
        self._fit_names()

    def _fit_names(self) -> None:
        if not self.model() or not self._name_width:
            return
        others = sum(self.columnWidth(c) for c in range(1, self.model().columnCount()))
        room = self.viewport().width() - others
        # Names that do not fit on one line take two (rows grow to two lines) rather than being cut:
        # two indicators that begin alike (サービススタンダード…) must stay apart at 1366 px.
        two_lines = self.wrap_names and room < self._name_width
        line = self.fontMetrics().lineSpacing()
        self.setWordWrap(two_lines)
        self.verticalHeader().setDefaultSectionSize(2 * line + 8 if two_lines else 24)
        half = (self._name_width - CELL_PAD) // 2 + CELL_PAD + line      # a line's worth of slack for the break
        self.setColumnWidth(0, max(NAME_MIN, min(self._name_width, max(room, half))))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_names()

    # ---- keyboard -----------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Copy):
            self.copy()
        elif event.matches(QKeySequence.Paste):
            self.paste()
        elif event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and self.state() != QAbstractItemView.EditingState:
            self.clear_selection()
        elif event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.state() != QAbstractItemView.EditingState:
            cur = self.currentIndex()
            step = -1 if event.modifiers() & Qt.ShiftModifier else 1
            if cur.isValid():
                self.setCurrentIndex(cur.siblingAtRow(max(0, min(cur.row() + step, self.model().rowCount() - 1))))
        else:
            super().keyPressEvent(event)

    def edit(self, index, trigger=QAbstractItemView.AllEditTriggers, event=None) -> bool:
        """Typing, F2 or a double click on a cell of a submitted quarter says why it is read-only
        and who can unlock it."""
        model = self.model()
        if (index.isValid() and trigger & self.editTriggers() and hasattr(model, "lock_of")
                and (lock := model.lock_of(index.row(), index.column()))):
            if trigger != QAbstractItemView.AnyKeyPressed or (event is not None and event.text().strip()):
                model.refused.emit(lock)
            return False
        return super().edit(index, trigger, event)

    def closeEditor(self, editor, hint) -> None:
        """Enter in the editor stores and moves down, as in Excel."""
        submit = hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint if submit else hint)
        if submit:
            cur = self.currentIndex()
            if cur.row() + 1 < self.model().rowCount():
                self.setCurrentIndex(cur.siblingAtRow(cur.row() + 1))

    # ---- clipboard ----------------------------------------------------------------------
    def _block(self):
        indexes = self.selectedIndexes() or ([self.currentIndex()] if self.currentIndex().isValid() else [])
        if not indexes:
            return None
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return min(rows), max(rows), min(cols), max(cols)

    def copy(self) -> None:
        block = self._block()
        if block is None:
            return
        r0, r1, c0, c1 = block
        model = self.model()
        lines = ["\t".join(str(model.index(r, c).data() or "").replace("－", "") for c in range(c0, c1 + 1))
                 for r in range(r0, r1 + 1)]
        QGuiApplication.clipboard().setText("\r\n".join(lines) + "\r\n")

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        block = self._block()
        if not text or block is None:
            return
        table = [row for row in csv.reader(io.StringIO(text.replace("\r\n", "\n").rstrip("\n")), delimiter="\t")]
        r0, r1, c0, c1 = block
        if len(table) == 1 and len(table[0]) == 1:        # one value fills the selection, as in Excel
            table = [[table[0][0]] * (c1 - c0 + 1) for _ in range(r1 - r0 + 1)]
        model = self.model()
        cells = [(r0 + i, c0 + j, value) for i, row in enumerate(table) for j, value in enumerate(row)]
        outside = [(r, c) for r, c, _ in cells if not (FIRST_MONTH <= c < YEAR_COL and r < model.rowCount())]
        if outside:
            model.refused.emit(self._outside_said(table, r0, c0))
            return
        if model.editor.set_cells(model, cells, f"{len(cells)} セルの貼り付け"):
            top, bottom = model.index(r0, c0), model.index(r0 + len(table) - 1, c0 + max(map(len, table)) - 1)
            self.selectionModel().select(self._range(top, bottom), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _outside_said(self, table, r0: int, c0: int) -> str:
        """Why a paste does not fit, in the words of what overflows."""
        rows, cols = self.model().rowCount(), max(map(len, table))
        if c0 < FIRST_MONTH:
            return "貼り付けられるのは 4月〜3月 の列だけです（指標・年度の列には貼り付けられません）"
        if c0 + cols > YEAR_COL:
            return (f"貼り付ける {cols} 列が 3月 の列を越えます（この位置からは {YEAR_COL - c0} 列まで。"
                    "年度計の列には貼り付けられません）。何も貼り付けていません")
        return (f"貼り付ける {len(table)} 行が表の最後の行を越えます（この位置からは {rows - r0} 行まで）。"
                "何も貼り付けていません")

    @staticmethod
    def _range(top, bottom):
        from PySide6.QtCore import QItemSelection

        return QItemSelection(top, bottom)

    def clear_selection(self) -> None:
        model = self.model()
        cells = [(i.row(), i.column(), "") for i in self.selectedIndexes() if model.month_of(i.column())]
        if cells:
            model.editor.set_cells(model, cells, f"{len(cells)} セルの消去")

    # ---- menu ---------------------------------------------------------------------------
    def _menu(self, pos) -> None:
        index = self.indexAt(pos)
        menu = QMenu(self)
        for text, keys, slot in (("コピー", QKeySequence.Copy, self.copy), ("貼り付け", QKeySequence.Paste, self.paste),
                                 ("消去", QKeySequence.Delete, self.clear_selection)):
            menu.addAction(QAction(text, menu, shortcut=keys, triggered=slot))
        if index.isValid() and self.model().month_of(index.column()):
            menu.addSeparator()
            menu.addAction(QAction("このセルの変更履歴…", menu,
                                   triggered=lambda: self.history_requested.emit(index.row(), index.column())))
            if index.row() < len(self.model().rows) and \
                    self.model().month_of(index.column()) in self.model().rows[index.row()].warnings:
                menu.addAction(QAction("点検の警告を確認済みにする…", menu,
                                       triggered=lambda: self.check_requested.emit(index.row(), index.column())))
        menu.popup(self.viewport().mapToGlobal(pos))
