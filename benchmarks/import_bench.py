"""Import benchmark: the product's import against a bare read of the same workbook, same run.

Goal (issue 12): an import within 1.0x a bare openpyxl read-only pass of the same file; the
product's reader alone (importers.formats.workbook.load_book) is shown beside openpyxl and
python-calamine. Builds a
national HQ by-branch book (layout B) and a many-year branch monthly book (layout A) in a temp
dir. Each measurement is a fresh process: imports and opening the database happen before the
clock starts; median of --repeat, taken in rounds of one run of each measurement. Peak memory:
the child's VmHWM, imports included.

    .venv/bin/python benchmarks/import_bench.py [--repeat 3] [--pg postgresql+psycopg://user@host:port/db]

With --pg (or BRANCH_REPORT_BENCH_PG), the import is also measured into a fresh database on that
PostgreSQL server (created for each run by the given login, which must be allowed to create
databases and roles; dropped after), made by an admin registered there as in shared mode, and
shown against the SQLite import of the same run (goal: within 1.5x).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL = 1.0
PG_GOAL = 1.5
MONTHS = [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
KINDS = (("openpyxl", "openpyxl read-only"), ("calamine", "python-calamine"), ("reader", "load_book (reader)"),
         ("import", "import_workbook"))
PG_KIND = ("import-pg", "import, PostgreSQL")      # as a registered admin (see _PgDatabase)


def _cell(ws, value, fmt):
    from openpyxl.cell import WriteOnlyCell
    c = WriteOnlyCell(ws, value)
    c.number_format = fmt
    return c


def build_hq(path: Path, years=range(2016, 2025), n_indicators: int = 20) -> int:
    """Layout B: one sheet per indicator × fiscal year, rows '01 北海道' … '47 沖縄', '全国'."""
    from openpyxl import Workbook
    from app.core.fiscal import format_fy
    from app.store.database import branch_names

    inds = [i for i in json.loads((ROOT / "resources/indicators.json").read_text(encoding="utf-8"))
            if i["kind"] in ("count", "ratio", "amount", "average", "stock")][:n_indicators]
    branches = [f"{c} {n}" for c, n in sorted(branch_names().items()) if c != "00"] + ["全国"]
    rnd, wb, cells = random.Random(1), Workbook(write_only=True), 0
    for fy in years:
        for k, ind in enumerate(inds):
            ws = wb.create_sheet(f"{fy}_{k:02d}")
            pct, avg = ind["unit"] == "%", ind["kind"] == "average"
            fmt = "0.0%" if pct else "0.00" if avg else "#,##0"
            for row in ([f"{format_fy(fy)} {ind['name']}（支部別）"], ["全国健康保険協会 本部"], [],
                        ["支部", *MONTHS, "年度計"]):   # title in A1, header at row 4
                ws.append(row)
            for label in branches:
                vals = [round(rnd.uniform(0.8, 0.99), 3) if pct else rnd.randint(50, 5000) for _ in MONTHS]
                vals.append(round(sum(vals) / 12, 3) if pct or avg else sum(vals))
                ws.append([label] + [_cell(ws, v, fmt) for v in vals])
                cells += len(vals)
    wb.save(path)
    return cells


def build_monthly(path: Path, first: int = 2000, last: int = 2024) -> int:
    """Layout A: the sample's sheets (FY2022–2024 blocks) copied with every fiscal year shifted
    back by 3, 6, … years (copies never overlap) until `first` is covered."""
    import openpyxl
    from app.core.fiscal import find_fiscal_year, format_fy, parse_fiscal_year

    src = openpyxl.load_workbook(ROOT / "resources/sample/gunma_fy2024_monthly.xlsx")
    wb, cells, shift = openpyxl.Workbook(write_only=True), 0, 0
    while last - shift >= first:
        for sheet in src.worksheets:
            ws = wb.create_sheet(f"{sheet.title}_{last - shift}")
            for row in sheet.iter_rows():
                out = []
                for c in row:
                    v = c.value
                    if isinstance(v, str) and c.column == 1:
                        try:
                            v = format_fy(parse_fiscal_year(v) - shift)
                        except ValueError:
                            if c.row == 1 and (fy := find_fiscal_year(v)):   # the sheet title
                                v = f"{format_fy(fy - shift)} 群馬支部" + v.split("支部", 1)[1]
                    elif v is not None and not (isinstance(v, str) and v in (*MONTHS, "計")):
                        cells += 1
                    out.append(_cell(ws, v, c.number_format))
                ws.append(out)
        shift += 3
    wb.save(path)
    return cells


def peak_rss_mb() -> float:
    """VmHWM (Linux), not ru_maxrss: ru_maxrss survives exec, so a child reports its parent's peak."""
    import re
    m = re.search(r"VmHWM:\s*(\d+)", Path("/proc/self/status").read_text())
    return int(m.group(1)) / 1024


def child(kind: str, path: str, db_path: str) -> None:
    """One measurement in this fresh process; prints a JSON line."""
    if kind == "openpyxl":
        import openpyxl
        t = time.perf_counter()
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        extra = {"cells": sum(v is not None for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r)}
        wb.close()
    elif kind == "calamine":
        from python_calamine import CalamineWorkbook
        t = time.perf_counter()
        wb = CalamineWorkbook.from_path(path)
        extra = {"cells": sum(v not in ("", None) for n in wb.sheet_names
                              for r in wb.get_sheet_by_name(n).to_python() for v in r)}
    elif kind == "reader":
        import openpyxl  # noqa: F401  (kept out of the timing, as for the import)
        import importers.formats.xlsx  # noqa: F401  (load_book imports its readers lazily)
        from importers.formats.workbook import load_book
        t = time.perf_counter()
        book = load_book(path)
        extra = {"cells": sum(c.value is not None for s in book.sheets for r in s.rows for c in r)}
    else:                                    # 'import' (db_path a file) or 'import-pg' (db_path a URL)
        import openpyxl  # noqa: F401  (load_book imports it lazily: kept out of the timing)
        import app.store.access, app.operations.imports, importers.formats.xlsx  # noqa: F401,E401  (imported lazily: kept out too)
        from app.operations.ops import import_files
        from app.store.database import open_database
        db = open_database(db_path)
        t = time.perf_counter()
        r = import_files(db, [path], branch="10").reports[0]
        extra = {"inserted": r.inserted, "updated": r.updated, "warnings": len(r.warnings),
                 "errors": len(r.errors), "first_error": r.errors[0].line() if r.errors else ""}
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "rss": peak_rss_mb(), **extra}, ensure_ascii=False))


class _PgDatabase:
    """A fresh database on the server of ``url`` for one run, set up by that URL's login (who owns
    the tables), imported into by an admin registered there (as in shared mode: a login under
    row-level security, not the tables' owner); both dropped afterwards."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url
        self.url, self.name = make_url(url), f"br_bench_{uuid.uuid4().hex[:12]}"
        self.login, self.password = self.name + "_admin", uuid.uuid4().hex

    def __enter__(self) -> str:
        from app.operations import ops
        from app.store.database import open_database

        self._admin("CREATE DATABASE {}")
        db = open_database(self.url.set(database=self.name))
        ops.add_user(db, self.login, "10", "企画総務", admin=True, password=self.password)
        db.engine.dispose()
        return self.url.set(database=self.name, username=self.login,
                            password=self.password).render_as_string(hide_password=False)

    def __exit__(self, *exc) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._admin(f"DROP ROLE IF EXISTS {self.login}")

    def _admin(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(self.url.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as conn:
            conn.execute(sql.format(self.name))


def run_once(kind: str, path: Path, tmp: Path, i: int, pg: str | None = None) -> dict:
    with (_PgDatabase(pg) if kind == "import-pg" else contextlib.nullcontext(
            str(tmp / f"{kind}-{path.stem}-{i}.sqlite3"))) as target:
        cmd = [sys.executable, __file__, "--child", kind, str(path), target]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{kind} {path.name} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(kinds, path: Path, tmp: Path, repeat: int, pg: str | None = None) -> dict[str, dict]:
    """Each kind ``repeat`` times, in rounds (one of each kind per round), so that a change in the
    machine's load weighs on all of them alike; the median of each."""
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for i in range(repeat):
        for k in kinds:
            runs[k].append(run_once(k, path, tmp, i, pg))
    return {k: dict(r[-1], seconds=statistics.median(x["seconds"] for x in r), rss=max(x["rss"] for x in r))
            for k, r in runs.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median; default 3)")
    ap.add_argument("--pg", default=os.environ.get("BRANCH_REPORT_BENCH_PG"),
                    help="also import into PostgreSQL: a server URL (a fresh database per run)")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "XLSX", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(*args.child) or 0
    print(f"import benchmark: median of {args.repeat} fresh processes (in rounds); goal import <= {GOAL}x openpyxl")
    books = (("layout B, HQ by-branch, 20 indicators x FY2016-2024", "hq_national", build_hq),
             ("layout A, branch monthly, FY2000-2024", "gunma_monthly_many", build_monthly))
    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        for title, name, build in books:
            n = build(path := Path(tmp) / f"{name}.xlsx")
            kinds = KINDS + ((PG_KIND,) if args.pg else ())
            res = measure([k for k, _ in kinds], path, Path(tmp), args.repeat, args.pg)
            imp = res["import"]
            print(f"\n{title}: {path.stat().st_size / 1024:.0f} KiB, {n} value cells (months + year) written, "
                  f"{res['openpyxl']['cells']} non-empty cells (openpyxl) / {res['calamine']['cells']} (calamine)")
            print(f"  {'measurement':<22}{'seconds':>9}{'peak RSS MiB':>14}")
            for k, label in kinds:
                print(f"  {label:<22}{res[k]['seconds']:>9.3f}{res[k]['rss']:>14.0f}")
            r_o, r_c = (imp["seconds"] / res[k]["seconds"] for k in ("openpyxl", "calamine"))
            read_o, read_c = (res["reader"]["seconds"] / res[k]["seconds"] for k in ("openpyxl", "calamine"))
            print(f"  reader / openpyxl = {read_o:.2f}x   reader / calamine = {read_c:.2f}x   "
                  f"({res['reader']['cells']} non-empty cells read)")
            print(f"  import / openpyxl = {r_o:.2f}x   import / calamine = {r_c:.2f}x   "
                  f"goal <= {GOAL}x openpyxl -> {'MET' if r_o <= GOAL else 'NOT MET'}")
            print(f"  inserted {imp['inserted']}, updated {imp['updated']}, warnings {imp['warnings']}, "
                  f"errors {imp['errors']}" + (f"; first error: {imp['first_error']}" if imp["errors"] else ""))
            if args.pg:
                pg, r_pg = res["import-pg"], res["import-pg"]["seconds"] / imp["seconds"]
                print(f"  import PostgreSQL / SQLite = {r_pg:.2f}x   goal <= {PG_GOAL}x -> "
                      f"{'MET' if r_pg <= PG_GOAL else 'NOT MET'}   (inserted {pg['inserted']}, "
                      f"warnings {pg['warnings']}, errors {pg['errors']})")
            if "取り込める形式" in imp.get("first_error", ""):
                print("  -> not a known kind: layout B importer not implemented yet (time = read + refusal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
