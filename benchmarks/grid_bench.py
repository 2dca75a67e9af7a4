"""Grid benchmark: the monthly grid with a large view (all 41 indicators x 15 fiscal years ≈ 600
rows) and the 47-branch table, scrolled and repainted; baseline: a QStandardItemModel holding the
same texts in a plain QTableView, measured in the same run. A script, not a timed test.

    .venv/bin/python benchmarks/grid_bench.py
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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


def main() -> int:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from app.reads.figures import Figures
    from app.reads.ranks import national_table
    from app.store.database import open_database
    from ui.branch_table import BranchTableModel
    from ui.grid_model import MonthlyGridModel
    from ui.grid_view import MonthlyGridView

    app = QApplication.instance() or QApplication([])
    years = list(range(2010, 2025))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "big.sqlite3")
        fill(db, years)
        t = time.perf_counter()
        fig = Figures(db, "10")
        rows = fig.grid_rows([i.code for i in db.catalogue], years[-1])
        load_ms = (time.perf_counter() - t) * 1000
        model = MonthlyGridModel(db.catalogue)
        view = MonthlyGridView()
        view.setModel(model)
        view.resize(1200, 700)
        view.show()
        t = time.perf_counter()
        model.set_rows(rows)
        app.processEvents()
        show_ms = (time.perf_counter() - t) * 1000
        ours = scroll_ms(view)

        base = QStandardItemModel(model.rowCount(), model.columnCount())
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                base.setItem(r, c, QStandardItem(model.index(r, c).data()))
        plain = QTableView()
        plain.setModel(base)
        plain.resize(1200, 700)
        plain.show()
        app.processEvents()
        baseline = scroll_ms(plain)

        table, latest = national_table(db, "mail_rate", years[-1])
        bmodel = BranchTableModel()
        bview = QTableView()
        bview.setModel(bmodel)
        bmodel.set_rows(table, "%", "ratio", "10", latest)
        bview.resize(1200, 500)
        bview.show()
        app.processEvents()
        branches = scroll_ms(bview)
        db.engine.dispose()
    print(f"grid benchmark: {len(rows)} rows x {model.columnCount()} columns (41 indicators x {len(years)} years)")
    print(f"  load figures and build rows   {load_ms:8.1f} ms")
    print(f"  set rows and fit columns      {show_ms:8.1f} ms")
    print(f"  scroll step + repaint (ours)  {ours:8.2f} ms   baseline QStandardItemModel {baseline:6.2f} ms"
          f"   ratio {ours / baseline:4.2f}x")
    print(f"  47-branch table scroll step   {branches:8.2f} ms   ({len(table)} rows)")
    print("  a scroll step under 16 ms keeps 60 frames a second")
    sys.stdout.flush()
    os._exit(0)             # skip interpreter teardown of the Qt objects


if __name__ == "__main__":
    sys.exit(main())
