"""Hand-made .xlsx probes: legal layouts other programs write are read as openpyxl reads them
(or better, where openpyxl cannot read them at all); malformed values and structures are refused
in one line that names the file, sheet and cell — no traceback, no warning, nothing stored."""
import datetime as dt
import warnings

import pytest

from app.core.errors import ImportRefused
from importers.base import Where
from importers.formats.workbook import load_book
from tests.importers.parts import STYLES, differences, openpyxl_cells, reader_cells, sheet_xml, xlsx

STRINGS = '<si><t>群馬</t></si><si><t>郵送化率</t></si>'

LEGAL = {
    "cells out of order": '<row r="1"><c r="C1"><v>3</v></c><c r="A1" s="1"><v>0.5</v></c><c r="B1"><v>2</v></c></row>',
    "rows out of order": '<row r="3"><c r="A3"><v>3</v></c></row><row r="1"><c r="A1" t="s"><v>1</v></c></row>'
                         '<row r="2"><c r="B2"><v>2</v></c></row>',
    "a cell of another row": '<row r="1"><c r="A1"><v>1</v></c><c r="B7"><v>7</v></c><c><v>8</v></c></row>',
    "the same cell twice": '<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
    "comment in sheetData": '<!-- <row r="1"><c r="A1"><v>9</v></c></row> --><row r="1"><!-- <c r="B1"><v>9</v>'
                            '</c> --><c r="A1"><!-- x --><v>1</v></c></row>',
    "single-quoted attributes": "<row r='2'><c r='B2' t='s' s='1'><v>0</v></c><c r = 'C2'  s = '2' ><v>45000</v></c></row>",
    "CDATA": '<row r="1"><c r="A1" t="str"><v><![CDATA[a<b>&c]]></v></c><c r="B1"><v><![CDATA[42]]></v></c>'
             '<c r="C1" t="inlineStr"><is><t><![CDATA[<t>]]></t></is></c></row>',
    "pretty printed": '\n  <row r="1">\n    <c r="A1" t="s">\n      <v>1</v>\n    </c>\n    <c r="B1">\n'
                      '      <v>2.5</v>\n    </c>\n  </row>\n',
    "character references": '<row r="1"><c r="&#65;1" t="inlineStr"><is><t>&#x7FA4;&#39340;&amp;&lt;</t></is></c></row>',
    "line ends": '<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb\rc&#13;&#10;d</t></is></c></row>',
    "self-closing text": '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"/></is></c>'
                         '<c r="B1" t="inlineStr"><is><t/><r><t>x</t></r></is></c></row>',
    "no references": '<row><c><v>1</v></c><c t="s"><v>0</v></c></row><row><c/><c><v>2</v></c></row>',
    "uncommon but valid numbers": '<row r="1"><c r="A1" s="01"><v>+5</v></c><c r="B1"><v> 7 </v></c><c r="C1"><v>.5</v></c>'
                                  '<c r="D1"><v>1E3</v></c><c r="E1"><v>-0.0</v></c><c r="F1"><v>007</v></c></row>',
    "boolean and error cells": '<row r="1"><c r="A1" t="b"><v>0</v></c><c r="B1" t="e"><v>#N/A</v></c></row>',
}


@pytest.mark.parametrize("probe", LEGAL)
def test_legal_layouts_read_as_openpyxl_reads_them(tmp_path, probe):
    path = xlsx(tmp_path / "p.xlsx", LEGAL[probe], STRINGS)
    expected = openpyxl_cells(path)
    assert expected["S"], "the probe holds values"
    assert differences(expected, reader_cells(path)) == []


def test_values_land_in_their_cells(tmp_path):
    cells = reader_cells(xlsx(tmp_path / "p.xlsx", LEGAL["cells out of order"] + LEGAL["rows out of order"]
                              .replace('"1"', '"4"').replace("A1", "A4"), STRINGS))["S"]
    assert cells[(0, 0)] == (float, 0.5, "0.0%") and cells[(0, 2)] == (int, 3, "General")
    assert cells[(2, 0)][1] == 3 and cells[(3, 0)][1] == "郵送化率" and cells[(1, 1)][1] == 2
    assert reader_cells(xlsx(tmp_path / "c.xlsx", LEGAL["comment in sheetData"]))["S"] == {(0, 0): (int, 1, "General")}
    texts = reader_cells(xlsx(tmp_path / "t.xlsx", LEGAL["line ends"] + LEGAL["self-closing text"]
                              .replace('r="1"', 'r="2"').replace("1\"", "2\"")))["S"]
    assert texts[(0, 0)][1] == "a\nb\nc\r\nd"                 # XML line ends; a written &#13; stays
    assert texts[(1, 0)][1] == "" and texts[(1, 1)][1] == "x"


def test_a_wrong_dimension_is_not_believed(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="E{r}"><v>{r}</v></c></row>' for r in range(1, 11))
    path = xlsx(tmp_path / "d.xlsx", sheet_xml(rows, head='<dimension ref="A1:B2"/>'))
    assert len(reader_cells(path)["S"]) == 10
    assert differences(openpyxl_cells(path), reader_cells(path)) == []


def test_shared_strings_as_openpyxl_reads_them(tmp_path):
    strings = ('<si><t xml:space="preserve"/></si><si><t>a_x005F_x000D_b</t></si><si><t>改\r\n行</t></si>'
               '<si><t>群馬</t><rPh sb="0" eb="2"><t>グンマ</t></rPh></si><si><r><t>a</t></r><r><t>b</t></r></si>')
    rows = '<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDE")) + "</row>"
    path = xlsx(tmp_path / "s.xlsx", rows, strings)
    assert differences(openpyxl_cells(path), reader_cells(path)) == []
    assert [v for _, v, _ in reader_cells(path)["S"].values()] == ["", "a_x000D_b", "改\n行", "群馬", "ab"]


@pytest.mark.parametrize("flag,epoch", [("1", 1904), ("true", 1904), ("on", 1904), ("false", 1900), ("0", 1900)])
def test_date1904(tmp_path, flag, epoch):
    path = xlsx(tmp_path / "d.xlsx", '<row r="1"><c r="A1" s="2"><v>0</v></c><c r="B1" s="2"><v>45000</v></c></row>',
                workbook_pr=f'<workbookPr date1904="{flag}"/>')
    assert differences(openpyxl_cells(path), reader_cells(path)) == []
    assert reader_cells(path)["S"][(0, 1)][1].year == (2027 if epoch == 1904 else 2023)


# --- what openpyxl cannot read, read the same as the plain version ------------------------------

PLAIN_ROWS = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>0.946</v></c></row>'
              '<row r="2"><c r="A2" t="inlineStr"><is><t>郵送化率（％）</t></is></c><c r="B2"><v>2481</v></c></row>')


def _encoded(xml: str, encoding: str) -> bytes:
    return xml.replace('encoding="UTF-8"', "").replace("<?xml version=\"1.0\"", f'<?xml version="1.0" encoding="{encoding}"', 1) \
        .encode(encoding)


@pytest.mark.parametrize("encoding", ["UTF-16", "Shift_JIS", "EUC-JP", "cp932"])
def test_other_encodings(tmp_path, encoding):
    plain = openpyxl_cells(xlsx(tmp_path / "plain.xlsx", PLAIN_ROWS, STRINGS))
    sheet = _encoded(sheet_xml(PLAIN_ROWS), encoding)
    strings = _encoded(f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       f'{STRINGS}</sst>', encoding)
    assert differences(plain, reader_cells(xlsx(tmp_path / "enc.xlsx", sheet, strings))) == []


def test_prefixes_strict_ooxml_and_part_names_in_another_case(tmp_path):
    plain = openpyxl_cells(xlsx(tmp_path / "plain.xlsx", PLAIN_ROWS, STRINGS))
    prefixed = ('<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                "<x:sheetData>" + PLAIN_ROWS.replace("<", "<x:").replace("<x:/", "</x:") + "</x:sheetData></x:worksheet>")
    assert differences(plain, reader_cells(xlsx(tmp_path / "x.xlsx", prefixed, STRINGS))) == []
    renamed = xlsx(tmp_path / "case.xlsx", PLAIN_ROWS, STRINGS, rename={"xl/worksheets/sheet1.xml": "xl/Worksheets/Sheet1.XML"})
    assert differences(plain, reader_cells(renamed)) == []
    strict = tmp_path / "strict.xlsx"
    import zipfile

    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(strict, "w") as dst:
        for name in src.namelist():
            data = src.read(name).replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                          b"http://purl.oclc.org/ooxml/spreadsheetml/main")
            data = data.replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                b"http://purl.oclc.org/ooxml/officeDocument/relationships")
            dst.writestr(name, data)
    assert differences(plain, reader_cells(strict)) == []


# --- refused: one line naming the cell -----------------------------------------------------------

REFUSED = {
    "NaN": ('<c r="B2"><v>NaN</v></c>', "B2", "'NaN' は数値として読めません"),
    "INF": ('<c r="B2"><v>INF</v></c>', "B2", "'INF' は数値として読めません"),
    "-INF in a date cell": ('<c r="B2" s="2"><v>-INF</v></c>', "B2", "'-INF' は数値として読めません"),
    "hexadecimal": ('<c r="B2"><v>0x10</v></c>', "B2", "'0x10' は数値として読めません"),
    "underscores": ('<c r="B2"><v>1_000</v></c>', "B2", "'1_000' は数値として読めません"),
    "other digits": ('<c r="B2"><v>１２</v></c>', "B2", "'１２' は数値として読めません"),
    "400 digits": (f'<c r="B2"><v>{"9" * 400}</v></c>', "B2", "大きすぎて数値として読めません"),
    "1e400": ('<c r="B2"><v>1e400</v></c>', "B2", "'1e400' は大きすぎて数値として読めません"),
    "shared string out of range": ('<c r="B2" t="s"><v>2</v></c>', "B2", "共有文字列 '2' がありません"),
    "negative shared string": ('<c r="B2" t="s"><v>-1</v></c>', "B2", "共有文字列 '-1' がありません"),
    "boolean False": ('<c r="B2" t="b"><v>False</v></c>', "B2", "'False' は真偽値 (0/1) として読めません"),
    "boolean 2": ('<c r="B2" t="b"><v>2</v></c>', "B2", "'2' は真偽値 (0/1) として読めません"),
    "bad ISO date": ('<c r="B2" t="d"><v>2024-13-45</v></c>', "B2", "'2024-13-45' は日付として読めません"),
    "unknown cell type": ('<c r="B2" t="x"><v>1</v></c>', "B2", "セルの型 t='x' は読めません"),
    "unknown style": ('<c r="B2" s="99"><v>1</v></c>', "B2", "セルの書式番号 s='99' がありません"),
    "bad reference": ('<c r="B0"><v>1</v></c>', "", "セル番地 'B0' が正しくありません"),
    "beyond XFD": ('<c r="XFE2"><v>1</v></c>', "", "セル番地 'XFE2' が正しくありません"),
    "broken XML": ('<c r="B2"><v>1</c>', "", "の XML が壊れています"),
    "entity declaration": (None, "", "実体宣言・外部参照があります"),
}


def _refusal(tmp_path, probe) -> ImportRefused:
    cell, _, _ = REFUSED[probe]
    if cell is None:     # a billion laughs
        sheet = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 '<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    else:
        sheet = f'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">{cell}</row>'
    path = xlsx(tmp_path / "bad.xlsx", sheet, STRINGS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a library's warning would fail the test
        with pytest.raises(ImportRefused) as info:
            load_book(path)
    return info.value


@pytest.mark.parametrize("probe", REFUSED)
def test_malformed_values_are_refused_in_one_line(tmp_path, probe):
    _, cell, message = REFUSED[probe]
    exc = _refusal(tmp_path, probe)
    (problem,) = exc.problems
    assert problem.where == Where("bad.xlsx", "S", cell)
    assert message in problem.message
    assert str(exc) == problem.line() and "\n" not in str(exc)
    assert str(exc).startswith(f"bad.xlsx:S!{cell}: " if cell else "bad.xlsx:S: ")


def test_refused_workbook_stores_nothing(tmp_path, empty_db):
    from app.operations.ops import import_workbook

    report = import_workbook(empty_db, xlsx(tmp_path / "bad.xlsx", '<row r="1"><c r="B5"><v>NaN</v></c></row>'))
    assert not report.stored and report.inserted == 0
    assert len(report.errors) == 1 and "'NaN' は数値として読めません" in report.errors[0].message


def test_dates_out_of_range_read_as_openpyxl_does(tmp_path):
    path = xlsx(tmp_path / "d.xlsx", '<row r="1"><c r="A1" s="2"><v>99999999</v></c><c r="B1" s="3"><v>1.5</v></c></row>')
    cells = reader_cells(path)["S"]
    assert cells[(0, 0)] == (str, "#VALUE!", "mm-dd-yy")                  # and the value reader refuses it
    assert cells[(0, 1)] == (dt.timedelta, dt.timedelta(days=1, hours=12), "[h]:mm")
    assert STYLES.count("<xf ") == 5


def test_no_library_warning_escapes(tmp_path):
    import openpyxl

    ext = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/'
           'spreadsheetml/2009/9/main"><x14:dataValidations count="0"/></ext></extLst>')
    rows = '<row r="1"><c r="A1" s="2"><v>99999999</v></c><c r="B1"><v>1</v></c></row>'
    path = xlsx(tmp_path / "w.xlsx", f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                                      f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData>{ext}</worksheet>')
    with pytest.warns(UserWarning):                 # openpyxl, the old fallback, would print these
        openpyxl.load_workbook(path, data_only=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_book(path).sheets[0].rows[0][1].value == 1


def test_values_hidden_under_merged_cells_are_not_read(tmp_path):
    """LibreOffice keeps what merging hid, and writes it; Excel and openpyxl show the top-left only."""
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>見出し</t></is></c><c r="B1"><v>9</v></c><c r="D1"><v>4</v></c></row>'
            '<row r="2"><c r="A2"><v>9</v></c><c r="B2"><v>2</v></c></row>')
    path = xlsx(tmp_path / "m.xlsx", sheet_xml(rows).replace("</sheetData>", '</sheetData><mergeCells count="1">'
                                                                              '<mergeCell ref="A1:C1"/></mergeCells>'))
    assert differences(openpyxl_cells(path), reader_cells(path)) == []
    assert sorted(reader_cells(path)["S"]) == [(0, 0), (0, 3), (1, 0), (1, 1)]


# --- no sheet skipped in silence (issue 23) ------------------------------------------------------

def _rewrite(path, member: str, old: str, new: str):
    import zipfile

    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    assert old.encode() in parts[member]
    parts[member] = parts[member].replace(old.encode(), new.encode())
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


@pytest.mark.parametrize("change, why", [
    (("xl/_rels/workbook.xml.rels", 'Target="worksheets/sheet2.xml"', 'Target="file:///c:/x.xlsx" TargetMode="External"'),
     "シートの中身がブックの外を指しているため読めません"),
    (("xl/workbook.xml", 'r:id="rId2"', 'r:id="rId9"'), "シートの中身が見つからないため読めません"),
])
def test_a_sheet_that_cannot_be_read_is_refused_by_name(tmp_path, change, why):
    path = xlsx(tmp_path / "two.xlsx", {"業務": PLAIN_ROWS, "企画": PLAIN_ROWS}, STRINGS)
    with pytest.raises(ImportRefused) as exc:
        load_book(_rewrite(path, *change))
    assert str(exc.value).startswith(f"two.xlsx:企画: {why}")
