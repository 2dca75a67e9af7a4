"""Size limits: they count cells that hold values, never formatted empty ones, and a refused
workbook is refused within 300 MB of memory however it lies about its size."""
import json
import random
import struct
import subprocess
import sys
import zipfile

import pytest

from importers.formats.workbook import load_book
from tests.conftest import ROOT
from tests.importers.parts import sheet_xml, xlsx

MEMORY_MB = 300


def peak_memory(path) -> tuple[float, str]:
    """Load the workbook in a fresh process: (peak RSS in MB, the refusal or 'read')."""
    code = ("import json, re, sys; from pathlib import Path\n"
            "from importers.formats.workbook import load_book\n"
            "from app.core.errors import ImportRefused\n"
            "try:\n    load_book(sys.argv[1]); out = 'read'\n"
            "except ImportRefused as exc:\n    out = str(exc)\n"
            "hwm = int(re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text()).group(1))\n"
            "print(json.dumps([hwm / 1024, out], ensure_ascii=False))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr[-2000:]
    return tuple(json.loads(proc.stdout))


def test_formatted_empty_cells_out_to_AMJ_and_row_1048576_are_not_counted(tmp_path):
    """What LibreOffice writes for a sheet formatted as a whole: 20 values."""
    empties = "".join(f'<c r="{c}1" s="4"/>' for c in ("D", "Z", "AA", "ALZ", "AMJ"))
    rows = [f'<row r="1"><c r="A1"><v>1</v></c>{empties}</row>']
    rows += [f'<row r="{r}" s="4" customFormat="1"><c r="A{r}"><v>{r}</v></c><c r="AMJ{r}" s="4"/></row>'
             for r in range(2, 21)]
    rows.append('<row r="1048576" s="4" customFormat="1"><c r="A1048576" s="4"/><c r="AMJ1048576" s="4"/></row>')
    book = load_book(xlsx(tmp_path / "lo.xlsx", "".join(rows)))
    assert [[c.value for c in r] for r in book.sheets[0].rows] == [[r] for r in range(1, 21)]


def _sheet_with_cells(n: int, seed: int = 1) -> str:
    """n value cells, 500 a row, random numbers (so they do not compress like a bomb)."""
    rnd = random.Random(seed)
    rows = []
    for r in range(n // 500):
        rows.append(f'<row r="{r + 1}">' + "".join(f"<c><v>{rnd.randint(0, 10**6)}</v></c>" for _ in range(500)) + "</row>")
    return "".join(rows)


def test_too_many_cells_is_refused_within_memory(tmp_path):
    peak, out = peak_memory(xlsx(tmp_path / "cells.xlsx", _sheet_with_cells(1_100_000)))
    assert "値のあるセルが多すぎます" in out and out.startswith("cells.xlsx:S: ")
    assert peak < MEMORY_MB


def test_too_many_shared_strings_is_refused_within_memory(tmp_path):
    rnd = random.Random(2)
    strings = "".join(f"<si><t>{rnd.random()}</t></si>" for _ in range(510_000))
    peak, out = peak_memory(xlsx(tmp_path / "strings.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', strings))
    assert "共有文字列が多すぎます" in out
    assert peak < MEMORY_MB


def test_strings_and_cells_just_inside_their_limits_then_too_many_cells(tmp_path):
    """The most a workbook can hold before it is refused: 490,000 strings of 20 kanji (9.8M
    characters) and then more number cells than allowed — a ~25 MB file."""
    rnd = random.Random(5)
    kanji = [chr(c) for c in range(0x4E00, 0x9FA0)]
    strings = "".join("<si><t>" + "".join(rnd.choices(kanji, k=20)) + "</t></si>" for _ in range(490_000))
    peak, out = peak_memory(xlsx(tmp_path / "most.xlsx", _sheet_with_cells(1_010_000), strings))
    assert "値のあるセルが多すぎます" in out
    assert peak < MEMORY_MB


def _understate(path, member: str, size: int) -> None:
    """Write a smaller uncompressed size into the member's local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)            # local file header
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", data, pos + 24, size)                    # central directory
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def test_a_zip_that_understates_its_size_is_refused_within_memory(tmp_path):
    """320 MB of XML (more than all parts may inflate to) whose headers say 1 MB: refused
    without inflating it."""
    path = tmp_path / "liar.xlsx"
    xlsx(path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    filler = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(tmp_path / "base.xlsx", "w", zipfile.ZIP_DEFLATED) as dst, zipfile.ZipFile(path) as src:
        for info in src.infolist():
            if info.filename != filler.filename:
                dst.writestr(info, src.read(info))
        with dst.open(zipfile.ZipInfo(filler.filename), "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData>")
            block = b"<row/>" * (2**20 // 6)
            for _ in range(320):
                f.write(block)
            f.write(b"</sheetData></worksheet>")
    path = tmp_path / "base.xlsx"
    _understate(path, filler.filename, 2**20)
    peak, out = peak_memory(path)
    assert out.startswith("base.xlsx:") and ("壊れています" in out or "圧縮率が異常" in out or "展開後" in out)
    assert peak < MEMORY_MB


@pytest.mark.parametrize("attr,limit,message", [("MAX_ROWS", 5, "行数が多すぎます"),
                                                ("MAX_COLUMNS", 3, "列数が多すぎます"),
                                                ("MAX_CELLS", 7, "値のあるセルが多すぎます")])
def test_limits_name_the_cell_that_crosses_them(tmp_path, monkeypatch, attr, limit, message):
    from app.core.errors import ImportRefused
    from importers.formats import workbook
    monkeypatch.setattr(workbook, attr, limit)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="D{r}"><v>2</v></c></row>' for r in range(1, 8))
    with pytest.raises(ImportRefused, match=message) as info:
        load_book(xlsx(tmp_path / "l.xlsx", rows))
    where = info.value.problems[0].where
    assert where.sheet == "S" and (where.cell == {"MAX_ROWS": "A6", "MAX_COLUMNS": "D1"}[attr] if attr != "MAX_CELLS" else True)


def test_an_xls_with_too_many_cells_is_refused_within_memory(tmp_path):
    """An .xls is read whole by xlrd: its size is capped, and its cells are counted before any is kept."""
    import xlwt

    book, rnd = xlwt.Workbook(), random.Random(3)
    sheet = book.add_sheet("多い")
    for r in range(65_000):
        row = sheet.row(r)
        for c in range(17):
            row.write(c, rnd.randint(0, 10**6))
        if r % 1000 == 0:
            sheet.flush_row_data()
    book.save(str(path := tmp_path / "many.xls"))
    peak, out = peak_memory(path)
    assert out.startswith("many.xls:多い: 値のあるセルが多すぎます")
    assert peak < MEMORY_MB


# --- an encoding declaration is no way around the caps (issue 23) ------------------------------

def _declared(codec: str, payload: bytes) -> bytes:
    return f'<?xml version="1.0" encoding="{codec}"?>'.encode() + payload


@pytest.mark.parametrize("codec", ["bz2", "zlib", "base64", "rot13", "hex", "uu", "x-unknown"])
def test_only_text_encodings_are_decoded(tmp_path, codec):
    import bz2

    bomb = bz2.compress(b"<" * (200 * 2**20))             # 200 MB behind ~150 bytes: never inflated
    path = xlsx(tmp_path / "enc.xlsx", _declared(codec, bomb))
    peak, out = peak_memory(path)
    assert out == f"enc.xlsx:S: 文字コード '{codec}' は読めません (UTF-8・UTF-16・Shift_JIS・EUC-JP などで保存してください)"
    assert peak < MEMORY_MB


def test_an_ods_declaring_bz2_is_refused_within_memory(tmp_path):
    import bz2

    path = tmp_path / "enc.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", _declared("bz2", bz2.compress(b"<" * (200 * 2**20))))
    peak, out = peak_memory(path)
    assert out.startswith("enc.ods: 文字コード 'bz2' は読めません") and peak < MEMORY_MB


@pytest.mark.parametrize("codec", ["UTF-32", "ISO-2022-JP", "windows-31j", "EUC-JIS-2004"])
def test_the_allowed_text_encodings_read(tmp_path, codec):
    from importers.formats.container import _ALIASES

    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>郵送化率</t></is></c><c r="B1"><v>7</v></c></row>'
    xml = sheet_xml(rows).replace('encoding="UTF-8"', f'encoding="{codec}"')
    book = load_book(xlsx(tmp_path / "ok.xlsx", xml.encode(_ALIASES.get(codec.lower(), codec))))
    assert [c.value for c in book.sheets[0].rows[0]] == ["郵送化率", 7]


def test_a_national_book_of_many_years_is_limited_by_its_cells_not_its_sheets(tmp_path):
    """Issue 25: a sheet per indicator and fiscal year (14 × FY2011–2025 = 210 sheets, past the old
    limit of 200) imports whole."""
    from openpyxl import Workbook

    from app.core.catalogue import load_catalogue
    from app.core.fiscal import format_fy
    from app.store.database import branch_names, open_database
    from app.operations.ops import import_files

    inds = [i for i in load_catalogue() if i.kind in ("count", "amount") and i.unit != "%"][:14]
    labels = [f"{c} {n}" for c, n in sorted(branch_names().items()) if c != "00"] + ["全国"]
    wb = Workbook(write_only=True)
    for fy in range(2011, 2026):
        for k, ind in enumerate(inds):
            ws = wb.create_sheet(f"{fy}_{k}")
            ws.append([f"{format_fy(fy)} {ind.name}（支部別）"])
            ws.append([])
            ws.append(["支部", *[f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]])
            for b, label in enumerate(labels):
                ws.append([label, *[100 + b + m for m in range(12)]])
    wb.save(path := tmp_path / "全国_支部別.xlsx")
    db = open_database(tmp_path / "db.sqlite3")
    try:
        report = import_files(db, [path]).reports[0]
    finally:
        db.engine.dispose()
    assert not report.errors and report.stored
    assert report.inserted == 15 * len(inds) * len(labels) * 12 and len(inds) == 14
