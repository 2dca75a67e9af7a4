"""Editing the monthly grid through an undo stack whose commands call the operations of app/operations/ops.py:
an edit stores the cells; its undo takes that operation back (each row as it was, with its origin);
redo takes the undo back."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ui.tasks import run_op


class SetCellsCommand(QUndoCommand):
    """Some month cells of one branch set to new values, as one operation."""

    def __init__(self, editor: GridEditor, branch: str, changes: list[tuple], text: str, check: bool = True):
        super().__init__(text)
        self.editor, self.branch, self.changes = editor, branch, changes   # (code, fy, month, new, old)
        self.check = check                     # the cells must still hold what the user saw
        self.op_id: int | None = None          # the operation the next undo (or redo) takes back

    def _run(self, shown: list[tuple], fn, *args) -> bool:
        """Run the operation; ``shown``: the cells (code, fiscal year, month, value) it stores, shown
        at once (the figures are read again off the GUI thread, and the next edit checks against
        what the grid shows)."""
        def conflict(exc):                     # someone else changed a cell meanwhile: ask, with both
            self.setObsolete(True)
            self.editor.conflict.emit(exc, [(self.branch, c, fy, m, new) for c, fy, m, new, _ in self.changes])

        def refused(message):                  # the database refused (locked, gone, not allowed): said
            self.setObsolete(True)
            self.editor.failed.emit(message)

        changes = run_op(self.editor.parent(), "保存できません", fn, self.editor.db, *args,
                         on_conflict=conflict, on_failure=refused)
        if changes is None:
            return False
        self.op_id = changes.op_id
        self.editor.stored.emit(shown)
        self.editor.changed.emit(changes)
        return True

    def redo(self) -> None:
        from app.operations import ops
        from app.operations.edits import UNCHECKED, CellEntry

        shown = [(code, fy, m, new) for code, fy, m, new, _old in self.changes]
        if self.op_id is None:                 # the first time: the edit itself
            self._run(shown, ops.edit_cells, [CellEntry(self.branch, fy, m, code, new, old if self.check else UNCHECKED)
                                              for code, fy, m, new, old in self.changes])
        else:                                  # after an undo: take the undo back
            self._run(shown, ops.undo, self.op_id)

    def undo(self) -> None:
        from app.operations import ops
        if self.op_id is not None:             # an overwrite did not see what it replaced: shown once read
            self._run([(code, fy, m, old) for code, fy, m, _new, old in self.changes] if self.check else [],
                      ops.undo, self.op_id)


class GridEditor(QObject):
    """Validates entries by the importer's rules, then pushes one undoable command per edit."""
    changed = Signal(object)       # Changes: values were stored; redraw what shows them
    stored = Signal(object)        # [(code, fiscal year, month, value)]: the cells stored, to show at once
    failed = Signal(str)
    conflict = Signal(object, object)   # ConflictError, [(branch, code, fy, month, value)] not stored

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.db = None
        self.branch = ""

    def overwrite(self, cells) -> None:
        """Store the user's values over someone else's (after seeing both): one undoable step."""
        changes = [(code, fy, m, v, None) for _b, code, fy, m, v in cells]
        self.stack.push(SetCellsCommand(self, self.branch, changes, "上書き", check=False))

    def set_cells(self, model, cells: list[tuple[int, int, object]], label: str | None = None) -> bool:
        """cells: (row, column, entry). All valid → one undo step; any invalid → nothing stored."""
        from app.operations.edits import parse_entry
        from app.core.errors import ValidationError

        locked = [(r, c) for r, c, _ in cells if model.lock_of(r, c)]
        if locked:                             # a submitted quarter: read-only, and who can unlock it
            model.refuse(locked, model.lock_of(*locked[0]))
            return False
        changes, bad = [], []
        for r, c, entry in cells:
            row, month = model.rows[r], model.month_of(c)
            try:
                new = parse_entry(self.db.catalogue, row.indicator, entry)
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
