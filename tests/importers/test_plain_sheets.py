"""The quick way through a plain sheet (importers.formats.xlsx._plain_sheet: one regular
expression after expat found the part well-formed) reads exactly what expat's handlers read;
a part in any other shape goes the other way, and what each refuses is refused alike."""
import datetime as dt

import openpyxl
import pytest

from app.core.errors import ImportRefused
from importers.formats import xlsx as fastxlsx
from importers.formats.workbook import load_book
from tests.conftest import SAMPLE
from tests.importers.build import REFERENCE, write_monthly
from tests.importers.parts import NS, xlsx
from tests.importers.test_national import hq_workbook
from tests.importers.test_variants import LAYOUTS


def both_ways(path, monkeypatch):
    """(the book read as the import reads it, the same read by expat's handlers alone, how many
    sheets went the quick way)."""
    taken = []
    plain = fastxlsx._plain_sheet

    def counted(*args):
        taken.append(True)                  # the quick way, unless it says the shape is not its own
        merged = plain(*args)
        taken[-1] = merged is not None
        return merged

    def read():
        try:
            book = load_book(path)
            return [(s.name, s.rows) for s in book.sheets], book.uncached
        except ImportRefused as exc:
            return str(exc)

    with monkeypatch.context() as m:
        m.setattr(fastxlsx, "_plain_sheet", counted)
        quick = read()
    with monkeypatch.context() as m:
        m.setattr(fastxlsx, "_plain_sheet", lambda *args: None)
        parsed = read()
    return quick, parsed, sum(taken)


def written(tmp_path):
    yield from sorted(SAMPLE.glob("*.xlsx"))
    for name, layout in LAYOUTS.items():
        yield write_monthly(tmp_path / f"{name}.xlsx", REFERENCE, layout)
    yield hq_workbook(tmp_path / "hq.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["A & B <c>", 1, 2.5, -3, True, False, None, "=1+1", "#N/A", " 前後に空白 ", "改行\nあり"])
    ws.append([dt.datetime(2024, 12, 11), dt.time(3, 5), dt.timedelta(hours=25), 0.946, 1e-7, 12345678901, 1e300])
    ws["B2"].number_format, ws["D2"].number_format = "h:mm", "0.0%"
    ws.merge_cells("A5:C6")
    ws["A5"], ws["Z9"] = "結合", "遠いセル"
    wb.save(tmp_path / "kinds.xlsx")
    yield tmp_path / "kinds.xlsx"


def test_workbooks_as_programs_write_them_go_the_quick_way_and_read_alike(tmp_path, monkeypatch):
    for path in written(tmp_path):
        quick, parsed, taken = both_ways(path, monkeypatch)
        assert quick == parsed, path.name
        assert taken == len(quick[0]), path.name        # every sheet the quick way


PLAIN = '<row r="1"><c r="A1" s="1"><v>0.5</v></c><c r="B1" t="inlineStr"><is><t>群馬</t></is></c></row>'
SHAPES = {
    "plain": (PLAIN, True),
    "pretty-printed": (PLAIN.replace("><", ">\n  <"), False),   # whitespace inside <v> and <is>: expat's way
    "rows between": ('<row r="1" spans="1:2" ht="20" customHeight="1">\n<c r="A1"><v>7</v></c>\n</row>\n'
                     '<row r="2"/><row r="3"></row><row r="4"><c r="B4" s="4"><v>12345</v></c></row>', True),
    "entities": ('<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> &amp;&lt;&#x41;&#66;&#13;&quot; '
                 '</t></is></c></row>', True),
    "formulas": ('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1</f>'
                 '</c><c r="C1" t="str"><f t="shared" si="0"/><v>x</v></c><c r="D1"><f>A1</f></c></row>', True),
    "a date": ('<row r="1"><c r="A1" s="2"><v>45000</v></c><c r="B1" s="3"><v>1.5</v></c></row>', True),
    "text types": ('<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#DIV/0!</v></c>'
                   '<c r="C1" t="str"><v>文字</v></c><c r="D1" t="n"><v>-3</v></c><c r="E1" t="d">'
                   '<v>2024-12-11T00:00:00</v></c><c r="F1"><v>1E+3</v></c><c r="G1"/></row>', True),
    "a cell twice": ('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>', True),
    "cells out of order": ('<row r="3"><c r="B3"><v>1</v></c></row><row r="1"><c r="C1"><v>2</v></c>'
                           '<c r="A1"><v>3</v></c></row>', True),
    "merged": (PLAIN + '<row r="2"><c r="A2"><v>9</v></c><c r="B2"><v>8</v></c></row>', True,
               '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'),
    "merged, commented out": (PLAIN, False, '<!-- <mergeCells><mergeCell ref="A1:B1"/></mergeCells> -->'),
    "merged, other attributes": (PLAIN, False, '<mergeCells><mergeCell x="1" ref="A1:B1"/></mergeCells>'),
    "no references": ('<row><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>', False),
    "attributes in another order": ('<row r="1"><c t="n" r="A1" s="1"><v>1</v></c></row>', False),
    "other attributes": ('<row r="1"><c r="A1" s="1" cm="1"><v>1</v></c></row>', False),
    "rich inline text": ('<row r="1"><c r="A1" t="inlineStr"><is><r><t>群</t></r><r><t>馬</t></r></is></c></row>',
                         False),
    "CR LF in text": ('<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c></row>', False),
    "CDATA": ('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<x>]]></t></is></c></row>', False),
    "a row's number after": ('<row spans="1:1" r="1"><c r="A1"><v>1</v></c></row>', False),
    # refused alike, whichever way
    "a bad row number": ('<row r="x"><c r="A1"><v>1</v></c></row>', False),
    "a bad reference": ('<row r="1"><c r="A0"><v>1</v></c></row>', True),
    "a shared string missing": ('<row r="1"><c r="A1" t="s"><v>3</v></c></row>', True),
    "a style missing": ('<row r="1"><c r="A1" s="99"><v>1</v></c></row>', True),
    "not a number": ('<row r="1"><c r="A1"><v>NaN</v></c><c r="B1"><v>0x10</v></c></row>', True),
    "a long number": (f'<row r="1"><c r="A1"><v>{"9" * 400}.5</v></c></row>', True),
    "not well-formed": ('<row r="1"><c r="A1"><v>1</v></c></row><row>', False),
    "an undefined entity": ('<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>', False),
    "far away": ('<row r="300000"><c r="A300000"><v>1</v></c></row>', True),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_reads_or_is_refused_alike_either_way(tmp_path, monkeypatch, shape):
    rows, quick_way, *tail = SHAPES[shape]
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{rows}</sheetData>{"".join(tail)}</worksheet>'
    path = xlsx(tmp_path / "s.xlsx", sheet, strings="<si><t>共有</t></si>")
    quick, parsed, taken = both_ways(path, monkeypatch)
    assert quick == parsed
    if shape not in ("not well-formed", "an undefined entity"):
        assert taken == quick_way


def test_other_encodings_and_namespaces_go_expats_way(tmp_path, monkeypatch):
    body = f'<worksheet {NS}><sheetData>{PLAIN}</sheetData></worksheet>'
    sheets = {"sjis": ('<?xml version="1.0" encoding="Shift_JIS"?>' + body).encode("cp932"),
              "utf16": ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16"),
              "prefixed": ('<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
                           'spreadsheetml/2006/main"><x:sheetData>' + PLAIN.replace("<", "<x:").replace("<x:/", "</x:")
                           + "</x:sheetData></x:worksheet>"),
              "another namespace": '<?xml version="1.0"?><worksheet xmlns="urn:x"><sheetData>' + PLAIN + "</sheetData></worksheet>",
              "redeclared": (f'<?xml version="1.0"?><worksheet {NS}><sheetData xmlns="urn:x">' + PLAIN
                             + "</sheetData></worksheet>")}
    for name, sheet in sheets.items():
        quick, parsed, taken = both_ways(xlsx(tmp_path / f"{name}.xlsx", sheet), monkeypatch)
        assert quick == parsed and taken == 0, name


def test_a_part_larger_than_the_quick_ways_cap_is_streamed_through_expat(tmp_path, monkeypatch):
    path = hq_workbook(tmp_path / "hq.xlsx")
    whole = load_book(path)
    monkeypatch.setattr(fastxlsx, "PLAIN_PART", 1000)             # every sheet part of the book is larger
    monkeypatch.setattr(fastxlsx, "_plain_sheet", lambda *args: pytest.fail("held whole"))
    streamed = load_book(path)
    assert streamed.sheets == whole.sheets and streamed.uncached == whole.uncached
