"""The Qt binding the project installs keeps Python's reference counts: PySide6 6.12 on Python
3.11 loses a reference to None on every Qt call that returns nothing, and the program aborts
("deallocating None") after a few thousand calls — after some exports, or mid-session."""
import sys


def test_qt_calls_do_not_lose_references_to_none(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20000):
        label.setText("x")
    assert sys.getrefcount(None) >= before
