"""The window's way to run things (ui.tasks, ui.messages): a mutation's failure is one message in the
view's bar, its changes go to the one place that tells the views; reads run off the GUI thread,
the newest winning; a dialog's closing cancels its task."""
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QToolButton, QVBoxLayout, QWidget

from app.core.errors import BranchReportError
from ui.tasks import run_change


class Window(QWidget):
    def __init__(self):
        super().__init__()
        self.told = []

    def apply_changes(self, changes):
        self.told.append(changes)


def test_changes_reach_apply_changes_and_a_failure_is_one_message(qtbot):
    window = Window()
    qtbot.addWidget(window)
    assert run_change(window, "題", lambda a, b=0: a + b, 1, b=2) == 3
    assert window.told == [3]

    def refuse():
        raise BranchReportError("この四半期は提出済みです")

    assert run_change(window, "題", refuse) is None
    assert window.told == [3]                       # nothing changed: the views are not told
    assert window.last_message == "この四半期は提出済みです"



def test_a_failing_operation_is_said_in_the_window_s_bar_not_a_pop_up(window, qtbot):
    from PySide6.QtWidgets import QMessageBox

    def refuse():
        raise BranchReportError("この四半期は提出済みです")

    assert run_change(window, "KPI の評価", refuse) is None
    bar = window.message_bar
    assert bar.isVisible() and bar.text() == "この四半期は提出済みです" and bar.level == "error"
    assert "KPI の評価" in bar.label.text()                                   # what was being done, said first
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    qtbot.mouseClick(bar.findChild(QToolButton), Qt.LeftButton)               # closed by its ×
    assert not bar.isVisible() and bar.text() == ""


def test_a_dialog_gets_its_own_bar_at_its_top(window, qtbot):
    from ui.messages import INFO, say

    dialog = QDialog(window)
    lay = QVBoxLayout(dialog)
    field = QLineEdit()
    lay.addWidget(field)
    dialog.show()
    qtbot.addWidget(dialog)
    say(field, "保存しました", INFO)
    assert lay.itemAt(0).widget() is dialog.message_bar and dialog.message_bar.text() == "保存しました"
    assert not window.message_bar.isVisible()                     # said where it concerns, not in the window
    say(dialog, "<b>で</b>も文字のまま")
    assert dialog.message_bar.level == "error" and "&lt;b&gt;" in dialog.message_bar.label.text()


def test_a_stale_read_is_dropped_and_the_newest_shown(qtbot):
    import threading

    from ui.tasks import Reads

    owner = QWidget()
    qtbot.addWidget(owner)
    reads, shown, release = Reads(owner), [], threading.Event()
    reads.run("figures", lambda: (release.wait(10), "old")[1], shown.append)     # slow: arrives last
    reads.run("figures", lambda: "new", shown.append)
    qtbot.waitUntil(lambda: shown == ["new"])
    assert reads.pending == 1
    release.set()
    qtbot.waitUntil(lambda: reads.pending == 0)
    assert shown == ["new"] and reads.dropped == 1                     # the older result never drawn


def test_a_read_s_failure_is_said_in_the_view(window, qtbot):
    def fail():
        raise OSError(28, "No space left on device")

    window.reads.run("dashboard", fail, lambda _r: pytest.fail("no result"))
    qtbot.waitUntil(lambda: window.reads.pending == 0)
    assert "ディスクの空き" in window.message_bar.text()


def test_closing_a_dialog_cancels_its_task(qtbot):
    from ui.tasks import cancel_on_close, run_in_background

    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    started = threading.Event()

    def work(state):
        started.set()
        while True:                        # runs until told to stop
            state.check()
            time.sleep(0.01)

    task = cancel_on_close(dialog, run_in_background(work))
    assert started.wait(10)
    with qtbot.waitSignal(task.signals.cancelled, timeout=10000):
        dialog.close()


def test_figures_after_an_edit_are_read_off_the_gui_thread_and_shown(window, monkeypatch):
    from PySide6.QtCore import QThread

    from app.reads import figures as figures_module
    from tests.helpers import settle
    from tests.ui.test_main_window import select_item

    select_item(window, "1")
    model = window.grid_model
    r = next(i for i, row in enumerate(model.rows) if row.indicator == "counter_count" and row.fiscal_year == 2024)
    threads = []
    real = figures_module.Figures.__init__

    def spy(self, *args, **kwargs):
        threads.append(QThread.currentThread() is window.thread())
        real(self, *args, **kwargs)

    monkeypatch.setattr(figures_module.Figures, "__init__", spy)
    assert model.setData(model.index(r, 2), "600")
    settle(window)
    assert threads == [False]                                      # read on the thread pool, not the GUI's
    assert window.figures.months["counter_count", 2024][4] == 600 and model.index(r, 2).data() == "600"


def test_figures_read_again_at_once_win_over_a_read_asked_before(window):
    from tests.helpers import settle

    window._values_changed()                  # a read under way …
    window.reload()                           # … and the year read again at once (an import's plan)
    figures = window.figures
    settle(window)
    assert window.figures is figures and window.reads.dropped >= 1
