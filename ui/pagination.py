"""Page breaks a person would make (改ページ) in a QTextDocument laid out on pages.

Qt breaks pages wherever the body is full: a heading alone at the foot of a page, three rows of a
table under the caption of the page before. Qt ignores ``page-break-inside/after: avoid`` but
honours a break before a block or a table, so the document is laid out, the first place where a
person would not break is given a break before it, and it is laid out again, until none is left.

The flow is read as units kept together: a heading (<h1>…<h3>, a block's heading, a table's
caption) with what follows it, a table with its note (※令和7年3月末現在). A unit that crosses
the foot of a page moves to the next page when the part left at the foot is short (a heading,
a header row, a line or two) or when the part carried over is short and the unit fits on a page.
Longer units are split where Qt splits them; a table repeats its header row on the next page.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_PART_MM = 25            # a part of a unit shorter than this on a page is a stub
TOP_MM = 1                  # a unit this close to the top of its page starts that page


@dataclass
class Unit:
    """Blocks and tables of the document's top-level flow that belong on one page."""
    start: object           # the QTextBlock or QTextTable a page break goes before
    top: float
    bottom: float
    body: float             # the top of what its headings head (a table): what a stub is measured from
    first: float | None = None  # a table's: the bottom of its first row (that row goes with the table)


def units(td) -> list[Unit]:
    """The top-level flow of ``td`` as units, in order (positions from its current layout)."""
    from PySide6.QtGui import QTextTable

    layout = td.documentLayout()
    out: list[Unit] = []
    headings: list[Unit] = []
    after_table = False
    it = td.rootFrame().begin()
    while not it.atEnd():
        frame, block = it.currentFrame(), it.currentBlock()
        it += 1
        if frame is not None:
            if not isinstance(frame, QTextTable):
                continue
            rect = layout.frameBoundingRect(frame)
            item = Unit(frame, rect.top(), rect.bottom(), rect.top(), _first_row_bottom(layout, frame))
        elif not block.text():
            continue                                 # Qt's empty block after a table
        else:
            rect = layout.blockBoundingRect(block)
            item = Unit(block, rect.top(), rect.bottom(), rect.top())
            if block.blockFormat().headingLevel() > 0:
                headings.append(item)
                after_table = False
                continue
            if after_table and block.text().startswith("※"):
                out[-1].bottom = item.bottom         # the table's note stays with it
                after_table = False
                continue
        if headings:
            item = Unit(headings[0].start, headings[0].top, item.bottom, item.top, item.first)
            headings = []
        out.append(item)
        after_table = frame is not None
    out += headings
    return out


def _first_row_bottom(layout, table) -> float | None:
    row = table.format().headerRowCount()
    if row >= table.rows():
        return None
    bottoms = []
    for c in range(table.columns()):
        cell = table.cellAt(row, c)
        block = cell.firstCursorPosition().block()
        while block.isValid() and block.position() <= cell.lastPosition():
            bottoms.append(layout.blockBoundingRect(block).bottom())
            block = block.next()
    return max(bottoms, default=None)


def needs_break(unit: Unit, page_height: float, mm: float) -> bool:
    """Whether ``unit`` should start a page (``mm``: document units per millimetre): it crosses the
    foot of one, not from its top, and leaves a stub at the foot (its headings do not count), or
    carries a stub over when it could have moved whole. A table that reaches past the foot by its bottom border alone is such a
    stub (Qt may draw its header row at the top of the next page, with nothing under it)."""
    first, last = int(unit.top // page_height), int(unit.bottom // page_height)
    if first == last or unit.top - first * page_height < TOP_MM * mm:
        return False
    foot = (first + 1) * page_height
    fits = unit.bottom - unit.top < page_height - TOP_MM * mm
    first_row_stub = (unit.first is not None and unit.first > foot and unit.first - foot < MIN_PART_MM * mm
                      and unit.first - unit.top < page_height - TOP_MM * mm)    # its first row split, a stub over
    return (foot - unit.body < MIN_PART_MM * mm or (fits and unit.bottom - foot < MIN_PART_MM * mm)
            or first_row_stub)


def row_units(td) -> list[Unit]:
    """The rows of the document's tables as units, but each table's header and first row (those go
    with the table): a row Qt would split across pages moves whole to the next one the same way,
    by a break before each of its cells' first blocks (Qt honours those)."""
    from PySide6.QtGui import QTextTable

    layout, out = td.documentLayout(), []

    def walk(frame):
        for child in frame.childFrames():
            if isinstance(child, QTextTable):
                for r in range(child.format().headerRowCount() + 1, child.rows()):
                    cells = [child.cellAt(r, c) for c in range(child.columns())]
                    rects = []
                    for cell in cells:
                        block = cell.firstCursorPosition().block()
                        while block.isValid() and block.position() <= cell.lastPosition():
                            rects.append(layout.blockBoundingRect(block))
                            block = block.next()
                    if rects:
                        top = min(rect.top() for rect in rects)
                        out.append(Unit([cell.firstCursorPosition().block() for cell in cells], top,
                                        max(rect.bottom() for rect in rects), top))
            walk(child)
    walk(td.rootFrame())
    return out


def set_break(start, policy) -> None:
    """The page break policy of a block or a table of the flow (QTextFormat.PageBreak_…)."""
    from PySide6.QtGui import QTextCursor

    if isinstance(start, list):                         # a table row: the first block of each cell
        cursor = QTextCursor(start[0])
        cursor.beginEditBlock()                         # laid out again once, not once a cell
        for block in start:
            set_break(block, policy)
        cursor.endEditBlock()
    elif hasattr(start, "blockFormat"):
        fmt = start.blockFormat()
        if fmt.pageBreakPolicy() != policy:
            fmt.setPageBreakPolicy(policy)
            QTextCursor(start).setBlockFormat(fmt)
    elif start.format().pageBreakPolicy() != policy:
        fmt = start.format()
        fmt.setPageBreakPolicy(policy)
        start.setFormat(fmt)


def declared_breaks(td) -> set[int]:
    """The blocks the document itself starts a page with (``page-break-before: always`` in its
    HTML: a measure's page of 目標達成状況), read before the first pagination and kept on ``td``."""
    from PySide6.QtGui import QTextFormat

    known = td.property("declared_breaks")
    if known is None:
        known, block = [], td.begin()
        while block.isValid():
            if block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreak_AlwaysBefore:
                known.append(block.blockNumber())
            block = block.next()
        td.setProperty("declared_breaks", known or [-1])
    return set(known)


def paginate(td, mm: float) -> int:
    """Page breaks set in ``td`` (its page size set) where a person would make them, those of an
    earlier pagination taken out (the document's own kept); ``mm``: document units per millimetre.
    Returns the number of breaks."""
    from PySide6.QtGui import QTextFormat

    declared = declared_breaks(td)
    for unit in units(td) + row_units(td):
        if not (hasattr(unit.start, "blockNumber") and unit.start.blockNumber() in declared):
            set_break(unit.start, QTextFormat.PageBreak_Auto)
    height = td.pageSize().height()
    breaks = 0
    for _round in range(3):             # the flow, its tables' rows, again while a break moved things
        before = breaks
        for flow in (units, row_units):
            checked = 0
            while True:
                td.pageCount()                          # laid out again after the last break
                later = flow(td)[checked:]
                index = next((n for n, u in enumerate(later) if needs_break(u, height, mm)), None)
                if index is None:
                    break
                set_break(later[index].start, QTextFormat.PageBreak_AlwaysBefore)
                checked += index + 1
                breaks += 1
        if breaks == before:
            break
    return breaks
