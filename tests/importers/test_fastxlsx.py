"""The lean reader returns what openpyxl reads (values, their types and number formats)."""
import datetime as dt

import openpyxl
import pytest

from importers.formats import xlsx as fastxlsx
from importers.formats.workbook import load_book
from tests.conftest import SAMPLE
from tests.importers.build import REFERENCE, write_monthly
from tests.importers.parts import differences, openpyxl_cells, reader_cells, xlsx
from tests.importers.test_variants import LAYOUTS


def same_as_openpyxl(path):
    expected = openpyxl_cells(path)
    assert differences(expected, reader_cells(path)) == []
    return expected


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE.glob("*.xlsx")))
def test_samples(name):
    assert sum(map(len, same_as_openpyxl(SAMPLE / name).values())) > 100


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
    cells = same_as_openpyxl(path)
    assert cells["色々 & <記号>"][(1, 2)] == (dt.timedelta, dt.timedelta(hours=25, minutes=30), "[h]:mm")
    assert load_book(path).uncached == {"色々 & <記号>": {"H1"}}     # a formula without a saved result


def test_inline_strings_phonetic_runs_and_implicit_positions(tmp_path):
    strings = ('<si><t>群馬</t><rPh sb="0" eb="2"><t>グンマ</t></rPh></si>'
               '<si><r><t>郵送</t></r><r><rPr><b/></rPr><t xml:space="preserve">化率 </t></r></si>'
               '<si><t>&amp;&lt;&#x41;&#66;</t></si>')
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
             '<row><c t="inlineStr"><is><t>インライン</t></is></c><c t="s"><v>2</v></c><c><v>7</v></c></row>'
             '<row r="5"><c r="B5" t="str"><f>A1</f><v>群馬</v></c><c r="C5" t="e"><v>#DIV/0!</v></c>'
             '<c r="D5" t="b"><v>1</v></c><c r="E5"><f>SUM(A1:A2)</f></c><c r="F5"><v></v></c></row>')
    path = xlsx(tmp_path / "handmade.xlsx", sheet, strings)
    same_as_openpyxl(path)
    book = load_book(path)
    rows = book.sheets[0].rows
    assert rows[0][0].value == "群馬" and rows[0][2].value == "郵送化率 "
    assert [c.value for c in rows[1]] == ["インライン", "&<AB", 7]
    assert book.uncached == {"S": {"E5"}}


def test_limits_count_cells_holding_values(tmp_path):
    far = '<row r="300001"><c r="A300001"><v>1</v></c></row>'
    with pytest.raises(fastxlsx.Unreadable, match="行数"):
        fastxlsx.read_workbook(xlsx(tmp_path / "far.xlsx", far))
    formatted_only = far.replace("<v>1</v>", "").replace('r="A300001">', 'r="A300001" s="4">')
    (sheet, _), = fastxlsx.read_workbook(xlsx(tmp_path / "fmt.xlsx", '<row r="1"><c r="A1"><v>5</v></c></row>'
                                              + formatted_only))
    assert sheet.rows == [[fastxlsx.Cell(5, "General")]]
