"""The workbook writer's short cuts make the workbook openpyxl's own calls make, byte for byte, and
openpyxl is loaded without numpy only because no figure written is a numpy number."""
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.documents import xlsx
from app.documents.build import build
from app.documents.report import Table

ROOT = Path(__file__).resolve().parents[2]


def parts(path):
    """Every part of the file; the creation and change times left out."""
    with zipfile.ZipFile(path) as z:
        return {n: re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"", z.read(n)) for n in z.namelist()}


def openpyxl_own_calls(monkeypatch):
    """The writer as openpyxl's documented calls would have it: ``cell.font = …``, ``merge_cells``,
    ``insert_rows``."""
    def put(self, cell, **styles):
        for name, obj in styles.items():
            setattr(cell, name, obj)

    def insert(ws, at, n):
        moved = [m for m in ws.merged_cells.ranges if m.min_row >= at]
        for m in moved:
            ws.merged_cells.remove(m)
        heights = {r: d.height for r, d in list(ws.row_dimensions.items()) if r >= at}
        ws.insert_rows(at, n)
        for m in moved:
            m.shift(0, n)
            ws.merged_cells.add(m)
        for r in heights:
            ws.row_dimensions[r].height = None
        for r, h in heights.items():
            ws.row_dimensions[r + n].height = h

    monkeypatch.setattr(xlsx.Styles, "put", put)
    monkeypatch.setattr(xlsx, "merge", lambda ws, r1, c1, r2, c2: ws.merge_cells(
        start_row=r1, start_column=c1, end_row=r2, end_column=c2))
    monkeypatch.setattr(xlsx, "_insert_rows", insert)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("kind", ["status", "progress", "summary"])
def test_the_workbook_is_the_one_openpyxls_own_calls_make(demo_db, tmp_path, monkeypatch, kind):
    doc = build(demo_db, "10", 2024, 4, kind)
    fast = parts(xlsx.write_xlsx(doc, tmp_path / "fast.xlsx"))
    with monkeypatch.context() as m:
        openpyxl_own_calls(m)
        plain = parts(xlsx.write_xlsx(doc, tmp_path / "plain.xlsx"))
    assert fast.keys() == plain.keys()
    assert [n for n in fast if fast[n] != plain[n]] == []
    if kind == "progress":                       # rows were inserted for （続き） headings
        ws = openpyxl.load_workbook(tmp_path / "plain.xlsx").active
        assert any(str(c.value).endswith(xlsx.CONTINUED) for c in ws["A"])


@pytest.mark.sqlite_only
def test_every_figure_written_is_a_python_number(demo_db):
    for kind in ("status", "progress", "summary"):
        doc = build(demo_db, "10", 2024, 4, kind)
        tables = [t for b in doc.blocks for t in b.tables + [p for p in b.parts if isinstance(p, Table)]]
        cells = [c for t in tables + [doc.summary] if t is not None for r in t.rows for c in r]
        assert cells and {type(c.value) for c in cells} <= {int, float, type(None)}


def test_openpyxl_is_loaded_without_numpy_and_numpy_still_imports_after():
    code = ("import sys\nfrom app.documents.xlsx import load_openpyxl\nload_openpyxl()\n"
            "import openpyxl.compat.numbers as n\nprint('numpy' in sys.modules, n.NUMPY)\n"
            "import numpy\nprint(numpy.float64(1.5) + 1)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "2.5"]
