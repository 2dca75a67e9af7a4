"""Import benchmark: `branch-report import` as typed, against clean reads of the same workbook.

Issue 25. Whole processes timed from outside (interpreter start, module imports, creating the
database and the import all count), interleaved in rounds with the baselines, which run in a
clean venv of their own (openpyxl and python-calamine from pip's cache, no defusedxml):
- openpyxl: a read-only pass over every value;
- python-calamine: the same with calamine;
- the floor: calamine's read and every number stored by one sqlite3 ``executemany`` transaction.
The product runs this checkout's code, compiled to bytecode first as an installed package is
(``whole.compiled``). Goals: the national book (103,680 value cells, 180 sheets) within 1.0x openpyxl
and 2.5x the floor; the branch's monthly sample within 2x openpyxl. Medians, spreads (lowest–highest) and
ratios taken round by round.

    python benchmarks/import_bench.py [--repeat 5] [--pg postgresql+psycopg://user@host:port/db]

With --pg (or BRANCH_REPORT_BENCH_PG), the import is also run into a fresh database on that
PostgreSQL server (created for each run by the given login, which must be allowed to create
databases and roles; dropped after), as an admin registered there as in shared mode.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import whole  # noqa: E402

GOAL = 1.0            # the national book against openpyxl
FLOOR_GOAL = 2.5      # ... and against the floor
MONTHLY_GOAL = 2.0    # the monthly sample against openpyxl
MONTHS = [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


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


OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
n = sum(v is not None for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r)
wb.close()
print(n)
"""

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
print(sum(v not in ("", None) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python() for v in r))
"""

# The floor: the same read by python-calamine and every number stored in one sqlite3 transaction.
FLOOR = """
import sqlite3, sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = [(n, i, j, v) for n in wb.sheet_names for i, r in enumerate(wb.get_sheet_by_name(n).to_python())
        for j, v in enumerate(r) if isinstance(v, (int, float)) and not isinstance(v, bool)]
con = sqlite3.connect(sys.argv[2])
with con:
    con.execute("CREATE TABLE value (sheet TEXT, row INT, col INT, value REAL, PRIMARY KEY (sheet, row, col))")
    con.executemany("INSERT INTO value VALUES (?, ?, ?, ?)", rows)
con.close()
print(len(rows))
"""


def measure(path: Path, tmp: Path, clean: str, repeat: int, pg: str | None) -> dict[str, list[dict]]:
    """The product's import (a fresh database each run) and the clean baselines, in rounds."""
    def db(name, i):
        target = tmp / f"{name}-{path.stem}-{i}.sqlite3"
        whole.remove(target)
        return target

    # the entry script imports the installed package (an editable install may point at another
    # checkout): this checkout's code comes first, as `python main.py` from here would run it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}

    def product(i):
        target = db("import", i)
        r = whole.run([*whole.product_command(), "--db", str(target), "import", str(path), "--branch", "10",
                       "--json"], env=env, cwd=str(tmp), out=tmp / "import.out")
        report = json.loads((tmp / "import.out").read_text())["files"][0]
        return dict(r, inserted=report["inserted"], errors=len(report.get("errors", [])))

    def product_pg(i):
        with _PgDatabase(pg) as url:
            return whole.run([*whole.product_command(), "--db", url, "import", str(path), "--branch", "10"],
                             env=env, cwd=str(tmp))

    commands = {
        "openpyxl": lambda i: whole.run([clean, "-c", OPENPYXL, str(path)], cwd=str(tmp)),
        "calamine": lambda i: whole.run([clean, "-c", CALAMINE, str(path)], cwd=str(tmp)),
        "floor": lambda i: whole.run([clean, "-c", FLOOR, str(path), str(db("floor", i))], cwd=str(tmp)),
        "import": product,
    }
    if pg:
        commands["import-pg"] = product_pg
    return whole.rounds(commands, repeat)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per command (median; default 5)")
    ap.add_argument("--pg", default=os.environ.get("BRANCH_REPORT_BENCH_PG"),
                    help="also import into PostgreSQL: a server URL (a fresh database per run)")
    ap.add_argument("--clean", default=None, help="folder of the clean baseline venv (default: a new one in the temp dir)")
    args = ap.parse_args(argv)
    print(f"import benchmark: `branch-report --db NEW import FILE --branch 10`, whole processes timed from "
          f"outside, {args.repeat} interleaved rounds after a warm-up; baselines in a clean venv "
          f"(openpyxl, python-calamine; no defusedxml); the product's modules compiled to bytecode as installed")
    print(f"goals: national book <= {GOAL}x openpyxl and <= {FLOOR_GOAL}x the floor; monthly sample <= "
          f"{MONTHLY_GOAL}x openpyxl")
    books = (("national, layout B, 20 indicators x FY2016-2024 (180 sheets)", "hq_national", build_hq, GOAL),
             ("the branch's monthly sample", "gunma_fy2024_monthly", None, MONTHLY_GOAL),
             ("layout A, branch monthly, FY2000-2024", "gunma_monthly_many", build_monthly, None))
    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        tmp = Path(tmp)
        clean = whole.clean_venv(Path(args.clean) if args.clean else tmp / "clean-venv", "openpyxl", "python-calamine")
        whole.compiled(ROOT)
        for title, name, build, goal in books:
            if build is None:
                path = ROOT / "resources/sample" / f"{name}.xlsx"
            else:
                build(path := tmp / f"{name}.xlsx")
            res = measure(path, tmp, clean, args.repeat, args.pg)
            imp = res["import"][-1]
            print(f"\n{title}: {path.stat().st_size / 1024:.0f} KiB; stored {imp['inserted']} values, "
                  f"{imp['errors']} errors")
            for k, label in (("openpyxl", "openpyxl read-only (clean)"), ("calamine", "python-calamine (clean)"),
                             ("floor", "floor: calamine + sqlite3"), ("import", "branch-report import"),
                             ("import-pg", "import into PostgreSQL")):
                if k in res:
                    print(f"  {label:<28}{whole.describe(res[k], None if k == 'openpyxl' else res['openpyxl'])}")
            r_o, r_c, r_f = (whole.ratio(res["import"], res[k]) for k in ("openpyxl", "calamine", "floor"))
            verdict = ""
            if goal is not None:
                met = r_o <= goal and (goal != GOAL or r_f <= FLOOR_GOAL)
                verdict = f"   goal <= {goal}x openpyxl" + (f", <= {FLOOR_GOAL}x floor" if goal == GOAL else "") + \
                    f" -> {'MET' if met else 'NOT MET'}"
            print(f"  import / openpyxl {r_o:.2f}x   / calamine {r_c:.2f}x   / floor {r_f:.2f}x{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
