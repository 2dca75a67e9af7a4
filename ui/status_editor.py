"""実施状況: an item's rated rows (評価行: its sub-points, 【KPI】 and 【業績評価】 lines), each with the
chosen quarter's rating, national rank and progress text, saved as you type; and the item's own
rating (empty: derived from its rows). On 第4四半期 the item's year texts of 目標達成状況 under them
(取組内容・結果, 課題・次年度の取組), saved as you type too."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea,
    QSpinBox, QVBoxLayout, QWidget,
)

from app.core.kpi import RATING_MEANING, RATINGS
from ui.messages import WARNING, say
from ui.tasks import run_op

BULLET = "・"
SAVE_AFTER_MS = 700
TAG_COLOURS = {"KPI": "#1f5fa8", "業績評価": "#a33", "インセンティブ": "#6a4"}


class BulletTextEdit(QPlainTextEdit):
    """Enter after a ``・`` line starts the next one with ``・``; Enter on an empty bullet ends the list.
    Tab moves on to the next field. A range pasted from Excel (or a table from a web page) stays a
    table: its rows as lines, its cells separated by tabs (app/core/texttable.py), on lines of
    their own; documents print it as a table. Typing while it is read-only (a submitted quarter)
    says so (``blocked``)."""
    blocked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance("０") * 6)

    def insertFromMimeData(self, source) -> None:
        from app.core.texttable import from_html, from_tab_text

        text = from_tab_text(source.text()) if source.hasText() else ""
        if "\t" not in text and source.hasHtml():
            text = from_html(source.html()) or text
        if "\t" not in text:
            super().insertFromMimeData(source)
            return
        cursor = self.textCursor()
        cursor.removeSelectedText()
        if cursor.block().text()[:cursor.positionInBlock()].strip():   # a table starts a line…
            text = "\n" + text
        if cursor.block().text()[cursor.positionInBlock():].strip():   # …and ends one
            text += "\n"
        cursor.insertText(text)
        self.setTextCursor(cursor)

    def keyPressEvent(self, event) -> None:
        if self.isReadOnly() and (event.text().strip() or event.key() in (Qt.Key_Delete, Qt.Key_Backspace)):
            self.blocked.emit()
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


class NextOnEnter(QObject):
    """Enter in a rating or rank field moves on to the next field, as Tab does."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            nxt = obj.nextInFocusChain()
            while nxt is not obj and (obj.isAncestorOf(nxt) or not (
                    nxt.focusPolicy() & Qt.TabFocus and nxt.isEnabled() and nxt.isVisible())):
                nxt = nxt.nextInFocusChain()
            nxt.setFocus(Qt.TabFocusReason)
            return True
        return False


def rating_box(none_text: str) -> QComboBox:
    box = QComboBox()
    box.addItem(none_text, None)
    for mark in RATINGS:
        box.addItem(f"{mark} {RATING_MEANING[mark]}", mark)
    return box


def choose_mine(parent, theirs: str, mine: str) -> bool:
    """Someone saved the same text meanwhile: both side by side; True if the user keeps hers."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    dialog = QDialog(parent)
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
    parent.window().conflict_dialog = dialog
    keep_mine.setDefault(True)
    return dialog.exec() == QDialog.Accepted


def settle(editor, changes) -> None:
    """After a save went through (RowEditor, YearTexts): the stored version taken, nothing left to
    save, and what changed said and handed on."""
    stored = editor._stored()
    editor.version = stored.version if stored else 0
    editor.dirty = False
    if changes:
        editor.state.setText(f"保存しました {datetime.now():%H:%M:%S}")
        editor.saved.emit(changes)


class RowEditor(QFrame):
    """One rated row: its plan text and tags; for the quarter its rating, rank and progress text."""
    saved = Signal(object)

    def __init__(self, row, enter: NextOnEnter, parent=None):
        super().__init__(parent)
        self.row = row
        self.db = None
        self.quarter = 4
        self.version = 0
        self.dirty = False
        self._loading = False
        self.lock: str | None = None          # why the quarter shown is read-only (submitted)
        self.setFrameShape(QFrame.StyledPanel)
        lay = QGridLayout(self)
        tags = "".join(f"<span style='color:{TAG_COLOURS.get(t, '#555')}'>【{t}】</span>" for t in row.tags)
        from html import escape

        self.plan = QLabel(f"{tags}{escape(row.plan_text).replace(chr(10), '<br>')}")
        self.plan.setWordWrap(True)
        self.plan.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.rating = rating_box("－（未評価）")
        self.rating.setAccessibleName("評価")
        self.rank = QSpinBox()
        self.rank.setRange(0, 47)
        self.rank.setSpecialValueText("－")
        self.rank.setSuffix(" 位")
        self.rank.setAccessibleName("全国順位")
        for w in (self.rating, self.rank):
            w.installEventFilter(enter)
        self.rating.currentIndexChanged.connect(self._save_now)
        self.rank.valueChanged.connect(self._save_now)
        self.rank.valueChanged.connect(self._show_basis)
        self.basis = QLabel()                    # the rank every view shows, with its basis (本部公表 / 支部別表)
        self.basis.setObjectName("rank-basis")
        self.basis.setWordWrap(True)
        self.basis.setStyleSheet("color: #555;")
        self.shown_rank = None
        self.text = BulletTextEdit()
        self.text.setPlaceholderText("進捗状況（計画を下回る場合は、今後改善すべき点等）")
        self.text.setFixedHeight(86)
        self.text.textChanged.connect(self._typed)
        self.text.blocked.connect(self._blocked)
        self.state = QLabel()
        self.state.setStyleSheet("color: #666;")
        side = QVBoxLayout()
        for w in (QLabel("評価"), self.rating, QLabel("全国順位"), self.rank, self.basis):
            side.addWidget(w)
        side.addStretch(1)
        lay.addWidget(self.plan, 0, 0)
        lay.addWidget(self.text, 1, 0)
        lay.addWidget(self.state, 2, 0)
        lay.addLayout(side, 0, 1, 3, 1)
        QWidget.setTabOrder(self.rating, self.rank)              # Tab: 評価 → 全国順位 → 進捗状況 → next row
        QWidget.setTabOrder(self.rank, self.text)
        self.timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_MS, timeout=self.save)

    def load(self, db, quarter: int, status, shown_rank=None) -> None:
        """The row's quarter; ``shown_rank`` (app.reads.ranks.ShownRank): its rank as every view shows
        it, whose computed part (支部別表) stays beside what is typed here."""
        self._loading = True
        self.db, self.quarter = db, quarter
        if shown_rank is not None:
            self.shown_rank = shown_rank
        self.version = status.version if status else 0
        self.rating.setCurrentIndex(self.rating.findData(status.rating) if status and status.rating else 0)
        self.rank.setValue(status.national_rank or 0 if status else 0)
        self.text.setPlainText(status.progress_text if status else "")
        self.dirty = False
        self.state.setText("前の四半期から引き継いだまま（直すと外れます）" if status and status.carried else "")
        self._show_basis()
        self._loading = False

    def _show_basis(self, *_args) -> None:
        shown = self.shown_rank.retyped(self.rank.value() or None).text if self.shown_rank else ""
        self.basis.setText(shown)
        self.basis.setVisible(bool(shown))

    def set_locked(self, lock: str | None) -> None:
        """A submitted quarter: text, rating and rank read-only; typing says why and who unlocks."""
        self.lock = lock
        self.text.setReadOnly(bool(lock))
        self.rating.setEnabled(not lock)
        self.rank.setEnabled(not lock)

    def _blocked(self) -> None:
        self.state.setText(self.lock or "")
        say(self, self.lock or "", WARNING)

    def _typed(self) -> None:
        if not self._loading:
            self.dirty = True
            self.state.setText("入力中…")
            self.timer.start()

    def _save_now(self, *_args) -> None:
        if not self._loading:
            self.dirty = True
            self.save()

    def _stored(self):
        from app.reads.queries import row_statuses

        return row_statuses(self.db, [self.row.id], self.quarter).get(self.row.id)

    def save(self) -> None:
        """Store text, rating and rank (only what changed is stored and logged)."""
        self.timer.stop()
        if self._loading or self.db is None or not self.dirty:
            return
        from app.operations import ops

        def refused(message):                 # not allowed, database gone: the stored state shown
            self._show_stored()
            self.state.setText(f"保存できませんでした: {message}")

        changes = run_op(self, "保存できませんでした", ops.save_row_status, self.db, self.row.id, self.quarter,
                         text=self.text.toPlainText(), rating=self.rating.currentData(),
                         rank=self.rank.value() or None, expected_version=self.version,
                         on_conflict=self._conflict, on_failure=refused)
        if changes is not None:
            settle(self, changes)

    def _show_stored(self) -> None:
        """Back to what is stored (after a refused save): rating and rank. The typed text stays in
        the editor (not lost; the state line says it is not saved)."""
        stored = self._stored()
        self._loading = True
        self.rating.setCurrentIndex(self.rating.findData(stored.rating) if stored and stored.rating else 0)
        self.rank.setValue(stored.national_rank or 0 if stored else 0)
        self.dirty = False
        self._loading = False

    def _conflict(self, exc) -> None:
        theirs, mine = exc.conflicts[0][1] or "", exc.conflicts[0][2] or ""
        keep_mine = choose_mine(self, theirs, mine)
        stored = self._stored()
        self.version = stored.version if stored else 0
        if keep_mine:
            self.save()
            return
        self._loading = True
        self.text.setPlainText(theirs)
        self._loading = False
        self.dirty = False
        self.state.setText("ほかの人の内容にしました")


class YearTexts(QGroupBox):
    """年度のまとめ (目標達成状況, seed 001): the item's 取組内容・結果 and 課題・次年度の取組, written
    on 第4四半期; saved as you type, each save one operation (logged); Ctrl+Z in a field takes
    the typing back and that is saved the same way."""
    saved = Signal(object)
    FIELDS = (("results", "results_text", "取組内容・結果"), ("next_year", "next_year_text", "課題・次年度の取組"))

    def __init__(self, parent=None):
        super().__init__("年度のまとめ（目標達成状況に載ります）", parent)
        self.setObjectName("year-texts")
        self.db, self.item_id, self.version = None, None, 0
        self.dirty, self._loading = False, False
        lay = QVBoxLayout(self)
        self.texts: dict[str, BulletTextEdit] = {}
        for name, _field, label in self.FIELDS:
            edit = BulletTextEdit()
            edit.setObjectName(f"year-{name}")
            edit.setAccessibleName(label)
            edit.setPlaceholderText(f"{label}（1年間の{label}を書きます）")
            edit.setFixedHeight(96)
            edit.textChanged.connect(self._typed)
            lay.addWidget(QLabel(f"〇{label}"))
            lay.addWidget(edit)
            self.texts[name] = edit
        self.state = QLabel()
        self.state.setStyleSheet("color: #666;")
        lay.addWidget(self.state)
        self.timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_MS, timeout=self.save)

    def load(self, db, item_id: int, status) -> None:
        self._loading = True
        self.db, self.item_id = db, item_id
        self.version = status.version if status else 0
        for name, field, _label in self.FIELDS:
            self.texts[name].setPlainText(getattr(status, field) if status else "")
        self.dirty = False
        self.state.setText("")
        self._loading = False

    def _typed(self) -> None:
        if not self._loading:
            self.dirty = True
            self.state.setText("入力中…")
            self.timer.start()

    def _stored(self):
        from app.reads.queries import statuses

        return next(iter(statuses(self.db, [self.item_id], 4)), None)

    def save(self) -> None:
        """Store the two texts (only what changed is stored and logged)."""
        self.timer.stop()
        if self._loading or self.db is None or not self.dirty:
            return
        from app.operations import ops

        typed = {name: self.texts[name].toPlainText() for name, _f, _l in self.FIELDS}

        def conflict(exc):
            labels = {label: name for name, _f, label in self.FIELDS}
            theirs = "\n\n".join(f"〇{label}\n{old or ''}" for label, old, _new in exc.conflicts if label in labels)
            stored = self._stored()
            self.version = stored.version if stored else 0
            if choose_mine(self, theirs, "\n\n".join(f"〇{label}\n{typed[labels[label]]}" for label in labels)):
                self.save()
            else:
                self.load(self.db, self.item_id, stored)
                self.state.setText("ほかの人の内容にしました")

        def refused(message):                 # not allowed, database gone: the typed text stays
            self.state.setText(f"保存できませんでした: {message}")
            self.dirty = False

        changes = run_op(self, "保存できませんでした", ops.save_status, self.db, self.item_id, 4,
                         expected_version=self.version, on_conflict=conflict, on_failure=refused, **typed)
        if changes is not None:
            settle(self, changes)


class StatusEditor(QGroupBox):
    saved = Signal(object)          # Changes: something was stored (counts and views may change)
    quarter_changed = Signal(int)
    carry_group_requested = Signal()   # 前四半期から引き継ぐ for every item of a group (the window asks which)

    def __init__(self, parent=None):
        super().__init__("実施状況", parent)
        self.db = None
        self.item_id: int | None = None
        self.loaded_quarter = 4
        self.rows: list[RowEditor] = []
        self.year_texts: YearTexts | None = None
        self.locks: dict[int, str] = {}   # quarter submitted (of the year shown) → why it is read-only
        self._loading = False
        self._enter = NextOnEnter(self)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.quarter = QComboBox()
        self.quarter.setObjectName("status-quarter")
        for q in (1, 2, 3, 4):
            self.quarter.addItem(f"第{q}四半期", q)
        self.quarter.currentIndexChanged.connect(lambda _i: self.quarter_changed.emit(self.quarter.currentData()))
        self.rating = rating_box("－（行から）")
        self.rating.setObjectName("status-rating")
        self.rating.setToolTip("項目としての評価。空なら行の評価から決まります")
        self.rating.currentIndexChanged.connect(self._rate_item)
        self.proposed = QLabel()
        self.proposed.setObjectName("status-proposed")
        for w in (QLabel("四半期"), self.quarter, QLabel("  項目の評価"), self.rating, self.proposed):
            top.addWidget(w)
        top.addStretch(1)
        bullet = QPushButton("・ 箇条書き")
        bullet.setToolTip("行頭の「・」を付ける／外す (Ctrl+.)")
        bullet.setShortcut(QKeySequence("Ctrl+."))
        bullet.setFocusPolicy(Qt.NoFocus)
        bullet.clicked.connect(self._toggle_bullet)
        top.addWidget(bullet)
        carry = QPushButton("前四半期から引き継ぐ")
        carry.setObjectName("status-carry")
        carry.setToolTip("実施状況が空の行に、前の四半期の実施状況を写します（直すまで「引き継いだまま」と表示）")
        carry.setFocusPolicy(Qt.NoFocus)
        carry.clicked.connect(self.carry_over)
        top.addWidget(carry)
        carry_group = QPushButton("グループ全体を引き継ぐ…")
        carry_group.setObjectName("status-carry-group")
        carry_group.setToolTip("グループのすべての項目の、実施状況が空の行に、前の四半期の実施状況を写します")
        carry_group.setFocusPolicy(Qt.NoFocus)
        carry_group.clicked.connect(self.carry_group_requested)
        top.addWidget(carry_group)
        self.carry_buttons = (carry, carry_group)
        lay.addLayout(top)
        self.locked = QLabel()
        self.locked.setObjectName("status-locked")
        self.locked.setWordWrap(True)
        self.locked.setStyleSheet("background: #e2e4e8; padding: 4px;")
        self.locked.hide()
        lay.addWidget(self.locked)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.NoFrame)
        lay.addWidget(self.area, 1)
        self.state = QLabel()
        self.state.setObjectName("status-state")
        self.state.setStyleSheet("color: #666;")
        lay.addWidget(self.state)
        self._last_text: BulletTextEdit | None = None
        self.setEnabled(False)

    @property
    def current_quarter(self) -> int:
        return self.quarter.currentData()

    def set_quarter(self, quarter: int) -> None:
        self.quarter.setCurrentIndex(quarter - 1)

    def load(self, db, item, status, proposed: str | None) -> None:
        """Show an item's rated rows for the current quarter (saving what was pending first);
        ``status``: the item's own status of the quarter (its rating)."""
        from app.reads.queries import row_statuses
        from app.reads.ranks import plan_ranks

        self.save()
        self._loading = True
        self.db, self.item_id = db, item.id if item is not None else None
        self.loaded_quarter = self.current_quarter     # saves go to the quarter shown, not a newly chosen one
        self.setEnabled(item is not None)
        self.rating.setCurrentIndex(self.rating.findData(status.rating) if status and status.rating else 0)
        self.proposed.setText(f"（数値からの提案: {proposed}）" if proposed else "")
        self.state.setText("")
        lock = self.locks.get(self.loaded_quarter) if item is not None else None
        self.locked.setText(lock or "")
        self.locked.setVisible(bool(lock))
        for button in self.carry_buttons:
            button.setEnabled(not lock)
        holder = QWidget()
        col = QVBoxLayout(holder)
        self.rows = []
        rows = item.rows if item is not None else []
        stored = row_statuses(db, [r.id for r in rows], self.loaded_quarter) if rows else {}
        ranks = plan_ranks(db, [item], self.loaded_quarter) if rows else None
        for r in rows:
            editor = RowEditor(r, self._enter)
            editor.load(db, self.loaded_quarter, stored.get(r.id), ranks.row(r.id))
            editor.set_locked(lock)
            editor.saved.connect(self._row_saved)
            editor.text.installEventFilter(self)
            col.addWidget(editor)
            self.rows.append(editor)
        if item is not None and not rows:
            col.addWidget(QLabel("この項目には評価行がありません（事業計画を取り込み直してください）"))
        self.year_texts = None
        if item is not None and self.loaded_quarter == 4:       # the year's texts, written at its end
            self.year_texts = YearTexts()
            self.year_texts.load(db, item.id, status)
            self.year_texts.saved.connect(self._row_saved)
            for edit in self.year_texts.texts.values():
                edit.installEventFilter(self)
            col.addWidget(self.year_texts)
        if item is None and db is not None:      # a group's table: no item, so nothing to rate here
            col.addWidget(QLabel("グループ別の表には実施状況がありません。左の一覧で事業の項目を選ぶと、"
                                 "その評価行の実施状況と評価をここで入力できます"))
        col.addStretch(1)
        self.area.setWidget(holder)
        self._last_text = None
        self._show_derived()
        self._loading = False

    def _show_derived(self) -> None:
        """The empty choice of the item's rating says what its rows give (◎ only if all are ◎ …)."""
        from app.core.kpi import rows_rating

        mark = rows_rating([r.rating.currentData() for r in self.rows])
        self.rating.setItemText(0, f"－（行から {mark}）" if mark else "－（行から）")

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.FocusIn and isinstance(obj, BulletTextEdit):
            self._last_text = obj
        return False

    def _toggle_bullet(self) -> None:
        if self._last_text is not None:
            self._last_text.toggle_bullet()
            self._last_text.setFocus()

    def _row_saved(self, changes) -> None:
        self._show_derived()
        self.state.setText(f"保存しました {datetime.now():%H:%M:%S}")
        self.saved.emit(changes)

    def carry_over(self) -> None:
        """前四半期から引き継ぐ: this item's rows with no text this quarter start from the last one's."""
        if self.db is None or self.item_id is None:
            return
        from app.operations import ops
        from app.reads.queries import row_statuses

        self.save()
        changes = run_op(self, "引き継げませんでした", ops.carry_progress_over, self.db, [e.row.id for e in self.rows],
                         self.loaded_quarter, on_failure=lambda message: self.state.setText(f"引き継げませんでした: {message}"))
        if changes is None:      # refused (the first quarter, a submitted quarter, no rights): said
            return
        if not changes:
            self.state.setText("引き継ぐ行はありません（実施状況がすでにあるか、前の四半期が空です）")
            return
        stored = row_statuses(self.db, [e.row.id for e in self.rows], self.loaded_quarter)
        for editor in self.rows:
            if (editor.row.id, self.loaded_quarter) in changes.rows:
                editor.load(self.db, self.loaded_quarter, stored.get(editor.row.id))
        self.state.setText(f"{len(changes.rows)} 行の実施状況を前の四半期から引き継ぎました")
        self.saved.emit(changes)

    def _rate_item(self, *_args) -> None:
        """The item's own rating (None: derived from its rows), stored at once."""
        if self._loading or self.db is None or self.item_id is None:
            return
        from app.operations import ops

        def refused(message):                 # said, and the stored rating shown again
            from app.reads.queries import statuses

            stored = next(iter(statuses(self.db, [self.item_id], self.loaded_quarter)), None)
            self._loading = True
            self.rating.setCurrentIndex(self.rating.findData(stored.rating) if stored and stored.rating else 0)
            self._loading = False
            self.state.setText(f"保存できませんでした: {message}")

        changes = run_op(self, "保存できませんでした", ops.save_status, self.db, self.item_id, self.loaded_quarter,
                         rating=self.rating.currentData(), on_failure=refused)
        if changes:
            self.state.setText(f"保存しました {datetime.now():%H:%M:%S}")
            self.saved.emit(changes)

    def save(self) -> None:
        """Store what was typed and not yet saved, in every row and the year's texts."""
        for editor in self.rows:
            editor.save()
        if self.year_texts is not None:
            self.year_texts.save()
