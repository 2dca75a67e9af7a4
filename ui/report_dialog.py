"""四半期の資料: choose the document, quarter and confidentiality label; print preview, print,
save as Excel or PDF."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QVBoxLayout,
)

from app.core.fiscal import format_fy

from app.documents.kinds import KINDS


class ReportDialog(QDialog):
    def __init__(self, db, branch: str, fiscal_year: int, quarter: int, parent=None):
        super().__init__(parent)
        self.db, self.branch, self.fiscal_year = db, branch, fiscal_year
        self.setWindowTitle("四半期の資料 — 印刷・出力")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        for kind in KINDS.values():
            self.kind.addItem(kind.name, kind.code)
        self.quarter = QComboBox()
        for q in (1, 2, 3, 4):
            self.quarter.addItem(f"第{q}四半期", q)
        self.quarter.setCurrentIndex(quarter - 1)
        self.label = QLineEdit("機密性2")
        form.addRow("資料", self.kind)
        form.addRow("年度", QLabel(format_fy(fiscal_year)))
        form.addRow("四半期", self.quarter)
        form.addRow("機密性の表示", self.label)
        lay.addLayout(form)
        warn = QHBoxLayout()
        self.warnings = QLabel()                 # 点検 not acknowledged for the quarter, said before writing
        self.warnings.setObjectName("report-warnings")
        self.warnings.setWordWrap(True)
        warn.addWidget(self.warnings, 1)
        self.check_button = QPushButton("提出前チェックを開く…")
        self.check_button.clicked.connect(self.open_check)
        warn.addWidget(self.check_button)
        lay.addLayout(warn)
        self.quarter.currentIndexChanged.connect(self.count_warnings)
        self.count_warnings()
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        for text, slot in (("印刷プレビュー…", self.preview), ("印刷…", self.print_), ("Excel に保存…", self.save_xlsx),
                           ("PDF に保存…", self.save_pdf)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addButton(b, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        lay.addWidget(self.status)

    def count_warnings(self, *_args) -> int:
        """How many warnings (点検) of the quarter are not acknowledged: said before anything is written."""
        from app.reads.quarter_check import quarter_check

        q = self.quarter.currentData()
        n = sum(m.kind == "warning" for m in quarter_check(self.db, self.branch, self.fiscal_year, q))
        self.warnings.setText(f"第{q}四半期に確認していない点検の警告が {n} 件あります。値を確かめるか、"
                              "理由を添えて確認済みにしてから出力してください" if n else
                              f"第{q}四半期に確認していない点検の警告はありません")
        self.warnings.setStyleSheet("color: #a33;" if n else "color: #555;")
        self.check_button.setVisible(bool(n) and hasattr(self.parent(), "open_quarter_check"))
        return n

    def open_check(self):
        """提出前チェック of the quarter chosen here (the window's, whose lines jump to their places)."""
        return self.parent().open_quarter_check(self.quarter.currentData())

    def document(self):
        from app.documents.build import build

        return build(self.db, self.branch, self.fiscal_year, self.quarter.currentData(), self.kind.currentData(),
                     self.label.text().strip() or "機密性2")

    # ---- printing ------------------------------------------------------------------------
    def _paint(self, printer, doc=None) -> int:
        from ui.export import chart_images, paint_pages, setup_page, text_document

        doc = doc or self.document()
        setup_page(printer, doc)
        return paint_pages(doc, text_document(doc, chart_images(self.db, doc)), printer)

    def preview(self):
        from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle("印刷プレビュー")
        dialog.resize(1000, 800)
        dialog.paintRequested.connect(self._paint)
        self.preview_dialog = dialog
        dialog.open()
        return dialog

    def print_(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.Accepted:
            pages = self._paint(printer)
            self.status.setText(f"{pages} ページを印刷しました")

    # ---- files ---------------------------------------------------------------------------
    def _ask(self, suffix: str, kind_name: str) -> str | None:
        doc_name = self.kind.currentText()
        path, _ = QFileDialog.getSaveFileName(
            self, f"{kind_name} に保存", f"{format_fy(self.fiscal_year)}_{doc_name}_第{self.quarter.currentData()}四半期"
            f".{suffix}", f"{kind_name} (*.{suffix})")
        return path or None

    def save_xlsx(self, path: str | None = None) -> str | None:
        from ui.export import export

        path = path or self._ask("xlsx", "Excel ブック")
        if not path:
            return None
        return self._save(lambda: export(self.db, self.document(), Path(path)), path)

    def save_pdf(self, path: str | None = None) -> str | None:
        """The PDF written off the GUI thread (progress, キャンセル); the charts are drawn first, here.
        The window stays responsive meanwhile; returns the path once written, None if not."""
        from PySide6.QtCore import QEventLoop

        from ui.export import chart_images, paint_pdf
        from ui.tasks import cancel_on_close, run_op, run_op_in_background

        path = path or self._ask("pdf", "PDF")
        if not path:
            return None
        doc = run_op(self, "保存できませんでした", self.document)
        images = None if doc is None else run_op(self, "保存できませんでした", chart_images, self.db, doc)
        if images is None:                     # said; nothing written
            return None
        result, loop = [], QEventLoop()
        self.pdf_task = cancel_on_close(self, run_op_in_background(
            self, "出力", lambda progress: paint_pdf(doc, images, Path(path), progress), result.append,
            "PDF を作っています…", ended=loop.quit))
        loop.exec()                            # the outcome arrives inside this loop (queued from the worker)
        if not result:
            return None
        self.status.setText(f"保存しました: {path}")
        return path

    def _save(self, work, path: str) -> str | None:
        from ui.tasks import run_op

        if run_op(self, "保存できませんでした", lambda: work() or True) is None:   # said; nothing half-stored
            return None
        self.status.setText(f"保存しました: {path}")
        return path
