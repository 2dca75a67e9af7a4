"""Every failure reaches the user: a refused operation is one Japanese message in the window, and
the widget shows what is stored again (nothing only printed to stderr)."""
from PySide6.QtWidgets import QMessageBox

from app.operations.ops import add_user
from app.reads.queries import monthly_values, plan_items
from app.reads.ratings import kpi_ratings
from tests.ui.test_main_window import select_item


def shown_message(window) -> str:
    """What the window's message bar says: a failure is said in the view, never a pop-up."""
    assert not [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert window.message_bar.isVisible(), "no message shown"
    return window.message_bar.text()


def test_a_refused_kpi_rating_is_said_and_the_stored_mark_comes_back(window, demo_db, capfd):
    add_user(demo_db, "someone-else", "10", "業務")       # shared mode; whoever runs the tests is not registered
    window.tabs.setCurrentIndex(1)
    select_item(window, "1")
    kpi = plan_items(demo_db, "10", 2024)[0].kpis[0]                # item 1's first KPI, the table's first line
    stored = kpi_ratings(demo_db, [kpi.id], 4).get(kpi.id)
    box = window.kpi_table.cellWidget(0, 6)
    box.setCurrentIndex(box.findData("◎"))
    assert "登録されていません" in shown_message(window)
    assert window.kpi_table.cellWidget(0, 6).currentData() == stored                 # back to what is stored
    assert kpi_ratings(demo_db, [kpi.id], 4).get(kpi.id) == stored
    assert "Traceback" not in capfd.readouterr().err


def test_a_refused_grid_edit_is_said_and_the_stored_value_shown(window, demo_db):
    add_user(demo_db, "someone-else", "10", "業務")
    select_item(window, "1")
    model = window.grid_model
    r = next(i for i, row in enumerate(model.rows) if row.indicator == "counter_count" and row.fiscal_year == 2024)
    model.setData(model.index(r, 2), "600")
    assert "登録されていません" in shown_message(window)
    assert model.index(r, 2).data() == "541"
    assert [v.value for v in monthly_values(demo_db, "10", 2024, ["counter_count"]) if v.month == 4] == [541]


def test_a_second_window_on_an_open_database_says_so_and_closes(qtbot, demo_path, tmp_path, monkeypatch):
    import shutil

    from app.store.backups import InstanceLock
    from ui.app import launch

    path = tmp_path / "one.sqlite3"
    shutil.copy(demo_path, path)
    first = InstanceLock(path)
    assert first.acquire()                                   # another window has it open
    said = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _w, _t, text: said.append(text))
    window = launch(path)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.failed, timeout=20000):
        pass
    assert "別の branch-report の画面で開かれています" in said[0]
    qtbot.waitUntil(lambda: not window.isVisible())           # it does not stay saying データベースを開いています…
    first.release()


def test_qt_noise_is_kept_off_stderr_and_real_warnings_are_not(capfd):
    import subprocess
    import sys

    code = ("from PySide6.QtCore import qWarning\n"
            "from ui.app import quiet_qt_warnings\n"
            "quiet_qt_warnings()\n"
            "qWarning('This plugin does not support propagateSizeHints()')\n"
            "qWarning('commitData called with an editor that does not belong to this view')\n"
            "qWarning('something else')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr == "something else\n"
