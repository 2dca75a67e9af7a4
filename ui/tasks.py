"""Long work off the GUI thread: the work function never touches widgets; results, errors and
progress come back to the GUI thread through signals (Anki's CollectionOp, Orange's task state)."""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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
