"""What the window remembers between starts (QSettings, the user's scope): one object, a named
property per setting. Nothing else builds a QSettings. What the database remembers (its home
branch, its identity) is app.store.database's ``settings``."""
from __future__ import annotations

from PySide6.QtCore import QSettings


class _Remembered:
    """A property kept under ``key``; ``convert`` turns the stored text back into its type."""

    def __init__(self, key: str, default=None, convert=None):
        self.key, self.default, self.convert = key, default, convert

    def __get__(self, prefs: Preferences, owner=None):
        value = prefs.store.value(self.key, self.default)
        return self.convert(value) if self.convert and value is not None else value

    def __set__(self, prefs: Preferences, value) -> None:
        prefs.store.setValue(self.key, value)


class Preferences:
    geometry = _Remembered("window/geometry")            # the main window's place and size
    splitter = _Remembered("window/splitter")
    tab = _Remembered("view/tab", 0, int)
    year = _Remembered("view/year", 0, int)
    item = _Remembered("view/item")                       # the plan item's number
    negative = _Remembered("view/negative", "△")          # how negative figures are written
    database_target = _Remembered("database/target", "")  # the database last opened, no password

    def __init__(self):
        self.store = QSettings("branch-report", "branch-report")
