"""Messages, one rule (Orange's in-widget messages): what concerns a view is said in the view — a
coloured line at its top (``MessageBar``), reached through ``say`` — and only what needs a decision
(a question, overwrite?, confirm) is a dialog (QMessageBox.question and its like)."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QMessageBox, QToolButton, QWidget

INFO, WARNING, ERROR = "info", "warning", "error"
COLOURS = {INFO: ("#e6f0fb", "#2b5b94"), WARNING: ("#fff4d6", "#8a6100"), ERROR: ("#fbe3e0", "#a3261b")}
INFO_SHOWN_MS = 15000                     # a result fades; a warning or a failure stays until closed


class MessageBar(QFrame):
    """One line over a view: the last thing said to it, coloured by level, with a close button."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("message-bar")
        self.level, self.said = "", ""
        self.label = QLabel()
        self.label.setTextFormat(Qt.RichText)
        self.label.setObjectName("message-text")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("閉じる")
        close.clicked.connect(self.clear)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 3, 3)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.timer = QTimer(self, singleShot=True, interval=INFO_SHOWN_MS, timeout=self.clear)
        self.hide()

    def show_message(self, text: str, level: str = ERROR, title: str = "") -> None:
        back, fore = COLOURS[level]
        self.level, self.said = level, text
        self.setStyleSheet(f"#message-bar {{ background: {back}; border: 1px solid {fore}; border-radius: 3px; }}"
                           f" #message-text {{ color: {fore}; }}")
        self.label.setText((f"<b>{escape(title)}</b>　" if title else "") + escape(text).replace("\n", "<br>"))
        self.show()
        if level == INFO:
            self.timer.start()
        else:
            self.timer.stop()

    def text(self) -> str:
        """What it says now (without the title); empty when closed."""
        return "" if self.isHidden() else self.said

    def clear(self) -> None:
        self.timer.stop()
        self.label.clear()
        self.level, self.said = "", ""
        self.hide()


def message_bar(widget: QWidget) -> MessageBar | None:
    """The bar nearest ``widget`` in its own window: its own or an ancestor's ``message_bar`` (a
    dialog's, never its parent window's); a dialog without one gets one at the top of its layout."""
    w = widget
    while True:
        if isinstance(getattr(w, "message_bar", None), MessageBar):
            return w.message_bar
        if w.isWindow() or w.parentWidget() is None:
            break
        w = w.parentWidget()
    top = widget.window()
    if isinstance(top.layout(), QBoxLayout):
        top.message_bar = MessageBar(top)
        top.layout().insertWidget(0, top.message_bar)
        return top.message_bar
    return None


def say(widget: QWidget, text: str, level: str = ERROR, title: str = "") -> None:
    """Say ``text`` in the view nearest ``widget`` (kept on ``widget.last_message`` too); never
    blocks. Where there is no view to say it in, a message box that does not block."""
    widget.last_message = text
    bar = message_bar(widget)
    if bar is not None:
        bar.show_message(text, level, title)
        return
    icon = {INFO: QMessageBox.Information, WARNING: QMessageBox.Warning}.get(level, QMessageBox.Critical)
    box = QMessageBox(icon, title or widget.windowTitle(), text, QMessageBox.Ok, widget)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
