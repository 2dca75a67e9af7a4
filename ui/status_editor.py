"""実施状況: an item's status text, rating and national rank for a quarter, saved as you type."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout,
)

from app.core.kpi import RATING_MEANING, RATINGS

BULLET = "・"
SAVE_AFTER_MS = 700


class BulletTextEdit(QPlainTextEdit):
    """Enter after a ``・`` line starts the next one with ``・``; Enter on an empty bullet ends the list."""

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not event.modifiers() & Qt.ShiftModifier:
            cursor = self.textCursor()
            line = cursor.block().text()
            if line.startswith(BULLET):
                if line.strip() == BULLET:                      # an empty bullet: end the list
                    cursor.movePosition(QTextCursor.StartOfBlock)
                    cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
                    cursor.removeSelectedText()
                    return
                cursor.insertText("\n" + BULLET)
                self.setTextCursor(cursor)
                return
        super().keyPressEvent(event)

    def toggle_bullet(self) -> None:
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.StartOfBlock)
        if cursor.block().text().startswith(BULLET):
            cursor.deleteChar()
        else:
            cursor.insertText(BULLET)


class StatusEditor(QGroupBox):
    saved = Signal(object)          # Changes: something was stored (counts and views may change)
    failed = Signal(str)            # a save was refused: the message (the editor shows the stored state)
    quarter_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__("実施状況", parent)
        self.db = None
        self.item_id: int | None = None
        self.loaded_quarter = 4
        self.dirty = False
        self.version: int | None = None
        self._loading = False
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.quarter = QComboBox()
        self.quarter.setObjectName("status-quarter")
        for q in (1, 2, 3, 4):
            self.quarter.addItem(f"第{q}四半期", q)
        self.quarter.currentIndexChanged.connect(lambda _i: self.quarter_changed.emit(self.quarter.currentData()))
        self.rating = QComboBox()
        self.rating.setObjectName("status-rating")
        self.rating.addItem("－（未評価）", None)
        for mark in RATINGS:
            self.rating.addItem(f"{mark} {RATING_MEANING[mark]}", mark)
        self.rating.currentIndexChanged.connect(self._save_now)
        self.proposed = QLabel()
        self.proposed.setObjectName("status-proposed")
        self.rank = QSpinBox()
        self.rank.setObjectName("status-rank")
        self.rank.setRange(0, 47)
        self.rank.setSpecialValueText("－")
        self.rank.setSuffix(" 位")
        self.rank.valueChanged.connect(self._save_now)
        for w in (QLabel("四半期"), self.quarter, QLabel("  評価"), self.rating, self.proposed,
                  QLabel("  全国順位"), self.rank):
            top.addWidget(w)
        top.addStretch(1)
        bullet = QPushButton("・ 箇条書き")
        bullet.setToolTip("行頭の「・」を付ける／外す (Ctrl+.)")
        bullet.setShortcut(QKeySequence("Ctrl+."))
        top.addWidget(bullet)
        lay.addLayout(top)
        self.text = BulletTextEdit()
        self.text.setObjectName("status-text")
        self.text.setPlaceholderText("進捗状況（計画を下回る場合は、今後改善すべき点等）")
        self.text.textChanged.connect(self._typed)
        bullet.clicked.connect(self.text.toggle_bullet)
        lay.addWidget(self.text)
        self.state = QLabel()
        self.state.setObjectName("status-state")
        self.state.setStyleSheet("color: #666;")
        lay.addWidget(self.state)
        self.timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_MS, timeout=self.save)
        self.setEnabled(False)

    @property
    def current_quarter(self) -> int:
        return self.quarter.currentData()

    def set_quarter(self, quarter: int) -> None:
        self.quarter.setCurrentIndex(quarter - 1)

    def load(self, db, item_id: int | None, status, proposed: str | None) -> None:
        """Show an item's status for the current quarter (saving what was pending first)."""
        self.save()
        self._loading = True
        self.db, self.item_id = db, item_id
        self.loaded_quarter = self.current_quarter     # saves go to the quarter shown, not a newly chosen one
        self.dirty = False
        self.version = None
        if item_id is not None:
            from app.operations.statuses import status_version

            self.version = status_version(db, item_id, self.loaded_quarter)
        self.setEnabled(item_id is not None)
        self.rating.setCurrentIndex(self.rating.findData(status.rating) if status and status.rating else 0)
        self.rank.setValue(status.national_rank or 0 if status else 0)
        self.text.setPlainText(status.status_text if status else "")
        self.proposed.setText(f"（数値からの提案: {proposed}）" if proposed else "")
        self.state.setText("")
        self._loading = False

    def _typed(self) -> None:
        if not self._loading:
            self.dirty = True
            self.state.setText("入力中…")
            self.timer.start()

    def _save_now(self, *_args) -> None:
        if not self._loading:
            self.dirty = True
            self.save()

    def save(self) -> None:
        """Store text, rating and rank (only what changed is stored and logged)."""
        self.timer.stop()
        if self._loading or self.db is None or self.item_id is None or not self.dirty:
            return
        from app.operations import ops
        from app.core.errors import ConflictError
        from app.operations.statuses import status_version
        from app.store.failures import describe_failure

        try:
            changes = ops.save_status(self.db, self.item_id, self.loaded_quarter, text=self.text.toPlainText(),
                                      rating=self.rating.currentData(), national_rank=self.rank.value() or None,
                                      expected_version=self.version)
        except ConflictError as exc:
            self._conflict(exc)
            return
        except Exception as exc:  # refused (not allowed, database gone): said, and the stored state shown
            message = f"保存できませんでした: {describe_failure(exc)}"
            self._show_stored()
            self.state.setText(message)
            self.failed.emit(message)
            return
        self.version = status_version(self.db, self.item_id, self.loaded_quarter)
        self.dirty = False
        if changes:
            self.state.setText(f"保存しました {datetime.now():%H:%M:%S}")
            self.saved.emit(changes)

    def _show_stored(self) -> None:
        """Back to what is stored (after a refused save): rating and rank. The typed text stays in
        the editor (not lost; the state line says it is not saved)."""
        from app.reads.queries import statuses

        stored = next(iter(statuses(self.db, [self.item_id], self.loaded_quarter)), None)
        self._loading = True
        self.rating.setCurrentIndex(self.rating.findData(stored.rating) if stored and stored.rating else 0)
        self.rank.setValue(stored.national_rank or 0 if stored else 0)
        self.dirty = False
        self._loading = False

    def _conflict(self, exc) -> None:
        """Someone saved this status meanwhile: both texts side by side; the user chooses."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QVBoxLayout

        from app.operations.statuses import status_version

        theirs, mine = exc.conflicts[0][1] or "", exc.conflicts[0][2] or ""
        dialog = QDialog(self)
        dialog.setWindowTitle("同時に変更されました")
        lay = QVBoxLayout(dialog)
        lay.addWidget(QLabel("ほかの人がこの実施状況を先に保存しました。どちらの内容にしますか？"))
        row = QHBoxLayout()
        for title, text in (("ほかの人の内容", theirs), ("あなたの内容", mine)):
            col = QVBoxLayout()
            col.addWidget(QLabel(title))
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            col.addWidget(view)
            row.addLayout(col)
        lay.addLayout(row)
        buttons = QDialogButtonBox()
        keep_mine = buttons.addButton("あなたの内容で保存", QDialogButtonBox.AcceptRole)
        buttons.addButton("ほかの人の内容を使う", QDialogButtonBox.RejectRole)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        lay.addWidget(buttons)
        self.conflict_dialog = dialog
        keep_mine.setDefault(True)
        if dialog.exec() == QDialog.Accepted:
            self.version = status_version(self.db, self.item_id, self.loaded_quarter)
            self.save()
        else:
            self._loading = True
            self.text.setPlainText(theirs)
            self._loading = False
            self.version = status_version(self.db, self.item_id, self.loaded_quarter)
            self.dirty = False
            self.state.setText("ほかの人の内容にしました")
