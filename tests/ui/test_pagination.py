"""Pages a person would print (issues 11 and 21): the demo year's twelve documents laid out on their
pages as the PDF and the printer get them, and the page breaks checked where they fell. A heading is
never the last thing on its page; a short table is never split; a table of the flow never goes on
over a page: it is split, the part on the next page under its heading with （続き） and its header row,
and neither part is a stub; a column header breaks only between words."""
import shutil
import unicodedata
import subprocess
from dataclasses import dataclass

import pytest

from app.documents.build import build
from app.documents.html import WORD_JOINER
from ui.export import paint_pages, setup_page, text_document

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) needed")

MM = 300 / 25.4                     # the PDF's resolution: document units per millimetre
SHORT_TABLE_MM = 30                 # a KPI table (2–4 rows) with room to spare: never split
STUB_MM = 10                        # what a split leaves on a page is at least this tall


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    position: int                   # the block's position in the document
    text: str


def lay_out_pdf(doc, tmp_path):
    """The document painted into a PDF as paint_pdf does (charts as blank images of their size)."""
    from PySide6.QtGui import QImage, QPdfWriter

    blank = QImage(900, 480, QImage.Format_RGB32)
    blank.save(str(tmp_path / "blank.png"))
    td = text_document(doc, {code: tmp_path / "blank.png" for code in doc.charts})
    pdf = tmp_path / "laid-out.pdf"
    writer = QPdfWriter(str(pdf))
    writer.setResolution(300)
    setup_page(writer, doc)
    paint_pages(doc, td, writer)
    del writer
    return td, pdf


def lines(td) -> list[Line]:
    """Every laid-out line of the document (table cells too), top to bottom."""
    height, layout, out = td.pageSize().height(), td.documentLayout(), []
    block = td.begin()
    while block.isValid():
        text_layout = block.layout()
        origin = layout.blockBoundingRect(block).top() - text_layout.boundingRect().top()
        for n in range(text_layout.lineCount()):
            line = text_layout.lineAt(n)
            top = origin + line.y()
            out.append(Line(int(top // height), top, top + line.height(), block.position(),
                            block.text()[line.textStart():line.textStart() + line.textLength()]))
        block = block.next()
    return sorted(out, key=lambda line: (line.top, line.position))


def tables(frame):
    from PySide6.QtGui import QTextTable

    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from tables(child)


def inside(laid, first: int, last: int) -> list[Line]:
    return [line for line in laid if first <= line.position <= last]


def split_problems(what: str, laid: list[Line], page_height: float, short: bool) -> list[str]:
    """What is wrong with how the lines of a table (or a row) fall on pages."""
    pages = sorted({line.page + 1 for line in laid})
    if len(pages) < 2:
        return []
    tall = max(line.bottom for line in laid) - min(line.top for line in laid)
    if short and tall < SHORT_TABLE_MM * MM:
        return [f"{what}: {tall / MM:.0f} mm tall, split over pages {pages}"]
    if tall >= page_height:
        return []
    parts = {p: max(l.bottom for l in laid if l.page + 1 == p) - min(l.top for l in laid if l.page + 1 == p)
             for p in pages}
    return [f"{what}: {part / MM:.1f} mm on page {p}" for p, part in parts.items() if part < STUB_MM * MM]


def headings(doc) -> set[str]:
    """The block headings and table captions the document prints (Qt's HTML makes 　 a space)."""
    out = {b.heading + (f" {b.flags}" if b.flags else "") for b in doc.blocks} if doc.kind == "status" else set()
    out |= {t.caption for b in doc.blocks for t in b.tables}
    return out | ({doc.summary.caption} if doc.summary else set())


def heading_problems(doc, td, laid: list[Line]) -> list[str]:
    """A heading (a block's heading, a table's caption), then on its page two rows of what it heads."""
    height, names, found, problems = td.pageSize().height(), headings(doc), set(), []
    for position in sorted({line.position for line in laid}):
        block = td.findBlock(position)
        text = block.text().replace(WORD_JOINER, "")          # it keeps 【重要度：高】 on one line
        if text not in names:
            continue
        found.add(text)
        last = max((line for line in laid if line.position == position), key=lambda line: line.top)
        rows = sorted({round(later.top) for later in laid if later.top >= last.bottom - 1})[:2]
        if any(int(top // height) != last.page for top in rows):
            problems.append(f"heading {text!r} last on page {last.page + 1}")
    return problems + [f"heading {name!r} not found" for name in names - found]


def table_problems(td, table, laid: list[Line]) -> list[str]:
    """A table split only when it is long, never leaving a stub, its header row repeated where it
    continues and nowhere else; no row leaving a stub; header cells broken only at a <br>."""
    height, layout = td.pageSize().height(), td.documentLayout()
    name = f"table {table.cellAt(0, 0).firstCursorPosition().block().text()!r}…"
    rows = inside(laid, table.firstPosition(), table.lastPosition())
    problems = split_problems(name, rows, height, short=True)
    pages, top_level = {line.page for line in rows}, table.parentFrame() == td.rootFrame()
    if len(pages) > 1 and top_level:
        problems.append(f"{name} goes on over pages {sorted(p + 1 for p in pages)} (not split under a （続き） heading)")
    elif len(pages) > 1:
        problems.append(f"{name} (in a cell) split over pages")
    reach = int(layout.frameBoundingRect(table).bottom() // height)
    if top_level and reach > max(pages):
        problems.append(f"{name} reaches page {reach + 1} with no row on it (Qt may repeat its header row there alone)")
    for r in range(table.rows()):
        cells = [table.cellAt(r, c) for c in range(table.columns())]
        row = inside(laid, min(c.firstPosition() for c in cells), max(c.lastPosition() for c in cells))
        problems += split_problems(f"row {r} of {name}", row, height, short=False)
    for c in range(table.columns() if table.format().headerRowCount() else 0):
        block = table.cellAt(0, c).firstCursorPosition().block()
        before = [block.text()[:block.layout().lineAt(n).textStart()] for n in range(1, block.layout().lineCount())]
        problems += [f"header {block.text()!r} broken after {head!r}" for head in before if not head.endswith("\u2028")]
    return problems


def pdf_problems(doc, pdf) -> list[str]:
    """The PDF as pdftotext reads it: no page's last line (above the footer) is a heading."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    names, problems = {name.replace(" ", "") for name in headings(doc)}, []
    for n, page in enumerate(text.split("\f")[:-1], start=1):
        body = [line.replace(" ", "") for line in page.splitlines()[1:] if line.strip()][:-1]
        if body and any(name == body[-1] or (len(body[-1]) >= 4 and name.endswith(body[-1])) for name in names):
            problems.append(f"page {n} of the PDF ends with the heading {body[-1]!r}")
    return problems


def page_problems(doc, td, pdf) -> list[str]:
    laid = lines(td)
    problems = heading_problems(doc, td, laid)
    for table in tables(td.rootFrame()):
        problems += table_problems(td, table, laid)
    return problems + pdf_problems(doc, pdf)


@pytest.mark.parametrize("kind", ["status", "progress", "summary"])
def test_page_breaks_of_the_demo_documents(demo_db, tmp_path, qapp, kind):
    for quarter in (1, 2, 3, 4):
        doc = build(demo_db, "10", 2024, quarter, kind)
        td, pdf = lay_out_pdf(doc, tmp_path)
        assert page_problems(doc, td, pdf) == [], (kind, quarter)


PROGRESS_HEADER = "実施（手段スケジュール）概要"


def radicals(text: str) -> str:
    """⽯ (a radical: how pdftotext reads 石 drawn without app.documents.pdf_text's fixes) as 石."""
    return "".join(unicodedata.normalize("NFKC", ch) if "\u2e80" <= ch <= "\u2fdf" else ch for ch in text)


def page_texts(pdf, layout: bool) -> list[str]:
    """The PDF's pages as pdftotext reads them (-layout: a table's row on one line)."""
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return radicals(text).split("\f")[:-1]


def continued_headers(doc, page_header: str) -> dict[str, str]:
    """What a page starting with a heading's （続き） prints next: the column header of what it heads
    (nothing when the page's header is that)."""
    items = "" if page_header else "計画内容実施状況"
    out = {b.heading + (f" {b.flags}" if b.flags else ""): items for b in doc.blocks} if doc.kind == "status" else {}
    out |= {t.caption: "".join(t.header[:2]) for b in doc.blocks for t in b.tables + [p for p in b.parts if hasattr(p, "header")]}
    return out


def rule_problems(doc, pdf, page_header: str = "") -> tuple[list[str], int]:
    """The pages as pdftotext reads them: no line starts with 】、。） or ends with 【（; a page going on
    with an item or a table starts with its heading and （続き）, then its column header; the page's
    header (``page_header``, the columns' of an item) once on every page. Returns the problems and
    the pages going on."""
    problems = []
    for n, page in enumerate(page_texts(pdf, layout=False), start=1):
        problems += [f"page {n}: {line!r}" for line in (line.strip() for line in page.splitlines() if line.strip())
                     if line[0] in "】、。）" or line[-1] in "【（"]
    headers, seen = continued_headers(doc, page_header), 0
    for n, page in enumerate(page_texts(pdf, layout=True), start=1):
        body = [line.replace(" ", "") for line in page.splitlines()[1:] if line.strip()]
        if page_header:
            at = [k for k, line in enumerate(body) if page_header in line]
            if len(at) != 1:
                problems.append(f"page {n}: the column header {len(at)} times")
            body = body[at[0] + 1:] if at else body
            body = body[1:] if body and body[0].endswith("点等）") else body         # its second line, when it wraps
        starts = next((k for k, line in enumerate(body[:3]) if line.endswith("（続き）")), None)
        if starts is None:
            continue
        seen += 1
        heading = "".join(body[:starts + 1])[:-len("（続き）")]
        header = next((h for name, h in headers.items() if name.replace(" ", "").replace("　", "") == heading),
                      "" if heading.startswith("○") and doc.kind == "progress" else None)
        if header is None or not body[starts + 1].startswith(header):
            problems.append(f"page {n}: {heading!r}（続き） then {body[starts + 1]!r}")
    return problems, seen


@pytest.mark.parametrize("kind, quarter, continued", [("status", 3, 1), ("progress", 4, 3), ("summary", 4, 0)])
def test_printed_pages_follow_the_rules(demo_db, tmp_path, qapp, kind, quarter, continued):
    doc = build(demo_db, "10", 2024, quarter, kind)
    _td, pdf = lay_out_pdf(doc, tmp_path)
    problems, seen = rule_problems(doc, pdf, PROGRESS_HEADER if kind == "progress" else "")
    assert problems == [] and seen >= continued, (problems, seen)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) needed to print the workbook")
@pytest.mark.parametrize("kind, quarter, continued", [("status", 3, 3), ("progress", 4, 3)])
def test_libreoffice_prints_the_workbook_by_the_same_rules(demo_db, tmp_path, kind, quarter, continued):
    """The workbook printed by LibreOffice: its pages checked as the PDF's (its print title row is
    the columns' header on every page; a page going on starts with the heading's （続き） row)."""
    from app.documents.xlsx import write_xlsx

    doc = build(demo_db, "10", 2024, quarter, kind)
    book = write_xlsx(doc, tmp_path / f"{kind}.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(book)], capture_output=True, check=True, timeout=300)
    problems, seen = rule_problems(doc, tmp_path / f"{kind}.pdf", PROGRESS_HEADER if kind == "progress" else "計画内容")
    assert problems == [] and seen >= continued, (problems, seen)


def test_breaks_are_set_once(demo_db, tmp_path, qapp, monkeypatch):
    """Each page break set lays the rest of the document out again (issue 25), so pagination sets
    the breaks the pages keep and takes out again at most one a table split (a row's break where
    the table is split). The progress sheet of quarter 4: tables split over pages four times."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    import ui.pagination
    from ui.pagination import CONTINUED, KEPT

    set_ = []
    paginate = ui.pagination.paginate
    monkeypatch.setattr(ui.pagination, "paginate", lambda td, mm: set_.append(paginate(td, mm)) or set_[-1])
    td, _pdf = lay_out_pdf(build(demo_db, "10", 2024, 4, "progress"), tmp_path)
    kept, splits, block = set(), 0, td.begin()
    while block.isValid():
        splits += block.text().endswith(CONTINUED)
        if block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreak_AlwaysBefore and block.userState() != KEPT:
            table = QTextCursor(block).currentTable()                # a row's break: on each of its cells
            kept.add((table.firstPosition(), table.cellAt(block.position()).row()) if table else block.position())
        block = block.next()
    kept |= {table.firstPosition() for table in tables(td.rootFrame())
             if table.format().pageBreakPolicy() & QTextFormat.PageBreak_AlwaysBefore}
    assert splits >= 3 and len(kept) <= set_[0] <= len(kept) + splits, (set_, len(kept), splits)


def test_pagination_decides_on_the_part_looked_at(demo_db, tmp_path, qapp, monkeypatch):
    """The flow below the part decided is kept aside and attached a chunk at a time (_Tail): the
    document comes out the same as paginated whole, whatever the chunk (its cuts fall between
    units, never at a table's end), and each break lays out again far less than the document's rest."""
    from PySide6.QtGui import QTextFormat

    import ui.pagination

    doc = build(demo_db, "10", 2024, 4, "progress")
    set_break, attach = ui.pagination.set_break, ui.pagination._Tail.attach
    after_break, attached = [], []

    def counted_break(start, policy, cursor=None):
        if policy == QTextFormat.PageBreak_AlwaysBefore and cursor is None:
            block = start[0] if isinstance(start, list) else start
            after_break.append(block.document().characterCount() - ui.pagination._position(start))
        return set_break(start, policy, cursor)

    monkeypatch.setattr(ui.pagination, "set_break", counted_break)
    monkeypatch.setattr(ui.pagination._Tail, "attach", lambda tail: attach(tail) and not attached.append(1))
    laid_out, html = {}, {}
    for chunk in (10 ** 9, 700, 5000, ui.pagination._Tail.CHUNK):
        monkeypatch.setattr(ui.pagination._Tail, "CHUNK", chunk)
        after_break.clear(), attached.clear()
        td, _pdf = lay_out_pdf(doc, tmp_path)
        html[chunk], laid_out[chunk] = td.toHtml(), sum(after_break)
        assert (len(attached) > 3) == (chunk < 10 ** 9), (chunk, len(attached))
    assert all(text == html[10 ** 9] for text in html.values())
    assert laid_out[ui.pagination._Tail.CHUNK] < laid_out[10 ** 9] / 3, laid_out
