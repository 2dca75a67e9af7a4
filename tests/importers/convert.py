"""An .xlsx saved as .xls (xlwt) or .ods (odfpy), values and number formats kept, without
LibreOffice: the cells a person would see in the same workbook saved in the other format."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl


def _cells(src: Path):
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        yield ws.title, [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]


def to_xls(src: Path, out: Path) -> Path:
    import xlwt

    book, styles = xlwt.Workbook(encoding="utf-8"), {}
    for title, rows in _cells(src):
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, (value, fmt) in enumerate(row):
                if value is None:
                    continue
                style = styles.get(fmt) or styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                if isinstance(value, dt.timedelta):
                    value = value / dt.timedelta(days=1)
                sheet.write(r, c, value, style)
    book.save(str(out))
    return out


def to_ods(src: Path, out: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc, styles = OpenDocumentSpreadsheet(), {}
    for title, rows in _cells(src):
        table = Table(name=title)
        for row in rows:
            tr = TableRow()
            for value, fmt in row:
                tr.addElement(_cell(doc, styles, value, fmt, TableCell, P))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(out))
    return out


def _cell(doc, styles, value, fmt, TableCell, P):
    if value is None:
        return TableCell()
    if isinstance(value, bool):
        return TableCell(valuetype="boolean", booleanvalue=str(value).lower())
    if isinstance(value, str):
        cell = TableCell(valuetype="string")
        for line in value.split("\n"):
            cell.addElement(P(text=line))
        return cell
    style = {"stylename": s} if (s := _style(doc, styles, fmt)) else {}
    if isinstance(value, (dt.time, dt.timedelta)):
        span = value if isinstance(value, dt.timedelta) else dt.timedelta(hours=value.hour, minutes=value.minute,
                                                                         seconds=value.second)
        seconds = int(span.total_seconds())
        return TableCell(valuetype="time", timevalue=f"PT{seconds // 3600}H{seconds // 60 % 60:02d}M{seconds % 60:02d}S", **style)
    if isinstance(value, dt.datetime):
        return TableCell(valuetype="date", datevalue=value.isoformat(), **style)
    kind = "percentage" if "%" in fmt else "float"
    return TableCell(valuetype=kind, value=repr(value), **style)


def _style(doc, styles, fmt: str):
    """A cell style with a data style for the format: percent, grouped number, [h]:mm or h:mm."""
    if fmt in styles:
        return styles[fmt]
    from odf import number
    from odf.style import Style

    name = f"N{len(styles)}"
    places = len(m.group(1)) if (m := re.search(r"\.(0+)", fmt)) else 0
    if "%" in fmt:
        data = number.PercentageStyle(name=name)
        data.addElement(number.Number(decimalplaces=places, minintegerdigits=1))
        data.addElement(number.Text(text="%"))
    elif "h" in fmt:
        data = number.TimeStyle(name=name, truncateonoverflow="false" if "[" in fmt else "true")
        data.addElement(number.Hours())
        data.addElement(number.Text(text=":"))
        data.addElement(number.Minutes(style="long"))
    elif "0" in fmt:
        data = number.NumberStyle(name=name)
        data.addElement(number.Number(decimalplaces=places, minintegerdigits=1, grouping=str("," in fmt).lower()))
    else:
        styles[fmt] = None
        return None
    doc.automaticstyles.addElement(data)
    style = Style(name=f"c{name}", family="table-cell", datastylename=name)
    doc.automaticstyles.addElement(style)
    styles[fmt] = style
    return style
