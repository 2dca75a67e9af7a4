"""UI tests: a failing test leaves a screenshot of the window behind (tests/ui/failures/)."""
from pathlib import Path

import pytest

FAILURES = Path(__file__).resolve().parent / "failures"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        window = item.funcargs.get("window")
        if window is not None:
            FAILURES.mkdir(exist_ok=True)
            window.grab().save(str(FAILURES / f"{item.name}.png"))


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path):
    """Each test starts with no remembered window state (year, item, tab, sizes)."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def window(qtbot, demo_db):
    from ui.main_window import MainWindow

    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    w.show()
    return w
