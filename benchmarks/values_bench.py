"""`values` benchmark: `branch-report --db DB values --format csv` as typed, on a database of the
issue's size (the demo's 2,546 month values copied into earlier years: 359k values; --copies), against a plain sqlite3
script writing the same bytes, run in a clean venv; whole processes, interleaved, medians and
spreads; peak memory (GNU time's maximum RSS) at 1x and at that size, to show it flat.

Goal (issue 25): within 1.5x the script; memory flat as the database grows.

    python benchmarks/values_bench.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import whole  # noqa: E402

GOAL = 1.5

SCRIPT = r"""
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("SELECT m.branch_code, m.fiscal_year, m.month, m.indicator_code, m.value FROM monthly_value m "
                   "JOIN indicator i ON i.code = m.indicator_code "
                   "ORDER BY m.branch_code, m.fiscal_year, i.position, (m.month + 8) % 12")
def number(v):
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else f"{v:.10g}"
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["branch", "fiscal_year", "month", "indicator", "value"])
w.writerows((b, y, m, i, number(v)) for b, y, m, i, v in rows)
"""


def grow(path: Path, copies: int) -> int:
    """The demo's month values copied ``copies - 1`` times into earlier fiscal years (3 years apart,
    as its three years are): ``copies`` times as many values, in as many branches."""
    con = sqlite3.connect(path)
    with con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(monthly_value)") if r[1] not in ("id", "fiscal_year")]
        first = con.execute("SELECT min(fiscal_year) FROM monthly_value").fetchone()[0]
        for k in range(1, copies):
            con.executemany("INSERT OR IGNORE INTO fiscal_year (year) VALUES (?)",
                            [(y - 3 * k,) for y in range(first, first + 3)])
            con.execute(f"INSERT INTO monthly_value (fiscal_year, {', '.join(cols)}) "
                        f"SELECT fiscal_year - ?, {', '.join(cols)} FROM monthly_value WHERE fiscal_year >= ?",
                        (3 * k, first))
    n = con.execute("SELECT count(*) FROM monthly_value").fetchone()[0]
    con.close()
    return n


def peak_mb(cmd: list[str], out: Path) -> float:
    """Maximum RSS (MiB) of the command, by GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=open(out, "wb"), stderr=subprocess.PIPE, text=True)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=141, help="copies of the demo's values (default 141: 359k)")
    ap.add_argument("--clean", default=None, help="folder of the clean baseline venv (default: a new one)")
    args = ap.parse_args(argv)
    from app.operations.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        tmp = Path(tmp)
        clean = whole.clean_venv(Path(args.clean) if args.clean else tmp / "clean-venv")
        whole.compiled(ROOT)            # bytecode, as an installed program has it
        build_demo(small := tmp / "x1.sqlite3").engine.dispose()
        n1 = grow(small, 1)
        shutil.copy(small, big := tmp / "big.sqlite3")
        n16 = grow(big, args.copies)
        product = [*whole.product_command(), "--db", str(big), "values", "--format", "csv"]
        script = [clean, "-c", SCRIPT, str(big)]
        res = whole.rounds({"script": lambda i: whole.run(script, out=tmp / "script.csv"),
                            "values": lambda i: whole.run(product, out=tmp / "values.csv")}, args.repeat)
        same = hashlib.sha256((tmp / "script.csv").read_bytes()).digest() == \
            hashlib.sha256((tmp / "values.csv").read_bytes()).digest()
        mem = {}
        for label, db in (("1x", small), ("big", big)):
            mem[("values", label)] = peak_mb([*whole.product_command(), "--db", str(db), "values", "--format", "csv"], tmp / "m.csv")
            mem[("script", label)] = peak_mb([clean, "-c", SCRIPT, str(db)], tmp / "m.csv")
    print(f"values benchmark: {n16} values ({args.copies}x the demo's {n1}), whole processes, {args.repeat} interleaved rounds "
          f"after a warm-up; the script in a clean venv")
    print(f"  plain sqlite3 script        {whole.describe(res['script'])}")
    print(f"  branch-report values (csv)  {whole.describe(res['values'], res['script'])}")
    r = whole.ratio(res["values"], res["script"])
    print(f"  same bytes: {'yes' if same else 'NO'}   goal <= {GOAL}x -> {'MET' if r <= GOAL and same else 'NOT MET'} ({r:.2f}x)")
    print(f"  peak memory MiB: values {mem[('values', '1x')]:.0f} at 1x, {mem[('values', 'big')]:.0f} at {args.copies}x; "
          f"script {mem[('script', '1x')]:.0f} / {mem[('script', 'big')]:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
