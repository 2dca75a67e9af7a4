"""A document as HTML for Qt's rich-text engine (the PDF and the print preview are made from it).
Every text is escaped: nothing a person wrote is markup.

Laid out for pages: every table of figures is in the page's flow, never inside another table's
cell, so Qt repeats its header row on each page it continues on, and whoever paginates
(ui/pagination.py) can move it whole; only a table a person pasted into a text stays inside the
text's cell, where seed 002 prints it (between the lines around it). Headings are <h2>/<h3> (the block's heading, a table's caption): a heading
keeps with what follows it. A table's note (※令和7年3月末現在) is the block after it."""
from __future__ import annotations

from html import escape

from app.core.texttable import BULLET, WHOLE, parts
from app.documents.report import Document, Table

CSS = """
body { font-size: 9pt; }
h1 { font-size: 15pt; margin: 0 0 4px 0; }
h2 { font-size: 10pt; background: #eef2f7; margin: 14px 0 0 0; }
h3 { font-size: 9pt; margin: 10px 0 0 0; }
.asof { color: #555; font-size: 8pt; margin: 0 0 6px 0; }
th { background: #dde6f0; font-weight: bold; white-space: nowrap; }
td.num { text-align: right; }
.note { color: #555; font-size: 8pt; margin: 1px 0 0 0; }
p.line { margin: 0; }
"""


def table_tag(padding: int) -> str:
    return f'<table border="1" cellspacing="0" cellpadding="{padding}" width="100%" style="border-collapse:collapse">'


WORD_JOINER = "\u2060"


def keep_whole(text: str) -> str:
    """The text with a word joiner between the characters of every tag and figure: Qt breaks lines
    by the Unicode rules, which never break at a word joiner (and it draws nothing). The rules
    also keep 】、。） off a line's start and 【（ off its end."""
    return WHOLE.sub(lambda m: WORD_JOINER.join(m.group(0)), text or "")


def _text(text: str) -> str:
    return escape(keep_whole(text)).replace("\n", "<br>")


def _line(line: str) -> str:
    """A line of a person's text as a paragraph; a ``・`` line hangs: its next lines start under
    its text, not under the bullet."""
    hang = ' style="margin-left:1em; text-indent:-1em"' if line.startswith(BULLET) else ""
    return f'<p class="line"{hang}>{_text(line) or "&nbsp;"}</p>'


def rich_text(text: str) -> str:
    """A person's text as printed: its lines as paragraphs, a table pasted into it (tab-separated
    lines, app/core/texttable.py) as a table in the flow, its first row the header."""
    out = []
    for part in parts(text):
        if isinstance(part, str):
            out.append("".join(_line(line) for line in part.split("\n")))
            continue
        head, *body = part
        out.append(f'{table_tag(2)}<thead><tr>{"".join(f"<th>{_text(c)}</th>" for c in head)}</tr></thead>'
                   + "".join("<tr>" + "".join(f'<td{_align(c)}>{_text(c)}</td>' for c in r) + "</tr>" for r in body)
                   + "</table>")
    return "".join(out)


def _align(cell: str) -> str:
    """A figure (12,345 / 9,543 通 / 7.3%) to the right, as seed 002 prints them."""
    return ' align="right"' if WHOLE.fullmatch(cell.replace(" ", "")) and cell[:1] not in "【" else ""


def _header(text: str) -> str:
    """A column header: never wrapped (th is nowrap), so a word is never broken; where it has
    spaces it is set on several lines there (第1四半期 / 4～6月)."""
    return "<br>".join(escape(word) for word in (text or "").split())


def table_html(t: Table) -> str:
    """Caption, the table with its header row (repeated on each page it continues on), note."""
    wide = len(t.header) > 8                       # a month table: 15 columns in smaller type

    def small(html):
        return f'<span style="font-size:7pt">{html}</span>' if wide else html
    head = "".join(f'<th{" width=10%" if i == 0 and wide else ""}>{small(_header(h))}</th>'
                   for i, h in enumerate(t.header))
    rows = "".join("<tr>" + "".join(
        f'<td class="num" align="right">{small(_text(c.text))}</td>' if c.value is not None or (i and c.text == "－")
        else f"<td>{small(_text(c.text))}</td>" for i, c in enumerate(r)) + "</tr>" for r in t.rows)
    note = f'<p class="note">{_text(t.note)}</p>' if t.note else ""
    return (f"<h3>{_text(t.caption)}</h3>{table_tag(2)}"
            f"<thead><tr>{head}</tr></thead>{rows}</table>{note}")


def _status_block(b) -> str:
    """1.基盤的保険者機能の盤石化 ○ … as a heading, then 計画内容 | 実施状況, then its KPI tables."""
    flags = f"　{b.flags}" if b.flags else ""
    return (f"<h2>{_text(b.heading + flags)}</h2>{table_tag(4)}"
            '<thead><tr><th width="45%">計画内容</th><th width="55%">実施状況</th></tr></thead>'
            f'<tr><td valign="top">{rich_text(b.plan)}</td><td valign="top">{rich_text(b.status)}</td></tr></table>'
            + "".join(table_html(t) for t in b.tables))


PROGRESS_COLUMNS = (("項番", 4), ("事業", 12), ("実施（手段スケジュール）概要", 33),
                    ("進捗状況（計画を下回る場合は、今後改善すべき点等）", 34), ("実施状況", 6), ("全国順位", 11))


def column_header(doc: Document) -> str:
    """The column header a document's pages print once each, at their top (the page header of
    進捗状況: 項番 | 事業 | 概要 | 進捗状況 | 実施状況 | 全国順位), as a table; "" for the others."""
    if doc.kind != "progress":
        return ""
    return (f"{table_tag(3)}<thead><tr>"
            + "".join(f'<th width="{w}%">{escape(h)}</th>' for h, w in PROGRESS_COLUMNS) + "</tr></thead></table>")


def _progress_block(b) -> str:
    """○title（group）, then 項番 | 事業 | 概要 | 進捗状況 | 実施状況 | 全国順位 — a line per rated row
    (項番 and 事業 on the first) — then the item's monthly tables. The columns' header is the
    page's (column_header), not the item's."""
    from app.documents.progress import RowLine, group_heading

    lines = b.lines or [RowLine(b.plan, b.status, b.rating, b.rank)]
    w = [f' width="{w}%"' for _h, w in PROGRESS_COLUMNS]
    item = (f'<td{w[0]} align="center">{b.item_no}</td><td{w[1]}>{_text(b.title)}<br>'
            f'<span class="note">{_text(b.group)}{"<br>" + _text(b.flags) if b.flags else ""}</span></td>')
    rows = "".join(
        f'<tr>{item if n == 0 else f"<td{w[0]}></td><td{w[1]}></td>"}<td{w[2]}>{rich_text(line.plan)}</td>'
        f'<td{w[3]}>{rich_text(line.status)}</td>'
        f'<td{w[4]} align="center"><b>{_text(line.rating or "")}</b></td>'
        f'<td{w[5]} align="center">{_text(line.rank.lines)}</td></tr>' for n, line in enumerate(lines))
    return (f"<h2>{_text(group_heading(b.title, b.group))}</h2>{table_tag(3)}{rows}</table>"
            + "".join(table_html(t) for t in b.tables))


def measure_heading(b) -> str:
    """２．ジェネリック医薬品の使用促進【重要度：高】: a measure's page in 目標達成状況 (seed 001)."""
    return f"{b.item_no}．{b.title}" + (f"　{b.flags}" if b.flags else "")


def _summary_block(b, charts: dict[str, str] | None) -> str:
    """A measure's page (目標達成状況): its heading on a new page, then its parts in order."""
    from app.documents.report import Chart, Section

    out = [f'<h2 style="page-break-before: always">{_text(measure_heading(b))}</h2>']
    for part in b.parts:
        if isinstance(part, Section):
            out.append(f"<h3>{_text(part.heading)}</h3>" + (rich_text(part.text) if part.text else ""))
        elif isinstance(part, Chart):
            if charts and part.indicator in charts:
                out.append(f'<p><img src="{charts[part.indicator]}" width="620"></p>')
        else:
            out.append(table_html(part))
    return "".join(out)


def document_html(doc: Document, charts: dict[str, str] | None = None) -> str:
    """``charts``: indicator → resource URL of its image (added to the QTextDocument by the caller)."""
    parts = [f"<h1>{_text(doc.title)}</h1>",
             f'<p class="asof">{_text(("※" + doc.as_of + "　") if doc.as_of else "")}{_text(doc.label)}</p>']
    if doc.kind == "status":
        parts += [_status_block(b) for b in doc.blocks]
    elif doc.kind == "progress":                    # the first page's column header in its flow
        parts += [column_header(doc)] + [_progress_block(b) for b in doc.blocks]
    if doc.summary is not None and doc.kind == "summary":       # its first table first, then a page per measure
        parts += [table_html(doc.summary)] + [_summary_block(b, charts) for b in doc.blocks]
    elif doc.summary is not None:
        parts.append(table_html(doc.summary))
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
