"""目標達成状況 as seed 001: the first table, then a page per measure (事業計画, ＫＰＩ, 事業計画 |
事業結果 | 目標との差, the year's texts written on 第4四半期, the charts) — in the PDF, in the
workbook in the same order, and the workbook's pages as LibreOffice prints them; the year's texts
stored, logged and edited in the window."""
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.core.errors import ValidationError
from app.documents.build import build
from app.documents.html import measure_heading
from app.documents.report import Chart, Section, Table
from app.operations import ops
from app.operations.statuses import KpiReading
from app.reads.queries import plan_items, statuses
from db.models import ChangeLog
from tests.ui.test_main_window import select_item
from ui.export import export, write_pdf
from ui.status_editor import SAVE_AFTER_MS

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) needed")

RESULTS = "・窓口とホームページで郵送申請を案内した\n・郵送化率は94.3％（前年度93.5％）"
NEXT = "・電子申請の案内を加える"


def item(db, item_no):
    return next(i for i in plan_items(db, "10", 2024) if i.item_no == item_no)


def pages(pdf: Path) -> list[str]:
    """The PDF's pages as text (pdftotext separates them by form feeds), spaces taken out."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return [p.replace(" ", "") for p in text.split("\f")[:-1]]


def images_per_page(pdf: Path) -> list[int]:
    """The page of each image drawn (pdfimages -list: an image cut by a page break is drawn on both)."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[2:] if line.split()[2] == "image"]


def heading(block) -> str:
    """The start of a measure's heading as pdftotext gives it (no spaces; a long one wraps)."""
    return f"{block.item_no}．{block.title.replace(' ', '').replace('　', '')[:6]}"


def with_texts(db):
    ops.save_status(db, item(db, 1).id, 4, results=RESULTS, next_year=NEXT)
    return build(db, "10", 2024, 4, "summary")


def test_a_page_per_measure_with_plan_result_and_gap_in_the_unit(demo_db, tmp_path):
    doc = with_texts(demo_db)
    assert [b.item_no for b in doc.blocks] == [i.item_no for i in plan_items(demo_db, "10", 2024)]
    first = doc.blocks[0].parts
    assert [type(p) for p in first] == [Section, Section, Table, Table, Section, Section, Chart, Chart]
    assert first[0].heading == "〇令和6年度事業計画" and first[1].heading == "〇ＫＰＩ"
    assert first[4] == Section("〇令和6年度取組内容・結果", RESULTS) and first[5] == Section("〇課題・令和7年度の取組", NEXT)
    rows = {p.caption: [c.text for c in p.rows[0]] for b in doc.blocks for p in b.parts if isinstance(p, Table)}
    assert rows["郵送化率"] == ["95%以上", "94.3%（令和7年3月実績）", "0.7%（未達）"]
    assert rows["サービススタンダード達成率"][2] == "0%（目標達成）"      # its catalogue's decimals: 0
    assert rows["再審査レセプト1件当たり査定額（累計）"] == ["前年度 3,788円以上", "3,036円（令和7年3月実績）", "752円（未達）"]
    assert rows["健康宣言事業所数（累計）"] == ["1,580事業所以上", "1,587事業所（令和7年3月実績）", "7事業所（目標達成）"]
    assert rows["一者応札割合"][2] == "6.7%（目標達成）"                 # 15%以下: 8.3% is 6.7 below it
    no_data = next(p for p in doc.blocks[9].parts if isinstance(p, Table))
    assert [c.text for c in no_data.rows[0]][1:] == ["－", "－"]           # no result yet: no gap, no placeholder
    no_kpi = item(demo_db, 2)
    assert doc.blocks[1].parts == [Section("〇令和6年度事業計画（KPI設定なし）", no_kpi.plan_text)]

    text = pages(write_pdf(demo_db, doc, tmp_path / "summary.pdf"))
    assert "目標達成状況" in text[0] and "94.3%R7.3実績分" in text[0]
    starts = [next(n for n, page in enumerate(text) if heading(b) in page) for b in doc.blocks]
    assert starts == sorted(set(starts)) and starts[0] >= 1                # each measure on its own page, in order
    page = text[starts[0]]
    for words in ("令和6年度事業計画令和6年度事業結果目標との差", "95%以上94.3%（令和7年3月実績）0.7%（未達）",
                  "〇令和6年度取組内容・結果", "窓口とホームページで郵送申請を案内した", "〇課題・令和7年度の取組"):
        assert words in page or words in text[starts[0] + 1], words
    assert "結果は未入力" not in "".join(text)


def test_a_qualitative_kpi_prints_done_or_not(demo_db):
    kpi = item(demo_db, 12).kpis[0]                         # 健診受診月から10か月以内に…（no figures）
    ops.confirm_kpis(demo_db, [KpiReading(kpi.id, None, "==", None, "qualitative")])

    def cells():
        doc = build(demo_db, "10", 2024, 4, "summary")
        first = next(r for r in doc.summary.rows if r[2].text.startswith("健診受診月"))
        table = next(p for p in doc.blocks[11].parts if isinstance(p, Table))
        return [c.text for c in first[3:]], [c.text for c in table.rows[0]][1:]
    assert cells() == (["定性評価", "未実施", "－"], ["未実施", "－"])
    ops.rate_kpi(demo_db, kpi.id, 4, "○")
    assert cells() == (["定性評価", "実施済", "－"], ["実施済", "－"])


def test_the_year_texts_are_written_on_the_fourth_quarter_and_logged(demo_db):
    it = item(demo_db, 1)
    with pytest.raises(ValidationError):
        ops.save_status(demo_db, it.id, 3, results="第3四半期には書かない")
    assert ops.save_status(demo_db, it.id, 4, results=RESULTS)
    assert not ops.save_status(demo_db, it.id, 4, results=RESULTS)          # nothing changed: nothing stored
    st = statuses(demo_db, [it.id], 4)[0]
    assert (st.results_text, st.next_year_text) == (RESULTS, "")
    with demo_db.session() as s:
        log = s.scalars(select(ChangeLog).where(ChangeLog.entity == "quarterly_status")).all()
    assert [(r.field, r.old, r.new) for r in log] == [("results_text", "", RESULTS)]


def test_the_workbook_holds_the_pdf_in_its_order(demo_db, tmp_path):
    doc = with_texts(demo_db)
    wb = openpyxl.load_workbook(export(demo_db, doc, tmp_path / "summary.xlsx"))
    first, measures = wb["目標達成状況"], wb["施策別"]
    assert wb.sheetnames == ["目標達成状況", "施策別"]
    assert first["A3"].value == "目標達成状況" and first["A4"].value == "No" and first.print_title_rows == "$4:$4"
    texts = [c.value for row in measures.iter_rows() for c in row if isinstance(c.value, str)]
    expected = []
    for b in doc.blocks:
        expected.append(measure_heading(b))
        for part in b.parts:
            if isinstance(part, Section):
                expected += [part.heading] + ([part.text] if part.text else [])
            elif isinstance(part, Table):
                expected += [part.caption, *part.header, *(c.text for c in part.rows[0])]
    unbroken = lambda texts: [re.sub(r"\s+", "", t) for t in texts]        # noqa: E731  lines broken by the rules
    assert unbroken(texts) == unbroken(expected)                             # the PDF's content, in its order
    charts = [p.indicator for b in doc.blocks for p in b.parts if isinstance(p, Chart)]
    assert len(measures._images) == len(charts) == 11
    heads = [n for n, row in enumerate(measures.iter_rows(), start=1) if re.match(r"\d+．", str(row[0].value or ""))]
    assert len(heads) == len(doc.blocks) and {h - 1 for h in heads[1:]} <= {b.id for b in measures.row_breaks.brk}
    for ws in (first, measures):
        assert {c.font.name for row in ws.iter_rows() for c in row if c.value is not None} == {"IPAexGothic"}
        wrapped = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and len(c.value) > 30]
        assert all(c.alignment.wrap_text for c in wrapped)
    numbers = [c for row in first.iter_rows(min_row=5) for c in row if isinstance(c.value, (int, float))]
    assert numbers and all(".0" not in c.number_format for c in numbers)     # No 1, 2, …: never 1.0


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) needed to print the workbook")
def test_libreoffice_prints_the_workbook_with_whole_charts_and_the_header_on_each_page(demo_db, tmp_path):
    doc = with_texts(demo_db)
    xlsx = export(demo_db, doc, tmp_path / "summary.xlsx")
    run = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                          "--outdir", str(tmp_path / "out"), str(xlsx)], capture_output=True, text=True, timeout=300)
    pdf = tmp_path / "out" / "summary.pdf"
    assert pdf.exists(), run.stderr
    text = pages(pdf)
    drawn = images_per_page(pdf)
    assert len(drawn) == 11                                                  # each chart on one page: none cut
    table_pages = [p for p in text if "目標達成状況" in p and "対応項目" in p]
    assert table_pages and all("No対応項目指標目標結果評価" in p for p in table_pages)
    starts = [next(n for n, page in enumerate(text) if heading(b) in page) for b in doc.blocks]
    assert starts == sorted(set(starts))                                     # a page per measure
    assert "R7.3実績分" in "".join(text) and "3,036.0" not in "".join(text)


def test_the_window_edits_the_year_texts_on_the_fourth_quarter(window, qtbot, demo_db):
    window.tabs.setCurrentIndex(1)
    select_item(window, "1")
    window.status.set_quarter(3)
    assert window.status.year_texts is None                                 # not a 第3四半期 text
    window.status.set_quarter(4)
    field = window.status.year_texts.texts["results"]
    field.setFocus()
    qtbot.keyClicks(field, "mail OK")
    it = item(demo_db, 1)
    qtbot.waitUntil(lambda: bool(statuses(demo_db, [it.id], 4)) and statuses(demo_db, [it.id], 4)[0].results_text
                    == "mail OK", timeout=SAVE_AFTER_MS * 5)
    field.undo()                                                            # Ctrl+Z takes the typing back
    qtbot.waitUntil(lambda: statuses(demo_db, [it.id], 4)[0].results_text == "", timeout=SAVE_AFTER_MS * 5)
    with demo_db.session() as s:
        log = [(r.field, r.new) for r in s.scalars(select(ChangeLog).where(ChangeLog.entity == "quarterly_status"))]
    assert log == [("results_text", "mail OK"), ("results_text", "")]
    window.status.year_texts.texts["next_year"].setPlainText("電子申請")
    select_item(window, "2")                                                # saved at once when leaving
    assert statuses(demo_db, [it.id], 4)[0].next_year_text == "電子申請"
