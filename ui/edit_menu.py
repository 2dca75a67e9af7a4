"""The 編集 menu's clipboard entries (切り取り, コピー, 貼り付け, すべて選択, 削除): each acts on the
widget that has the keyboard — the monthly grid (ranges, as with the keys), or a text field.

The keys themselves stay with the widgets (the grid's Ctrl+C/Ctrl+V/Delete, a text field's own):
the menu shows them beside each entry, but does not take them as window-wide shortcuts, which would
steal Delete and Ctrl+V from the field being typed in."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

ENTRIES = (("cut", "切り取り(&T)", QKeySequence.Cut), ("copy", "コピー(&C)", QKeySequence.Copy),
           ("paste", "貼り付け(&P)", QKeySequence.Paste), ("select_all", "すべて選択(&A)", QKeySequence.SelectAll),
           ("delete", "削除(&D)", QKeySequence.Delete))


def add_clipboard_actions(window, menu) -> dict[str, QAction]:
    actions = {}
    for name, text, key in ENTRIES:
        shown = QKeySequence(key).toString(QKeySequence.NativeText)
        action = QAction(f"{text}\t{shown}" if shown else text, window)
        action.triggered.connect(lambda _checked=False, n=name: act(window, n))
        menu.addAction(action)
        actions[name] = action
    return actions


def act(window, name: str, widget=None) -> bool:
    """Do ``name`` on the focused widget; False when it has nothing to do it on."""
    widget = widget or QApplication.focusWidget() or getattr(window, "grid", None)
    grid = getattr(window, "grid", None)
    if grid is not None and widget is grid:
        if name in ("cut", "copy"):
            grid.copy()
        if name == "paste":
            grid.paste()
        if name in ("cut", "delete"):
            grid.clear_selection()
        if name == "select_all":
            grid.selectAll()
        return True
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget = widget.lineEdit()
    if isinstance(widget, QAbstractSpinBox):
        widget = widget.findChild(QLineEdit)
    if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit)) and widget.isReadOnly() \
            and name in ("cut", "paste", "delete"):
        return False
    if isinstance(widget, QLineEdit):
        {"cut": widget.cut, "copy": widget.copy, "paste": widget.paste, "select_all": widget.selectAll,
         "delete": widget.del_}[name]()
        return True
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        if name == "delete":
            widget.textCursor().removeSelectedText()
        else:
            getattr(widget, {"select_all": "selectAll"}.get(name, name))()
        return True
    return False
