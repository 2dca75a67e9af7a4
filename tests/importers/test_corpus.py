"""Differential test over workbooks this project did not write.

The corpus: spreadsheets shipped in peer projects' source distributions (downloaded with pip at
test time, cached outside the repository; skipped when the registry cannot be reached), and
workbooks written here by xlsxwriter, openpyxl, pandas and, when installed, LibreOffice.
Every .xlsx must read exactly as openpyxl's full reading (value, type, number format of every
cell; a Strict OOXML file against openpyxl's reading of its transitional twin); where openpyxl
cannot read a file, and for every .xls and .ods, the values must match python-calamine's.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from app.core.errors import ImportRefused
from tests.importers.parts import differences, openpyxl_cells, reader_cells

SDISTS = ("xlsx2csv==0.8.6", "xlrd==1.2.0", "pyexcel-xlsx==0.6.1", "pyexcel==0.7.6", "tablib==3.10.0",
          "agate-excel==0.4.2", "csvkit==2.2.0", "odfpy==1.4.1", "pyexcel-ods3==0.6.1")
CACHE = Path(os.environ.get("BRANCH_REPORT_CORPUS") or Path.home() / ".cache" / "branch-report-corpus")
KINDS = (".xlsx", ".xlsm", ".xls", ".ods")
STRICT, TRANSITIONAL = ((b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
                        (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                         b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"))


def _download(spec: str) -> Path | None:
    """The spreadsheets inside one sdist, extracted once into the cache."""
    out = CACHE / "files" / spec
    if (out / ".done").exists():
        return out
    sdists = CACHE / "sdists" / spec
    sdists.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                               spec, "-d", str(sdists)], capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None
    archives = list(sdists.iterdir())
    if proc.returncode or not archives:
        return None
    with tarfile.open(archives[0]) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.lower().endswith(KINDS):
                target = out / m.name.replace("/", "__")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(m).read())
    (out / ".done").parent.mkdir(parents=True, exist_ok=True)
    (out / ".done").touch()
    return out


@pytest.fixture(scope="module")
def published() -> tuple[list[Path], bool]:
    """The corpus, and whether every sdist could be had."""
    folders = []
    for spec in SDISTS:
        folder = _download(spec)
        if folder is None and not folders:
            break                       # the first cannot be had: the registry is out of reach
        folders += [folder] if folder else []
    if not folders:
        pytest.skip("the package registry cannot be reached: no published corpus")
    return sorted(p for f in folders for p in f.iterdir() if p.suffix.lower() in KINDS), len(folders) == len(SDISTS)


def _written(folder: Path) -> list[Path]:
    """Workbooks written by xlsxwriter, openpyxl and pandas, with the kinds of cell we meet."""
    import openpyxl
    import pandas as pd
    import xlsxwriter

    from tests.importers.build import REFERENCE, write_monthly
    from tests.importers.test_variants import LAYOUTS

    rows = [["群馬 支部", 2481, 0.946, dt.datetime(2024, 12, 11), dt.time(3, 5), dt.timedelta(hours=25, minutes=30),
             True, -3, 1e-7, 12345678901, "改行\nあり", " 空白 ", "a_x000D_b", "#N/A", "😀"]]
    formats = [None, "#,##0", "0.0%", "yyyy/m/d", "h:mm", "[h]:mm", None, '#,##0;"△"#,##0', "0.00E+00",
               "0", "@", None, None, None, None]
    out = []
    for memory in (False, True):                       # constant_memory writes inline strings
        path = folder / f"xlsxwriter-{memory}.xlsx"
        wb = xlsxwriter.Workbook(path, {"constant_memory": memory})
        ws = wb.add_worksheet("月次")
        for c, (v, f) in enumerate(zip(rows[0], formats)):
            ws.write(0, c, v, wb.add_format({"num_format": f}) if f else None)
        ws.write_formula(1, 0, "=B1*2", None, 4962)
        ws.write_rich_string(1, 1, "郵送", wb.add_format({"bold": True}), "化率")
        ws.merge_range(2, 0, 2, 3, "結合 タイトル")
        ws.write_blank(500, 300, None, wb.add_format({"num_format": "0.0%"}))
        wb.add_worksheet("空")
        wb.close()
        out.append(path)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("書き出し")
    ws.append(rows[0])
    wb.save(out_path := folder / "openpyxl-write-only.xlsx")
    out.append(out_path)
    for name, layout in LAYOUTS.items():
        out.append(write_monthly(folder / f"openpyxl-{name}.xlsx", REFERENCE, layout))
    frame = pd.DataFrame({"支部": ["群馬", "栃木"], "件数": [2481, 1999], "率": [0.946, 0.9],
                          "日": [dt.datetime(2024, 4, 1), dt.datetime(2025, 3, 31)]})
    for engine in ("openpyxl", "xlsxwriter"):
        frame.to_excel(path := folder / f"pandas-{engine}.xlsx", engine=engine, sheet_name="表")
        out.append(path)
    return out


def _libreoffice(sources: list[Path], folder: Path) -> list[Path]:
    """The same workbooks saved by LibreOffice as .xlsx, .ods and .xls (none when not installed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return []
    out = []
    for kind, target in (("xlsx", "xlsx:Calc MS Excel 2007 XML"), ("ods", "ods"), ("xls", "xls")):
        folder_kind = folder / kind
        subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                        "--convert-to", target, "--outdir", str(folder_kind), *map(str, sources)],
                       capture_output=True, timeout=300)
        out += sorted(folder_kind.glob(f"*.{kind}")) if folder_kind.exists() else []
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    from tests.conftest import SAMPLE

    folder = tmp_path_factory.mktemp("written")
    files = _written(folder)
    return files + _libreoffice(files[:3] + sorted(SAMPLE.glob("*.xlsx")), folder / "libreoffice")


def _oracle_path(path: Path, tmp: Path) -> Path:
    """openpyxl reads no Strict OOXML: give it the transitional twin."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    if not any(STRICT[0] in d for d in parts.values()):
        return path
    twin = tmp / ("twin-" + path.name)
    with zipfile.ZipFile(twin, "w") as zf:
        for name, data in parts.items():
            for a, b in zip(STRICT, TRANSITIONAL):
                data = data.replace(a, b)
            zf.writestr(name, data)
    return twin


# where python-calamine is the one that is wrong
CALAMINE_WRONG = {"tablib-3.10.0__tests__files__unknown_value_type.ods":
                  "a cell of value-type 'unknown' holding the text 'abcd' is dropped (LibreOffice shows abcd)"}


def _same(a, b) -> bool:
    """A cell as we read it against python-calamine's, which drops errors, gives a duration it
    cannot parse as its text, and trims text runs without xml:space="preserve" (openpyxl keeps it)."""
    if b in ("", None):
        return a in ("", None) or isinstance(a, str) and a.startswith("#")
    if isinstance(a, str) and isinstance(b, str):
        return a.split() == b.split() or "".join(a.split()) == "".join(b.split())
    if isinstance(a, (dt.time, dt.timedelta)) and isinstance(b, str):
        return str(a) == b or b.startswith(("PT", "-PT"))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    if isinstance(a, dt.datetime) and type(b) is dt.date:
        return a == dt.datetime.combine(b, dt.time())
    if isinstance(a, dt.time) and isinstance(b, dt.timedelta):
        return a == (dt.datetime.min + b).time()
    return a == b


def calamine_mismatches(path: Path, ours) -> list[str]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for name in wb.sheet_names:
        theirs = {(r, c): v for r, row in enumerate(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
                  for c, v in enumerate(row) if v not in ("", None)}
        mine = {k: v[1] for k, v in ours.get(name, {}).items()}
        out += [f"{name}!{k}: {mine.get(k)!r} != {theirs.get(k)!r}" for k in sorted(set(mine) | set(theirs))
                if not _same(mine.get(k), theirs.get(k))]
    return out


def check(paths: list[Path], tmp: Path) -> dict:
    pytest.importorskip("python_calamine")
    tally = {"files": 0, "agree": 0, "cells": 0, "empty": 0, "openpyxl cannot": 0, "unverified": 0,
             "mismatch": []}
    for path in paths:
        tally["files"] += 1
        if path.name in CALAMINE_WRONG:
            assert reader_cells(path)
            tally["agree"] += 1
            continue
        try:
            ours = reader_cells(path)
        except ImportRefused as exc:
            ours = exc
        expected = None
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                expected = openpyxl_cells(_oracle_path(path, tmp))
            except Exception:          # noqa: BLE001 — openpyxl cannot read it: calamine decides
                tally["openpyxl cannot"] += 1
        if isinstance(ours, ImportRefused):
            if "空のブック" in str(ours) and (expected is None or not any(expected.values())):
                tally["empty"] += 1
            else:
                tally["mismatch"].append(f"{path.name}: {ours}")
            continue
        try:
            found = differences(expected, ours) if expected is not None else calamine_mismatches(path, ours)
        except Exception:              # noqa: BLE001 — neither openpyxl nor calamine reads it
            tally["unverified"] += 1
            continue
        if found:
            tally["mismatch"].append(f"{path.name}: {found[:3]}")
        else:
            tally["agree"] += 1
            tally["cells"] += sum(map(len, ours.values()))
    print(f"\ncorpus: {tally['files']} files, {tally['agree']} agree ({tally['cells']} cells), "
          f"{tally['empty']} empty (refused as empty), openpyxl cannot read {tally['openpyxl cannot']}, "
          f"no other reader reads {tally['unverified']}")
    return tally


def test_published_workbooks(published, tmp_path):
    files, complete = published
    tally = check(files, tmp_path)
    assert tally["mismatch"] == [] and tally["unverified"] <= 2
    assert tally["agree"] >= (95 if complete else 1)
    assert tally["cells"] > (90_000 if complete else 0)


def test_workbooks_written_by_other_programs(written, tmp_path):
    tally = check(written, tmp_path)
    assert tally["mismatch"] == []
    assert tally["agree"] == len(written) - tally["empty"] and tally["agree"] >= 12
