"""Excelの取り込み: read in the background, preview per sheet with problems at their cells,
map unknown labels in place, then 取り込む (all files in one transaction)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget,
    QListWidgetItem, QProgressBar, QPushButton, QRadioButton, QSplitter, QTableView,
    QTabWidget, QVBoxLayout, QWidget,
)

from app.operations import ops
from app.operations.imports import ImportReport, errors_left_out, read_report
from app.core.values import format_value
from importers import display_name
from importers.base import Cell, Extraction, Sheet, ValueRecord, cell_name
from ui.appearance import fit_dialog
from ui.tasks import cancel_on_close, run_in_background

ERROR, WARNING, STORED = QColor("#f8c9c4"), QColor("#fdeaa8"), QColor("#e3f2e1")
PREFER = (("file", "ファイルの値を取り込む"), ("edits", "手入力した値を残す"))     # the first is the default
CLI_HINT = "(--prefer-file / --prefer-edits で選んでください)"             # the command line's words


def file_line(report: ImportReport, ext: Extraction | None) -> str:
    """One file as the list shows it: what 取り込む will store, then its problems."""
    from app.core.fiscal import format_fy

    if ext is None:
        return f"{report.file}: 読み込めません — " + "・".join(p.message for p in report.errors)
    if ext.plan:
        kpis = sum(len(item.kpis) for item in ext.plan)
        year = f" {format_fy(ext.fiscal_year)}" if ext.fiscal_year else ""
        line = f"{report.file}（事業計画{year}）: 項目 {len(ext.plan)} 件・KPI {kpis} 件を保存します"
        if report.inserted or report.updated:
            line += f"（数値 追加 {report.inserted} 件・更新 {report.updated} 件）"
    else:
        line = (f"{report.file}（{display_name(report.layout)}）: 追加 {report.inserted} 件・"
                f"更新 {report.updated} 件・同じ値 {report.unchanged} 件")
        if report.errors and errors_left_out(ext):
            line += "（エラーのセルを除く）"
    problems = [f"{what} {n} 件" for what, n in (("エラー", len(report.errors)), ("手入力と違う値", len(report.conflicts)),
                                                ("注意", len(report.warnings))) if n]
    return line + (" — " + "・".join(problems) if problems else "")


def cell_text(cell: Cell) -> str:
    """A cell as Excel would show it, roughly: percent and thousands formats, no float noise."""
    v, fmt = cell.value, cell.number_format or ""
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if "%" in fmt:
        decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
        return f"{v * 100:.{decimals}f}%"
    if "#,##0" in fmt:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    return f"{v:.10g}"


class SheetPreviewModel(QAbstractTableModel):
    """A sheet's cells as read; stored cells green, problem cells red (error) or yellow (warning)."""

    def __init__(self, sheet: Sheet, ext: Extraction, parent=None):
        super().__init__(parent)
        self.sheet = sheet
        self.columns = max((len(r) for r in sheet.rows), default=0)
        self.marks: dict[str, tuple[QColor, str]] = {}
        for v in ext.values:
            if v.where.sheet == sheet.name:
                month = f"{v.month}月" if v.month else "年度計"
                self.marks[v.where.cell] = (STORED, f"{v.indicator} {v.fiscal_year}年度 {month} → {v.value:g}")
        for p in ext.problems:
            if p.where.sheet == sheet.name and p.where.cell:
                self.marks[p.where.cell] = (ERROR if p.severity == "error" else WARNING, p.message)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.sheet.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.columns

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        return cell_name(0, section)[:-1] if orientation == Qt.Horizontal else str(section + 1)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        cell: Cell = self.sheet.cell(index.row(), index.column())
        mark = self.marks.get(cell_name(index.row(), index.column()))
        if role == Qt.DisplayRole:
            return cell_text(cell)
        if role == Qt.BackgroundRole and mark:
            return QBrush(mark[0])
        if role == Qt.ToolTipRole and mark:
            return mark[1]
        return None


class ImportDialog(QDialog):
    """Files in, preview, 取り込む. Emits ``imported`` (the Changes) after a successful commit."""
    imported = Signal(object)

    def __init__(self, db, paths=(), parent=None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Excel の取り込み")
        fit_dialog(self, 1100, 720)
        self.read: list[tuple[ImportReport, Extraction | None]] = []
        self.paths: list[Path] = []
        self.task = None
        self.accepted: dict[int, tuple] = {}          # proposals the user accepted
        self._build()
        if paths:
            self.add_paths([Path(p) for p in paths])

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.add_button = QPushButton("ファイルを追加…")
        self.add_button.clicked.connect(self._choose)
        top.addWidget(self.add_button)
        self.remove_button = QPushButton("一覧から外す")
        self.remove_button.setToolTip("選んだファイルを取り込む一覧から外します（ファイルはそのまま残ります）")
        self.remove_button.clicked.connect(self.remove_selected)
        top.addWidget(self.remove_button)
        self.summary = QLabel("取り込む Excel ブックを追加するか、ここにドロップしてください。")
        self.summary.setObjectName("import-summary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        lay.addLayout(top)
        self.files = QListWidget()                   # a line per file: what it will store, its problems
        self.files.setObjectName("import-files")
        self.files.setMaximumHeight(90)
        lay.addWidget(self.files)
        prog = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_read = QPushButton("キャンセル")
        self.cancel_read.clicked.connect(self._cancel)
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_read)
        lay.addLayout(prog)
        self._busy(False)

        split = QSplitter(Qt.Vertical)
        self.tabs = QTabWidget()
        split.addWidget(self.tabs)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel("問題（ダブルクリックでセルへ）"))
        self.problems = QListWidget()
        self.problems.setObjectName("import-problems")
        self.problems.itemDoubleClicked.connect(self._goto)
        bl.addWidget(self.problems)
        side = QHBoxLayout()
        side.addWidget(QLabel("手で入力した値とファイルの値が違うとき:"))
        self.prefer = QButtonGroup(self)
        for i, (key, text) in enumerate(PREFER):
            rb = QRadioButton(text)
            rb.setProperty("key", key)
            rb.setChecked(i == 0)
            self.prefer.addButton(rb, i)
            side.addWidget(rb)
        side.addStretch(1)
        self.leave_out = QCheckBox("エラーのセルを除いて残りを取り込む")   # when every error is a cell with no figure
        self.leave_out.setObjectName("leave-out-errors")
        self.leave_out.setToolTip("エラーのセル（と指標の分からない行）は取り込まず、ほかの値を保存します。"
                                  "直したあとでもう一度取り込めば、そのセルも保存されます")
        self.leave_out.toggled.connect(lambda _on: self._ready())
        side.addWidget(self.leave_out)
        bl.addLayout(side)
        split.addWidget(bottom)
        split.setSizes([480, 200])
        lay.addWidget(split, 1)

        self.buttons = QDialogButtonBox()
        self.commit_button = self.buttons.addButton("取り込む", QDialogButtonBox.AcceptRole)
        self.commit_button.setObjectName("commit")
        self.commit_button.setEnabled(False)
        self.buttons.addButton("閉じる", QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.commit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    # ---- reading ------------------------------------------------------------------------
    def _choose(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Excel ブックを選ぶ", "", "Excel・LibreOffice のブック (*.xlsx *.xlsm *.xls *.ods)")
        self.add_paths([Path(f) for f in files])

    def add_paths(self, paths: list[Path]) -> None:
        self.paths += [p for p in paths if p not in self.paths]
        self.reread()

    def remove_selected(self) -> None:
        """The chosen files leave the list (a broken or wrong file need not stop the others)."""
        rows = sorted({i.row() for i in self.files.selectedIndexes()}, reverse=True)
        if not rows and self.files.currentRow() >= 0:
            rows = [self.files.currentRow()]
        for row in rows:
            if row < len(self.paths):
                del self.paths[row]
        if self.paths:
            self.reread()
        else:
            if self.task is not None:
                self.task.state.cancel()
            self._show([])
            self.summary.setText("取り込む Excel ブックを追加するか、ここにドロップしてください。")

    def reread(self) -> None:
        if not self.paths:
            return
        db, paths = self.db, list(self.paths)

        def work(state):
            out = []
            for i, path in enumerate(paths):
                state.check()
                state.set_progress(i, len(paths), f"{path.name} を読んでいます")

                def on_sheet(k, n, name, i=i, path=path):
                    state.check()
                    state.set_progress(i * 100 + k * 100 // max(n, 1), len(paths) * 100, f"{path.name}: {name}")
                out.append(read_report(db, path, on_sheet=on_sheet))
            if all(errors_left_out(ext) for r, ext in out if r.errors):   # counts and conflicts, nothing stored
                ops.commit_import(db, out, dry_run=True, leave_out_errors=True)   # (those of the rest, when errors)
            state.set_progress(1, 1, "読み込み完了")
            return out

        if self.task is not None:               # a newer read replaces the one still running
            self.task.state.cancel()
        self._busy(True)
        task = cancel_on_close(self, run_in_background(work, progress=self._progress))   # closing stops the read
        task.signals.done.connect(lambda read: self._show(read) if task is self.task else None)
        task.signals.failed.connect(lambda exc: self._failed(exc) if task is self.task else None)
        task.signals.cancelled.connect(lambda: (self._busy(False), self.summary.setText("キャンセルしました"))
                                       if task is self.task else None)
        self.task = task

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _cancel(self) -> None:
        if self.task:
            self.task.state.cancel()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_read.setVisible(busy)
        self.add_button.setEnabled(not busy)

    def _failed(self, exc) -> None:
        from app.store.failures import describe_failure
        from ui.messages import say

        self._busy(False)
        say(self, f"読み込めませんでした: {describe_failure(exc)}", title="取り込み")

    def _show(self, read) -> None:
        self._busy(False)
        self.read = read
        self.accepted.clear()
        self.tabs.clear()
        self.problems.clear()
        self.files.clear()
        for report, ext in read:
            for sheet in (ext.book.sheets if ext and ext.book else []):
                view = QTableView()
                view.setModel(SheetPreviewModel(sheet, ext, view))
                view.resizeColumnsToContents()
                self.tabs.addTab(view, f"{report.file} — {sheet.name}")
            for p in report.errors + report.conflicts + report.warnings:
                self._add_problem(report, p)
            item = QListWidgetItem(file_line(report, ext))
            item.setToolTip(str(ext.path) if ext and ext.path else report.file)
            if report.errors:
                item.setBackground(QBrush(ERROR))
            self.files.addItem(item)
        self.leave_out.blockSignals(True)
        self.leave_out.setChecked(False)
        self.leave_out.blockSignals(False)
        self._ready()

    def _ready(self) -> None:
        """The summary line and 取り込む as the files read and the choices made allow."""
        read = self.read
        errors = sum(len(r.errors) for r, _ in read)
        can_leave_out = bool(errors) and all(errors_left_out(ext) for r, ext in read if r.errors)
        self.leave_out.setVisible(can_leave_out)
        leaving_out = can_leave_out and self.leave_out.isChecked()
        rest = sum(r.inserted + r.updated for r, _ in read)
        conflicts = sum(len(r.conflicts) for r, _ in read)
        self.summary.setText(
            f"エラーのセル {errors} 件を除いて取り込みます（追加・更新 {rest:,} 件）。" if leaving_out else
            f"エラーが {errors} 件あります。直して読み直すと、ほかに 追加・更新 {rest:,} 件 を保存します。"
            "直さずに取り込むには「エラーのセルを除いて残りを取り込む」を選んでください。" if can_leave_out else
            "エラーのあるファイルは取り込めません。直すか、一覧から外してください。" if errors else
            f"手で入力した値と違う値が {conflicts} 件あります。下でどちらを残すか選んでから「取り込む」を押してください。"
            if conflicts else "一覧のファイルの値はすべて保存済みです（取り込んでも変わりません）。"
            if read and not any(r.inserted or r.updated or (e and e.plan) for r, e in read)
            else "「取り込む」を押すと、一覧の内容を保存します。" if read else "")
        blocked = errors and not leaving_out
        self.commit_button.setEnabled(bool(read) and not blocked)
        self.commit_button.setToolTip("エラーを直すか、そのファイルを一覧から外すまで取り込めません" if blocked else "")

    def _add_problem(self, report: ImportReport, p) -> None:
        kind = {"error": "エラー", "warning": "注意"}.get(p.severity, "")
        text = p.line()
        if p in report.conflicts:
            kind, text = "手入力と違う値", text.replace(CLI_HINT, "").rstrip() + "（下の選択に従います）"
        item = QListWidgetItem(f"[{kind}] {text}")
        item.setData(Qt.UserRole, (report.file, p.where.sheet, p.where.cell))
        item.setBackground(QBrush(ERROR if kind == "エラー" else WARNING))
        self.problems.addItem(item)
        if p.proposal is not None and p.key and p.key[2]:   # an ambiguous month cell: the user decides
            ind = self.db.catalogue[p.key[3]]
            box = QCheckBox(f"{p.where.sheet}!{p.where.cell} を提案どおり "
                            f"{format_value(p.proposal, unit=ind.unit, kind=ind.kind)} として取り込む")
            box.toggled.connect(lambda on, p=p: self.accepted.__setitem__(id(p), (p, on)))
            self._add_widget(box)
        if p.label:                                  # map an unknown label in place, once
            combo = QComboBox()
            combo.addItem(f"「{p.label}」の指標を選ぶ…", None)
            likely = [c for c in self.db.catalogue.candidates(p.label) if c in self.db.catalogue]
            for code in likely:                          # the indicators the label could mean, first
                combo.addItem(f"{self.db.catalogue[code].name} ({code})", code)
            if likely:
                combo.insertSeparator(combo.count())
            for ind in self.db.catalogue:
                if ind.code not in likely:
                    combo.addItem(f"{ind.name} ({ind.code})", ind.code)
            combo.currentIndexChanged.connect(lambda _i, c=combo, label=p.label: self._map(label, c.currentData()))
            self._add_widget(combo)

    def _add_widget(self, widget) -> None:
        """A line of the problem list holding a widget, as high as the widget (a combo is not clipped)."""
        holder = QListWidgetItem()
        holder.setSizeHint(widget.sizeHint())
        self.problems.addItem(holder)
        self.problems.setItemWidget(holder, widget)

    def _map(self, label: str, code: str | None) -> None:
        from ui.tasks import run_op

        if code and run_op(self, "取り込み", ops.learn_alias, self.db, label, code):
            self.reread()

    def _goto(self, item: QListWidgetItem) -> None:
        file, sheet, cell = item.data(Qt.UserRole) or ("", "", "")
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == f"{file} — {sheet}" and cell:
                self.tabs.setCurrentIndex(i)
                view = self.tabs.widget(i)
                col = sum((ord(ch) - 64) * 26 ** k for k, ch in enumerate(reversed(cell.rstrip("0123456789")))) - 1
                row = int(cell[len(cell.rstrip("0123456789")):]) - 1
                index = view.model().index(row, col)
                view.setCurrentIndex(index)
                view.scrollTo(index)

    # ---- storing ------------------------------------------------------------------------
    def commit(self) -> None:
        """Store every file as one operation, off the GUI thread (progress, キャンセル); a failure is
        shown and nothing is stored."""
        from ui.messages import say
        from ui.tasks import cancel_on_close, run_op_in_background

        prefer = self.prefer.checkedButton().property("key")
        leave_out = not self.leave_out.isHidden() and self.leave_out.isChecked()
        for r, ext in self.read:
            for p, on in self.accepted.values():
                if on and p.where.file == r.file:
                    branch, fy, month, code = p.key          # a by-branch table: the row's branch
                    ext.values.append(ValueRecord(branch or ext.branch, fy, month, code, p.proposal, p.where,
                                                  "提案を採用"))
        self.accepted.clear()
        db, read = self.db, self.read
        self.commit_button.setEnabled(False)

        def work(progress):
            progress(0, 1, "保存しています…")
            return ops.commit_import(db, read, prefer=prefer, leave_out_errors=leave_out)

        def done(result):
            if any(r.conflicts for r in result.reports):   # changed since it was read: show what stands in the way now
                self._show(self.read)
                say(self, "読み込んだ後にデータが変わったため、取り込めませんでした。内容を確かめてください。", title="取り込み")
                return
            stored = sum(r.inserted + r.updated for r in result.reports)
            self.summary.setText(f"取り込みました（追加・更新 {stored} 件）" if result.stored else "変更はありませんでした")
            self.result = result
            self.imported.emit(result.changes)

        self.commit_task = cancel_on_close(self, run_op_in_background(self, "取り込み", work, done, "保存しています…"))
        self.commit_task.signals.failed.connect(lambda _exc: self.commit_button.setEnabled(True))
        self.commit_task.signals.cancelled.connect(lambda: self.commit_button.setEnabled(True))
