"""The window's way to run a mutation: a failure is one message, the returned changes go to the
one place that tells the views."""
from PySide6.QtWidgets import QWidget

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

