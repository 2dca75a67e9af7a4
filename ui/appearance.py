"""How the program looks everywhere: its name on every window and its Japanese UI font."""
from __future__ import annotations

CJK_FAMILIES = ("IPAexGothic", "IPAexゴシック", "Noto Sans CJK JP", "Yu Gothic UI", "Meiryo UI", "Meiryo",
                "Hiragino Sans", "TakaoPGothic", "VL PGothic")


def pick_font(app) -> None:
    """A Japanese UI font: the first of CJK_FAMILIES installed (Qt picks; no font enumeration)."""
    from PySide6.QtGui import QFont

    font = QFont()
    font.setFamilies([*CJK_FAMILIES, font.defaultFamily()])
    font.setPointSize(10)
    app.setFont(font)


APP_NAME = "事業計画・実施状況"          # the name on every window's title (Qt adds " — APP_NAME")


def fit_dialog(dialog, width: int, height: int) -> None:
    """A dialog's size: ``width`` × ``height``, but never larger than its screen (1366×768 laptops)."""
    parent = dialog.parentWidget()
    room = (parent or dialog).screen().availableGeometry()
    dialog.resize(min(width, room.width() - 40), min(height, room.height() - 60))



def widen_file_dialogs(app) -> None:
    """Qt's own file dialog (Linux without a desktop's) opens small and cuts sizes and dates: each is
    shown as large as fit_dialog allows, its 名前 column taking the room the size, type and date
    columns (as wide as their texts) leave. Windows' native dialog is no Qt widget and stays as it is."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QFileDialog, QHeaderView, QTreeView

    class Widen(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Show and isinstance(obj, QFileDialog) and not obj.property("widened"):
                obj.setProperty("widened", True)
                fit_dialog(obj, 1000, 600)
                for view in obj.findChildren(QTreeView):
                    header = view.header()
                    header.setStretchLastSection(False)
                    header.setSectionResizeMode(0, QHeaderView.Stretch)
                    for column in range(1, header.count()):
                        header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
            return False

    app.file_dialogs = Widen(app)             # kept alive with the application
    app.installEventFilter(app.file_dialogs)
