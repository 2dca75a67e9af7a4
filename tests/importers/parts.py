"""Workbooks written part by part (XML into a zip), and the cells openpyxl and the reader see.

The probes of test_probes build legal-but-unusual and malformed .xlsx files this way; the
differential tests compare every cell (value, type, number format) with openpyxl's full
(not read-only) reading, which places cells by their reference.
"""
from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# style 0 General, 1 0.0%, 2 a date (numFmtId 14), 3 [h]:mm, 4 #,##0
STYLES = (f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><cellXfs count="5"><xf numFmtId="0"/>'
          '<xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/><xf numFmtId="3"/></cellXfs></styleSheet>')


def sheet_xml(rows: str, head: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{head}<sheetData>{rows}</sheetData></worksheet>'


def xlsx(path: Path, sheets: dict[str, str | bytes] | str | bytes, strings: str | bytes | None = None,
         workbook_pr: str = "", styles: str | None = STYLES, rename: dict[str, str] | None = None) -> Path:
    """A workbook from its parts. A sheet given as rows only (no '<?xml') is wrapped in a
    worksheet, ``strings`` likewise in an sst; bytes are written as they are (other encodings)."""
    if not isinstance(sheets, dict):
        sheets = {"S": sheets}
    parts: dict[str, str | bytes] = {}
    rels, entries = [], []
    for i, (name, xml) in enumerate(sheets.items(), 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml if isinstance(xml, bytes) or xml.startswith("<?xml") else sheet_xml(xml)
        rels.append(f'<Relationship Id="rId{i}" Type="{TYPES}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        entries.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
    if strings is not None:
        parts["xl/sharedStrings.xml"] = (strings if isinstance(strings, bytes) or strings.startswith("<?xml")
                                         else f'<?xml version="1.0"?><sst {NS}>{strings}</sst>')
        rels.append(f'<Relationship Id="rIdS" Type="{TYPES}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        parts["xl/styles.xml"] = styles
        rels.append(f'<Relationship Id="rIdT" Type="{TYPES}/styles" Target="styles.xml"/>')
    parts["xl/workbook.xml"] = (f'<?xml version="1.0"?><workbook {NS} {REL}>{workbook_pr}'
                                f'<sheets>{"".join(entries)}</sheets></workbook>')
    parts["xl/_rels/workbook.xml.rels"] = f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'
    parts["_rels/.rels"] = (f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                            f'Type="{TYPES}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    overrides = "".join(f'<Override PartName="/{n}" ContentType="application/vnd.openxmlformats-officedocument.'
                        f'spreadsheetml.{kind}+xml"/>' for n, kind in
                        [("xl/workbook.xml", "sheet.main")]
                        + [(n, "worksheet") for n in parts if n.startswith("xl/worksheets/")]
                        + ([("xl/sharedStrings.xml", "sharedStrings")] if strings is not None else [])
                        + ([("xl/styles.xml", "styles")] if styles is not None else []))
    parts["[Content_Types].xml"] = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                                    'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
                                    'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
                                    f'"application/xml"/>{overrides}</Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr((rename or {}).get(name, name), data)
    return path


Cells = dict[str, dict[tuple[int, int], tuple[type, object, str]]]


def openpyxl_cells(path) -> Cells:
    """Every cell holding a value as openpyxl's full reader sees it: (type, value, number format)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=True)
    out: Cells = {}
    for ws in wb.worksheets:
        out[ws.title] = {(c.row - 1, c.column - 1): (type(c.value), c.value, c.number_format)
                         for row in ws.iter_rows() for c in row if c.value is not None}
    wb.close()
    return out


def reader_cells(path) -> Cells:
    from importers.formats.workbook import load_book

    return {s.name: {(r, c): (type(cell.value), cell.value, cell.number_format)
                     for r, row in enumerate(s.rows) for c, cell in enumerate(row) if cell.value is not None}
            for s in load_book(path).sheets}


def differences(expected: Cells, got: Cells, limit: int = 5) -> list[str]:
    """What differs, at most ``limit`` lines ([] when the sheets and all their cells agree)."""
    out = [] if list(expected) == list(got) else [f"sheets {list(expected)} != {list(got)}"]
    for name, cells in expected.items():
        theirs = got.get(name, {})
        for key in sorted(set(cells) | set(theirs)):
            if cells.get(key) != theirs.get(key):
                out.append(f"{name}!{key}: {cells.get(key)!r} != {theirs.get(key)!r}")
    return out[:limit]
