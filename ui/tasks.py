"""Long work off the GUI thread: the work function never touches widgets; results, errors and
progress come back to the GUI thread through signals (Anki's CollectionOp, Orange's task state)."""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from shiboken6 import isValid

from ui.messages import ERROR, INFO, say


CANCELLED = "キャンセルしました。何も変更していません"


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


def run_op(widget, title: str, fn, *args, on_conflict=None, on_failure=None, **kwargs):
    """Call an operation from a view; a failure is said in the view (``ui.messages.say``: the
    operation stored nothing) and handed to ``on_failure(message)`` (show what is stored again);
    someone else's change first goes to ``on_conflict(exc)`` when given (a decision: ask).
    Returns the operation's result, or None when it failed."""
    from app.core.errors import ConflictError
    from app.store.failures import describe_failure

    try:
        return fn(*args, **kwargs)
    except Cancelled:
        say(widget, CANCELLED, INFO, title)
        return None
    except ConflictError as exc:
        if on_conflict is None:
            return _failed(widget, title, describe_failure(exc), on_failure)
        on_conflict(exc)
        return None
    except Exception as exc:  # every failure reaches the user as one message in the view
        return _failed(widget, title, describe_failure(exc), on_failure)


def _failed(widget, title: str, message: str, on_failure) -> None:
    say(widget, message, ERROR, title)
    if on_failure is not None:
        on_failure(message)


def run_change(widget, title: str, fn, *args, **kwargs):
    """A mutation from a view: ``run_op``, then the ``Changes`` it returns go to the window's
    ``apply_changes`` — the one place that tells the views what to redraw. Returns the changes,
    or None when it failed."""
    changes = run_op(widget, title, fn, *args, **kwargs)
    if changes is not None:
        changes_sink(widget).apply_changes(changes)
    return changes


def changes_sink(widget):
    """The nearest widget (itself or an ancestor) with ``apply_changes``: the main window."""
    while not hasattr(widget, "apply_changes"):
        widget = widget.parentWidget()
    return widget


def cancel_on_close(dialog, task: Task) -> Task:
    """The dialog's closing (accepted, rejected, closed, deleted) stops its task: the work stops at
    its next check and nothing is stored."""
    dialog.finished.connect(task.state.cancel)
    dialog.destroyed.connect(task.state.cancel)
    return task


def run_op_in_background(parent, title: str, work, done, text: str, ended=None) -> Task:
    """Long work (work(progress) → result) off the GUI thread with a progress dialog and キャンセル;
    ``done(result)`` on the GUI thread; a failure or a cancel is shown, nothing half-stored.
    ``ended()`` is called on the GUI thread after any of the three."""
    from PySide6.QtWidgets import QProgressDialog

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
        say(parent, describe_failure(exc), ERROR, title)
        if ended:
            ended()

    def cancelled():
        dialog.reset()
        say(parent, CANCELLED, INFO, title)
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


class Reads(QObject):
    """Reads that take time, off the GUI thread (Anki's QueryOp): ``run(key, read, show)`` calls
    ``read()`` on the thread pool and ``show(result)`` on the GUI thread — only for the newest
    request of that key (an older result, arriving late, is dropped). A failure is said on
    ``parent``. ``pending`` counts the reads not yet arrived (tests wait for none: settle)."""

    def __init__(self, parent):
        super().__init__(parent)
        self.newest: dict[str, int] = {}
        self.running: dict[tuple[str, int], Task] = {}     # kept until their result arrives
        self.dropped = 0                       # stale results not shown

    @property
    def pending(self) -> int:
        return len(self.running)

    def drop(self, key: str) -> None:
        """The reads of ``key`` under way are stale: their results will not be shown."""
        self.newest[key] = self.newest.get(key, 0) + 1

    def run(self, key: str, read, show) -> Task:
        serial = self.newest[key] = self.newest.get(key, 0) + 1

        def arrived(handle, value):
            del self.running[key, serial]
            if not isValid(self) or self.newest[key] != serial:       # its view gone, or a newer read asked
                self.dropped += 1
                return
            handle(value)

        def failed(exc):
            from app.store.failures import describe_failure

            say(self.parent(), describe_failure(exc), ERROR)
        task = self.running[key, serial] = run_in_background(
            lambda _state: read(), done=lambda result: arrived(show, result), failed=lambda exc: arrived(failed, exc))
        return task
