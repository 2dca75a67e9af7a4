"""Starting the window: QApplication, a Japanese font, the database, screenshot mode."""
from __future__ import annotations

import os
import sys

CJK_FAMILIES = ("IPAexGothic", "IPAexゴシック", "Noto Sans CJK JP", "Yu Gothic UI", "Meiryo UI", "Meiryo",
                "Hiragino Sans", "TakaoPGothic", "VL PGothic")


def pick_font(app) -> None:
    """A Japanese UI font when one is installed (else Qt's fallback)."""
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for name in CJK_FAMILIES:
        if name in families:
            font = QFont(name, 10)
            app.setFont(font)
            return


def run_gui(target, screenshot: str | None = None, view: str | None = None) -> int:
    if screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.errors import BranchReportError
    from app.store import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("branch-report")
    app.setApplicationDisplayName("branch-report 事業計画 実施状況")
    pick_font(app)
    try:
        db = open_database(target)
    except BranchReportError as exc:
        if screenshot:
            print(f"branch-report: {exc}", file=sys.stderr)
            return 1
        QMessageBox.critical(None, "branch-report", str(exc))
        return 1
    from ui.main_window import MainWindow

    window = MainWindow(db)
    if screenshot:
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        shown = window
        if view == "import":
            shown = _import_view(window, app)
        if not shown.grab().save(screenshot):
            print(f"branch-report: {screenshot} に保存できません", file=sys.stderr)
            return 1
        return 0
    window.show()
    return app.exec()


def _import_view(window, app):
    """The import dialog with the bundled monthly sample read into it (for --view import)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.store import RESOURCES

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
