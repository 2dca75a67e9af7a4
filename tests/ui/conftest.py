"""UI tests: a failing test leaves a screenshot of the window in its temporary folder."""
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        window, tmp = item.funcargs.get("window"), item.funcargs.get("tmp_path")
        if window is not None and tmp is not None:
            window.grab().save(str(tmp / "failure.png"))


@pytest.fixture(autouse=True, scope="session")
def _japanese_qt(qapp):
    """Qt's own texts in Japanese, as ui.app installs them at start."""
    from ui.app import install_translations

    if getattr(qapp, "qt_translator", None) is None:
        assert install_translations(qapp)


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path):
    """Each test starts with no remembered window state (year, item, tab, sizes)."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def window(qtbot, demo_db):
    from ui.main_window import MainWindow

    from tests.helpers import settle

    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    w.show()
    yield w
    settle(w)                      # no read left running on a database the test is about to drop
