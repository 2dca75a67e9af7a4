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
from typing import NamedTuple

MIN_PART_MM = 25            # a part of a unit shorter than this on a page is a stub
TOP_MM = 1                  # a unit this close to the top of its page starts that page
ROOM_MM = 5                 # a split row's cell padding and the table's border under its last line


@dataclass
class Unit:
    """Blocks and tables of the document's top-level flow that belong on one page."""
    start: object           # the QTextBlock or QTextTable a page break goes before
    top: float
    bottom: float
    body: float             # the top of what its headings head (a table): what a stub is measured from
    first: object = None    # a table's: () -> the bottom of its first row (that row goes with the table)


@dataclass
class _Span:
    """A unit as the document's structure gives it (page breaks do not change it), measured anew
    from the current layout by measure(): where its page break goes and the blocks or frames it
    spans."""
    start: object
    top: object             # the block or frame whose top is the unit's (its first heading)
    body: object            # … whose top is its body's
    bottom: object          # … whose bottom is the unit's (a table's note)
    table: object = None


def _rect(layout, item):
    return layout.blockBoundingRect(item) if hasattr(item, "blockFormat") else layout.frameBoundingRect(item)


def measure(layout, span: _Span) -> Unit:
    """The unit ``span`` where the current layout puts it."""
    body = _rect(layout, span.body)
    top = body.top() if span.top is span.body else _rect(layout, span.top).top()
    bottom = body.bottom() if span.bottom is span.body else _rect(layout, span.bottom).bottom()
    first = (lambda: _first_row_bottom(layout, span.table)) if span.table is not None else None
    return Unit(span.start, top, bottom, body.top(), first)


def _spans(td) -> list[_Span]:
    """The top-level flow of ``td`` as units, in order."""
    from PySide6.QtGui import QTextTable

    out: list[_Span] = []
    headings: list = []
    after_table = False
    it = td.rootFrame().begin()
    while not it.atEnd():
        frame, block = it.currentFrame(), it.currentBlock()
        it += 1
        if frame is not None:
            if not isinstance(frame, QTextTable):
                continue
            item = _Span(frame, frame, frame, frame, frame)
        elif not block.text():
            continue                                 # Qt's empty block after a table
        else:
            if block.blockFormat().headingLevel() > 0:
                headings.append(block)
                after_table = False
                continue
            if after_table and block.text().startswith("※"):
                out[-1].bottom = block               # the table's note stays with it
                after_table = False
                continue
            item = _Span(block, block, block, block)
        if headings:
            item.start, item.top = headings[0], headings[0]
            headings = []
        out.append(item)
        after_table = frame is not None
    out += [_Span(h, h, h, h) for h in headings]
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
    if foot - unit.body < MIN_PART_MM * mm or (fits and unit.bottom - foot < MIN_PART_MM * mm):
        return True
    row = unit.first() if unit.first is not None else None         # its first row split, a stub over
    return (row is not None and row > foot and row - foot < MIN_PART_MM * mm
            and row - unit.top < page_height - TOP_MM * mm)


class _Row(NamedTuple):
    start: list             # the first block of each cell: where its page break goes
    blocks: list            # all its blocks


def _row_spans(td, after: int = 0) -> list[_Row]:
    """The rows of the document's tables as units, but each table's header and first row (those go
    with the table): a row Qt would split across pages moves whole to the next one the same way,
    by a break before each of its cells' first blocks (Qt honours those). Tables that end before
    position ``after`` are passed over."""
    from PySide6.QtGui import QTextTable

    out = []

    def walk(frame):
        for child in frame.childFrames():
            if child.lastPosition() < after:
                continue
            if isinstance(child, QTextTable):
                for r in range(child.format().headerRowCount() + 1, child.rows()):
                    cells = [child.cellAt(r, c) for c in range(child.columns())]
                    blocks = []
                    for cell in cells:
                        block = cell.firstCursorPosition().block()
                        while block.isValid() and block.position() <= cell.lastPosition():
                            blocks.append(block)
                            block = block.next()
                    if blocks:
                        out.append(_Row([cell.firstCursorPosition().block() for cell in cells], blocks))
            walk(child)
    walk(td.rootFrame())
    return out


def _measure_row(layout, row: _Row) -> Unit:
    rects = [layout.blockBoundingRect(block) for block in row.blocks]
    top = min(rect.top() for rect in rects)
    return Unit(row.start, top, max(rect.bottom() for rect in rects), top)


def set_break(start, policy, cursor=None) -> None:
    """The page break policy of a block or a table of the flow (QTextFormat.PageBreak_…);
    ``cursor``: one of the document's, in an edit block (many changes, one layout)."""
    from PySide6.QtGui import QTextCursor

    if isinstance(start, list):                         # a table row: the first block of each cell
        own = cursor is None
        cursor = cursor or QTextCursor(start[0])
        if own:
            cursor.beginEditBlock()
        for block in start:
            set_break(block, policy, cursor)
        if own:
            cursor.endEditBlock()
    elif hasattr(start, "blockFormat"):
        fmt = start.blockFormat()
        if fmt.pageBreakPolicy() != policy:
            fmt.setPageBreakPolicy(policy)
            cursor = cursor or QTextCursor(start)
            cursor.setPosition(start.position())
            cursor.setBlockFormat(fmt)
    elif start.format().pageBreakPolicy() != policy:
        fmt = start.format()
        fmt.setPageBreakPolicy(policy)
        start.setFormat(fmt)


def _position(start) -> int:
    start = start[0] if isinstance(start, list) else start
    return start.position() if hasattr(start, "blockFormat") else start.firstPosition()


KEPT = 1                    # a block's userState: a page break the document made (kept by paginate)
CONTINUED = "（続き）"


def declared_breaks(td) -> None:
    """The blocks the document itself starts a page with (``page-break-before: always`` in its
    HTML: a measure's page of 目標達成状況) marked KEPT (their userState; it stays with the block
    when blocks are added before it), once, before the first pagination."""
    from PySide6.QtGui import QTextFormat

    if td.property("declared_breaks"):
        return
    block = td.begin()
    while block.isValid():
        if block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreak_AlwaysBefore:
            block.setUserState(KEPT)
        block = block.next()
    td.setProperty("declared_breaks", True)


def _kept(start) -> bool:
    return hasattr(start, "userState") and start.userState() == KEPT


def _top_tables(td) -> list:
    from PySide6.QtGui import QTextTable

    return [f for f in td.rootFrame().childFrames() if isinstance(f, QTextTable)]


def _row_extent(layout, table, r) -> tuple[float, float] | None:
    rects = []
    for c in range(table.columns()):
        cell = table.cellAt(r, c)
        block = cell.firstCursorPosition().block()
        while block.isValid() and block.position() <= cell.lastPosition():
            rects.append(layout.blockBoundingRect(block))
            block = block.next()
    return (min(r.top() for r in rects), max(r.bottom() for r in rects)) if rects else None


def _heading_before(td, table):
    """The heading a table's continuation repeats: the nearest heading block above it (an item's
    <h2>, a table's caption <h3>), the document's title not counted."""
    block = td.findBlock(table.firstPosition() - 1)
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level > 1 and block.text():
            return block
        if level == 1:
            return None
        block = block.previous()
    return None


def split_table(td, table, row: int):
    """The rows of ``table`` from ``row`` on moved into a copy of it just after it, with its header
    rows, under its heading repeated with （続き）; that heading starts a page (a break kept).
    Returns the heading's block and the copy."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    heading = _heading_before(td, table)
    rows, columns, header = table.rows(), table.columns(), table.format().headerRowCount()
    edit = QTextCursor(td)
    edit.beginEditBlock()                                    # laid out once, when done
    at = QTextCursor(td)
    at.setPosition(table.lastPosition() + 1)                 # the block after the table
    at.insertBlock()
    at.movePosition(QTextCursor.PreviousBlock)
    block = at.block()
    fmt = heading.blockFormat() if heading is not None else block.blockFormat()
    fmt.setPageBreakPolicy(QTextFormat.PageBreak_AlwaysBefore)
    at.setBlockFormat(fmt)
    block.setUserState(KEPT)
    if heading is not None:
        look = QTextCursor(heading)
        look.movePosition(QTextCursor.NextCharacter)
        at.insertText(heading.text().rstrip() + CONTINUED, look.charFormat())
    moved = list(range(header)) + list(range(row, rows))
    continuation = at.insertTable(len(moved), columns, table.format())
    copy = QTextCursor(td)
    for n, r in enumerate(moved):
        for c in range(columns):
            old, cell = table.cellAt(r, c), continuation.cellAt(n, c)
            cell.setFormat(old.format())
            copy.setPosition(old.firstPosition())
            copy.setPosition(old.lastPosition(), QTextCursor.KeepAnchor)
            into = cell.firstCursorPosition()
            fmt = td.findBlock(old.firstPosition()).blockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreak_Auto)     # a row's break: the heading makes it
            into.setBlockFormat(fmt)
            into.insertFragment(copy.selection())
    table.removeRows(row, rows - row)
    last = [table.cellAt(row - 1, c).firstCursorPosition().block() for c in range(columns)]
    set_break(last, QTextFormat.PageBreak_Auto, edit)          # it ends the page: no break of a row left in it
    edit.endEditBlock()
    return td.findBlock(block.position()), continuation


def _row_cuts(td, table, row: int, foot: float) -> list | None:
    """Where split_row cuts each cell of the row (None: the cell stays whole, -1: all of it goes
    on), or None when no cell has a paragraph above the foot."""
    layout = td.documentLayout()
    cuts = []
    for c in range(table.columns()):
        cell = table.cellAt(row, c)
        it, cut, first = cell.begin(), None, True
        while not it.atEnd():
            frame, block = it.currentFrame(), it.currentBlock()
            it += 1
            rect = layout.frameBoundingRect(frame) if frame is not None else layout.blockBoundingRect(block)
            start = frame.firstPosition() - 1 if frame is not None else block.position()
            if rect.bottom() > foot:
                cut = None if first else start
                if first:
                    cut = -1                                  # the whole cell goes on
                break
            first = False
        cuts.append(cut)
    return None if all(cut in (None, -1) for cut in cuts) else cuts


def split_row(td, table, row: int, foot: float) -> bool:
    """Row ``row`` of ``table`` split where the page ends (``foot``): in each cell, the paragraphs
    from the first that reaches past the foot go into a new row under it. False (nothing done)
    when no cell has a paragraph above the foot."""
    from PySide6.QtGui import QTextCursor

    cuts = _row_cuts(td, table, row, foot)
    if cuts is None:
        return False
    edit = QTextCursor(td)
    edit.beginEditBlock()
    table.insertRows(row + 1, 1)
    for c, cut in reversed(list(enumerate(cuts))):            # later cells first: positions hold
        if cut is None:
            continue
        cell = table.cellAt(row, c)
        cursor = QTextCursor(td)
        cursor.setPosition(cell.firstPosition() if cut == -1 else cut)
        cursor.setPosition(cell.lastPosition(), QTextCursor.KeepAnchor)
        moved = cursor.selection()
        if cut != -1:
            cursor.setPosition(cut - 1)                       # the line break before it goes too
            cursor.setPosition(cell.lastPosition(), QTextCursor.KeepAnchor)
        cursor.removeSelectedText()
        QTextCursor(table.cellAt(row + 1, c).firstCursorPosition()).insertFragment(moved)
    edit.endEditBlock()
    return True


def _crossing(td, mm: float, until: int | None = None):
    """The first table of the flow that goes on over a page (one starting after ``until`` not
    looked at), as (table, the row its next page starts with, the foot the row crosses or None
    when the row starts on the next page); None when there is none."""
    layout, height = td.documentLayout(), td.pageSize().height()
    for table in _top_tables(td):
        if until is not None and table.firstPosition() > until:
            break
        rect = layout.frameBoundingRect(table)
        page = int(rect.top() // height)
        if int((rect.bottom() + ROOM_MM * mm) // height) == page:
            continue                                                  # on one page, its rows too
        header = table.format().headerRowCount()
        for r in range(header, table.rows()):
            extent = _row_extent(layout, table, r)
            if extent is None:
                continue
            top, bottom = extent
            if int(top // height) > page:
                if r > header:
                    return table, r, None
                break
            if int((bottom + ROOM_MM * mm) // height) > page:         # its border under the foot too
                foot = (page + 1) * height - ROOM_MM * mm
                if r > header or _row_cuts(td, table, r, foot) is not None:
                    return table, r, foot
                break
    return None


def split_crossing(td, mm: float, tail: _Tail | None = None) -> int | None:
    """The first table of the flow that goes on over a page split there (split_table), a row that
    crosses the page's foot first split between its paragraphs (split_row: those that end above
    the foot by the room its cell's padding and border take). Returns where the continuation starts,
    None when no table goes on over a page."""
    found = _crossing(td, mm)
    while found is None and tail is not None and tail.attach():
        found = _crossing(td, mm)
    if found is None:
        return None
    from PySide6.QtGui import QTextCursor

    table, row, foot = found
    edit = QTextCursor(td)
    edit.beginEditBlock()                                    # laid out once, when done
    if foot is not None and split_row(td, table, row, foot):
        row += 1
    heading, continuation = split_table(td, table, row)
    edit.endEditBlock()
    first = table.firstPosition() - 1                  # laid out anew: Qt keeps a split row's old height
    td.markContentsDirty(first, continuation.lastPosition() + 1 - first)
    return heading.position()


def paginate(td, mm: float) -> int:
    """Page breaks set in ``td`` (its page size set) where a person would make them, those of an
    earlier pagination taken out (the document's own kept), and every table that goes on over a
    page split into one per page, the later ones under their heading with （続き）;
    ``mm``: document units per millimetre. Returns the number of breaks.

    Decided from the top down, on the part of the document looked at so far (_Tail): Qt lays a
    document out again from a change to its end, and a block's place depends only on what is
    above it, so the flow below is kept aside and attached when the decisions reach it."""
    td.setUndoRedoEnabled(False)
    declared_breaks(td)
    tail = _Tail(td)
    breaks = place_breaks(td, mm, tail=tail)
    for _split in range(500):
        split = split_crossing(td, mm, tail)
        if split is None:
            break
        breaks += place_breaks(td, mm, split, tail)
    while tail.attach():
        pass
    return breaks


class _Tail:
    """The flow of a document below the part pagination has reached, kept aside in a document of
    its own and attached at the end a chunk (CHUNK characters, up to the start of a unit) at a
    time. Cut and attached with the paragraph break before a unit's first block (one that follows
    a paragraph, not a table's end), so every block keeps its format; the document's own breaks
    (declared_breaks) are marked KEPT again."""
    CHUNK = 1500

    def __init__(self, td):
        from PySide6.QtGui import QTextCursor, QTextDocument

        self.td, self.rest = td, None
        ends = {table.lastPosition() for table in _top_tables(td)}        # (a table's end: no paragraph break)
        starts = [span.start.position() for span in _spans(td)[1:]
                  if hasattr(span.start, "blockFormat") and span.start.position() - 1 not in ends]
        cut = next((at for at in starts if at >= self.CHUNK), None)
        if cut is None:
            return
        self.stops, self.taken = [at - cut for at in starts if at > cut], 0     # (from the cut)
        cursor = QTextCursor(td)
        cursor.beginEditBlock()                     # (a cursor moved outside one lays its block out)
        cursor.setPosition(cut - 1)
        cursor.setPosition(td.characterCount() - 1, QTextCursor.KeepAnchor)
        part = cursor.selection()
        cursor.removeSelectedText()
        cursor.endEditBlock()
        self.rest = QTextDocument()
        self.rest.setUndoRedoEnabled(False)
        QTextCursor(self.rest).insertFragment(part)

    def attach(self) -> bool:
        """The next chunk attached at the document's end; False when nothing was left."""
        from PySide6.QtGui import QTextCursor, QTextFormat

        if self.rest is None:
            return False
        stop = next((at for at in self.stops if at >= self.taken + self.CHUNK), None)
        cursor = QTextCursor(self.rest)
        cursor.beginEditBlock()
        cursor.setPosition(self.rest.characterCount() - 1 if stop is None else stop - self.taken,
                           QTextCursor.KeepAnchor)
        part = cursor.selection()
        cursor.removeSelectedText()
        cursor.endEditBlock()
        end = QTextCursor(self.td)
        end.beginEditBlock()
        end.setPosition(self.td.characterCount() - 1)
        block = end.block()
        end.insertFragment(part)
        end.endEditBlock()
        while block.isValid():
            if block.blockFormat().pageBreakPolicy() & QTextFormat.PageBreak_AlwaysBefore:
                block.setUserState(KEPT)
            block = block.next()
        if stop is None:
            self.rest = None
        else:
            self.taken = stop
        return True


def place_breaks(td, mm: float, after: int = 0, tail: _Tail | None = None) -> int:
    """Page breaks from position ``after`` on (those before it stand), up to the first table
    that goes on over a page (paginate splits it, and what follows moves); ``tail``: the flow not
    attached yet, attached as the units are looked at."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    cursor = QTextCursor(td)
    cursor.beginEditBlock()
    flows = ((_spans, measure), (lambda td: _row_spans(td, after), _measure_row))
    for spans, _measured in flows:                 # (page breaks do not change them)
        for span in spans(td):
            if not _kept(span.start) and _position(span.start) >= after:
                set_break(span.start, QTextFormat.PageBreak_Auto, cursor)
    cursor.endEditBlock()
    height, layout = td.pageSize().height(), td.documentLayout()
    breaks, limit = 0, None
    for _round in range(3):             # the flow, its tables' rows, again while a break moved things
        before = breaks
        for spans, measured in flows:
            later = [span for span in spans(td) if _position(span.start) >= after]
            checked = 0
            while True:
                td.pageCount()                          # laid out again after the last break
                index, n = None, checked
                while index is None:
                    if n == len(later):                 # the units looked at: more attached, or the end
                        if limit is not None or tail is None or not tail.attach():
                            break
                        later = [span for span in spans(td) if _position(span.start) >= after]
                        continue
                    if (limit is None or _position(later[n].start) < limit) \
                            and needs_break(measured(layout, later[n]), height, mm):
                        index = n
                    n += 1
                if index is None:
                    break
                checked, at = index + 1, _position(later[index].start)
                crossing = _crossing(td, mm, at)
                if crossing is not None and crossing[0].lastPosition() < at:
                    limit = at                          # paginate splits that table first: the rest moves
                    continue
                set_break(later[index].start, QTextFormat.PageBreak_AlwaysBefore)
                breaks += 1
        if breaks == before:
            break
    return breaks
