"""The three layouts saved as .xls and .ods import as the .xlsx does: the golden records, cell
for cell; LibreOffice's own .ods (formatted empty cells out to column AMJ) cost nothing."""
import shutil
import subprocess
import zipfile

import pytest

from app.operations.imports import read_workbook
from importers.formats.workbook import load_book
from tests.conftest import SAMPLE
from tests.importers.convert import to_ods, to_xls
from tests.importers.test_golden import GOLDEN, render_monthly, render_plan

LAYOUTS = {"gunma_fy2024_monthly": render_monthly, "hq_national_fy2024": render_monthly,
           "gunma_fy2024_plan": render_plan}


@pytest.fixture(scope="module")
def catalogue():
    from app.core.catalogue import load_catalogue

    return load_catalogue()


def golden(name: str) -> list[str]:
    return (GOLDEN / f"{name}.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("kind", ["xls", "ods"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_saved_in_another_format(tmp_path, catalogue, name, kind):
    path = (to_xls if kind == "xls" else to_ods)(SAMPLE / f"{name}.xlsx", tmp_path / f"{name}.{kind}")
    assert LAYOUTS[name](read_workbook(path, catalogue)) == golden(name)


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("lo")
    for kind in ("xls", "ods"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--convert-to",
                        kind, "--outdir", str(out), *map(str, sorted(SAMPLE.glob("*.xlsx")))],
                       capture_output=True, timeout=300, check=True)
    return out


@pytest.mark.parametrize("kind", ["xls", "ods"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_saved_by_libreoffice(libreoffice, catalogue, name, kind):
    assert LAYOUTS[name](read_workbook(libreoffice / f"{name}.{kind}", catalogue)) == golden(name)


def ods(path, body: str, styles: str = ""):
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
                                   f"<office:automatic-styles>{styles}</office:automatic-styles><office:body>"
                                   f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    return path


PERCENT = ('<number:percentage-style style:name="N1"><number:number number:decimal-places="1"/>'
           '<number:text>%</number:text></number:percentage-style>'
           '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>')


def test_ods_repetitions_notes_drawings_and_column_styles(tmp_path):
    body = ('<table:table table:name="表"><table:table-column table:number-columns-repeated="2"/>'
            '<table:table-column table:default-cell-style-name="ce1" table:number-columns-repeated="1022"/>'
            '<table:table-row><table:table-cell office:value-type="string"><text:p>郵送<text:s text:c="2"/>化率'
            '</text:p><text:p>2行目</text:p><office:annotation><text:p>メモ</text:p></office:annotation>'
            '<draw:frame><draw:text-box><text:p>図の文字</text:p></draw:text-box></draw:frame>'
            '</table:table-cell><table:table-cell table:number-columns-repeated="1"/>'
            '<table:table-cell office:value-type="percentage" office:value="0.946"/>'
            '<table:table-cell table:number-columns-repeated="1021"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="float" '
            'office:value="7" table:number-columns-repeated="2"/><table:table-cell table:number-columns-repeated="1022"/>'
            '</table:table-row><table:table-row table:number-rows-repeated="1048573"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row></table:table>')
    rows = load_book(ods(tmp_path / "lo.ods", body, PERCENT)).sheets[0].rows
    assert [[(c.value, c.number_format) for c in r] for r in rows] == [
        [("郵送  化率\n2行目", "General"), (None, None), (0.946, "0.0%")],
        [(7, "General"), (7, "General")], [(7, "General"), (7, "General")]]


def test_ods_value_repeated_past_the_limits_is_refused(tmp_path):
    from app.core.errors import ImportRefused

    body = ('<table:table table:name="表"><table:table-row table:number-rows-repeated="1048576"><table:table-cell '
            'office:value-type="float" office:value="1" table:number-columns-repeated="1024"/></table:table-row>'
            '</table:table>')
    with pytest.raises(ImportRefused, match="行数が多すぎます") as info:
        load_book(ods(tmp_path / "big.ods", body))
    assert str(info.value).startswith("big.ods:表!")


def test_control_characters_in_labels_are_shown_not_sent(tmp_path, catalogue):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("業務")
    sheet.write(0, 0, "令和6年度 群馬支部 月次実績")
    for c, month in enumerate(["令和6年度", *[f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]]):
        sheet.write(2, c, month)
    sheet.write(3, 0, "\x1b[2J\x1b]0;pwned\x07郵送化率\u202e")
    for c in range(1, 13):
        sheet.write(3, c, 95)
    book.save(str(path := tmp_path / "ctl.xls"))
    lines = [p.line() for p in read_workbook(path, catalogue).problems]
    assert any("\\x1b[2J\\x1b]0;pwned\\x07郵送化率\\u202e" in line for line in lines), lines
    assert not any(ch in line for line in lines for ch in "\x1b\x07\u202e")


@pytest.mark.parametrize("damage,message", [
    ("truncated xls", ".xls ファイルが壊れています"), ("ods without content", "content.xml がありません"),
    ("ods with broken XML", "content.xml の XML が壊れています"), ("ods with a bad time", "は時間として読めません")])
def test_damaged_xls_and_ods_are_refused_in_one_line(tmp_path, damage, message):
    import warnings

    from app.core.errors import ImportRefused

    if damage == "truncated xls":
        path = tmp_path / "d.xls"
        path.write_bytes(to_xls(SAMPLE / "gunma_fy2024_plan.xlsx", tmp_path / "full.xls").read_bytes()[:3000])
    elif damage == "ods without content":
        with zipfile.ZipFile(path := tmp_path / "d.ods", "w") as zf:
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    else:
        cell = ('<table:table-cell office:value-type="float" office:value="1">' if "XML" in damage else
                '<table:table-cell office:value-type="time" office:time-value="3 hours"/>')
        path = ods(tmp_path / "d.ods", f'<table:table table:name="表"><table:table-row>{cell}</table:table-row></table:table>')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImportRefused) as info:
            load_book(path)
    assert message in str(info.value) and str(info.value).startswith(path.name + ":")
    assert "\n" not in str(info.value) and len(info.value.problems) == 1


def test_values_hidden_under_merged_cells_are_not_read(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("S", cell_overwrite_ok=True)
    sheet.merge(0, 0, 0, 2)
    sheet.write(0, 0, "見出し")
    sheet.write(0, 1, 9)                     # hidden by the merge
    sheet.write(0, 3, 4)
    book.save(str(path := tmp_path / "m.xls"))
    assert [c.value for c in load_book(path).sheets[0].rows[0]] == ["見出し", None, None, 4]
    body = ('<table:table table:name="S"><table:table-row><table:table-cell table:number-columns-spanned="3" '
            'office:value-type="string"><text:p>見出し</text:p></table:table-cell><table:covered-table-cell '
            'office:value-type="float" office:value="9"/><table:covered-table-cell/><table:table-cell '
            'office:value-type="float" office:value="4"/></table:table-row></table:table>')
    assert [c.value for c in load_book(ods(tmp_path / "m.ods", body)).sheets[0].rows[0]] == ["見出し", None, None, 4]
