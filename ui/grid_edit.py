"""Editing the monthly grid through an undo stack whose commands call the edit service."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack


class SetCellsCommand(QUndoCommand):
    """Some month cells of one branch set to new values; undo sets the old ones back."""

    def __init__(self, editor: GridEditor, branch: str, changes: list[tuple], text: str):
        super().__init__(text)
        self.editor, self.branch, self.changes = editor, branch, changes   # (code, fy, month, new, old)

    def _apply(self, values) -> None:
        from app.edits import CellEntry, set_month_values

        try:
            set_month_values(self.editor.db, [CellEntry(self.branch, fy, m, code, v) for code, fy, m, v in values])
        except Exception as exc:  # the database refused (locked, gone): say so, keep nothing half-done
            self.setObsolete(True)
            self.editor.failed.emit(f"保存できませんでした: {exc}")
            return
        self.editor.changed.emit()

    def redo(self) -> None:
        self._apply([(c, fy, m, new) for c, fy, m, new, _ in self.changes])

    def undo(self) -> None:
        self._apply([(c, fy, m, old) for c, fy, m, _, old in self.changes])


class GridEditor(QObject):
    """Validates entries by the importer's rules, then pushes one undoable command per edit."""
    changed = Signal()             # values were stored: refresh what shows them
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.db = None
        self.branch = ""

    def set_cells(self, model, cells: list[tuple[int, int, object]], label: str | None = None) -> bool:
        """cells: (row, column, entry). All valid → one undo step; any invalid → nothing stored."""
        from app.edits import parse_entry
        from app.errors import ValidationError

        changes, bad = [], []
        for r, c, entry in cells:
            row, month = model.rows[r], model.month_of(c)
            try:
                new = parse_entry(self.db, row.indicator, entry)
            except ValidationError as exc:
                bad.append(((r, c), f"{model.catalogue[row.indicator].name} {month}月: {exc}"))
                continue
            old = row.months.get(month)
            if new != old:
                changes.append((row.indicator, row.fiscal_year, month, new, old))
        if bad:
            model.refuse([cell for cell, _ in bad], bad[0][1] + (f" ほか {len(bad) - 1} 件" if len(bad) > 1 else "")
                         + "。保存していません")
            return False
        if changes:
            text = label or (f"{len(changes)} セルの変更" if len(changes) > 1 else "値の変更")
            self.stack.push(SetCellsCommand(self, self.branch, changes, text))
        return True
