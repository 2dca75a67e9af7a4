"""Long work off the GUI thread: the work function never touches widgets; results, errors and
progress come back to the GUI thread through signals (Anki's CollectionOp, Orange's task state)."""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal


class Cancelled(Exception):
    """The user pressed キャンセル."""


class TaskState:
    """Handed to the work function: report progress, ask whether to stop."""

    def __init__(self, signals: _Signals):
        self._signals = signals
        self._stop = threading.Event()

    def set_progress(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)

    def check(self) -> None:
        if self._stop.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._stop.set()


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class Task(QRunnable):
    def __init__(self, work: Callable[[TaskState], object]):
        super().__init__()
        self.signals = _Signals()
        self.state = TaskState(self.signals)
        self.work = work

    def run(self) -> None:
        try:
            result = self.work(self.state)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # shown as a message by the caller, never a crash
            exc.trace = traceback.format_exc()
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


def run_in_background(work, *, done=None, failed=None, progress=None, cancelled=None) -> Task:
    """Start work(state) on the thread pool; connect the callbacks (run on the GUI thread)."""
    task = Task(work)
    for signal, slot in ((task.signals.done, done), (task.signals.failed, failed),
                         (task.signals.progress, progress), (task.signals.cancelled, cancelled)):
        if slot is not None:
            signal.connect(slot)
    task.setAutoDelete(False)
    QThreadPool.globalInstance().start(task)
    return task


def tell(parent, title: str, text: str, icon=None):
    """A message box over ``parent`` that does not block the caller (window-modal, opened); the
    text is kept on ``parent.last_message`` too."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(icon or QMessageBox.Warning, title, text, QMessageBox.Ok, parent)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
    parent.last_message = text
    return box


def run_op(parent, title: str, fn, *args, **kwargs):
    """Call an operation; a failure becomes one message on ``parent`` (the operation stored
    nothing). Returns the operation's result, or None when it failed."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # every failure reaches the user as a message
        from app.store.failures import describe_failure

        tell(parent, title, describe_failure(exc))
        return None


def run_change(window, title: str, fn, *args, **kwargs):
    """A mutation from the window: ``run_op`` (a failure is one message), then the ``Changes`` it
    returns go to ``window.apply_changes`` — the one place that tells the views what to redraw.
    Returns the changes, or None when it failed."""
    changes = run_op(window, title, fn, *args, **kwargs)
    if changes is not None:
        window.apply_changes(changes)
    return changes


def run_op_in_background(parent, title: str, work, done, text: str, ended=None) -> Task:
    """Long work (work(progress) → result) off the GUI thread with a progress dialog and キャンセル;
    ``done(result)`` on the GUI thread; a failure or a cancel is shown, nothing half-stored.
    ``ended()`` is called on the GUI thread after any of the three."""
    from PySide6.QtWidgets import QMessageBox, QProgressDialog

    dialog = QProgressDialog(text, "キャンセル", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(300)

    def progress(done_, total, what):
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done_)
        if what:
            dialog.setLabelText(what)

    def finished(result):
        dialog.reset()
        done(result)
        if ended:
            ended()

    def failed(exc):
        from app.store.failures import describe_failure

        dialog.reset()
        tell(parent, title, describe_failure(exc))
        if ended:
            ended()

    def cancelled():
        dialog.reset()
        tell(parent, title, "キャンセルしました。何も変更していません", QMessageBox.Information)
        if ended:
            ended()

    def run(state: TaskState):
        def report(d, t, what=""):
            state.check()
            state.set_progress(d, t, what)
        return work(report)

    task = run_in_background(run, done=finished, failed=failed, progress=progress, cancelled=cancelled)
    dialog.canceled.connect(task.state.cancel)
    task.dialog = dialog
    return task
