"""この項目の指標: which indicators' month tables an item keeps (the 月次実績 grid and the 進捗状況
sheet show them), chosen from the catalogue and put in order."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout


class ItemIndicatorsDialog(QDialog):
    def __init__(self, catalogue, title: str, kept: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("この項目の指標")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"「{title}」の月次の表に出す指標にチェックを付けてください。"
                             "ドラッグで並べ替えられます（この順に表示・印刷します）。"))
        self.list = QListWidget()
        self.list.setObjectName("item-indicators")
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        rest = [i.code for i in catalogue if i.code not in kept]
        for code in [*kept, *rest]:
            ind = catalogue[code]
            row = QListWidgetItem(f"{ind.name}（{ind.group}）")
            row.setData(Qt.UserRole, code)
            row.setFlags(row.flags() | Qt.ItemIsUserCheckable)
            row.setCheckState(Qt.Checked if code in kept else Qt.Unchecked)
            self.list.addItem(row)
        lay.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(460, 520)

    def chosen(self) -> list[str]:
        rows = (self.list.item(n) for n in range(self.list.count()))
        return [r.data(Qt.UserRole) for r in rows if r.checkState() == Qt.Checked]
