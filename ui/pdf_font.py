"""The Japanese font of the PDF and print (日本語フォント), and what the document drew with each glyph.

The PDF is written in the system's Japanese font when there is one (游ゴシック, メイリオ, MS ゴシック on
Windows; IPAex or Noto CJK on Linux), otherwise in the IPAex Gothic the application brings with it
(resources/fonts, IPA Font License). With neither, the PDF is refused: never one without its text.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.core.branches import RESOURCES
from app.core.errors import BranchReportError

PDF_FAMILIES = ("Yu Gothic", "游ゴシック", "Meiryo", "メイリオ", "MS Gothic", "ＭＳ ゴシック",   # Windows (either name)
                "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "TakaoPGothic", "VL PGothic")
BUNDLED_FONT = RESOURCES / "fonts" / "ipaexg.ttf"
_loaded: dict[Path, str] = {}               # bundled font file → its family, once added to Qt
_found: dict[tuple, str] = {}                # (PDF_FAMILIES, BUNDLED_FONT) → the installed family chosen


class FontMissing(BranchReportError):
    """No Japanese font to write the PDF with."""


def japanese_family() -> str:
    """The family the document is laid out in: the first installed of PDF_FAMILIES that writes
    Japanese, else the bundled font (BUNDLED_FONT); FontMissing when there is neither."""
    from PySide6.QtGui import QFontDatabase

    key = (PDF_FAMILIES, BUNDLED_FONT)
    if key in _found:                        # the machine's fonts, looked up once a run
        return _found[key]
    installed = set(QFontDatabase.families())
    for family in PDF_FAMILIES:
        if family in installed and QFontDatabase.WritingSystem.Japanese in QFontDatabase.writingSystems(family):
            _found[key] = family
            return family
    bundled = BUNDLED_FONT
    if bundled not in _loaded and bundled.is_file():
        found = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(bundled)))
        if found:
            _loaded[bundled] = found[0]
    if bundled in _loaded:
        return _loaded[bundled]
    raise FontMissing("PDF に使う日本語フォントが見つかりません。日本語フォントをインストールしてください"
                      "（Windows: 游ゴシック・メイリオ、Linux: fonts-ipaexfont-gothic または fonts-noto-cjk）")


def document_font(family: str, points: float):
    """The document's font, drawing each character with the glyph the font's cmap gives it: no
    ligatures, no contextual or localised forms (Noto Sans CJK's 'locl' swaps the digits beside a
    kanji for glyphs no code point maps to, and a PDF cannot say what such a glyph reads)."""
    from PySide6.QtGui import QFont

    font = QFont(family)
    font.setPointSizeF(points)
    for tag in ("liga", "clig", "calt", "locl"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def drawn_as(font, text: str):
    """For the ToUnicode maps of a PDF laid out in ``font`` with ``text``: a function that tells,
    for a code point the PDF names for a glyph, which character of the text was drawn with that
    glyph (the most frequent when the font gives several one glyph, 月 and ⽉), or None."""
    from PySide6.QtGui import QRawFont

    raw = QRawFont.fromFont(font)
    by_glyph: dict[int, Counter] = {}
    for char, n in Counter(text).items():
        glyphs = raw.glyphIndexesForString(char)
        if len(glyphs) == 1 and glyphs[0]:
            by_glyph.setdefault(glyphs[0], Counter())[char] = n

    def drawn(named: str) -> str | None:
        glyphs = raw.glyphIndexesForString(named)
        counts = by_glyph.get(glyphs[0]) if len(glyphs) == 1 else None
        return max(counts, key=lambda c: (counts[c], c == named)) if counts else None
    return drawn
