"""取込履歴: every import with its file, time and counts; an import can be undone."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QMessageBox, QTableView, QVBoxLayout

from app.operations.imports import import_history
from importers import display_name
from ui.rows_model import RowsModel

COLUMNS = ("番号", "ファイル", "種類", "日時", "取込者", "追加", "更新", "警告", "状態")


class HistoryModel(RowsModel):
    headers = COLUMNS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.TextAlignmentRole):
            return None
        b, col = self.rows[index.row()], index.column()
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignRight if col in (0, 5, 6, 7) else Qt.AlignLeft) | Qt.AlignVCenter)
        return (b.id, b.file_name, display_name(b.layout), b.imported_at.strftime("%Y-%m-%d %H:%M"),
                b.imported_by, f"{b.inserted:,}", f"{b.updated:,}", b.warnings,
                f"取消 {b.undone_at:%m-%d %H:%M}" if b.undone_at else "有効")[col]


class HistoryDialog(QDialog):
    changed = Signal(object)         # Changes of an undone import

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.confirm = True              # ask before undoing (tests switch it off)
        self.setWindowTitle("取込履歴")
        self.resize(900, 420)
        lay = QVBoxLayout(self)
        self.model = HistoryModel(import_history(db), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectRows)
        self.view.setSelectionMode(QTableView.SingleSelection)
        self.view.setWordWrap(False)                   # a date on one line, a file name whole
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        lay.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.undo_button = buttons.addButton("この取込を取り消す", QDialogButtonBox.ActionRole)
        self.undo_button.clicked.connect(self.undo_selected)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(max(900, self.view.horizontalHeader().length() + 60), 420)

    def undo_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        batch = self.model.rows[rows[0].row()]
        from app.operations import ops
        from ui.messages import ERROR, INFO, say
        from ui.tasks import run_op

        said, refusal = ops.undo_import_preview(self.db, batch.id)
        if refusal:
            say(self, f"{batch.file_name}（{batch.imported_at:%Y-%m-%d %H:%M}）: {refusal}", ERROR, "取込履歴")
            return
        if self.confirm and QMessageBox.question(
                self, "取込履歴", f"{batch.file_name}（{batch.imported_at:%Y-%m-%d %H:%M}）の取込を取り消します。\n"
                f"{said}\nよろしいですか？",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
            return

        outcome = run_op(self, "取込履歴", ops.undo_import, self.db, batch.id)
        if outcome is None:
            return
        result, changes = outcome
        text = f"{batch.file_name} の取込を取り消しました（{result.restored} 件を元に戻しました）"
        if result.skipped:
            text += f"\nその後に変更された {len(result.skipped)} 件はそのままにしました"
        say(self, text, INFO, "取込履歴")
        self.model.set_rows(import_history(self.db))
        self.changed.emit(changes)


class CellHistoryDialog(QDialog):
    """変更履歴 of one month cell: where its value came from, then every change old → new."""

    def __init__(self, db, branch: str, fiscal_year: int, month: int, indicator: str, origin: str | None,
                 parent=None):
        from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

        from app.operations.edits import history
        from app.core.fiscal import format_fy
        from app.core.values import format_value

        super().__init__(parent)
        ind = db.catalogue[indicator]
        self.setWindowTitle(f"変更履歴 — {ind.name} {format_fy(fiscal_year)} {month}月")
        self.resize(760, 320)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{ind.name}  {format_fy(fiscal_year)} {month}月　　現在の値の出所: {origin or '－'}"))
        rows = history(db, branch, fiscal_year, month, indicator)
        self.table = QTableWidget(len(rows), 5)
        self.table.setHorizontalHeaderLabels(["日時", "変更者", "変更前", "変更後", "出所"])
        self.table.verticalHeader().hide()

        def shown(text):
            return format_value(None if text is None else float(text), unit=ind.unit, kind=ind.kind)
        for r, log in enumerate(rows):
            for c, text in enumerate((f"{log.at:%Y-%m-%d %H:%M:%S}", log.who, shown(log.old), shown(log.new),
                                      log.source or "")):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.setWordWrap(False)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
