"""Rendering without a window: the chart of `branch-report chart` and the quarterly documents."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def offscreen_app():
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.appearance import pick_font

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pick_font(app)
    return app


def render_chart(db, branch: str, indicator: str, fiscal_year: int, out: Path, size=(960, 540),
                 quarter: int | None = None) -> Path:
    """The trend chart of one indicator saved as PNG (ui.chart.paint_chart: the window's chart
    drawn straight with QPainter, no widget)."""
    from app.documents.charts import chart_data
    from ui.chart import chart_image

    offscreen_app()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not chart_image(chart_data(db, branch, indicator, fiscal_year, quarter=quarter), size).save(str(out)):
        raise OSError(f"{out} に保存できません")
    return out


# ---- the quarterly documents -------------------------------------------------------------

HEADER_MM, FOOTER_MM = 9, 9
CHART_SIZE = (900, 480)


def chart_images(db, doc) -> dict:
    """Each chart a document asks for as a QImage, as of the document's quarter."""
    if not doc.charts:                          # a workbook without charts needs no Qt
        return {}
    from app.documents.charts import chart_data, plan_of
    from ui.chart import chart_image

    offscreen_app()
    plan = plan_of(db, doc.branch, doc.fiscal_year, doc.quarter)
    return {code: chart_image(chart_data(db, doc.branch, code, doc.fiscal_year, quarter=doc.quarter, plan=plan),
                              CHART_SIZE) for code in doc.charts}


def text_document(doc, images: dict | None = None, device=None):
    """The document as a QTextDocument; ``images``: each chart's QImage (chart_images) or PNG file;
    ``device``: the printer or PDF writer it will be laid out on (paint_pages), given before its
    text so that Qt does not lay all of it out first for the screen."""
    from PySide6.QtCore import QSizeF, QUrl
    from PySide6.QtGui import QImage, QTextDocument

    from app.documents.html import document_html
    from ui.pdf_font import document_font, japanese_family

    td = QTextDocument()
    td.setDefaultFont(document_font(japanese_family(), 9))
    if device is not None:                  # (a paged document is laid out as far as it is looked at)
        td.documentLayout().setPaintDevice(device)
        td.setPageSize(QSizeF(device.pageLayout().paintRectPixels(device.resolution()).size()))
    urls = {}
    for code, image in (images or {}).items():
        url = f"chart://{code}"
        td.addResource(QTextDocument.ImageResource, QUrl(url), image if isinstance(image, QImage) else QImage(str(image)))
        urls[code] = url
    td.setHtml(document_html(doc, urls))
    return td


def header_font(td):
    """The type of the header and footer: the document's family, 8 pt."""
    from ui.pdf_font import document_font

    return document_font(td.defaultFont().family(), 8)


def column_header(doc, td, device):
    """The document's column header (app.documents.html.column_header) as a QTextDocument laid out
    as wide as the body, printed at the top of every page but the first (whose flow holds it), or
    None for a document without one."""
    from PySide6.QtGui import QTextDocument

    from app.documents.html import CSS, column_header as header_html

    html = header_html(doc)
    if not html:
        return None
    header = QTextDocument()
    header.setDefaultFont(td.defaultFont())
    header.documentLayout().setPaintDevice(device)
    header.setHtml(f"<html><head><style>{CSS}</style></head><body>{html}</body></html>")
    header.setTextWidth(device.pageLayout().paintRectPixels(device.resolution()).width())
    return header


def lay_out(td, device, header=None):
    """``td`` laid out on the device's pages, below the header (and the column header) and above
    the footer, with page breaks where a person would make them (ui/pagination.py). Returns (header,
    footer, body size) in device pixels."""
    from PySide6.QtCore import QSizeF

    from ui.pagination import paginate

    page = device.pageLayout().paintRectPixels(device.resolution())
    mm = device.resolution() / 25.4
    head, foot = HEADER_MM * mm, FOOTER_MM * mm
    td.documentLayout().setPaintDevice(device)
    columns = _columns_height(header)
    body = QSizeF(page.width(), page.height() - head - foot - columns)
    td.setPageSize(body)
    paginate(td, mm)
    return head, foot, body


def _columns_height(header) -> float:
    """What the column header takes at a page's top: its table (the body's own margin above the
    page's first line stands in for the header document's margin below it)."""
    return header.size().height() - header.documentMargin() if header is not None else 0.0


def paint_pages(doc, td, device, progress=None) -> int:
    """Lay the document out on the device's pages; a header (title, label), the column header
    (from the second page on) and a footer (page n / N, as of) on each. Works for QPdfWriter and
    QPrinter alike. Returns the page count."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QPainter

    page = device.pageLayout().paintRectPixels(device.resolution())
    header = column_header(doc, td, device)
    head, foot, body = lay_out(td, device, header)
    columns = _columns_height(header)
    pages = td.pageCount()
    painter = QPainter(device)
    small = header_font(td)
    try:
        for n in range(pages):
            if n:
                device.newPage()
            top = head
            if header is not None and n:
                painter.save()
                painter.translate(0, head)
                header.drawContents(painter, QRectF(0, 0, body.width(), columns))
                painter.restore()
                top += columns
            painter.save()
            painter.translate(0, top - n * body.height())
            td.drawContents(painter, QRectF(0, n * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setFont(small)
            painter.setPen(Qt.darkGray)
            painter.drawText(QRectF(0, 0, page.width(), head * 0.8), Qt.AlignLeft | Qt.AlignVCenter, doc.title)
            painter.drawText(QRectF(0, 0, page.width(), head * 0.8), Qt.AlignRight | Qt.AlignVCenter, doc.label)
            footer = QRectF(0, page.height() - foot * 0.8, page.width(), foot * 0.8)
            painter.drawText(footer, Qt.AlignHCenter | Qt.AlignVCenter, f"{n + 1} / {pages}")
            painter.drawText(footer, Qt.AlignRight | Qt.AlignVCenter, doc.as_of)
            if progress:
                progress(n + 1, pages)
    finally:
        painter.end()
    return pages


def setup_page(device, doc) -> None:
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    device.setPageLayout(QPageLayout(QPageSize(QPageSize.A4),
                                     QPageLayout.Landscape if doc.landscape else QPageLayout.Portrait,
                                     QMarginsF(12, 10, 12, 10), QPageLayout.Millimeter))


def write_pdf(db, doc, out: Path, progress=None) -> Path:
    """The document as PDF (charts drawn here, on the GUI thread; then paint_pdf)."""
    offscreen_app()
    return paint_pdf(doc, chart_images(db, doc), out, progress)


def paint_pdf(doc, images: dict, out: Path, progress=None) -> Path:
    """Lay the document out into a PDF, Japanese font embedded (Qt embeds the fonts it draws with),
    its text searchable as typed: each font's ToUnicode map names what was drawn, no hidden text
    (app.documents.pdf_text). Needs no widget, so it may run off the GUI thread (a QPainter on a QPdfWriter
    may). Written under a temporary name and moved into place when finished: a cancel or a
    failure leaves no half-written file."""
    import os

    from PySide6.QtGui import QPdfWriter

    from app.documents.pdf_text import searchable
    from ui.pdf_font import drawn_as

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        writer = QPdfWriter(str(partial))
        writer.setResolution(300)
        writer.setTitle(doc.title)
        writer.setCreator("branch-report")
        setup_page(writer, doc)
        td = text_document(doc, images, writer)
        paint_pages(doc, td, writer, progress)
        del writer                           # the file is finished when the writer goes
        text = "".join([td.toPlainText(), doc.title, doc.label, doc.as_of, "0123456789 /"])
        searchable(partial, drawn_as(td.defaultFont(), text))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def write_quarter_documents(db, branch: str, fiscal_year: int, quarter: int, label: str, folder: Path,
                            progress=None) -> list:
    """The documents a submission keeps: every kind (kinds.py), PDF and xlsx, written into
    ``folder``; [(kind, file)]. ``progress(done, total, what)`` before each (raising from it stops)."""
    from app.documents.build import build
    from app.documents.kinds import KINDS

    written, total = [], len(KINDS) * 2
    for kind in KINDS:
        doc = build(db, branch, fiscal_year, quarter, kind, label)
        for fmt in ("pdf", "xlsx"):
            if progress is not None:
                progress(len(written), total, f"{doc.title}（{fmt.upper()}）")
            written.append((kind, export(db, doc, folder / f"{kind}.{fmt}")))
    return written


def export(db, doc, out: Path, progress=None) -> Path:
    """.xlsx or .pdf by the file's suffix."""
    import tempfile

    out = Path(out)
    if out.suffix.lower() == ".pdf":
        return write_pdf(db, doc, out, progress)
    if out.suffix.lower() != ".xlsx":
        raise ValueError("出力ファイルは .xlsx か .pdf にしてください")
    from app.documents.xlsx import write_xlsx                 # (openpyxl: not for a PDF)

    with tempfile.TemporaryDirectory() as tmp:
        images = {code: Path(tmp) / f"{code}.png" for code in doc.charts}
        for code, image in chart_images(db, doc).items():
            image.save(str(images[code]), "PNG", 80)          # (less squeezed: as small, faster)
        return write_xlsx(doc, out, images)
