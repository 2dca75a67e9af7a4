"""Export benchmark: `branch-report --demo export …` and `… chart` as typed, against bare writes of
the same documents in a clean environment.

Issue 25 point 6: each export kind within 1.0 s whole process on the demo. Whole processes timed
from outside (interpreter start, module imports, the demo's copy, the document and its file all
count), interleaved in rounds with the baselines, which run in a clean venv of their own
(PySide6-Essentials and openpyxl at this environment's versions, nothing else):
- PDF: the document's own text (as laid out: its QTextDocument's plain text, a paragraph a line)
  and as many blank 900 x 480 pictures as it has charts, in the same font, written by
  QTextDocument.print_ to a QPdfWriter at the same resolution, page size and margins;
- xlsx: openpyxl writing the same cells' values (every non-empty cell of every sheet), no styles;
- chart: a QImage of the same size filled, its title and twelve lines drawn, saved as PNG.
The demo's cache lives in a folder of the benchmark's own (XDG_CACHE_HOME), so other checkouts
building theirs do not make a run rebuild it. Medians, spreads (lowest–highest), CPU, and ratios
taken round by round.

    python benchmarks/export_bench.py [--repeat 5] [--clean FOLDER] [--quarter 4] [--root CHECKOUT]...

--root measures a checkout's main.py (an earlier commit: `git archive REV | tar -x -C DIR`); given
more than once, each is run in the same rounds against the same baselines (before and after).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import whole  # noqa: E402

GOAL = 1.0            # seconds, whole process, each kind
KINDS = ("status", "progress", "summary")
CHART = "mail_rate"

PDF_BASE = r'''
import html, json, sys
from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
spec = json.load(open(sys.argv[1], encoding="utf-8"))
app = QGuiApplication(["base", "-platform", "offscreen"])
td = QTextDocument()
font = QFont(spec["family"])
font.setPointSizeF(9)
td.setDefaultFont(font)
for i in range(spec["images"]):
    image = QImage(900, 480, QImage.Format_RGB32)
    image.fill(0xFFFFFFFF)
    td.addResource(QTextDocument.ImageResource, QUrl(f"img://{i}"), image)
td.setHtml("".join(f"<p>{html.escape(line)}</p>" for line in spec["text"].splitlines())
           + "".join(f'<p><img src="img://{i}" width="620"></p>' for i in range(spec["images"])))
writer = QPdfWriter(sys.argv[2])
writer.setResolution(300)
writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Landscape if spec["landscape"]
                                 else QPageLayout.Portrait, QMarginsF(12, 10, 12, 10), QPageLayout.Millimeter))
td.print_(writer)
'''

XLSX_BASE = r'''
import json, sys
from openpyxl import Workbook
spec = json.load(open(sys.argv[1], encoding="utf-8"))
wb = Workbook()
wb.remove(wb.active)
for name, cells in spec["sheets"].items():
    ws = wb.create_sheet(name)
    for row, column, value in cells:
        ws.cell(row, column, value)
wb.save(sys.argv[2])
'''

CHART_BASE = r'''
import sys
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen
app = QGuiApplication(["base", "-platform", "offscreen"])
image = QImage(960, 540, QImage.Format_RGB32)
image.fill(0xFFFFFFFF)
p = QPainter(image)
p.setRenderHint(QPainter.Antialiasing)
p.drawText(10, 20, sys.argv[2])
p.setPen(QPen(QColor("#1f5fa8"), 3))
for i in range(12):
    p.drawLine(QPointF(60 + i * 70, 400 - i * 9), QPointF(130 + i * 70, 380 - i * 11))
p.end()
image.save(sys.argv[1])
'''


def specs(folder: Path, quarter: int, env: dict) -> dict[str, Path]:
    """What each baseline writes: the documents' texts (as the product lays them out) and cells
    (of the product's own workbooks), found before the clock runs."""
    import openpyxl

    os.environ.update(env)
    from app.documents.build import build
    from app.operations.demo import demo_copy
    from app.store.database import open_database
    from ui.export import offscreen_app, text_document

    offscreen_app()
    db = open_database(demo_copy())
    out = {}
    for kind in KINDS:
        doc = build(db, "10", 2024, quarter, kind)
        td = text_document(doc)
        spec = {"text": td.toPlainText(), "family": td.defaultFont().family(), "images": len(doc.charts),
                "landscape": bool(doc.landscape)}
        out[f"{kind}.pdf"] = folder / f"{kind}.pdf.json"
        out[f"{kind}.pdf"].write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        wb = openpyxl.load_workbook(folder / f"product-{kind}.xlsx")
        sheets = {ws.title: [(c.row, c.column, c.value if isinstance(c.value, (int, float)) else str(c.value))
                             for row in ws.iter_rows() for c in row if c.value is not None] for ws in wb.worksheets}
        out[f"{kind}.xlsx"] = folder / f"{kind}.xlsx.json"
        out[f"{kind}.xlsx"].write_text(json.dumps({"sheets": sheets}, ensure_ascii=False), encoding="utf-8")
    db.engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="rounds (median; default 5)")
    ap.add_argument("--quarter", type=int, default=4, help="the demo year's quarter (default 4)")
    ap.add_argument("--clean", default=None, help="folder of the clean baseline venv (default: a new one)")
    ap.add_argument("--root", action="append", default=None,
                    help="a checkout whose main.py is measured (repeatable: each in the same rounds; default: this one)")
    args = ap.parse_args(argv)
    roots = [Path(r).resolve() for r in args.root or [ROOT]]
    from importlib.metadata import version

    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp_name:
        tmp = Path(tmp_name)
        clean = whole.clean_venv(Path(args.clean) if args.clean else tmp / "clean-venv",
                                 f"PySide6-Essentials=={version('PySide6-Essentials')}",
                                 f"shiboken6=={version('shiboken6')}", f"openpyxl=={version('openpyxl')}")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        for root in roots:
            whole.compiled(root)
        common, quarter = ["--branch", "10", "--fy", "2024"], ["--quarter", str(args.quarter)]

        def product(root: Path, *verb: str):
            """A run of ``branch-report --demo VERB …`` of that checkout (its demo cache built once)."""
            own = {**env, "PYTHONPATH": str(root), "XDG_CACHE_HOME": str(tmp / f"cache-{roots.index(root)}")}
            return lambda i: whole.run([sys.executable, str(root / "main.py"), "--demo", *verb], cwd=str(root),
                                       env=own)                   # (a cache each: a demo build removes others')

        for kind in KINDS:                     # the demo's caches built, the cells the baseline writes
            for root in roots:
                product(root, "export", *common, *quarter, "--kind", kind, "--out",
                        str(tmp / f"product-{kind}.xlsx"))(0)
        spec = specs(tmp, args.quarter, {"XDG_CACHE_HOME": str(tmp / "cache-spec"), "QT_QPA_PLATFORM": "offscreen"})
        scripts = {}
        for name, text in (("pdf", PDF_BASE), ("xlsx", XLSX_BASE), ("chart", CHART_BASE)):
            scripts[name] = tmp / f"base_{name}.py"
            scripts[name].write_text(text, encoding="utf-8")
        commands, pairs = {}, []
        label = (lambda root, name: f"{root.name}: {name}") if len(roots) > 1 else (lambda root, name: name)
        for kind in KINDS:
            for fmt in ("pdf", "xlsx"):
                name = f"{kind}.{fmt}"
                for root in roots:
                    commands[label(root, name)] = product(root, "export", *common, *quarter, "--kind", kind,
                                                          "--out", str(tmp / f"out-{root.name}-{name}"))
                    pairs.append((label(root, name), f"base {name}"))
                commands[f"base {name}"] = (lambda i, fmt=fmt, name=name: whole.run(
                    [clean, str(scripts[fmt]), str(spec[name]), str(tmp / f"base-{name}")], env=env))
        for root in roots:
            commands[label(root, "chart")] = product(root, "chart", "--indicator", CHART, *common, "--out",
                                                     str(tmp / f"chart-{root.name}.png"))
            pairs.append((label(root, "chart"), "base chart"))
        commands["base chart"] = lambda i: whole.run([clean, str(scripts["chart"]), str(tmp / "base.png"), CHART],
                                                     env=env)
        runs = whole.rounds(commands, args.repeat)
    print(f"exports of the demo (第{args.quarter}四半期), whole processes, {args.repeat} rounds; goal: each within "
          f"{GOAL:.1f} s")
    met, shown = True, set()
    for name, base in pairs:
        wall = whole.med(r["wall"] for r in runs[name])
        met &= wall <= GOAL
        print(f"  {name:22} {whole.describe(runs[name], runs[base])}  {'MET' if wall <= GOAL else 'NOT MET'}")
        if base not in shown and (len(roots) == 1 or name.startswith(roots[-1].name)):
            shown.add(base)
            print(f"  {'  ' + base:22} {whole.describe(runs[base])}")
    print("all within the goal" if met else "some above the goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
