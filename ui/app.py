"""Starting the window: QApplication, a Japanese font, the window at once, the database opened
in the background. A SQLite file at the newest revision opens with the sqlite3 module and the
first view is read with it (app.store.database: Database.reading); SQLAlchemy and the ORM come in
on a worker thread once the window is editable (MainWindow.set_database: bring_in) — an edit
typed before waits for them and is stored as always. A server, or a file to migrate, opens the
regular way (SQLAlchemy, Alembic and the migrations load while the window is already up)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ui.appearance import APP_NAME, pick_font, widen_file_dialogs  # noqa: F401  (APP_NAME: the window title's name)


def install_translations(app) -> bool:
    """Qt's own texts in Japanese — standard buttons (閉じる, キャンセル, はい), a text field's menu
    (元に戻す, 切り取り, 貼り付け), the print preview, file dialogs — from the qtbase_ja catalogue that
    PySide6 ships (and the bundle carries). False when it is not there (Qt then speaks English)."""
    import PySide6
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    QLocale.setDefault(QLocale(QLocale.Japanese, QLocale.Japan))

    class QtGaps(QTranslator):
        """The few of Qt 6's texts the ja catalogue lacks (it has Qt 5's "Look in:")."""
        TEXTS = {("QFileDialog", "&Look in:"): "場所(&L):", ("QFileDialog", "Files of &type:"): "ファイルの種類(&T):"}

        def translate(self, context, source, disambiguation=None, n=-1):
            return self.TEXTS.get((context, source))        # None: not ours, the catalogue answers

    translator = QTranslator(app)
    for folder in (QLibraryInfo.path(QLibraryInfo.TranslationsPath),       # also the bundle's copy
                   str(Path(PySide6.__file__).parent / "Qt" / "translations")):
        if translator.load("qtbase_ja", folder):
            app.installTranslator(translator)
            gaps = QtGaps(app)
            app.installTranslator(gaps)
            app.qt_translator = (translator, gaps)  # kept alive with the application
            return True
    return False


#: Qt's warnings that say nothing to a user and nothing wrong with the data: the X11 plugin's
#: (its window manager cannot take size hints) and the item views' when an editor is closed twice
#: (a commit after the model was redrawn, which stores nothing). Everything else still goes to stderr.
QUIET_QT = ("propagateSizeHints", "commitData called with an editor that does not belong to this view",
            "closeEditor called with an editor that does not belong to this view")


def quiet_qt_warnings() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message):
        if not any(q in message for q in QUIET_QT):
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def show_fitted(window) -> None:
    """A window that was never placed fills the screen (the 1366×768 office laptop too); a remembered
    size is kept, but never larger than the screen."""
    from ui.preferences import Preferences

    avail = window.screen().availableGeometry()
    frame = window.frameGeometry().size() - window.geometry().size()       # title bar and borders
    if Preferences().geometry:
        window.resize(min(window.width(), avail.width() - frame.width()), min(window.height(), avail.height() - frame.height()))
        window.show()
    else:                                                                   # the first start: the whole screen
        window.setGeometry(avail)
        window.showMaximized()


def launch(target, load: bool = True):
    """Show the main window now — with the last view when the database is as it was left — and
    open the database in the background (after the window's first paint when it already shows
    data; ``load=False``: not at all, for a picture of the last view). Returns the window; its
    ``loaded`` signal fires once the data is in (or ``failed`` with the message)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.store.paths import default_database_path
    from ui import last_view
    from ui.main_window import MainWindow
    from ui.preferences import Preferences
    from ui.tasks import run_in_background

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("branch-report")
    app.setApplicationDisplayName(APP_NAME)
    if getattr(app, "qt_translator", None) is None:
        install_translations(app)
    pick_font(app)
    if getattr(app, "file_dialogs", None) is None:
        widen_file_dialogs(app)
    window = MainWindow()
    remembered = Preferences().database_target
    path = target if target is not None else (remembered or default_database_path())

    def open_it(_state, light_only: bool = False):
        from app.store.backups import InstanceLock
        from app.core.errors import DatabaseError
        from app.store.database import open_database, open_light

        if "://" not in str(path):
            lock = InstanceLock(Path(path).expanduser())
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            if not lock.acquire():
                raise DatabaseError(f"このデータベース ({path}) は別の branch-report の画面で開かれています。"
                                    "そちらの画面を使うか、閉じてから開き直してください")
            window.instance_lock = lock
        db = open_light(path) if light_only else open_database(path, light=True)
        if db is not None:
            db.catalogue                  # noqa: B018 - loaded here, not on the GUI thread
        return db

    opened = _open_at_once(window, open_it) if "://" not in str(path) else None
    if opened is not None:
        window.set_database(opened)           # shown with its figures: the first paint is editable
    elif "://" not in str(path) and (view := last_view.load(Path(path).expanduser())):
        last_view.show(window, view)          # what was shown at the last close, while the database opens
    show_fitted(window)

    def failed(exc):
        from app.core.errors import DamagedDatabase
        from app.store.failures import describe_failure

        window.load_error = describe_failure(exc)
        window.statusBar().showMessage("データベースを開けませんでした")
        quiet = window.property("quiet")
        if isinstance(exc, DamagedDatabase) and exc.backup is not None and not quiet:
            if QMessageBox.question(window, "データベースが壊れています",
                                    f"{exc}\n\n最新の正常なバックアップから復元しますか？"
                                    "（今のファイルは別名で残します）") == QMessageBox.Yes:
                from app.operations.ops import restore_backup

                restore_backup(exc.path, exc.backup)
                window.loader = run_in_background(open_it, done=window.set_database, failed=failed)
                return
        elif not quiet:
            QMessageBox.critical(window, "データベース", f"データベースを開けません。\n{window.load_error}")
        window.failed.emit(window.load_error)
        window.close()                 # nothing to show: the window does not stay on screen waiting

    def start_loading():
        window.loader = run_in_background(open_it, done=window.set_database, failed=failed)

    if times := os.environ.get("BRANCH_REPORT_TIMES"):
        _report_times(window, times)
    if opened is not None:
        pass
    elif not getattr(window, "showing_last_view", False):
        start_loading()
    elif load:                                 # the loading thread would slow the first paint down
        last_view.after_first_paint(window, start_loading)
    return window


def _open_at_once(window, open_it):
    """A SQLite file the sqlite3 module opens (app.store.database.open_light: the newest revision)
    opened now, before the window is shown — a few milliseconds; else None, and anything wrong
    (another window's lock, a damaged file) is found and said by the regular way in the background."""
    try:
        db = open_it(None, light_only=True)
    except Exception:  # noqa: BLE001 - said by the regular way, which meets it again
        db = None
    if db is None and (lock := getattr(window, "instance_lock", None)) is not None:
        lock.release()                        # taken again by the regular way
        window.instance_lock = None
    return db


def _report_times(window, path: str) -> None:
    """For the start-up benchmark (BRANCH_REPORT_TIMES=FILE): the moments (time.monotonic, the
    clock the benchmark reads too) of the window's first paint and of its being editable — the
    database open and the figures drawn from it."""
    import time

    from ui import last_view

    def mark(what: str) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{what} {time.monotonic():.6f}\n")

    said = []

    def editable():
        if not said:
            said.append(mark("editable"))

    def first_paint():
        mark("first_paint")
        if window.db is not None:               # opened before it was shown: editable as it paints
            editable()

    window.loaded.connect(editable)
    last_view.after_first_paint(window, first_paint)
    window.brought_in.connect(lambda: mark("orm_in"))


def run_gui(target, screenshot: str | None = None, view: str | None = None) -> int:
    if screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    quiet_qt_warnings()                   # the program's own stderr; tests keep pytest-qt's handler
    if screenshot:
        QApplication.instance() or QApplication(sys.argv[:1])
    window = launch(target)                 # a screenshot too: the window as one can work in it
    app = QApplication.instance()
    if not screenshot:
        _quit_on_ctrl_c(app)
        try:
            return app.exec()
        finally:
            if window.db is not None:
                window.db.close()          # every change in the .sqlite3 file itself
    window.setProperty("quiet", True)
    loop = QEventLoop()                                 # the database open and the figures drawn from it
    window.loaded.connect(loop.quit)
    window.failed.connect(loop.quit)
    QTimer.singleShot(60000, loop.quit)
    if window.db is not None:                           # opened before it was shown: once it is drawn
        from ui import last_view

        last_view.after_first_paint(window, loop.quit)
    loop.exec()
    if window.db is None:
        print(f"branch-report: {getattr(window, 'load_error', 'データベースを開けません')}", file=sys.stderr)
        return 1
    app.processEvents()
    if view in ("grid", "status", "chart"):
        if view == "chart":                            # 郵送化率 of 業務改革の推進: this year against last, target
            window.tree.setCurrentItem(next(n for n in window._item_nodes() if n.text(0) == "2"))
            window.grid.setCurrentIndex(window.grid_model.index(len(window.grid_model.rows) - 3, 2))
        window.tabs.setCurrentIndex({"grid": 0, "status": 1, "chart": 3}[view])
        app.processEvents()
    shown = _import_view(window, app) if view == "import" else window
    if view == "dashboard":
        shown = window.open_dashboard()
        app.processEvents()
    if view == "report":                                # the print preview of 事業計画実施状況
        shown = window.open_report().preview()
        shown.resize(1100, 900)
        app.processEvents()
    if not shown.grab().save(screenshot):
        print(f"branch-report: {screenshot} に保存できません", file=sys.stderr)
        return 1
    if view is None:                      # kept as closing the window keeps it: the next start shows it at once
        from ui import last_view

        last_view.save(window)
    return 0


def _quit_on_ctrl_c(app) -> None:
    """Ctrl+C in the terminal ends the program as ファイル → 終了 does (Qt's event loop would
    otherwise never let Python see the signal)."""
    import signal

    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: app.closeAllWindows())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)            # wakes the interpreter to run the handler
    timer.start(250)


def _import_view(window, app):
    """The import dialog with the bundled monthly sample read into it (for --view import)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.core.branches import RESOURCES

    dialog = window.open_import([RESOURCES / "sample" / "gunma_fy2024_monthly.xlsx"])
    loop = QEventLoop()
    dialog.task.signals.done.connect(lambda *_: QTimer.singleShot(0, loop.quit))
    QTimer.singleShot(30000, loop.quit)
    loop.exec()
    app.processEvents()
    for i in range(dialog.problems.count()):      # show the first warning at its cell
        if "G35" in dialog.problems.item(i).text():
            dialog._goto(dialog.problems.item(i))
            break
    app.processEvents()
    return dialog
