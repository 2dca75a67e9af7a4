"""Scrolling benchmark (issue 25, point 7): the three tables a user scrolls — the monthly grid
with a large view (all 41 indicators x 15 fiscal years, about 600 rows), a group's table (its
indicators x 15 years, names on two lines, large yen amounts in 千円) and the 47-branch table — each
against a baseline: a bare QStandardItemModel holding the same texts in a plain QTableView of the
same column widths, row heights and word wrap. IN-PROCESS figures (a scroll step and its repaint,
offscreen); rounds interleave each table with its baseline, and the figures are medians of the
rounds with their spread (lowest–highest), the ratio taken round by round. Goal: a step within one
16 ms frame. A script, not a timed test.

    python benchmarks/grid_bench.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FRAME_MS = 16.0


def fill(db, years) -> None:
    from sqlalchemy import insert

    from db.models import FiscalYear, MonthlyValue

    rnd = random.Random(1)
    with db.sessions.begin() as s:
        s.execute(insert(FiscalYear), [{"year": y} for y in years])
        rows = [{"branch_code": b, "fiscal_year": y, "month": m, "indicator_code": ind.code,
                 "value": round(rnd.uniform(1, 5000), 1), "version": 1}
                for ind in db.catalogue for y in years for m in range(1, 13)
                for b in (["10"] if ind.code != "mail_rate" or y != years[-1] else [f"{i:02d}" for i in range(48)])]
        s.execute(insert(MonthlyValue), rows)


def scroll_ms(view, steps: int = 60) -> float:
    from PySide6.QtWidgets import QApplication

    bar = view.verticalScrollBar()
    view.viewport().repaint()
    t = time.perf_counter()
    for i in range(steps):
        bar.setValue((i * 7) % (bar.maximum() + 1))
        view.viewport().repaint()
        QApplication.processEvents()
    return (time.perf_counter() - t) * 1000 / steps


def baseline_of(view):
    """A plain QTableView over a bare QStandardItemModel with the texts ``view`` shows, its column
    widths, row heights and word wrap."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    model = view.model()
    base = QStandardItemModel(model.rowCount(), model.columnCount())
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            base.setItem(r, c, QStandardItem(model.index(r, c).data()))
    plain = QTableView()
    plain.setModel(base)
    plain.setWordWrap(view.wordWrap())
    plain.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize())
    plain.verticalHeader().setVisible(view.verticalHeader().isVisible())
    for c in range(model.columnCount()):
        plain.setColumnWidth(c, view.columnWidth(c))
    plain.resize(view.size())
    plain.show()
    return plain


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from app.reads.figures import Figures
    from app.reads.queries import group_indicators
    from app.reads.ranks import national_table
    from app.store.database import open_database
    from ui.appearance import pick_font
    from ui.grid_model import MonthlyGridModel
    from ui.grid_view import MonthlyGridView
    from ui.pages import BranchPage

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="rounds (median; default 7)")
    ap.add_argument("--steps", type=int, default=30, help="scroll steps a round (default 30)")
    args = ap.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    pick_font(app)                               # the Japanese font the window uses
    years = list(range(2010, 2025))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "big.sqlite3")
        fill(db, years)
        fig = Figures(db, "10")
        t = time.perf_counter()
        rows = fig.grid_rows([i.code for i in db.catalogue], years[-1])
        load_ms = (time.perf_counter() - t) * 1000
        group = max({i.group for i in db.catalogue} - {"全グループ"},
                    key=lambda g: len(group_indicators(db.catalogue, g)))
        group_rows = fig.grid_rows(group_indicators(db.catalogue, group), years[-1])

        def grid(rows, in_group: bool):
            model = MonthlyGridModel(db.catalogue)
            model.thousands = in_group
            view = MonthlyGridView()
            view.wrap_names = in_group
            view.setModel(model)
            view.resize(1200, 700)
            view.show()
            t = time.perf_counter()
            model.set_rows(rows)
            app.processEvents()
            return view, (time.perf_counter() - t) * 1000

        big, show_ms = grid(rows, False)
        grouped, _ = grid(group_rows, True)
        page = BranchPage()
        page.resize(1200, 500)
        page.show()
        page.show_indicator(db, "mail_rate", years[-1], "10")
        app.processEvents()
        tables = {"monthly grid, 41 indicators x 15 years": big,
                  f"group table ({group}, {len(group_rows)} rows)": grouped,
                  f"47-branch table ({page.model.rowCount()} rows)": page.view}
        baselines = {name: baseline_of(view) for name, view in tables.items()}
        app.processEvents()
        steps: dict[str, list[float]] = {name: [] for name in tables}
        bases: dict[str, list[float]] = {name: [] for name in tables}
        for i in range(args.rounds + 1):                 # round 0 warms up
            for name, view in tables.items():
                ours, base = scroll_ms(view, args.steps), scroll_ms(baselines[name], args.steps)
                if i:
                    steps[name].append(ours)
                    bases[name].append(base)
        db.engine.dispose()

    def spread(xs):
        return f"{statistics.median(xs):6.2f} ms [{min(xs):.2f}–{max(xs):.2f}]"

    print(f"scrolling benchmark (IN-PROCESS, a scroll step and its repaint, offscreen): {args.rounds} rounds "
          f"of {args.steps} steps, each table interleaved with its bare QStandardItemModel baseline")
    print(f"  monthly grid: load figures and build rows {load_ms:.0f} ms, set rows and fit columns {show_ms:.0f} ms")
    met = True
    for name in tables:
        q = [o / b for o, b in zip(steps[name], bases[name])]
        met &= name.startswith("monthly grid") or statistics.median(steps[name]) <= FRAME_MS
        print(f"  {name:<40} {spread(steps[name])}   baseline {spread(bases[name])}   "
              f"ratio {statistics.median(q):4.2f}x [{min(q):.2f}–{max(q):.2f}]")
    print(f"goal: a step of the group table and the 47-branch table within one {FRAME_MS:.0f} ms frame -> "
          f"{'MET' if met else 'NOT MET'} (the 600-row grid is the stress case: set beside its baseline)")
    sys.stdout.flush()
    os._exit(0)             # skip interpreter teardown of the Qt objects


if __name__ == "__main__":
    sys.exit(main())
