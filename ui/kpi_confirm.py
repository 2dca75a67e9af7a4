"""KPI の確認: after a plan import, each KPI sentence with how it was read — indicator, comparison,
target — to confirm or correct; 確定 stores them all as confirmed (one operation)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QTableWidget, QTableWidgetItem,
    QVBoxLayout,
)

from app.core.kpi import OP_WORDS
from ui.appearance import fit_dialog
from ui.messages import MessageBar
from ui.tasks import run_op

OPS = tuple({**OP_WORDS, "==": "とする（＝）"}.items())
RULES = (("value", "値"), ("prev_fy", "前年度"), ("qualitative", "定性"))
UNREAD = QColor("#fdeaa8")


class KpiConfirmDialog(QDialog):
    confirmed = Signal(object)          # Changes

    def __init__(self, db, branch: str, fiscal_year: int, parent=None):
        from app.core.fiscal import format_fy
        from app.reads.queries import plan_items
        from importers.layouts.kpi_text import unread

        super().__init__(parent)
        self.db = db
        self.setWindowTitle("KPI の確認")
        fit_dialog(self, 1300, 700)
        self.kpis, under = [], {}           # each KPI under its rated row (評価行), in the rows' order
        for i in plan_items(db, branch, fiscal_year):
            kpis = {k.id: k for k in i.kpis}
            for row in i.rows:
                for kid in row.kpi_ids:
                    self.kpis.append((i, kpis.pop(kid)))
                    under[kid] = row
            self.kpis += [(i, k) for k in kpis.values()]
        lay = QVBoxLayout(self)
        todo = sum(not k.confirmed for _, k in self.kpis)
        intro = QLabel(f"{format_fy(fiscal_year)} の事業計画の KPI {len(self.kpis)} 件（未確認 {todo} 件）。"
                       "読み方が違うところを直して「確定」を押してください。黄色は読めなかった KPI です。")
        intro.setWordWrap(True)              # a narrow screen: the dialog is never wider than it
        lay.addWidget(intro)
        self.table = QTableWidget(len(self.kpis), 7)
        self.table.setObjectName("kpi-confirm")
        self.table.setHorizontalHeaderLabels(["項番", "評価行", "KPI（計画の文）", "指標", "目標の種類", "目標", "比較"])
        self.table.verticalHeader().hide()
        self.rows = []
        for r, (item, k) in enumerate(self.kpis):
            self.table.setItem(r, 0, QTableWidgetItem(str(item.item_no)))
            row = under.get(k.id)
            first = row.plan_text.splitlines()[0] if row and row.plan_text else ""
            shown = QTableWidgetItem(first if len(first) <= 30 else first[:29] + "…")
            shown.setToolTip(row.plan_text if row else "")
            self.table.setItem(r, 1, shown)
            text = QTableWidgetItem(k.text)
            text.setToolTip(k.text)
            if unread(k.rule, k.text):
                text.setBackground(QBrush(UNREAD))
            self.table.setItem(r, 2, text)
            indicator = QComboBox()
            indicator.addItem("（数値の指標なし：結果を手入力）", None)
            for ind in db.catalogue:
                indicator.addItem(f"{ind.name}（{ind.group}）", ind.code)
            indicator.setCurrentIndex(max(indicator.findData(k.indicator), 0))
            rule = QComboBox()
            for key, name in RULES:
                rule.addItem(name, key)
            rule.setCurrentIndex(rule.findData(k.rule))
            target = QLineEdit("" if k.target is None else f"{k.target:g}")
            op = QComboBox()
            for key, name in OPS:
                op.addItem(name, key)
            op.setCurrentIndex(max(op.findData(k.op), 0))
            for c, widget in ((3, indicator), (4, rule), (5, target), (6, op)):
                self.table.setCellWidget(r, c, widget)
            self.rows.append((k, indicator, rule, target, op))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.resizeColumnToContents(0)
        arrow = 40                           # the combo's frame and arrow beside its text
        self.table.setColumnWidth(3, max((box.fontMetrics().horizontalAdvance(box.currentText()) + arrow
                                          for _k, box, *_ in self.rows), default=120))   # 指標: names whole
        lay.addWidget(self.table, 1)
        self.message_bar = MessageBar()       # what is said to the dialog (ui.messages.say)
        lay.addWidget(self.message_bar)
        buttons = QDialogButtonBox()
        self.confirm_button = buttons.addButton("確定", QDialogButtonBox.AcceptRole)
        buttons.addButton("あとで", QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def readings(self):
        """What the table says, as readings; a target that cannot be read raises ValidationError."""
        from app.core.errors import ValidationError
        from app.operations.statuses import KpiReading
        from app.core.values import read_value

        out = []
        for k, indicator, rule, target, op in self.rows:
            value = None
            if rule.currentData() == "value":
                reading = read_value(target.text(), unit=k.unit)
                if reading.problem or reading.value is None:
                    raise ValidationError(f"「{k.text[:30]}…」の目標: {reading.problem or '値を入れてください'}")
                value = reading.value
            out.append(KpiReading(k.id, indicator.currentData(), op.currentData(), value, rule.currentData()))
        return out

    def confirm(self) -> None:
        from app.operations import ops

        changes = run_op(self, "確定できませんでした", lambda: ops.confirm_kpis(self.db, self.readings()))
        if changes is None:                   # said in the dialog; nothing stored
            return
        self.confirmed.emit(changes)
        self.accept()
