"""Everything a user reads is Japanese: our texts, and Qt's own (standard buttons, a text field's
menu, the print preview, file dialogs, message boxes), with the qtbase_ja catalogue installed at
start. Every dialog and menu is opened (non-blocking, or its modal loop closed by a timer) and the
texts of its buttons, labels, actions, tooltips and headers are searched for English words."""
import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QMenu,
    QPlainTextEdit, QPushButton, QTabBar, QTextEdit, QWidget,
)

from app.store.connection import current_user
from tests.conftest import SAMPLE
from ui import file_actions

PROPER_NAMES = {"Excel", "LibreOffice", "PC", "OS", "db-server", "gunma", "PDF", "PNG", "KPI", "CSV", "OK", "Ctrl", "Shift", "Alt", "Qt", "PySide", "Python",
                "SQLite", "PostgreSQL", "URL", "branch-report", current_user()}     # a login is data
WORD = re.compile(r"[A-Za-z][A-Za-z\-]+")
HTML = re.compile(r"<[^>]+>")


def english_words(text: str) -> list[str]:
    """ASCII words that are not proper names; file names, paths and URLs (data, not our words) aside."""
    text = re.sub(r"\S+://\S+", " ", HTML.sub(" ", text.replace("&", "").split("\t")[0]))
    tokens = re.split(r"[\s（）()「」『』【】、。：:，,・]+", text)
    return [w for tok in tokens if not re.search(r"[._/\\@]", tok) for w in WORD.findall(tok) if w not in PROPER_NAMES]


def _actions(widget, seen):
    for action in widget.actions():
        if action in seen:
            continue
        seen.add(action)
        yield action.text(), action.toolTip()
        if action.menu() is not None:
            yield from _actions(action.menu(), seen)


def texts_of(top: QWidget) -> set[str]:
    """What a user reads in a window: titles, buttons, labels, placeholders, tabs, headers, actions
    (menus included, open or not), tooltips, and the menu of a text field."""
    out, seen = {top.windowTitle()}, set()
    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top) and not isinstance(w, QMenu):
            continue
        out.add(w.toolTip())
        for pair in _actions(w, seen):
            out.update(pair)
        if isinstance(w, QAbstractButton):
            out.add(w.text() or ("EMPTY button" if isinstance(w, QPushButton) else ""))   # a lost translation
        elif isinstance(w, QLabel):
            out.add(w.text())
        elif isinstance(w, QGroupBox):
            out.add(w.title())
        elif isinstance(w, QLineEdit):
            out.add(w.placeholderText())
        elif isinstance(w, QTabBar):
            out.update(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QComboBox):
            out.update(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView):          # table and tree headers
            header = w.horizontalHeader() if hasattr(w, "horizontalHeader") else getattr(w, "header", lambda: None)()
            if header is not None and header.model() is not None and not header.isHidden():
                out.update(str(header.model().headerData(c, Qt.Horizontal) or "") for c in range(header.count()))
        if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            menu = w.createStandardContextMenu()
            out.update(a.text() for a in menu.actions())
            menu.deleteLater()
    return out - {""}


def english_in(top: QWidget) -> dict[str, list[str]]:
    return {t: words for t in texts_of(top) if (words := english_words(t))}


def modal_texts(qtbot, start) -> dict[str, list[str]]:
    """Run ``start`` (which opens a modal dialog and waits in it); read the dialog, then close it."""
    found = {}

    def read_and_close():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, read_and_close)
            return
        found.update(english_in(dialog) or {"(opened)": []})
        dialog.reject()
    QTimer.singleShot(50, read_and_close)
    start()
    assert found, "no dialog was opened"
    return {k: v for k, v in found.items() if v}


def test_the_checker_finds_english():
    assert english_words("Close") == ["Close"] and english_words("Look in:") == ["Look", "in"]
    assert english_words("元に戻す(&U)\tCtrl+Z") == [] and english_words("取込: gunma_fy2024.xlsx 業務!C7") == []
    assert english_words("Excel を取り込む(&I)…") == [] and english_words("<b>KPI</b> 2 件") == []


def test_the_main_window_and_every_dialog_speak_japanese(window, qtbot, demo_db, tmp_path):
    bad = {"main window": english_in(window)}
    cell = window.grid.visualRect(window.grid_model.index(0, 3)).center()
    window.grid._menu(cell)                                # the grid's right-click menu
    menu = window.grid.findChildren(QMenu)[-1]
    assert "このセルの変更履歴…" in [a.text() for a in menu.actions()]
    bad["grid menu"] = {t: w for a in menu.actions() if (w := english_words(t := a.text()))}
    menu.close()
    window.tabs.setCurrentIndex(3)                         # the chart page (pyqtgraph) made
    for name, opened in (("history", window.open_history()), ("report", window.open_report()),
                         ("dashboard", window.open_dashboard()), ("cell history", window.show_cell_history(0, 3)),
                         ("guide", window.open_help("guide")), ("licenses", window.open_help("licenses")),
                         ("about", window.open_help("about"))):
        qtbot.addWidget(opened)
        bad[name] = english_in(opened)
        if name == "report":
            preview = opened.preview()                    # the print preview's toolbar (Fit page …)
            qtbot.addWidget(preview)
            bad["print preview"] = english_in(preview)
    dialog = window.open_import([SAMPLE / "gunma_fy2024_monthly.xlsx"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.files.count() == 1, timeout=30000)
    bad["import"] = english_in(dialog)
    path = window.export_work_package("業務", str(tmp_path / "package.xlsx"))
    package = window.import_work_package(path)
    qtbot.addWidget(package)
    bad["work package"] = english_in(package)
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_connection_dialog_speaks_japanese(window, qtbot):
    dialog = window.switch_database()                 # window-modal, opened without blocking
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and english_in(dialog) == {}


@pytest.mark.parametrize("what", ["restore confirmation", "group choice", "file dialog"])
def test_modal_dialogs_and_message_boxes_speak_japanese(window, qtbot, demo_db, tmp_path, what):
    start = {
        "restore confirmation": lambda: file_actions.restore_backup(window, str(SAMPLE / "x.sqlite3")),
        "group choice": lambda: window.export_work_package(),
        "file dialog": lambda: window.open_import()._choose(),
    }[what]
    assert modal_texts(qtbot, start) == {}


def test_start_up_installs_qt_japanese_and_the_title_names_the_program_once(qtbot, demo_path, tmp_path):
    import shutil

    from PySide6.QtCore import QCoreApplication

    from ui.app import APP_NAME, launch

    app = QApplication.instance()
    for translator in app.qt_translator:                   # as before any start: Qt speaks English
        app.removeTranslator(translator)
    app.qt_translator = None
    assert QCoreApplication.translate("QPlatformTheme", "Close") == "Close"
    db = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    window = launch(str(db))                               # open before it shows (the newest revision)
    qtbot.addWidget(window)
    assert QCoreApplication.translate("QPlatformTheme", "Close") == "閉じる"
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "場所(&L):"
    assert window.windowTitle() == "群馬支部" and app.applicationDisplayName() == APP_NAME
    window.db.close()


def test_help_menu_guide_version_and_licenses(window, qtbot):
    from importlib.metadata import version

    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "ヘルプ(&H)")
    assert [a.text() for a in help_menu.actions()] == ["使い方(&G)", "ライセンス(&L)…", "バージョン情報(&A)…"]
    guide = window.open_help("guide")
    qtbot.addWidget(guide)
    assert "Excel の取り込み" in guide.text.toPlainText()
    assert "グループが受け持つ指標" in guide.text.toPlainText()          # no space where the source breaks a line
    assert "（Ctrl+F）。" in guide.text.toPlainText()
    about = window.open_help("about")
    qtbot.addWidget(about)
    assert f"バージョン {version('branch-report')}" in about.label.text()
    licenses = window.open_help("licenses")
    qtbot.addWidget(licenses)
    rows = {name.lower(): (lic, text) for name, _v, lic, text in licenses.rows}
    assert "LGPL" in rows["qt"][0] and "LGPL" in rows["pyside6"][0] and "lgpl-3.0" in rows["pyside6"][1]
    for name, lic in (("sqlalchemy", "MIT"), ("openpyxl", "MIT"), ("pandas", "BSD"), ("pyqtgraph", "MIT")):
        assert lic in rows[name][0] and "Permission" in rows[name][1] or "Redistribution" in rows[name][1], name
    licenses.table.setCurrentCell(list(rows).index("sqlalchemy"), 0)
    assert "Permission is hereby granted" in licenses.text.toPlainText()
