"""The PDF's text is the text that was laid out, character for character (searching 群馬 finds it),
and the PDF always carries its Japanese text: the system's font, the bundled one, or a refusal."""
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from app.cli.main import main as cli
from app.documents.build import build
from app.documents.html import WORD_JOINER
from main import GUI_VERBS
from tests.conftest import ROOT
from ui import pdf_font
from ui.export import column_header, paint_pages, setup_page, text_document, write_pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) needed")

LOOK_ALIKES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))   # radicals, compatibility ideographs


def extracted(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def characters(text: str) -> Counter:
    return Counter(c for c in text if not c.isspace() and c != "\ufffc")   # modulo line breaks; U+FFFC: an image


def export_pdf(demo_path: Path, kind: str, quarter: int, out: Path) -> Path:
    """The PDF as a user makes it, from the command line (each run in its own process)."""
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(demo_path), "export", "--branch", "10",
                          "--fy", "2024", "--quarter", str(quarter), "--kind", kind, "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return out


def laid_out(doc, tmp_path: Path) -> str:
    """What Qt lays out for the document, found without reading the PDF: the document's text once,
    the header and footer on every page, the columns' header (進捗状況) on every page but the first, and each top-level table's header row again on every page
    the table continues on (as Qt's layout repeats it). Charts are blank images of their size."""
    from PySide6.QtGui import QImage, QPdfWriter, QTextCursor, QTextTable

    blank = QImage(900, 480, QImage.Format_RGB32)            # the size chart_images draws
    blank.save(str(tmp_path / "blank.png"))
    td = text_document(doc, {code: tmp_path / "blank.png" for code in doc.charts})
    writer = QPdfWriter(str(tmp_path / "scratch.pdf"))
    writer.setResolution(300)
    setup_page(writer, doc)
    pages = paint_pages(doc, td, writer)
    header = column_header(doc, td, writer)                  # the columns' header, from the second page on
    del writer
    parts = [td.toPlainText()] + [doc.title + doc.label + doc.as_of + f"{n} / {pages}" for n in range(1, pages + 1)]
    parts += [header.toPlainText() * (pages - 1)] if header is not None else []
    height = td.pageSize().height()
    for table in td.rootFrame().childFrames():
        if not isinstance(table, QTextTable):
            continue
        box = td.documentLayout().frameBoundingRect(table)
        repeats = int(box.bottom() // height) - int(box.top() // height)
        for c in range(table.columns()):
            for r in range(table.format().headerRowCount()):
                cell = table.cellAt(r, c)
                cursor = cell.firstCursorPosition()
                cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.KeepAnchor)
                parts.append(cursor.selectedText() * repeats)
    return "".join(parts).replace(WORD_JOINER, "")        # it keeps a tag on one line; nothing is drawn


@pytest.mark.parametrize("kind", ["status", "progress", "summary"])
def test_every_character_of_the_demo_documents_is_extracted_as_laid_out(demo_path, demo_db, tmp_path, qapp, kind):
    for quarter in (1, 2, 3, 4):
        doc = build(demo_db, "10", 2024, quarter, kind)
        text = extracted(export_pdf(demo_path, kind, quarter, tmp_path / f"{kind}{quarter}.pdf"))
        assert not [c for c in text if any(lo <= ord(c) <= hi for lo, hi in LOOK_ALIKES)], (kind, quarter)
        got, want = characters(text), characters(laid_out(doc, tmp_path))
        assert got == want, (kind, quarter, got - want, want - got)
    assert "群馬支部" in text


@pytest.mark.parametrize("family", ["IPAexGothic", "Noto Sans CJK JP"])
def test_any_japanese_font_gives_the_typed_kanji(demo_db, tmp_path, monkeypatch, qapp, family):
    from PySide6.QtGui import QFontDatabase

    if family not in QFontDatabase.families():
        pytest.skip(f"{family} is not installed")
    monkeypatch.setattr(pdf_font, "PDF_FAMILIES", (family,))
    doc = build(demo_db, "10", 2024, 4, "status")
    doc.blocks[0].status = "月⽉月 馬⾺ 神神"                 # a radical and a compatibility ideograph typed too
    pdf = write_pdf(demo_db, doc, tmp_path / "s.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert family.replace(" ", "").lower()[:8] in fonts.replace(" ", "").lower()
    text = extracted(pdf)
    assert "群馬支部" in text and "4月" in text and "月⽉月" not in text      # most typed with the glyph wins
    assert characters(text) == characters(laid_out(doc, tmp_path)) - Counter("⽉⾺") + Counter("月馬")


def test_without_a_japanese_font_on_the_machine_the_bundled_one_is_embedded(demo_path, tmp_path):
    fonts = sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
    conf = tmp_path / "fonts.conf"                   # fontconfig sees no Japanese font at all
    conf.write_text(f'<?xml version="1.0"?><fontconfig>{"".join(f"<dir>{f.parent}</dir>" for f in fonts[:1])}'
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    env = {**__import__("os").environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    probe = subprocess.run([sys.executable, "-c", "from PySide6.QtGui import QGuiApplication, QFontDatabase as F;"
                            "a = QGuiApplication([]); print(F.families(F.WritingSystem.Japanese))"],
                           capture_output=True, text=True, env=env)
    assert probe.stdout.strip() == "[]", probe.stdout             # the simulation holds
    out = tmp_path / "s.pdf"
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(demo_path), "export", "--branch", "10",
                          "--fy", "2024", "--quarter", "4", "--out", str(out)], capture_output=True, text=True,
                         cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert any(line.startswith("IPAexGothic") and line.split()[-5] == "yes" for line in fonts.splitlines())
    assert "群馬支部事業計画実施状況" in extracted(out)


def test_with_no_japanese_font_at_all_the_pdf_is_refused(demo_path, demo_db, tmp_path, monkeypatch, capsys, qtbot):
    monkeypatch.setattr(pdf_font, "PDF_FAMILIES", ())
    monkeypatch.setattr(pdf_font, "BUNDLED_FONT", tmp_path / "missing.ttf")
    out = tmp_path / "s.pdf"
    assert cli(["--db", str(demo_path), "export", "--branch", "10", "--fy", "2024", "--quarter", "4",
                "--out", str(out)], extra_verbs=GUI_VERBS) == 1
    assert "日本語フォントが見つかりません" in capsys.readouterr().err and not out.exists()
    from ui import report_dialog

    dialog = report_dialog.ReportDialog(demo_db, "10", 2024, 4)
    qtbot.addWidget(dialog)
    assert dialog.save_pdf(str(out)) is None and not out.exists()
    assert "fonts-ipaexfont-gothic" in dialog.last_message and "游ゴシック" in dialog.last_message
