"""The main window: plan navigator, fiscal-year selector, the item's KPIs, status and monthly table."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QLabel, QLineEdit, QMainWindow, QMessageBox, QSplitter, QTabWidget, QTextBrowser,
    QToolBar, QVBoxLayout, QWidget,
)

from app.core.branches import branch_names
from app.core.fiscal import format_fy
from ui import file_actions
from ui.grid_edit import GridEditor
from ui.navigator import GROUP_ROLE, GROUPS, Navigator
from ui.preferences import Preferences
from ui.messages import ERROR, INFO, WARNING, MessageBar, say
from ui.tasks import Reads, run_change

if TYPE_CHECKING:                  # the database layer is loaded after the window is up
    from app.reads import queries
    from app.reads.figures import Figures
    from app.store.database import Database



def bring_in(db: Database) -> None:
    """What the first edit needs and a database opened light has not loaded: SQLAlchemy, the
    engine and the models (Database.bring_in), the operations that store an edit."""
    db.bring_in()
    from app.operations import edits, ops  # noqa: F401


class MainWindow(QMainWindow):
    """Shown at once; ``set_database`` fills it when the database is open (see ui.app)."""
    loaded = Signal()
    failed = Signal(str)
    brought_in = Signal()          # SQLAlchemy and the ORM in (a database opened light: after loaded)

    def __init__(self, db: Database | None = None, parent=None):
        super().__init__(parent)
        self.db = None
        self.branch = ""
        self.items: list[queries.ItemView] = []
        self.figures: Figures | None = None
        self._negative = "△"
        self.reads = Reads(self)                     # figures, dashboard, chart, by-branch: off the GUI thread
        self.setWindowTitle("読み込み中…")           # Qt adds the program's name (ui.app.APP_NAME)
        self._build()
        self._build_menus()
        self.setAcceptDrops(True)
        if db is not None:
            self.set_database(db)
        else:
            self.statusBar().showMessage("データベースを開いています…")

    def set_database(self, db: Database) -> None:
        if not hasattr(self, "grid"):
            self._build_tabs()
        self.db = db
        self.show_branch()
        self.grid_model.catalogue = db.catalogue
        self.editor.db, self.editor.branch = db, self.branch
        self.statusBar().showMessage(f"データベース: {db.description}")       # never a password
        for action in (self.import_action, self.history_action, self.kpi_action, self.dashboard_action, self.report_action,
                       self.check_action, self.submit_action, self.unlock_action, self.submitted_action,
                       self.carry_group_action,
                       self.restore_action, self.package_out_action, self.package_in_action, self.switch_action,
                       self.export_chart_action):                  # the chart is drawn when saved: no tab needed
            action.setEnabled(True)
        self.restore_action.setEnabled(db.is_sqlite)        # a shared server is restored on the server
        self._load_years()
        self.loaded.emit()
        if db.brought_in:
            self.brought_in.emit()
        else:                               # opened light: the ORM comes in off the GUI thread once this is drawn
            from ui.last_view import after_first_paint

            after_first_paint(self, lambda: self.reads.run("bring_in", lambda: bring_in(db),
                                                           lambda _: self.brought_in.emit()))

    def show_branch(self) -> None:
        """The database's branch in the toolbar and title; none until chosen or the first import says."""
        from ui.first_steps import NO_BRANCH

        self.branch = self.db.home_branch or ""
        self.editor.branch = self.branch
        name = branch_names().get(self.branch, "")
        self.setWindowTitle(f"{name}支部" if self.branch else "支部が未設定")
        self.branch_label.setText(f"  {self.branch} {name}支部  " if self.branch else f"  {NO_BRANCH}  ")

    # ---- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar("表示")
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.branch_label = QLabel("  読み込み中…  ")
        self.branch_label.setObjectName("branch-label")
        self.branch_label.setStyleSheet("font-weight: bold; font-size: 14px;")
        bar.addWidget(self.branch_label)
        bar.addWidget(QLabel(" 年度 "))
        self.year_box = QComboBox()
        self.year_box.setObjectName("year-box")
        self.year_box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.year_box.setMinimumContentsLength(6)
        self.year_box.currentIndexChanged.connect(self._load_items)
        bar.addWidget(self.year_box)
        bar.addWidget(QLabel("  グループ "))
        self.group_box = QComboBox()
        self.group_box.addItems(GROUPS)
        self.group_box.currentIndexChanged.connect(self._fill_tree)
        bar.addWidget(self.group_box)
        self.search = QLineEdit()
        self.search.setPlaceholderText("項目を検索 (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(240)
        self.search.textChanged.connect(self._fill_tree)
        bar.addWidget(QLabel("  "))
        bar.addWidget(self.search)
        find = QAction("検索", self, shortcut=QKeySequence.Find, triggered=self.search.setFocus)
        self.addAction(find)

        self.tree = Navigator()
        self.tree.currentItemChanged.connect(self._show_current)

        detail = QWidget()
        lay = QVBoxLayout(detail)
        self.title = QLabel()
        self.title.setObjectName("item-title")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.plan_text = QTextBrowser()              # as high as its text, at most four lines
        self.plan_text.document().documentLayout().documentSizeChanged.connect(
            lambda size: self.plan_text.setFixedHeight(int(min(max(size.height(), 20), 4 * 18)) + 6))
        box = self.plan_box = QGroupBox("計画内容")      # hidden for a group's table (no plan text)
        QVBoxLayout(box).addWidget(self.plan_text)
        lay.addWidget(box)

        self.editor = GridEditor(self)
        self.editor.changed.connect(self.apply_changes)
        self.editor.failed.connect(self._edit_failed)
        self.editor.conflict.connect(self._cell_conflict)
        self.tabs = QTabWidget()                     # filled by _build_tabs once the database is open
        self.tabs.setObjectName("detail-tabs")
        lay.addWidget(self.tabs, 1)
        from ui.first_steps import FirstSteps

        self.first_steps = FirstSteps(self)          # in place of the tabs while there is nothing to show
        self.first_steps.hide()
        lay.addWidget(self.first_steps, 1)

        self.counts = QLabel()
        self.counts.setObjectName("rating-counts")
        self.counts.setWordWrap(True)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.tree, 1)
        left_lay.addWidget(self.counts)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(detail)
        self.splitter.setSizes([330, 1070])
        central = QWidget()
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        self.message_bar = MessageBar()          # what is said to the window (ui.messages.say)
        central_lay.addWidget(self.message_bar)
        central_lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        prefs = Preferences()
        if geometry := prefs.geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if splitter := prefs.splitter:
            self.splitter.restoreState(splitter)

    def _build_tabs(self) -> None:
        """The detail tabs (月次実績, 実施状況・KPI, 支部別, グラフ): made when the database is open, so
        the window itself comes up before these modules load."""
        from ui.grid_model import MonthlyGridModel
        from ui.grid_view import MonthlyGridView
        from ui.kpi_table import KpiTable
        from ui.pages import BranchPage, ChartPage
        from ui import submission
        from ui.status_editor import StatusEditor

        self.grid_model = MonthlyGridModel(None, self)
        self.grid_model.negative = self._negative
        self.grid_model.editor = self.editor
        self.editor.stored.connect(self.grid_model.show_stored)
        self.grid_model.refused.connect(lambda msg: say(self, msg))
        self.grid = MonthlyGridView()
        self.grid.setModel(self.grid_model)
        self.grid.history_requested.connect(self.show_cell_history)
        self.grid.check_requested.connect(lambda r, c: self.acknowledge_cell(r, c))

        self.kpi_table = KpiTable()
        self.kpi_table.rating_chosen.connect(self._rate_kpi)
        self.kpi_table.result_typed.connect(self._kpi_result_typed)
        self.kpi_table.month_target_typed.connect(self._kpi_month_target_typed)
        self._status, self._status_pending = StatusEditor(), None
        self._status.saved.connect(self.apply_changes)
        self._status.quarter_changed.connect(self._quarter_chosen)
        self._status.carry_group_requested.connect(lambda: submission.carry_group_over(self))
        status_page = self.status_page = QSplitter(Qt.Vertical)
        status_page.addWidget(self.kpi_table)
        status_page.addWidget(self._status)
        status_page.setSizes([170, 400])

        self.tabs.addTab(self.grid, "月次実績")
        self.tabs.addTab(status_page, "実施状況・KPI")
        self.branch_page = BranchPage()
        self.branch_model, self.national_label = self.branch_page.model, self.branch_page.label
        self.tabs.addTab(self.branch_page, "支部別（全国）")
        self.chart_page = ChartPage()
        self.chart_page.redraw = self._show_chart
        self.tabs.addTab(self.chart_page, "グラフ")
        self.tabs.currentChanged.connect(lambda _i: self._show_branches())
        self.tabs.currentChanged.connect(lambda _i: self._show_chart())
        self.tabs.currentChanged.connect(lambda _i: self._status_shown())
        self.grid.selectionModel().currentRowChanged.connect(lambda *_: self._show_chart())
        self.grid.selectionModel().currentRowChanged.connect(lambda *_: self._show_branches())
        self.tabs.setCurrentIndex(Preferences().tab)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        self.import_action = QAction("Excel を取り込む(&I)…", self, shortcut=QKeySequence("Ctrl+I"),
                                     triggered=lambda: self.open_import())
        self.import_action.setToolTip("Excel ブックを取り込む (Ctrl+I)。ファイルを窓にドロップしても取り込めます")
        history = self.history_action = QAction("取込履歴(&H)…", self, triggered=self.open_history)
        self.kpi_action = QAction("KPI の確認(&K)…", self, triggered=lambda: self.open_kpi_confirm())
        self.export_chart_action = QAction("グラフを PNG で保存(&G)…", self, triggered=lambda: self.export_chart())
        self.package_out_action = QAction("作業用ブックを書き出す(&W)…", self, triggered=lambda: self.export_work_package())
        self.package_in_action = QAction("作業用ブックを取り込む(&B)…", self, triggered=lambda: self.import_work_package())
        self.restore_action = QAction("バックアップから復元(&R)…", self, triggered=lambda: self.restore_backup())
        self.switch_action = QAction("データベースを切り替える（共有モード）(&S)…", self,
                                     triggered=lambda: self.switch_database())
        self.check_action = QAction("提出前チェック(&C)…", self, triggered=lambda: self.open_quarter_check())
        from ui import submission

        self.submit_action = QAction("提出(&U)…", self, triggered=lambda: submission.submit(self))
        self.submit_action.setStatusTip("四半期の資料を保管し、その四半期を鎖錠します（管理者の作業）")
        self.unlock_action = QAction("提出の解除(&L)…", self, triggered=lambda: submission.unlock(self))
        self.unlock_action.setStatusTip("提出した四半期の鎖錠を、理由を添えて解除します（管理者の作業）")
        self.submitted_action = QAction("提出済みの書類(&T)…", self, triggered=lambda: submission.open_submitted(self))
        self.report_action = QAction("四半期の資料（印刷・出力）(&P)…", self, shortcut=QKeySequence.Print,
                                     triggered=lambda: self.open_report())
        quit_action = QAction("終了(&Q)", self, shortcut=QKeySequence.Quit, triggered=self.close)
        for a in (self.import_action, history, self.kpi_action, self.check_action, self.submit_action,
                  self.unlock_action, self.submitted_action, self.report_action,
                  self.package_out_action, self.package_in_action,
                  self.export_chart_action, self.restore_action, self.switch_action):
            a.setEnabled(False)                     # until the database is open (a chart is shown)
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("編集(&E)")
        undo = self.editor.stack.createUndoAction(self, "元に戻す")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.editor.stack.createRedoAction(self, "やり直し")
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence.Redo])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        self.carry_group_action = QAction("グループの実施状況を前四半期から引き継ぐ(&O)…", self,
                                          triggered=lambda: submission.carry_group_over(self))
        self.carry_group_action.setEnabled(False)
        edit_menu.addAction(self.carry_group_action)
        self.indicators_action = QAction("この項目の指標を選ぶ(&N)…", self, triggered=lambda: self.choose_indicators())
        self.indicators_action.setToolTip("月次実績と進捗状況の表に出す指標を選ぶ")
        edit_menu.addAction(self.indicators_action)
        self.undo_action, self.redo_action = undo, redo
        from ui.edit_menu import add_clipboard_actions

        edit_menu.addSeparator()
        self.clipboard_actions = add_clipboard_actions(self, edit_menu)
        view_menu = self.menuBar().addMenu("表示(&V)")
        self.dashboard_action = QAction("ダッシュボード(&D)", self, shortcut=QKeySequence("Ctrl+D"),
                                        triggered=lambda: self.open_dashboard())
        self.dashboard_action.setEnabled(False)
        view_menu.addAction(self.dashboard_action)
        self.negative_action = QAction("マイナスを △ で表示", self, checkable=True, checked=True,
                                       toggled=self._negative_style)
        view_menu.addAction(self.negative_action)
        self.negative_action.setChecked(Preferences().negative == "△")
        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        help_menu.addAction(QAction("使い方(&G)", self, shortcut=QKeySequence.HelpContents,
                                    triggered=lambda: self.open_help("guide")))
        help_menu.addAction(QAction("ライセンス(&L)…", self, triggered=lambda: self.open_help("licenses")))
        help_menu.addAction(QAction("バージョン情報(&A)…", self, triggered=lambda: self.open_help("about")))
        bar = self.findChild(QToolBar, "main-toolbar")
        bar.insertAction(bar.actions()[0], self.import_action)
        bar.insertSeparator(bar.actions()[1])

    def open_import(self, paths=()):
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.db, paths, self)
        dialog.imported.connect(self.apply_changes)
        dialog.imported.connect(lambda _changes: self._confirm_imported_plan(dialog))
        dialog.show()
        return dialog

    def _confirm_imported_plan(self, dialog) -> None:
        """A plan was imported: its KPIs, as read, to confirm or correct."""
        plans = [r.plan_of for r in dialog.result.reports if r.stored and r.plan_of]
        if plans:
            self.open_kpi_confirm(*plans[0])

    def open_kpi_confirm(self, branch: str | None = None, fiscal_year: int | None = None):
        from ui.kpi_confirm import KpiConfirmDialog

        dialog = KpiConfirmDialog(self.db, branch or self.branch, fiscal_year or self.fiscal_year, self)
        dialog.confirmed.connect(self.apply_changes)
        dialog.show()
        self.kpi_dialog = dialog
        return dialog

    def open_help(self, what: str):
        from ui import help_dialogs

        dialog = {"guide": help_dialogs.GuideDialog, "licenses": help_dialogs.LicenseDialog,
                  "about": help_dialogs.AboutDialog}[what](self)
        dialog.show()
        return dialog

    def open_history(self):
        from ui.history_dialog import HistoryDialog

        dialog = HistoryDialog(self.db, self)
        dialog.changed.connect(self.apply_changes)
        dialog.show()
        return dialog

    def reload(self) -> None:
        current = self.fiscal_year
        self._load_years()
        if current is not None and self.year_box.findData(current) >= 0:
            self.year_box.setCurrentIndex(self.year_box.findData(current))

    def apply_changes(self, changes=None) -> None:
        """An operation stored something: redraw what it changed — the years and the plan, the
        figures (grid, KPI table, chart, dashboard), the ratings summary — keeping the place."""
        if self.db is None:
            return
        if changes is None or changes.branches:             # the first import, or the admin, said which branch
            if (self.db.home_branch or "") != self.branch:
                self.show_branch()
        if changes is None or changes.plan or not changes.years <= set(self._years()):
            self.reload()
            self._refresh_dashboard()
            return
        if changes.ratings or changes.statuses:
            self._update_counts()
        if changes.indicators or changes.items:
            self._values_changed()                   # the dashboard follows the figures read again
        else:
            self._refresh_dashboard()

    def _years(self) -> list[int]:
        return [self.year_box.itemData(i) for i in range(self.year_box.count())]

    def dragEnterEvent(self, event) -> None:
        if any(u.toLocalFile().lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.toLocalFile().lower().endswith((".xlsx", ".xlsm", ".xls", ".ods"))]
        if paths and self.db is not None:
            event.acceptProposedAction()
            self.open_import(paths)

    def closeEvent(self, event) -> None:
        if hasattr(self, "_status"):
            self._status.save()                  # nothing typed is lost
        prefs = Preferences()
        prefs.geometry = self.saveGeometry()
        prefs.splitter = self.splitter.saveState()
        if self.tabs.count():
            prefs.tab = self.tabs.currentIndex()
        if self.db is not None:
            from ui import last_view

            last_view.save(self)                 # drawn at once at the next start
        super().closeEvent(event)

    # ---- data ---------------------------------------------------------------------------
    def _load_years(self) -> None:
        from app.reads import queries
        years = queries.fiscal_years_with_data(self.db, self.branch)
        plan_years = queries.plan_years(self.db, self.branch)
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for fy in reversed(years):
            self.year_box.addItem(format_fy(fy), fy)
        remembered = self.year_box.findData(Preferences().year)
        self.year_box.setCurrentIndex(remembered if remembered >= 0 else
                                      self.year_box.findData(plan_years[-1]) if plan_years else 0)
        self.year_box.blockSignals(False)
        self._load_items()

    @property
    def fiscal_year(self) -> int | None:
        return self.year_box.currentData()

    def _load_items(self) -> None:
        from app.reads import queries
        from app.reads.figures import Figures

        if self.db is None:                      # the last view is shown while the database opens
            return
        fy = self.fiscal_year
        if fy:
            Preferences().year = fy
        self.items = queries.plan_items(self.db, self.branch, fy) if fy else []
        self.figures = Figures(self.db, self.branch)
        self.reads.drop("figures")               # read now: one asked before would be older
        quarters = [s.quarter for s in queries.statuses(self.db, [i.id for i in self.items])]
        self._status.quarter.blockSignals(True)
        self._status.set_quarter(max(quarters) if quarters else queries.current_quarter(fy))
        self._status.quarter.blockSignals(False)
        self._refresh_locks()
        self._fill_tree()
        self._update_counts()

    def _refresh_locks(self) -> None:
        """The submitted quarters: read-only in the grid and the 実施状況 tab, with the reason."""
        from ui.submission import lock_texts

        locks = lock_texts(self.db, self.branch) if self.branch else {}
        self.grid_model.set_locks(locks)
        self._status.locks = {q: why for (fy, q), why in locks.items() if fy == self.fiscal_year}

    def locks_changed(self) -> None:
        """A quarter was submitted or unlocked: shown at once."""
        self._refresh_locks()
        self._show_current(self.tree.currentItem())

    def _fill_tree(self) -> None:
        group = self.group_box.currentText() if self.group_box.currentIndex() > 0 else ""
        wanted = Preferences().item
        if not self.tree.fill(self.items, group, self.search.text().strip(), wanted):
            self._show(None)

    def _item_nodes(self):
        return self.tree.item_nodes()

    def _show_current(self, node, _previous=None) -> None:
        if self.db is None:
            return
        if node is not None and node.data(0, GROUP_ROLE):
            self._show_group(node.data(0, GROUP_ROLE))
            return
        item = self.item_of(node)
        if item is not None:
            Preferences().item = item.item_no
        self._show(item)

    def _show_group(self, group: str) -> None:
        """All the indicators a group keeps, this year and earlier (no item, no status)."""
        from app.reads.queries import group_indicators

        self.kpi_table.setRowCount(0)
        self.title.setText(f"{group}グループ の月次実績" if group != "全グループ" else "全グループ共通の月次実績")
        self.plan_text.clear()
        self.plan_box.hide()
        self._nothing_to_show(False)
        self._load_status(None, None, None)
        self.grid.wrap_names = True          # many rows that scroll anyway: names whole on two lines
        self.grid_model.thousands = True     # and large yen amounts in 千円: every month and 年度計 in view
        self.grid_model.set_rows(self.figures.grid_rows(group_indicators(self.db.catalogue, group), self.fiscal_year))
        self.tabs.setCurrentIndex(0)

    def _show(self, item: queries.ItemView | None) -> None:
        self.kpi_table.setRowCount(0)
        if item is None:
            self.title.setText("項目がありません" if self.search.text().strip() or self.group_box.currentIndex() > 0
                               else f"{format_fy(self.fiscal_year)}の事業計画がありません" if self._years()
                               else "はじめに")
            self.plan_text.clear()
            self._load_status(None, None, None)
            self.grid_model.set_rows([])
            self._nothing_to_show(not self.search.text().strip() and self.group_box.currentIndex() == 0)
            return
        self._nothing_to_show(False)
        self.grid.wrap_names = False         # an item's few rows: one line each, its last row in view
        self.grid_model.thousands = False
        self.show_item_header(item)
        from app.reads import queries
        from app.reads.ratings import worst_proposal

        lines = self._show_figures(item)
        st = {s.quarter: s for s in queries.statuses(self.db, [item.id])}
        self._load_status(item, st.get(self.quarter), worst_proposal([line.proposed for line in lines]))

    @property
    def status(self):
        """The 実施状況 tab's editor, with the rows of the item shown (loaded now if they waited)."""
        if self._status_pending is not None:
            pending, self._status_pending = self._status_pending, None
            self._status.load(*pending)
        return self._status

    @property
    def quarter(self) -> int:
        """The quarter chosen (on the 実施状況 tab)."""
        return self._status.current_quarter

    def _load_status(self, item, status, proposed) -> None:
        """The 実施状況 tab shows the item's rated rows: loaded now when the tab shows (or for no item),
        else when it is first shown or asked for (``status``) — their widgets take as long as the
        rest of the first view. What was typed in the rows shown before is saved now."""
        self._status_pending = None
        if item is None or self.tabs.currentWidget() is self.status_page:
            self._status.load(self.db, item, status, proposed)
        else:
            self._status.save()
            self._status_pending = (self.db, item, status, proposed)

    def _status_shown(self) -> None:
        if self._status_pending is not None and self.tabs.currentWidget() is self.status_page:
            self.status                           # noqa: B018 - loads the rows that waited

    def _nothing_to_show(self, empty: bool) -> None:
        """An empty database or a year without a plan says what to do instead of showing empty tabs."""
        if empty and self.db is not None:
            self.plan_box.hide()
            self.first_steps.explain(self._years(), self.fiscal_year)
        self.first_steps.setVisible(empty and self.db is not None)
        self.tabs.setVisible(not (empty and self.db is not None))

    def show_item_header(self, item: queries.ItemView) -> None:
        from app.core.items import flags as item_flags

        flags = item_flags(item)
        self.title.setText(f"{item.item_no}  {item.title}   <span style='color:#a33'>{flags}</span>"
                           f"<span style='color:#555; font-weight:normal'>  {item.owner_group}</span>")
        self.plan_text.setPlainText(item.plan_text)
        self.plan_box.show()

    def _show_figures(self, item: queries.ItemView) -> list:
        """The item's KPI table (as of the quarter chosen) and monthly grid, from ``self.figures``."""
        from app.reads import queries
        from app.reads.overview import kpi_lines

        fy = self.fiscal_year
        lines = self.kpi_lines = kpi_lines(self.db, self.figures, [item], fy, self.quarter)
        self.kpi_table.show_lines(lines)
        self.grid_model.set_rows(self.figures.grid_rows(queries.item_indicators(self.db, item), fy))
        return lines

    def _kpi_result_typed(self, kpi_id: int, text: str) -> None:
        """A hand-entered KPI result (57.1%): read like any cell and stored; else refused, with the
        stored result shown again."""
        from app.operations import ops

        self._kpi_typed("KPI の結果", ops.set_kpi_result, kpi_id, text)

    def _kpi_month_target_typed(self, kpi_id: int, month: int, text: str) -> None:
        """A KPI's 月次目標 for the month shown (1,280; empty clears it), as a result is typed."""
        from app.operations import ops

        self._kpi_typed("月次目標", ops.set_kpi_month_target, kpi_id, month, text)

    def _kpi_typed(self, what: str, operation, *args) -> None:
        """Stored (the item's KPIs carry it), or said as not stored and what is stored shown again."""
        if not run_change(self, f"{what}を保存できません", operation, self.db, *args):
            self._show_current(self.tree.currentItem())

    def _rate_kpi(self, kpi_id: int, mark) -> None:
        """A KPI's rating for the quarter: stored, or a message and the stored rating shown again."""
        from app.operations import ops
        if run_change(self, "KPI の評価", ops.rate_kpi, self.db, kpi_id, self.quarter, mark) is None:
            self._show_current(self.tree.currentItem())

    def _quarter_chosen(self, _quarter: int) -> None:
        """Another quarter: the item's status and KPIs of that quarter, and its 評価の集計."""
        self._show_current(self.tree.currentItem())
        self._update_counts()

    def _update_counts(self) -> None:
        """評価の集計 of the chosen quarter over the rated rows: 全体, KPI rows, 未評価."""
        from app.reads.ratings import row_counts

        if self.db is None or self.fiscal_year is None:
            return
        quarter = self.quarter
        c = row_counts(self.db, self.branch, self.fiscal_year, quarter)

        def line(counts):
            return "  ".join(f"{m}{n}" for m, n in counts.items()) + f"  計{sum(counts.values())}"
        self.counts.setText(f"<b>評価の集計（第{quarter}四半期）</b><br>全体: {line(c.all)}<br>KPI: {line(c.kpi)}"
                            f"<br>未評価: {c.unrated}（{c.total} 行中）")

    def _current_indicator(self, default_last: bool = False) -> str | None:
        """The indicator of the grid's current row (else its first, or last, row)."""
        cur, rows = self.grid.currentIndex(), self.grid_model.rows
        if cur.isValid() and cur.row() < len(rows):
            return rows[cur.row()].indicator
        return (rows[-1] if default_last else rows[0]).indicator if rows else None

    def _show_branches(self) -> None:
        """The by-branch table of the grid's current indicator (when that tab shows), read off the
        GUI thread."""
        if self.db is not None and self.tabs.currentWidget() is self.branch_page:
            self.reads.run("branches", *self.branch_page.reader(self.db, self._current_indicator(), self.fiscal_year,
                                                                self.branch, self.figures))

    def switch_database(self, target: str | None = None, password: str | None = None):
        return file_actions.switch_database(self, target, password)

    def export_work_package(self, group: str | None = None, path: str | None = None) -> str | None:
        return file_actions.export_work_package(self, group, path)

    def import_work_package(self, path: str | None = None):
        return file_actions.import_work_package(self, path)

    def restore_backup(self, source: str | None = None, confirm: bool = True) -> bool:
        return file_actions.restore_backup(self, source, confirm)

    def open_report(self):
        from ui.report_dialog import ReportDialog

        self._status.save()
        dialog = ReportDialog(self.db, self.branch, self.fiscal_year, self.quarter, self)
        dialog.show()
        return dialog

    def open_quarter_check(self, quarter: int | None = None):
        """提出前チェック of the quarter chosen: each line goes to its place (go_to_missing)."""
        from ui.quarter_check_dialog import QuarterCheckDialog

        self._status.save()
        dialog = QuarterCheckDialog(self.db, self.branch, self.fiscal_year, quarter or self.quarter, self)
        dialog.chosen.connect(self.go_to_missing)
        dialog.show()
        return dialog

    def go_to_missing(self, missing) -> None:
        """A line of the 提出前チェック: the item (its status), or the indicator's month in the
        table of its group."""
        from ui.grid_model import FIRST_MONTH
        from app.core.fiscal import FISCAL_MONTHS

        if missing.item_no is not None:
            self.go_to_item(missing.item_no)
            return
        if self.group_box.currentIndex() or self.search.text():
            self.group_box.setCurrentIndex(0)
            self.search.clear()
        top = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        node = next((n.child(j) for n in top for j in range(n.childCount())
                     if n.child(j).data(0, GROUP_ROLE) == missing.group), None)
        if node is None:
            return
        self.tree.setCurrentItem(node)
        row = next((r for r, g in enumerate(self.grid_model.rows)
                    if g.indicator == missing.indicator and g.fiscal_year == self.fiscal_year), None)
        if row is not None:
            col = FIRST_MONTH + FISCAL_MONTHS.index(missing.month) if missing.month else 0
            self.grid.setCurrentIndex(self.grid_model.index(row, col))
        self.raise_()
        self.activateWindow()

    def open_dashboard(self):
        from ui.dashboard import Dashboard

        if getattr(self, "dashboard", None) is None:
            self.dashboard = Dashboard(self)
            self.dashboard.item_chosen.connect(self.go_to_item)
        self._refresh_dashboard(force=True)
        self.dashboard.show()
        self.dashboard.raise_()
        return self.dashboard

    def _refresh_dashboard(self, force: bool = False) -> None:
        """The dashboard, when it is open, shows what is stored now."""
        from app.reads.overview import kpi_overview

        dashboard = getattr(self, "dashboard", None)
        if dashboard is None or not (force or dashboard.isVisible()) or self.fiscal_year is None:
            return
        db, branch, fy, figures = self.db, self.branch, self.fiscal_year, self.figures
        heading = f"{branch_names().get(branch, '')}支部　{format_fy(fy)}　KPI の達成状況"
        self.reads.run("dashboard", lambda: kpi_overview(db, branch, fy, figures),
                       lambda lines: dashboard.show_lines(lines, heading))

    def go_to_item(self, item_no: int) -> None:
        if self.group_box.currentIndex() or self.search.text():
            self.group_box.setCurrentIndex(0)
            self.search.clear()
        node = next((n for n in self._item_nodes() if n.text(0) == str(item_no)), None)
        if node is not None:
            self.tree.setCurrentItem(node)
            self.tabs.setCurrentIndex(1)
            self.raise_()
            self.activateWindow()

    @property
    def chart(self):
        return self.chart_page.chart

    def _show_chart(self, force: bool = False) -> None:
        """The chart of the grid's current row (when the グラフ tab shows, read off the GUI thread; or
        ``force``: at once, before it is saved); it follows edits, imports and undos."""
        if self.db is None or not (force or self.tabs.currentWidget() is self.chart_page):
            return
        read, show = self.chart_page.reader(self.db, self.branch, self._current_indicator(default_last=True),
                                            self.fiscal_year, self.figures)
        if force:
            self.reads.drop("chart")               # a read still under way would draw older figures
            show(read())
        else:
            self.reads.run("chart", read, show)
        self.export_chart_action.setEnabled(True)

    def export_chart(self, path: str | None = None) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        self._show_chart(force=True)          # the chart of what the grid shows now, with today's figures
        if self.chart is None or self.chart.data is None:
            say(self, "グラフにする指標がありません。月次実績の表で指標の行を選んでください", INFO, "グラフ")
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "グラフを保存", f"{self.chart.data.name}.png", "PNG 画像 (*.png)")
        if path and not self.chart.export_png(path):
            say(self, f"{path} に保存できません", ERROR, "グラフ")
            return None
        return path or None

    def _cell_conflict(self, exc, cells) -> None:
        """Someone else changed the same cells: show both values; the user chooses."""
        from app.core.values import format_number

        def shown(v):
            return "－" if v is None else format_number(v)
        lines = [f"{what}: ほかの人の値 {shown(theirs)} ／ あなたの値 {shown(mine)}" for what, theirs, mine in exc.conflicts]
        answer = QMessageBox.question(
            self, "同時に変更されました", "ほかの人が同じセルを先に変更しました。\n\n" + "\n".join(lines)
            + "\n\nあなたの値で上書きしますか？（いいえ: ほかの人の値を残します）", QMessageBox.Yes | QMessageBox.No)
        if answer == QMessageBox.Yes:
            self.editor.overwrite(cells)
        else:
            self._values_changed()

    def _edit_failed(self, _message: str) -> None:
        """A grid edit was refused (said by the runner): the stored values shown again."""
        self._values_changed()

    def choose_indicators(self, accept=None) -> None:
        """この項目の指標: choose which indicators the current item keeps (``accept``: for tests,
        called with the dialog instead of showing it)."""
        from app.operations import ops
        from app.reads import queries
        from ui.item_indicators import ItemIndicatorsDialog

        item = self.item_of(self.tree.currentItem())
        if self.db is None or item is None:
            say(self, "左の一覧で項目を選んでください", WARNING, "この項目の指標")
            return
        dialog = ItemIndicatorsDialog(self.db.catalogue, item.title, queries.item_indicators(self.db, item), self)
        if not (accept(dialog) if accept else dialog.exec()):
            return
        run_change(self, "この項目の指標", ops.set_item_indicators, self.db, item.id, dialog.chosen())

    def item_of(self, node):
        """The plan item a navigator node stands for (None for a pillar, a group's table, none)."""
        item_id = node.data(0, Qt.UserRole) if node is not None else None
        return next((i for i in self.items if i.id == item_id), None)

    def _values_changed(self) -> None:
        """Stored figures changed: read them again, and the plan's items (whose KPIs carry hand-typed
        results), off the GUI thread; then ``_figures_read`` redraws."""
        from app.reads import queries
        from app.reads.figures import Figures

        db, branch, fy = self.db, self.branch, self.fiscal_year
        self.reads.run("figures", lambda: (db, fy, Figures(db, branch), queries.plan_items(db, branch, fy) if fy else []),
                       self._figures_read)

    def _figures_read(self, read) -> None:
        """The figures read again: the grid, the KPI table, the chart and the dashboard redrawn (not the
        status being typed), keeping the place in the grid; a read of another year or database is
        not shown."""
        db, fy, figures, items = read
        if db is not self.db or fy != self.fiscal_year:
            return
        self.figures, self.items = figures, items
        current = self.grid.currentIndex()
        node = self.tree.currentItem()
        item = self.item_of(node)
        if item is not None:
            self._show_figures(item)
        else:
            self._show_current(node)
        if current.isValid():
            self.grid.setCurrentIndex(self.grid_model.index(current.row(), current.column()))
        self._show_chart()
        self._refresh_dashboard()

    def _negative_style(self, triangle: bool) -> None:
        self._negative = "△" if triangle else "-"
        if hasattr(self, "grid_model"):
            self.grid_model.negative = self._negative
            self.grid_model.set_rows(self.grid_model.rows)
        Preferences().negative = self._negative

    def acknowledge_cell(self, row: int, col: int, comment: str | None = None) -> bool:
        """点検の確認: the cell's warnings kept quiet with a short comment (asked for unless given)."""
        from PySide6.QtWidgets import QInputDialog

        from app.operations.ops import acknowledge_warning

        r, month = self.grid_model.rows[row], self.grid_model.month_of(col)
        if comment is None:
            comment, ok = QInputDialog.getText(self, "点検の確認", f"{r.warnings.get(month, '')}\n\n"
                                               "この値でよい理由（短いコメント、変更履歴に残ります）:")
            if not ok:
                return False
        return run_change(self, "点検の確認", acknowledge_warning, self.db, self.branch, r.fiscal_year, month,
                          r.indicator, comment, on_failure=lambda message: self.grid_model.refuse([(row, col)], message)
                          ) is not None

    def show_cell_history(self, row: int, col: int):
        from ui.history_dialog import CellHistoryDialog

        r = self.grid_model.rows[row]
        month = self.grid_model.month_of(col)
        dialog = CellHistoryDialog(self.db, self.branch, r.fiscal_year, month, r.indicator, r.origin.get(month), self)
        dialog.show()
        return dialog
