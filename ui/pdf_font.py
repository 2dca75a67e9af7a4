"""The Japanese font of the PDF and print (日本語フォント), and what the document drew with each glyph.

The PDF is written in the system's Japanese font when there is one (游ゴシック, メイリオ, MS ゴシック on
Windows; IPAex or Noto CJK on Linux), otherwise in the IPAex Gothic the application brings with it
(resources/fonts, IPA Font License). With neither, the PDF is refused: never one without its text.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.errors import BranchReportError

PDF_FAMILIES = ("Yu Gothic", "Meiryo", "MS Gothic", "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans",
                "Hiragino Kaku Gothic ProN", "TakaoPGothic", "VL PGothic")
BUNDLED_FONT = Path(__file__).resolve().parent.parent / "resources" / "fonts" / "ipaexg.ttf"
_loaded: dict[Path, str] = {}               # bundled font file → its family, once added to Qt


class FontMissing(BranchReportError):
    """No Japanese font to write the PDF with."""


def japanese_family(families: tuple[str, ...] | None = None, bundled: Path | None = None) -> str:
    """The family the document is laid out in: the first installed of ``families`` (PDF_FAMILIES)
    that writes Japanese, else the bundled font; FontMissing when there is neither."""
    from PySide6.QtGui import QFontDatabase

    installed = set(QFontDatabase.families())
    for family in PDF_FAMILIES if families is None else families:
        if family in installed and QFontDatabase.WritingSystem.Japanese in QFontDatabase.writingSystems(family):
            return family
    bundled = BUNDLED_FONT if bundled is None else bundled
    if bundled not in _loaded and bundled.is_file():
        found = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled)))
        if found:
            _loaded[bundled] = found[0]
    if bundled in _loaded:
        return _loaded[bundled]
    raise FontMissing("PDF に使う日本語フォントが見つかりません。日本語フォントをインストールしてください"
                      "（Windows: 游ゴシック・メイリオ、Linux: fonts-ipaexfont-gothic または fonts-noto-cjk）")


def document_font(family: str, points: float):
    """The document's font: ligatures off, so each glyph stands for one character."""
    from PySide6.QtGui import QFont

    font = QFont(family)
    font.setPointSizeF(points)
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


class DrawnGlyphs:
    """Which characters the document drew with each glyph of each font (from Qt's own layout),
    so that a glyph two code points share (月 and ⽉) is named by the one that was typed."""

    def __init__(self):
        self.fonts: dict[tuple, tuple] = {}      # font key → (QRawFont, {glyph: Counter of characters})

    def add(self, layout, text: str) -> None:
        """The glyphs of a laid-out QTextLayout whose text is ``text``."""
        from PySide6.QtGui import QTextLayout

        flags = QTextLayout.GlyphRunRetrievalFlag
        units = [c for c in text for _ in range(2 if ord(c) > 0xFFFF else 1)]   # UTF-16 index → character
        for run in layout.glyphRuns(0, len(units), flags.RetrieveGlyphIndexes | flags.RetrieveStringIndexes):
            raw = run.rawFont()
            key = (raw.familyName(), raw.styleName(), raw.weight(), int(raw.style().value))
            glyphs = self.fonts.setdefault(key, (raw, {}))[1]
            for glyph, at in zip(run.glyphIndexes(), run.stringIndexes()):
                if glyph and 0 <= at < len(units):
                    glyphs.setdefault(glyph, Counter())[units[at]] += 1

    def add_document(self, td) -> None:
        block = td.begin()
        while block.isValid():
            self.add(block.layout(), block.text())
            block = block.next()

    def add_text(self, text: str, font) -> None:
        """A line drawn with QPainter.drawText (header, footer)."""
        from PySide6.QtGui import QTextLayout

        layout = QTextLayout(text, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        self.add(layout, text)

    def drawn_as(self, text: str) -> str | None:
        """What the document drew with the glyph a font gives ``text``: the character typed most
        often with that glyph, or None when the document drew no such glyph."""
        counts: Counter = Counter()
        for raw, glyphs in self.fonts.values():
            found = raw.glyphIndexesForString(text)
            if len(found) == 1 and found[0] in glyphs:
                counts.update(glyphs[found[0]])
        if not counts:
            return None
        return max(counts, key=lambda c: (counts[c], c == text))
