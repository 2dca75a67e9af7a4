"""The quarterly documents as workbooks and PDFs: reopened and checked against the database."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from app.reads.queries import plan_items
from app.documents.build import build
from app.operations.ops import save_row_status
from tests.conftest import ROOT
from ui.export import export, write_pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) needed")


def status_xlsx(demo_db, tmp_path, kind="status"):
    return openpyxl.load_workbook(export(demo_db, build(demo_db, "10", 2024, 4, kind), tmp_path / f"{kind}.xlsx"))


def find(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if c.value == text or (isinstance(c.value, str) and c.value.replace("\n", "") == text):   # broken as printed
                return c
    raise AssertionError(f"{text!r} not in {ws.title}")


def test_status_workbook_print_settings_and_figures(demo_db, tmp_path):
    wb = status_xlsx(demo_db, tmp_path)
    ws = wb["実施状況"]
    assert ws["A1"].value == "2024（令和6）年度 群馬支部事業計画実施状況 （第4四半期）"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert ws.oddFooter.center.text == "&P / &N" and ws.oddHeader.right.text == "機密性2"
    heading = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                   and c.value.startswith("1.基盤的保険者機能の盤石化 ") and "サービス水準の向上　【困難度：高】" in c.value)
    table = next(c for row in ws.iter_rows() for c in row if c.value == "郵送化率" and c.column == 1)  # its month table
    assert table.row > heading.row
    r6 = find(ws, "令和6年度")
    row = [ws.cell(table.row + 3, c) for c in range(1, 15)]          # caption, header, 令和5年度, 令和6年度
    assert row[0].value == "令和6年度" and r6.row <= table.row + 3
    assert row[1].value == pytest.approx(0.935) and row[1].number_format == "0.0%"
    assert row[13].value == pytest.approx(0.943, abs=5e-4)            # 計: recomputed from its parts (94.3%)
    plan = ws.cell(heading.row + 1, 1)
    plan_text = "".join(ws.cell(r, 1).value or "" for r in range(heading.row + 1, table.row)).replace("\n", "")
    assert plan.data_type == "s" and plan.alignment.wrap_text and "郵送化率を95.0％以上" in plan_text   # on rows of 6 lines
    assert ws.row_dimensions[heading.row + 1].height >= 30           # tall enough not to cut the text


def test_progress_workbook_is_landscape_with_ratings_and_counts(demo_db, tmp_path):
    ws = status_xlsx(demo_db, tmp_path, "progress")["進捗状況"]
    assert ws.page_setup.orientation == "landscape"
    assert find(ws, "進捗状況（計画を下回る場合は、今後改善すべき点等）")
    item1 = find(ws, "1")                                      # seed 004: （１） ○ 1位, （２） △ 27位
    assert ws.cell(item1.row, 14).value == "○" and ws.cell(item1.row, 15).value == "1位\n（本部公表）"
    second = next(r for r in range(item1.row + 1, item1.row + 20) if ws.cell(r, 14).value)
    assert ws.cell(second, 14).value == "△" and ws.cell(second, 15).value.startswith("27位\n（本部公表）")
    counts = find(ws, "評価の集計")                              # 評価 | 全体 | KPI（再掲） | 凡例
    marks = [ws.cell(counts.row + n, 1).value for n in range(2, 9)]
    assert marks == ["◎", "○", "△", "×", "□", "合計", "未評価"]
    values = [ws.cell(counts.row + n, 2).value for n in range(2, 9)]
    assert values == [1, 57, 13, 0, 5, 76, 6]                 # seed 004's 第4四半期: 76 rated, 6 printed 「－」


def test_person_texts_are_never_formulas(demo_db, tmp_path):
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    nasty = '=HYPERLINK("http://example.invalid","click")\n+1\n-2\n@SUM(A1)\x01\x07 end'
    save_row_status(demo_db, items[6].rows[0].id, 4, text=nasty)      # its one row, with no mark: the cell's start
    save_row_status(demo_db, items[8].rows[0].id, 4, text="=1+1")
    path = export(demo_db, build(demo_db, "10", 2024, 4, "status"), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path)["実施状況"]                       # formulas as written, not computed
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert cells[0].value.startswith('=HYPERLINK("http://example.invalid","click")\n+1\n-2\n@SUM(A1)')
    assert "\x01" not in cells[0].value and "\x07" not in cells[0].value
    plain = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "\n=1+1" in c.value]
    assert plain and plain[0].data_type == "s"
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml                                         # no formula anywhere in the sheet


def pdf_text(path: Path) -> str:
    """The PDF's text, as typed (no Kangxi radical for a kanji: tests/ui/test_pdf_text.py)."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_status_pdf_has_the_font_title_items_and_figures(demo_db, tmp_path):
    doc = build(demo_db, "10", 2024, 4, "status")
    pdf = write_pdf(demo_db, doc, tmp_path / "s.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "IPAexGothic" in fonts or "Noto" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())   # embedded
    text = pdf_text(pdf)
    flat = text.replace(" ", "").replace("\n", "")          # a long heading wraps onto the next line
    assert "2024（令和6）年度群馬支部事業計画実施状況（第4四半期）" in flat
    for item in plan_items(demo_db, "10", 2024):
        assert item.title.replace(" ", "") in flat, item.title
    assert "94.3%" in text and "93.5%" in text and "1/" in flat and "機密性2" in text


def test_summary_with_charts_through_the_command_line(demo_path, tmp_path):
    for suffix in ("pdf", "xlsx"):
        out = tmp_path / f"summary.{suffix}"
        run = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(demo_path), "export", "--branch", "10",
                              "--fy", "2024", "--quarter", "4", "--kind", "summary", "--out", str(out)],
                             capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 0, run.stderr
    text = pdf_text(tmp_path / "summary.pdf").replace(" ", "")
    assert "目標達成状況" in text and "94.3%R7.3実績分" in text and "83.62%R6.11実績分" in text
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "summary.pdf")], capture_output=True, text=True)
    assert len(images.stdout.splitlines()) - 2 >= 10                     # a chart per KPI with figures
    wb = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames == ["目標達成状況", "施策別"] and len(wb["施策別"]._images) == 11   # 一者応札割合 from its parts too
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(demo_path), "export", "--fy", "2024",
                          "--quarter", "4", "--out", str(tmp_path / "x.docx")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2


def test_report_dialog_saves_both_and_previews(window, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    dialog = window.open_report()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(1)
    assert dialog.save_xlsx(str(tmp_path / "p.xlsx")) and (tmp_path / "p.xlsx").stat().st_size > 5000
    assert dialog.save_pdf(str(tmp_path / "p.pdf")) and "進捗状況" in pdf_text(tmp_path / "p.pdf")
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog._paint(printer) >= 3                               # what print preview and print draw
    preview = dialog.preview()
    qtbot.addWidget(preview)
    assert preview.isVisible()


def test_the_pdf_is_written_off_the_gui_thread_and_a_cancel_leaves_no_file(window, qtbot, tmp_path, monkeypatch):
    import threading

    import ui.export
    from ui.tasks import Cancelled

    real, threads = ui.export.paint_pages, []

    def watched(doc, td, device, progress=None):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(doc, td, device, progress)
    monkeypatch.setattr(ui.export, "paint_pages", watched)
    dialog = window.open_report()
    qtbot.addWidget(dialog)
    assert dialog.save_pdf(str(tmp_path / "a.pdf")) and (tmp_path / "a.pdf").stat().st_size > 10000
    assert threads == [False]                                   # painted by a worker, the window stays live

    def cancelled_after_a_page(doc, td, device, progress=None):
        def step(done, total):
            progress(done, total)
            raise Cancelled()                                   # the user pressed キャンセル
        return real(doc, td, device, step)
    monkeypatch.setattr(ui.export, "paint_pages", cancelled_after_a_page)
    assert dialog.save_pdf(str(tmp_path / "b.pdf")) is None
    assert not (tmp_path / "b.pdf").exists() and not (tmp_path / "b.pdf.partial").exists()
    assert "キャンセル" in dialog.last_message


def test_summary_workbook_is_its_table_with_months_units_and_a_japanese_font(demo_db, tmp_path):
    ws = status_xlsx(demo_db, tmp_path, "summary")["目標達成状況"]
    assert ws["A3"].value == "目標達成状況" and ws["A4"].value == "No" and ws.print_title_rows == "$4:$4"
    per_case = find(ws, "再審査レセプト1件当たり査定額（累計）")
    row = [c.value.replace("\n", "") for c in ws[per_case.row] if isinstance(c.value, str)]   # lines broken as printed
    assert re.fullmatch(r"前年度 ?[\d,]+円以上", row[2]) and re.fullmatch(r"[\d,]+円 ?R7\.3実績分", row[3])   # month kept, no 3,036.0
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "サービススタンダード" in t and "○" in t]   # no progress-sheet rows above
    assert {c.font.name for row in ws.iter_rows() for c in row if c.value is not None} == {"IPAexGothic"}
