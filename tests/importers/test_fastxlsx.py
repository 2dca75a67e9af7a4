"""The lean reader returns exactly what openpyxl reads (values and number formats)."""
import datetime as dt
import zipfile

import openpyxl
import pytest

from importers import fastxlsx
from importers.workbook import _openpyxl_sheets
from tests.conftest import SAMPLE
from tests.importers.build import REFERENCE, write_monthly
from tests.importers.test_variants import LAYOUTS


def same_as_openpyxl(path):
    fast = fastxlsx.read_workbook(path)
    assert fast is not None, "the lean reader stepped aside"
    slow = _openpyxl_sheets(path)
    assert [s.name for s, _ in fast] == [s.name for s in slow]
    for (f, _), o in zip(fast, slow):
        width = max([len(r) for r in f.rows + o.rows] or [0])
        for r in range(max(len(f.rows), len(o.rows))):
            for c in range(width):
                a, b = f.cell(r, c), o.cell(r, c)
                assert (type(a.value), a.value) == (type(b.value), b.value), (f.name, r + 1, c + 1)
                if b.value is not None:
                    assert a.number_format == b.number_format, (f.name, r + 1, c + 1)
    return fast


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE.glob("*.xlsx")))
def test_samples(name):
    same_as_openpyxl(SAMPLE / name)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_layouts(tmp_path, layout):
    same_as_openpyxl(write_monthly(tmp_path / "v.xlsx", REFERENCE, LAYOUTS[layout]))


def test_kinds_of_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "色々 & <記号>"
    ws.append(["A & B <c>", 1, 2.5, -3, True, False, None, "=1+1", "#N/A"])
    ws.append([dt.datetime(2024, 12, 11), dt.time(3, 5), dt.timedelta(hours=25, minutes=30), 0.946, 1e-7, 12345678901])
    ws["B2"].number_format = "h:mm"
    ws["C2"].number_format = "[h]:mm"
    ws["D2"].number_format = "0.0%"
    ws["E2"].number_format = "0.00E+00"
    ws["A4"] = "改行\nあり\tタブ"
    ws["Z9"] = "遠いセル"
    ws["C4"].number_format = "#,##0"          # formatted but empty
    wb.create_sheet("空")
    path = tmp_path / "kinds.xlsx"
    wb.save(path)
    fast = same_as_openpyxl(path)
    assert fast[0][1] == {"H1"}                # a formula without a saved result


def handmade(tmp_path, sheet_xml: str, strings_xml: str | None = None, date1904=False):
    """A minimal workbook written by hand: inline strings, phonetic runs, no cell references."""
    path = tmp_path / "handmade.xlsx"
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if strings_xml else "")
        + "</Types>",
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} {rel}>{pr}<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if strings_xml else "")
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {ns}><sheetData>{sheet_xml}</sheetData></worksheet>',
    }
    if strings_xml:
        files["xl/sharedStrings.xml"] = f'<?xml version="1.0"?><sst {ns}>{strings_xml}</sst>'
    with zipfile.ZipFile(path, "w") as zf:
        for n, text in files.items():
            zf.writestr(n, text)
    return path


def test_inline_strings_phonetic_runs_and_implicit_positions(tmp_path):
    strings = ('<si><t>群馬</t><rPh sb="0" eb="2"><t>グンマ</t></rPh></si>'
               '<si><r><t>郵送</t></r><r><rPr><b/></rPr><t xml:space="preserve">化率 </t></r></si>'
               '<si><t>&amp;&lt;&#x41;&#66;</t></si>')
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
             '<row><c t="inlineStr"><is><t>インライン</t></is></c><c t="s"><v>2</v></c><c><v>7</v></c></row>'
             '<row r="5"><c r="B5" t="str"><f>A1</f><v>群馬</v></c><c r="C5" t="e"><v>#DIV/0!</v></c>'
             '<c r="D5" t="b"><v>1</v></c><c r="E5"><f>SUM(A1:A2)</f></c><c r="F5"><v></v></c></row>')
    fast = same_as_openpyxl(handmade(tmp_path, sheet, strings))
    rows = fast[0][0].rows
    assert rows[0][0].value == "群馬" and rows[0][2].value == "郵送化率 "
    assert [c.value for c in rows[1]] == ["インライン", "&<AB", 7]
    assert fast[0][1] == {"E5"}


def test_date1904_workbooks(tmp_path):
    path = handmade(tmp_path, '<row r="1"><c r="A1"><v>45000</v></c></row>', date1904=True)
    same_as_openpyxl(path)


def test_prefixed_xml_is_left_to_openpyxl(tmp_path):
    path = handmade(tmp_path, "")
    data = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    data["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
                                        b'spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v>'
                                        b"</x:c></x:row></x:sheetData></x:worksheet>")
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in data.items():
            zf.writestr(n, d)
    assert fastxlsx.read_workbook(path) is None
    from importers.workbook import load_book

    assert load_book(path).sheets[0].rows[0][0].value == 1      # openpyxl read it instead


def test_limits_while_scanning(tmp_path):
    path = handmade(tmp_path, '<row r="300001"><c r="A300001"><v>1</v></c></row>')
    with pytest.raises(fastxlsx.NotForMe):
        fastxlsx.read_workbook(path, max_rows=200_000)
