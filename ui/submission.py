"""提出 in the window (an admin's, as `submit`, `unlock`, `submitted` on the command line): 提出…
with the quarter and a confirmation of what is written and locked; 提出の解除… with a reason;
提出済みの書類… listing what was kept (who, when, unlock reasons) and saving it byte for byte; and
前四半期から引き継ぐ for all of a group's rows. Whoever may not submit is told why instead."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from app.core.fiscal import format_fy, month_label, quarter_months
from ui.messages import ERROR, INFO, say
from ui.tasks import Cancelled, run_change, run_op

UNLOCK_WHERE = "管理者が「ファイル → 提出の解除…」で鎖錠を解除します"


def lock_texts(db, branch: str) -> dict[tuple[int, int], str]:
    """(fiscal year, quarter) submitted and locked → the line the grid and the 実施状況 tab show."""
    from app.reads.submissions import locked_quarters

    return {key: f"{format_fy(x.fiscal_year)}第{x.quarter}四半期は {x.submitted_by} が {x.submitted_at:%Y-%m-%d %H:%M} に"
                 f"提出済みのため変更できません（鎖錠中）。変更するには{UNLOCK_WHERE}"
            for key, x in locked_quarters(db, branch).items()}


def _refused(window, title: str, what: str) -> bool:
    """An admin's work asked for by someone else: the message says why (True: refused)."""
    from app.reads.submissions import admin_refusal

    why = admin_refusal(window.db, what)
    if why:
        say(window, f"{why}。提出と解除は管理者（--admin で登録した利用者）が行います", INFO, title)
    return bool(why)


def _ask(dialog, accept) -> bool:
    """The dialog answered by the user (exec), or by ``accept(dialog)`` (tests)."""
    return bool(accept(dialog) if accept else dialog.exec() == QDialog.Accepted)


# ---- 提出 -------------------------------------------------------------------------------
class SubmitDialog(QDialog):
    """The quarter, a note, and what submitting does; what 提出前チェック still lists."""

    def __init__(self, window, quarter: int, locked: set[int]):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("四半期の提出")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.quarter = QComboBox()
        for q in (1, 2, 3, 4):
            self.quarter.addItem(f"第{q}四半期" + ("（提出済み）" if q in locked else ""), q)
            if q in locked:
                self.quarter.model().item(q - 1).setEnabled(False)
        free = [q for q in (1, 2, 3, 4) if q not in locked]
        self.quarter.setCurrentIndex((quarter if quarter in free else free[0]) - 1 if free else quarter - 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("提出先など（任意）")
        form.addRow("年度", QLabel(format_fy(window.fiscal_year)))
        form.addRow("四半期", self.quarter)
        form.addRow("メモ", self.note)
        lay.addLayout(form)
        self.said = QLabel()
        self.said.setObjectName("submit-said")
        self.said.setWordWrap(True)
        lay.addWidget(self.said)
        row = QHBoxLayout()
        self.check = QLabel()
        self.check.setObjectName("submit-check")
        self.check.setWordWrap(True)
        row.addWidget(self.check, 1)
        check = QPushButton("提出前チェックを開く…")
        check.clicked.connect(lambda: window.open_quarter_check(self.quarter.currentData()))
        row.addWidget(check)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.ok = buttons.addButton("提出する", QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(660)
        self.quarter.currentIndexChanged.connect(self._explain)
        self._explain()

    def _explain(self, *_args) -> None:
        from app.documents.kinds import KINDS
        from app.reads.quarter_check import quarter_check

        w, q = self.window_, self.quarter.currentData()
        months = quarter_months(q)
        kinds = "・".join(k.name for k in KINDS.values())
        self.said.setText(
            f"提出すると、{w.branch} {format_fy(w.fiscal_year)}第{q}四半期について:\n"
            f"・{kinds}を PDF と Excel で作り（{len(KINDS) * 2} 件）、提出者と日時とともにデータベースに保管します。"
            "あとから「提出済みの書類…」で提出したときのまま取り出せます\n"
            f"・この四半期の月（{month_label(months[0])}〜{month_label(months[-1])}）の値と、評価行の評価・順位・"
            f"実施状況を鎖錠します。取込・入力・貼り付け・作業用ブック・元に戻すによる変更はできなくなります。"
            "解除は管理者が理由を添えて行います")
        left = quarter_check(w.db, w.branch, w.fiscal_year, q)
        warnings = sum(m.kind == "warning" for m in left)
        self.check.setText(f"提出前チェック: 残り {len(left)} 件（うち未確認の点検 {warnings} 件）。残っていても提出できます"
                           if left else "提出前チェック: 残っているものはありません")
        self.ok.setEnabled(self.quarter.model().item(q - 1).isEnabled())     # not one submitted already
        self.adjustSize()                      # the explanation whole, however many lines it takes


def submit(window, quarter: int | None = None, accept=None) -> int | None:
    """提出…: asks (quarter, note), writes the documents (progress, キャンセル) and submits;
    returns the submission's id, None when nothing was submitted."""
    from app.operations import ops
    from app.reads.submissions import locked_quarters
    from ui.export import write_quarter_documents

    if _refused(window, "提出", "四半期の提出"):
        return None
    window.status.save()
    fy, branch = window.fiscal_year, window.branch
    locked = {q for (y, q) in locked_quarters(window.db, branch) if y == fy}
    if len(locked) == 4:
        say(window, f"{format_fy(fy)}の四半期はすべて提出済みです", INFO, "提出")
        return None
    dialog = SubmitDialog(window, quarter or window.status.current_quarter, locked)
    if not _ask(dialog, accept):
        return None
    q, note = dialog.quarter.currentData(), dialog.note.text()
    from PySide6.QtWidgets import QProgressDialog

    progress = QProgressDialog("資料を作っています…", "キャンセル", 0, 6, window)
    progress.setWindowTitle("提出")
    progress.setWindowModality(Qt.WindowModal)
    progress.setMinimumDuration(0)
    window.submit_progress = progress

    def step(done: int, total: int, what: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        progress.setLabelText(f"資料を作っています: {what}")
        QApplication.processEvents()
        if progress.wasCanceled():
            raise Cancelled()

    sid = run_op(window, "提出", ops.submit_quarter, window.db, branch, fy, q,
                 lambda folder: write_quarter_documents(window.db, branch, fy, q, "機密性2", folder, step), note=note)
    progress.reset()           # the documents are painted on the GUI thread (painting off it crashed)
    if sid is None:
        return None
    window.locks_changed()
    say(window, f"{format_fy(fy)}第{q}四半期を提出しました（資料を保管し、この四半期の月の値と評価行を鎖錠しました）", INFO, "提出")
    return sid


# ---- 提出の解除 ---------------------------------------------------------------------------
class UnlockDialog(QDialog):
    """A locked quarter of the year shown, and the reason (kept, shown with the submission)."""

    def __init__(self, window, locked: dict):
        super().__init__(window)
        self.setWindowTitle("提出の解除")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.quarter = QComboBox()
        for (_fy, q), x in sorted(locked.items()):
            self.quarter.addItem(f"第{q}四半期（{x.submitted_by} が {x.submitted_at:%Y-%m-%d %H:%M} に提出）", q)
        idx = self.quarter.findData(window.status.current_quarter)
        self.quarter.setCurrentIndex(max(idx, 0))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("例: 1月の件数の訂正（記録され、提出済みの書類の一覧に表示されます）")
        form.addRow("年度", QLabel(format_fy(window.fiscal_year)))
        form.addRow("四半期", self.quarter)
        form.addRow("解除の理由", self.reason)
        lay.addLayout(form)
        said = QLabel("解除すると、この四半期の月の値と評価行をまた変更できるようになります。保管した書類はそのまま残ります。"
                      "変更が済んだら、もう一度提出してください")
        said.setWordWrap(True)
        lay.addWidget(said)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.ok = buttons.addButton("解除する", QDialogButtonBox.AcceptRole)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(560)


def unlock(window, accept=None) -> int | None:
    """提出の解除…: a locked quarter of the year shown, with a reason; returns the submission."""
    from app.operations import ops
    from app.reads.submissions import locked_quarters

    if _refused(window, "提出の解除", "提出の解除"):
        return None
    fy = window.fiscal_year
    locked = {k: x for k, x in locked_quarters(window.db, window.branch).items() if k[0] == fy}
    if not locked:
        say(window, f"{format_fy(fy)}に提出済み（鎖錠中）の四半期はありません", INFO, "提出の解除")
        return None
    dialog = UnlockDialog(window, locked)
    if not _ask(dialog, accept):
        return None
    q = dialog.quarter.currentData()
    sid = run_op(window, "提出の解除", ops.unlock_quarter, window.db, window.branch, fy, q, dialog.reason.text())
    if sid is not None:
        window.locks_changed()
        say(window, f"{format_fy(fy)}第{q}四半期の鎖錠を解除しました（理由: {dialog.reason.text().strip()}）", INFO)
    return sid


# ---- 提出済みの書類 --------------------------------------------------------------------------
class SubmittedDialog(QDialog):
    """Every submission of the branch (who, when, the note; locked, or unlocked by whom, when, why)
    and the documents it kept, saved as they were submitted."""

    COLUMNS = ["年度", "四半期", "提出者", "提出日時", "メモ", "状態"]

    def __init__(self, db, branch: str, parent=None):
        from app.reads.submissions import submissions

        super().__init__(parent)
        self.setWindowTitle("提出済みの書類")
        self.resize(900, 520)
        lay = QVBoxLayout(self)
        self.subs = [x for x in submissions(db) if x.branch == branch]
        lay.addWidget(QLabel("提出した四半期（新しい順）。選ぶと保管した書類が下に出ます" if self.subs
                             else "提出した四半期はありません"))
        self.subs.reverse()
        self.table = QTableWidget(len(self.subs), len(self.COLUMNS))
        self.table.setObjectName("submitted-table")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSelectionMode(QTableWidget.SingleSelection)
        for r, x in enumerate(self.subs):
            state = (f"解除 {x.unlocked_by} {x.unlocked_at:%Y-%m-%d %H:%M}　理由: {x.unlock_reason}" if x.unlocked_at
                     else "鎖錠中")
            for c, text in enumerate((format_fy(x.fiscal_year), f"第{x.quarter}四半期", x.submitted_by,
                                      f"{x.submitted_at:%Y-%m-%d %H:%M}", x.note or "－", state)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.documents = QListWidget()
        self.documents.setObjectName("submitted-documents")
        lay.addWidget(self.documents, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.save_one = buttons.addButton("選んだ書類を保存…", QDialogButtonBox.ActionRole)
        self.save_every = buttons.addButton("この提出の書類をすべて保存…", QDialogButtonBox.ActionRole)
        self.save_one.clicked.connect(lambda: self.save_document())
        self.save_every.clicked.connect(lambda: self.save_all())
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        lay.addWidget(self.status)
        self.table.currentCellChanged.connect(lambda row, *_: self._show(row))
        if self.subs:
            self.table.selectRow(0)
        self._show(0 if self.subs else -1)

    def current(self):
        r = self.table.currentRow()
        return self.subs[r] if 0 <= r < len(self.subs) else None

    def _show(self, row: int) -> None:
        from app.documents.kinds import KINDS

        self.documents.clear()
        x = self.subs[row] if 0 <= row < len(self.subs) else None
        for d in x.documents if x else ():
            kind = KINDS[d.kind].name if d.kind in KINDS else d.kind
            line = QListWidgetItem(f"{kind}（{d.format.upper()}）  {d.file_name}  {len(d.content):,} バイト")
            line.setData(Qt.UserRole, d)
            self.documents.addItem(line)
        if self.documents.count():
            self.documents.setCurrentRow(0)
        self.save_one.setEnabled(bool(self.documents.count()))
        self.save_every.setEnabled(bool(self.documents.count()))

    def save_document(self, path: str | None = None) -> str | None:
        """The chosen kept document written as it was submitted, byte for byte."""
        line = self.documents.currentItem()
        if line is None:
            return None
        d = line.data(Qt.UserRole)
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "保管した書類を保存", d.file_name, f"*.{d.format}")
        if not path:
            return None
        return self._write([(Path(path), d.content)], path)

    def save_all(self, folder: str | None = None) -> str | None:
        """Every document of the chosen submission into a folder, by its kept file name."""
        x = self.current() or (self.subs[0] if self.subs else None)
        if x is None:
            return None
        folder = folder or QFileDialog.getExistingDirectory(self, "保管した書類を保存するフォルダ")
        if not folder:
            return None
        return self._write([(Path(folder) / d.file_name, d.content) for d in x.documents], folder)

    def _write(self, files, where: str) -> str | None:
        try:
            for path, content in files:
                path.write_bytes(content)
        except OSError as exc:
            say(self, f"保存できませんでした: {where}（{exc.strerror or exc}）", ERROR, "提出済みの書類")
            return None
        self.status.setText(f"{len(files)} 件を保存しました: {where}")
        return where


def open_submitted(window):
    dialog = SubmittedDialog(window.db, window.branch, window)
    dialog.show()
    return dialog


# ---- 前四半期から引き継ぐ（グループ全体） ------------------------------------------------------
def carry_group_over(window, group: str | None = None, accept=None):
    """前四半期から引き継ぐ for every item of a group (its rows with no progress text in the
    quarter shown); the group asked for, the current item's (or the toolbar's) first offered."""
    from PySide6.QtWidgets import QInputDialog

    from app.core.catalogue import GROUP_NAMES
    from app.operations import ops
    from app.reads.queries import of_group

    q = window.status.current_quarter
    if q == 1:
        say(window, "第1四半期には前の四半期がありません（年度の初めの四半期です）", INFO, "前四半期から引き継ぐ")
        return None
    if group is None:
        item = window.item_of(window.tree.currentItem())
        guess = window.group_box.currentText() if window.group_box.currentIndex() > 0 else next(
            (g for g in GROUP_NAMES if item is not None and g in item.owner_group), GROUP_NAMES[0])
        dialog = QInputDialog(window)
        dialog.setWindowTitle("前四半期から引き継ぐ（グループ全体）")
        dialog.setLabelText(f"第{q}四半期の実施状況が空の行に、第{q - 1}四半期の実施状況を写します。"
                            "どのグループの項目ですか？（企画総務: すべての項目）")
        dialog.setComboBoxItems(list(GROUP_NAMES))
        dialog.setTextValue(guess)
        if not _ask(dialog, accept):
            return None
        group = dialog.textValue()
    window.status.save()
    if window.status.locks.get(q):
        say(window, window.status.locks[q], ERROR, "前四半期から引き継ぐ")
        return None
    rows = [r.id for it in of_group(window.items, group) for r in it.rows]
    changes = run_change(window, "前四半期から引き継ぐ", ops.carry_progress_over, window.db, rows, q)
    if changes is None:
        return None
    n = len(changes.rows)
    say(window, f"{group}グループの {n} 行の実施状況を第{q - 1}四半期から引き継ぎました" if n else
        f"{group}グループに引き継ぐ行はありません（実施状況がすでにあるか、前の四半期が空です）", INFO)
    if changes:
        window._show_current(window.tree.currentItem())
    return changes
