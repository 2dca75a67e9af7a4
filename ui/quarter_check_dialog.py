"""提出前チェック: what is left of the quarter, per group (app.reads.quarter_check); each line
jumps to its place — the item's status, or the indicator's month in its group's table."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from app.core.fiscal import format_fy
from app.reads.quarter_check import quarter_check


class QuarterCheckDialog(QDialog):
    chosen = Signal(object)          # the Missing line to go to

    def __init__(self, db, branch: str, fiscal_year: int, quarter: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("提出前チェック")
        self.resize(720, 480)
        lay = QVBoxLayout(self)
        self.left = quarter_check(db, branch, fiscal_year, quarter)
        head = f"{format_fy(fiscal_year)} 第{quarter}四半期: "
        self.summary = QLabel(head + (f"残り {len(self.left)} 件（行をダブルクリックでその場所へ）" if self.left
                                      else "残っているものはありません。提出できます"))
        lay.addWidget(self.summary)
        self.list = QListWidget()
        for m in self.left:
            line = QListWidgetItem(m.line())
            line.setData(Qt.UserRole, m)
            self.list.addItem(line)
        self.list.itemActivated.connect(lambda line: self.chosen.emit(line.data(Qt.UserRole)))
        lay.addWidget(self.list)
