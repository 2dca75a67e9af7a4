"""作業用ブック: write a group's package; bring one back — each change with the value it was made
from, the package's and the database's now; conflicts chosen side by side; nothing stored until
取り込む."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QTableWidget, QTableWidgetItem,
    QVBoxLayout,
)

from app.core.fiscal import format_fy
from ui.appearance import fit_dialog

CONFLICT = "競合"


def _shown(value) -> str:
    if value is None or value == "":
        return "－"
    if isinstance(value, float):
        from app.core.values import format_number

        return format_number(value)
    return str(value)


class PackageDialog(QDialog):
    stored = Signal(object)          # Changes, once the package's changes are stored

    def __init__(self, db, diff, parent=None):
        super().__init__(parent)
        self.db, self.diff = db, diff
        self.setWindowTitle("作業用ブックの取り込み")
        fit_dialog(self, 1100, 640)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{diff.sender} の作業用ブック — {format_fy(diff.fiscal_year)} 第{diff.quarter}四半期 "
                             f"{diff.group}グループ：変更 {len(diff.changes)} 件（うち競合 {len(diff.conflicts)} 件）"))
        self.table = QTableWidget(len(diff.changes), 6)
        self.table.setObjectName("package-changes")
        self.table.setHorizontalHeaderLabels(["項目", "書き出した時", "作業用ブック", "今のデータベース", "状態", "採用"])
        self.table.verticalHeader().hide()
        self.choices: dict[str, QComboBox] = {}
        for r, c in enumerate(diff.changes):
            for col, text in enumerate((c.label, _shown(c.base), _shown(c.theirs), _shown(c.ours),
                                        CONFLICT if c.conflict else "変更")):
                item = QTableWidgetItem(text.splitlines()[0] if text else text)
                item.setToolTip(text)
                if c.conflict:
                    item.setBackground(Qt.yellow)
                self.table.setItem(r, col, item)
            if c.conflict:
                box = QComboBox()
                box.addItem("選んでください", None)
                box.addItem("作業用ブックの値", "theirs")
                box.addItem("今の値を残す", "ours")
                box.currentIndexChanged.connect(self._ready)
                self.table.setCellWidget(r, 5, box)
                self.choices[c.key] = box
            else:
                self.table.setItem(r, 5, QTableWidgetItem("作業用ブックの値"))
        self.table.resizeColumnsToContents()
        for col in range(4):                 # long texts show their first line; 状態 and 採用 stay on screen
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 260))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, *_: self._side_by_side(row))
        lay.addWidget(self.table, 1)
        sides = QHBoxLayout()
        self.theirs, self.ours = QPlainTextEdit(), QPlainTextEdit()
        for title, view in (("作業用ブック", self.theirs), ("今のデータベース", self.ours)):
            col = QVBoxLayout()
            col.addWidget(QLabel(title))
            view.setReadOnly(True)
            col.addWidget(view)
            sides.addLayout(col)
        lay.addLayout(sides)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.commit = buttons.addButton("取り込む", QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        self.reason = QLabel()               # why 取り込む is not yet possible, on screen (not only a tooltip)
        self.reason.setStyleSheet("color: #a61b1b")
        bottom = QHBoxLayout()
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(buttons)
        lay.addLayout(bottom)
        self._ready()

    def _side_by_side(self, row: int) -> None:
        if 0 <= row < len(self.diff.changes):
            c = self.diff.changes[row]
            self.theirs.setPlainText(_shown(c.theirs))
            self.ours.setPlainText(_shown(c.ours))

    def _ready(self, *_args) -> None:
        undecided = [k for k, box in self.choices.items() if box.currentData() is None]
        self.commit.setEnabled(not undecided)
        why = f"競合している変更 {len(undecided)} 件の採用（右端の列）を選んでください" if undecided else ""
        self.commit.setToolTip(why)
        self.reason.setText(why)

    def apply(self) -> None:
        """Store the chosen changes as one operation, off the GUI thread (progress and キャンセル);
        a failure is shown and nothing is stored."""
        from app.workpackage.package import bring_back_package
        from ui.tasks import cancel_on_close, run_op_in_background

        choices = {k: box.currentData() for k, box in self.choices.items()}
        db, diff = self.db, self.diff
        self.commit.setEnabled(False)

        def work(progress):
            progress(0, 1, "作業用ブックの変更を保存しています…")
            return bring_back_package(db, diff, choices)

        def done(changes):
            self.changes = changes
            self.stored.emit(changes)
            self.accept()

        self.task = cancel_on_close(self, run_op_in_background(self, "作業用ブック", work, done, "保存しています…"))
        self.task.signals.failed.connect(lambda _exc: self._ready())
        self.task.signals.cancelled.connect(self._ready)
