"""ヘルプ: the user's guide (使い方), the version (バージョン情報) and the licenses of everything the
program ships (ライセンス): each Python package it runs on, read from the package's own metadata
(in the bundle too), Qt under the LGPL, Python, and the fonts under resources/fonts."""
from __future__ import annotations

import re
import sys
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout,
)

from app.core.branches import RESOURCES

DIST = "branch-report"
GUIDE = RESOURCES / "guide.md"
FONTS = RESOURCES / "fonts"
QT_NOTE = ("Qt と PySide6（Qt for Python）は GNU Lesser General Public License v3（LGPL-3.0）で利用しています。\n"
           "このプログラムの配布物では Qt のライブラリを別のファイルとして同梱しているので、利用者が差し替えられます。\n\n"
           "LGPL-3.0 の全文: https://www.gnu.org/licenses/lgpl-3.0.html\n"
           "GPL-3.0 の全文: https://www.gnu.org/licenses/gpl-3.0.html\n"
           "Qt のソースコード: https://download.qt.io/official_releases/qt/\n"
           "PySide6 のソースコード: https://code.qt.io/cgit/pyside/pyside-setup.git/")
PYTHON_NOTE = ("Python は Python Software Foundation License（PSF-2.0）で利用しています。\n"
               "全文: https://docs.python.org/3/license.html")


def version() -> str:
    try:
        return metadata.version(DIST)
    except metadata.PackageNotFoundError:
        return "不明"


def _close_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(dialog.reject)
    return buttons


def joined(markdown: str) -> str:
    """A paragraph's lines joined where the source breaks them between Japanese words: Markdown makes
    a line break a space, which Japanese does not have (「グループが 受け持つ」)."""
    import re

    return re.sub(r"(?<=[^\x00-\x7f])\n[ \t]*(?=[^\x00-\x7f])", "", markdown)


class GuideDialog(QDialog):
    """使い方: the guide (resources/guide.md) as a page."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("使い方")
        self.resize(760, 640)
        lay = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setMarkdown(joined(GUIDE.read_text(encoding="utf-8")) if GUIDE.exists() else "使い方が見つかりません。")
        lay.addWidget(self.text)
        lay.addWidget(_close_buttons(self))


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from ui.appearance import APP_NAME

        super().__init__(parent)
        self.setWindowTitle("バージョン情報")
        lay = QVBoxLayout(self)
        self.label = QLabel(
            f"<h3>{APP_NAME}（branch-report）</h3>"
            f"<p>バージョン {version()}</p>"
            "<p>支部の事業計画・月次実績・四半期の実施状況をまとめる業務用アプリです。</p>"
            f"<p style='color:#555'>Python {sys.version.split()[0]}・Qt {qVersion()}・PySide6 {pyside_version}</p>")
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.label)
        lay.addWidget(_close_buttons(self))


def _requirement_names(dist: str) -> list[str]:
    """The names a distribution requires to run (not its extras)."""
    names = []
    for req in metadata.requires(dist) or []:
        if "extra ==" not in req:
            names.append(re.match(r"[A-Za-z0-9_.\-]+", req).group(0))
            names += [f"{names[-1]}-binary"] if "[binary]" in req else []
    return names


def shipped_packages() -> list[tuple[str, str, str, str]]:
    """(name, version, license, license text) of every installed package the program runs on,
    recursively, from each package's metadata and license files."""
    seen, out, todo = set(), [], _requirement_names(DIST)
    while todo:
        name = todo.pop(0)
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:          # not for this platform or Python
            continue
        todo += _requirement_names(name)
        meta = dist.metadata
        licence = meta.get("License-Expression") or next(
            (c.rsplit("::", 1)[1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")),
            (meta.get("License") or "").splitlines()[0] if meta.get("License") else "")
        texts = [f.read_text() for f in dist.files or []            # the license files of its metadata folder
                 if ".dist-info" in f.parts[0] and re.search(r"LICEN[CS]E|COPYING", f.name, re.I)]
        out.append((meta["Name"], dist.version, licence, "\n\n".join(t for t in texts if t)))
    return sorted(out, key=lambda row: row[0].lower())


class LicenseDialog(QDialog):
    """ライセンス: every component with its license; the selected one's text below."""

    def __init__(self, parent=None):
        from PySide6 import __version__ as pyside_version

        super().__init__(parent)
        self.setWindowTitle("ライセンス")
        self.resize(820, 640)
        rows = [("Python", sys.version.split()[0], "PSF-2.0", PYTHON_NOTE),
                ("Qt", pyside_version, "LGPL-3.0", QT_NOTE)]
        rows += [(n, v, lic, text or (QT_NOTE if n.lower().startswith(("pyside6", "shiboken6")) else
                                      f"{n} のライセンス: {lic}（全文はパッケージに含まれていません）"))
                 for n, v, lic, text in shipped_packages()]
        for path in sorted(FONTS.glob("*.txt")) if FONTS.is_dir() else []:
            if "licen" in path.name.lower():
                rows.append(("IPAexゴシック（フォント）", "", "IPA フォントライセンス v1.0", path.read_text(encoding="utf-8")))
        rows.append(("表示用のフォント", "", "各 OS に付属",
                     "画面と PDF の文字は、パソコンに入っている日本語フォント（Windows の游ゴシック・メイリオ、"
                     "Linux の IPAex ゴシック・Noto Sans CJK など）で表示します。各フォントのライセンスに従います。"))
        self.rows = rows
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("このプログラムが使っているソフトウェアとそのライセンスです。行を選ぶと本文を表示します。"))
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["名前", "バージョン", "ライセンス"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        for r, (name, ver, lic, _text) in enumerate(rows):
            for c, text in enumerate((name, ver, lic)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.table.currentCellChanged.connect(lambda row, *_: self.text.setPlainText(self.rows[row][3]))
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.text)
        lay.addWidget(split, 1)
        lay.addWidget(_close_buttons(self))
        self.table.setCurrentCell(0, 0)
