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
