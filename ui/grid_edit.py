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
        """values: (code, fy, month, value, the value expected in the database now)."""
        from app.edits import UNCHECKED, CellEntry, set_month_values
        from app.errors import ConflictError

        check = not self.editor.force
        try:
            set_month_values(self.editor.db, [CellEntry(self.branch, fy, m, code, v, seen if check else UNCHECKED)
                                              for code, fy, m, v, seen in values])
        except ConflictError as exc:           # someone else changed a cell meanwhile: ask, with both
            self.setObsolete(True)
            self.editor.conflict.emit(exc, [(self.branch, *v[:4]) for v in values])
            return
        except Exception as exc:  # the database refused (locked, gone, not allowed): say so
            self.setObsolete(True)
            self.editor.failed.emit(f"保存できませんでした: {exc}")
            return
        self.editor.changed.emit()

    def redo(self) -> None:
        self._apply([(c, fy, m, new, old) for c, fy, m, new, old in self.changes])

    def undo(self) -> None:
        self._apply([(c, fy, m, old, new) for c, fy, m, new, old in self.changes])


class GridEditor(QObject):
    """Validates entries by the importer's rules, then pushes one undoable command per edit."""
    changed = Signal()             # values were stored: refresh what shows them
    failed = Signal(str)
    conflict = Signal(object, object)   # ConflictError, [(branch, code, fy, month, value)] not stored

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.db = None
        self.branch = ""
        self.force = False         # True while the user chose to overwrite someone else's change

    def overwrite(self, cells) -> None:
        """Store the user's values over someone else's (after seeing both)."""
        from app.edits import CellEntry, set_month_values

        set_month_values(self.db, [CellEntry(b, fy, m, code, v) for b, code, fy, m, v in cells])
        self.changed.emit()

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
