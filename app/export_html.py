"""A document as HTML for Qt's rich-text engine (the PDF and the print preview are made from it).
Every text is escaped: nothing a person wrote is markup."""
from __future__ import annotations

from html import escape

from app.report import Document, Table

CSS = """
body { font-size: 9pt; }
h1 { font-size: 15pt; margin: 0 0 4px 0; }
.asof { color: #555; font-size: 8pt; }
.block { background: #eef2f7; font-weight: bold; font-size: 10pt; }
th { background: #dde6f0; font-weight: bold; }
td.num { text-align: right; }
.caption { font-weight: bold; margin-top: 6px; }
.note { color: #555; font-size: 8pt; }
"""


def _text(text: str) -> str:
    return escape(text or "").replace("\n", "<br>")


def table_html(t: Table, repeat_header: bool = True) -> str:
    """``repeat_header``: the header row repeated on each page the table continues on. Only for a
    table in the page's flow: Qt places the repeated header of a table inside a table cell from the
    table's place in that cell, not on the page (the demo's 進捗状況 had a month table's header
    drawn a second time, shifted, over the real one)."""
    wide = len(t.header) > 8                       # a month table: 15 columns in smaller type

    def txt(text):
        return f'<span style="font-size:7pt">{_text(text)}</span>' if wide else _text(text)
    head = "".join(f'<th{" width=10%" if i == 0 and wide else ""}>{txt(h)}</th>' for i, h in enumerate(t.header))
    rows = "".join("<tr>" + "".join(
        f'<td class="num" align="right">{txt(c.text)}</td>' if c.value is not None or (i and c.text == "－")
        else f"<td>{txt(c.text)}</td>" for i, c in enumerate(r)) + "</tr>" for r in t.rows)
    note = f'<div class="note">{_text(t.note)}</div>' if t.note else ""
    return (f'<div class="caption">{_text(t.caption)}</div>'
            f'<table border="1" cellspacing="0" cellpadding="2" width="100%" style="border-collapse:collapse">'
            + (f"<thead><tr>{head}</tr></thead>" if repeat_header else f"<tr>{head}</tr>") + f"{rows}</table>{note}")


def document_html(doc: Document, charts: dict[str, str] | None = None) -> str:
    """``charts``: indicator → resource URL of its image (added to the QTextDocument by the caller)."""
    parts = [f"<h1>{_text(doc.title)}</h1>",
             f'<div class="asof">{_text(("※" + doc.as_of + "　") if doc.as_of else "")}{_text(doc.label)}</div><br>']
    if doc.kind == "status":
        parts.append('<table border="1" cellspacing="0" cellpadding="4" width="100%" style="border-collapse:collapse">'
                     '<thead><tr><th width="45%">計画内容</th><th width="55%">実施状況</th></tr></thead>')
        for b in doc.blocks:
            flags = f"　{b.flags}" if b.flags else ""
            parts.append(f'<tr><td colspan="2" class="block">{_text(b.heading + flags)}</td></tr>')
            parts.append(f'<tr><td valign="top">{_text(b.plan)}</td><td valign="top">{_text(b.status)}</td></tr>')
            if b.tables:                        # the KPI tables under both columns, full width
                parts.append(f'<tr><td colspan="2">{"".join(table_html(t, False) for t in b.tables)}</td></tr>')
        parts.append("</table>")
    elif doc.kind == "progress":
        parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%" style="border-collapse:collapse">'
                     '<thead><tr><th width="4%">項番</th><th width="12%">事業</th>'
                     '<th width="34%">実施（手段スケジュール）概要</th>'
                     '<th width="40%">進捗状況（計画を下回る場合は、今後改善すべき点等）</th>'
                     '<th width="5%">実施状況</th><th width="5%">全国順位</th></tr></thead>')
        for b in doc.blocks:
            parts.append(f'<tr><td align="center">{b.item_no}</td><td>{_text(b.title)}<br>'
                         f'<span class="note">{_text(b.group)}<br>{_text(b.flags)}</span></td>'
                         f"<td>{_text(b.plan)}</td><td>{_text(b.status)}</td>"
                         f'<td align="center"><b>{_text(b.rating or "")}</b></td>'
                         f'<td align="center">{f"{b.rank}位" if b.rank else ""}</td></tr>')
            if b.tables:
                parts.append(f'<tr><td></td><td colspan="5">{"".join(table_html(t, False) for t in b.tables)}</td></tr>')
        parts.append("</table>")
    if doc.summary is not None:
        parts.append("<br>" + table_html(doc.summary))
    for code in doc.charts:
        if charts and code in charts:
            parts.append(f'<p><img src="{charts[code]}" width="620"></p>')
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
