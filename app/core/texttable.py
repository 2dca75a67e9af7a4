"""Tables inside a person's text, and where its lines may break.

A progress text (進捗状況) may hold small tables, as seed 002's 実施状況 does (査定金額, 回収件数,
広報物). They are stored inside the text in the form Excel puts on the clipboard: **a table is a
run of consecutive lines that hold a tab; each line is a row, the tabs separate its cells**. It
stays readable wherever the text goes (a work package, a progress sheet cell, the command line)
and goes back into Excel by copy and paste. Documents print such a run as a table and every other
line as text (``parts``).

Lines are broken by the Japanese rules (禁則): a 【…】 tag and a figure with its unit are never
split, no line starts with 】、。）」 and none ends with 【（「 (``wrap``; the PDF gets the same from
Qt through word joiners, see app/documents/html.py)."""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

BULLET = "・"
# What is never split across lines: a 【…】 tag and a figure with its unit (17,488円, 94.3%, 6.30日)
WHOLE = re.compile(r"【[^】\n]{1,20}】|[△▲-]?\d[\d,.]*(?:%|％|円|千円|件|事業所|人|日|回|位|通|部|月|年度|年)?")
_WORD = re.compile(WHOLE.pattern + r"|[A-Za-z][A-Za-z0-9_.@/:-]*")
NO_START = set("】、。）」』，．・：；？！ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ)]},.:;!?%％")
NO_END = set("【（「『([{")


def parts(text: str) -> list[str | list[list[str]]]:
    """The text as runs in order: a string for lines of text, a list of rows (each a list of cells,
    all as long as the longest) for a table."""
    out: list = []
    for line in (text or "").split("\n"):
        if "\t" in line:
            row = [c.strip() for c in line.split("\t")]
            if out and isinstance(out[-1], list):
                out[-1].append(row)
            else:
                out.append([row])
        elif out and isinstance(out[-1], str):
            out[-1] += "\n" + line
        else:
            out.append(line)
    for part in out:
        if isinstance(part, list):
            width = max(len(r) for r in part)
            for r in part:
                r += [""] * (width - len(r))
    return out


def has_table(text: str) -> bool:
    return "\t" in (text or "")


def _cell(text: str) -> str:
    """A cell's text on one line (a line break or tab in a cell would end its row or cell)."""
    return re.sub(r"\s*[\r\n\t]+\s*", " ", text).strip()


def from_tab_text(text: str) -> str:
    """Excel's plain-text clipboard (tab-separated, CRLF, a cell holding a line break in quotes)
    as stored: one line per row, a cell's line breaks made spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    if "\t" not in text:
        return text
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    return "\n".join("\t".join(_cell(c) for c in r) for r in rows)


class _Tables(HTMLParser):
    """The cells of the first <table> of an HTML fragment (Excel's text/html clipboard), a
    cell spanning columns followed by empty ones."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.depth = 0
        self.cell: list[str] | None = None
        self.span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th") and self.rows:
            self.cell = []
            span = dict(attrs).get("colspan") or "1"
            self.span = int(span) if span.isdigit() else 1
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag in ("td", "th") and self.cell is not None:
            self.rows[-1] += [_cell("".join(self.cell))] + [""] * (self.span - 1)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def from_html(html: str) -> str | None:
    """An HTML table (Excel's or a browser's text/html clipboard) as stored, or None without one."""
    parser = _Tables()
    parser.feed(html)
    rows = [r for r in parser.rows if r]
    if not rows or max(len(r) for r in rows) < 2:
        return None
    width = max(len(r) for r in rows)
    return "\n".join("\t".join(r + [""] * (width - len(r))) for r in rows)


def _width(ch: str) -> int:
    return 2 if ord(ch) > 0x2E7F or ch in "・" else 1


def _pieces(line: str) -> list[str]:
    """The line cut where it may break: a tag, a figure with its unit, a word is one piece; a
    closing mark joins the piece before it, an opening mark the one after."""
    units: list[str] = []
    pos = 0
    for m in _WORD.finditer(line):
        units += list(line[pos:m.start()]) + [m.group(0)]
        pos = m.end()
    units += list(line[pos:])
    out: list[str] = []
    glue = False
    for u in units:
        if out and (glue or u[0] in NO_START):
            out[-1] += u
        else:
            out.append(u)
        glue = u[-1] in NO_END
    return out


def wrap(text: str, width: float) -> list[str]:
    """The text's lines as printed in ``width`` (half-width characters; a full-width one counts
    two), broken by the rules above; a ``・`` line's next lines are indented under its text
    (ぶら下げ)."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        indent = "　" if line.startswith(BULLET) else ""
        current, used = "", 0
        for piece in _pieces(line):
            w = sum(_width(ch) for ch in piece)
            if current and used + w > width:
                out.append(current.rstrip())
                current, used = indent, 2 * len(indent)
                piece = piece.lstrip(" ")
                w = sum(_width(ch) for ch in piece)
            current += piece
            used += w
        out.append(current)
    return out
