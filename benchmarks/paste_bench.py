"""Paste benchmark (issue 25, point 4): a 12 x 50 block (600 month cells) pasted into the demo
database, and its undo, as the window does it (``ops.edit_cells``, ``ops.undo``: the whole
operation, its checks, its change log and its commit). IN-PROCESS figures (the database work of
one operation, no window), against a plain sqlite3 script doing the same database work on a copy
of the same database in the same run: one read of the 600 rows, the rows written by
``executemany``, one change-log line a cell, one transaction.

Goal: the paste and its undo each within 50 ms. Medians, spreads (lowest–highest), the statements
sent to the database, and the ratio to the script taken round by round.

    python benchmarks/paste_bench.py [--repeat 9]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_MS = 50.0
BRANCH, YEARS = "10", (2023, 2024)


def block(catalogue) -> list[tuple[str, int, int, str]]:
    """50 grid rows (25 indicators x 2 fiscal years) x 12 months: (branch, fy, month, indicator)."""
    codes = [ind.code for ind in catalogue][:25]
    return [(BRANCH, fy, m, code) for code in codes for fy in YEARS for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def script(path: Path, keys, values, who: str) -> None:
    """The same database work by hand: one read, the rows updated or inserted by executemany, the
    change log (row before and after as JSON) by executemany, one transaction."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("BEGIN IMMEDIATE")
    now = datetime.now().isoformat(sep=" ")
    op = con.execute("INSERT INTO operation (kind, at, who) VALUES ('edit', ?, ?)", (now, who)).lastrowid
    fields = "value, note, batch_id, source_file, source_sheet, source_cell, edited_by, edited_at"
    found = {tuple(r[:4]): r[4:] for r in con.execute(
        f"SELECT branch_code, fiscal_year, month, indicator_code, id, version, {fields} FROM monthly_value "
        f"WHERE branch_code = ? AND fiscal_year IN (?, ?)", (BRANCH, *YEARS))}
    updates, inserts, logs = [], [], []
    for key, value in zip(keys, values):
        row = found.get(key)
        before = dict(zip(fields.split(", "), row[2:])) if row else None
        after = {**(before or {}), "value": value, "edited_by": who, "edited_at": now}
        if row:
            updates.append((value, who, now, row[0]))
        else:
            inserts.append((*key, value, who, now))
        logs.append((now, who, "monthly_value", "/".join(map(str, key)), "value", None, str(value), "手入力", op,
                     json.dumps({"row": before}, ensure_ascii=False), json.dumps({"row": after}, ensure_ascii=False)))
    con.executemany("UPDATE monthly_value SET value = ?, edited_by = ?, edited_at = ?, version = version + 1 "
                    "WHERE id = ?", updates)
    con.executemany("INSERT INTO monthly_value (branch_code, fiscal_year, month, indicator_code, value, edited_by, "
                    "edited_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)", inserts)
    con.executemany("INSERT INTO change_log (at, who, entity, key, field, old, new, source, op_id, row_before, "
                    "row_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", logs)
    con.execute("COMMIT")
    con.close()


def timed_rounds(db, keys, repeat: int, then=None) -> tuple[list, list]:
    """Paste and undo ``repeat`` times after a warm-up: their ms; ``then(values)`` runs after each round."""
    from app.operations import ops
    from app.operations.edits import CellEntry

    paste, undo = [], []
    for i in range(repeat + 1):
        values = [1000.0 + i + k for k in range(len(keys))]
        t = time.perf_counter()
        changes = ops.edit_cells(db, [CellEntry(*k, v) for k, v in zip(keys, values)])
        t1 = time.perf_counter()
        ops.undo(db, changes.op_id)
        t2 = time.perf_counter()
        if then is not None:
            then(values)
        if i:                                   # round 0 warms the caches
            paste.append((t1 - t) * 1000)
            undo.append((t2 - t1) * 1000)
    return paste, undo


def server(url: str, repeat: int) -> None:
    """The same paste and undo on PostgreSQL (rows locked FOR UPDATE in the one read)."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from app.operations.demo import build_demo

    url = make_url(url)
    admin = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
    name = f"br_paste_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        db = build_demo(url.set(database=name).render_as_string(hide_password=False))
        paste, undo = timed_rounds(db, block(db.catalogue), repeat)
        db.engine.dispose()
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    print(f"PostgreSQL ({url.host}:{url.port}), IN-PROCESS, {repeat} rounds: paste {statistics.median(paste):.1f} ms "
          f"[{min(paste):.1f}–{max(paste):.1f}], undo {statistics.median(undo):.1f} ms [{min(undo):.1f}–{max(undo):.1f}]")


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy import event

    from app.operations import ops
    from app.operations.demo import build_demo
    from app.operations.edits import CellEntry
    from app.store.database import open_database

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9, help="rounds (median; default 9)")
    ap.add_argument("--server", metavar="URL", help="also on a PostgreSQL server (an SQLAlchemy URL whose user "
                    "may create databases): a scratch database there, dropped after; no script baseline")
    args = ap.parse_args(argv)
    if args.server:
        server(args.server, args.repeat)
    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        path = Path(tmp) / "demo.sqlite3"
        build_demo(path).close()
        shutil.copy(path, Path(tmp) / "script.sqlite3")
        db = open_database(path)
        keys = block(db.catalogue)
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
        paste, undo, base, counts, cpu = [], [], [], [], []
        for i in range(args.repeat + 1):
            values = [1000.0 + i + k for k in range(len(keys))]
            statements[0] = 0
            t, c = time.perf_counter(), time.process_time()
            changes = ops.edit_cells(db, [CellEntry(*k, v) for k, v in zip(keys, values)])
            t1, c1 = time.perf_counter(), time.process_time()
            ops.undo(db, changes.op_id)
            t2, c2 = time.perf_counter(), time.process_time()
            script(Path(tmp) / "script.sqlite3", keys, values, db.user)
            t3, c3 = time.perf_counter(), time.process_time()
            if i:                                   # round 0 warms the caches
                paste.append((t1 - t) * 1000)
                undo.append((t2 - t1) * 1000)
                base.append((t3 - t2) * 1000)
                counts.append(statements[0])
                cpu.append(((c1 - c) * 1000, (c2 - c1) * 1000, (c3 - c2) * 1000))
        db.close()

    def line(name, xs, ref=None):
        text = f"  {name:<34}{statistics.median(xs):8.1f} ms [{min(xs):.1f}–{max(xs):.1f}]"
        if ref is not None:
            q = [x / b for x, b in zip(xs, ref)]
            text += f"  ratio {statistics.median(q):5.2f}x [{min(q):.2f}–{max(q):.2f}]"
        return text

    print(f"paste benchmark (IN-PROCESS, database work of one operation): {len(keys)} cells, "
          f"{args.repeat} rounds after a warm-up, SQLite")
    print(line("plain sqlite3 script (baseline)", base))
    print(line("paste (ops.edit_cells)", paste, base))
    print(line("its undo (ops.undo)", undo, base))
    print(f"  CPU time (this process): paste {statistics.median(x[0] for x in cpu):.1f} ms, undo "
          f"{statistics.median(x[1] for x in cpu):.1f} ms, script {statistics.median(x[2] for x in cpu):.1f} ms")
    print(f"  statements, paste + undo: {statistics.median(counts):.0f}")
    met = statistics.median(paste) <= GOAL_MS and statistics.median(undo) <= GOAL_MS
    print(f"goal: paste and undo each <= {GOAL_MS:.0f} ms -> {'MET' if met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
