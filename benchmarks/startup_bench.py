"""Start-up benchmark (issue 25, point 3): the window until one can work in it, against a bare
PySide6 window, whole processes timed from outside.

Each run is a fresh interpreter, offscreen on a 1366x768 screen (the office laptop), started as a
user starts it (`branch-report --db FILE --screenshot PNG`: the window's picture is saved once it
is editable — the database open, its figures drawn from it — and the program ends). The baseline
is a QMainWindow of the same size, shown, painted and saved to PNG the same way, run by the python
of a clean environment holding only PySide6 (whole.linked_venv). Rounds interleave the baseline,
the usual start (a last view kept by the run before: ui/last_view.py draws it while a file opens
the regular way — to migrate; a file at the newest revision is open before the window shows) and
a first start (no kept view). Printed: the whole process (median [lowest–highest], its CPU time,
the ratio to the baseline taken round by round), and the moments of the first paint, of the
window being editable and of the ORM being in (orm_in: a database opened light brings SQLAlchemy
in on a worker thread after it is editable; an edit typed before waits for it), from the
process' start (BRANCH_REPORT_TIMES; the baseline's paint alike). A moment the run ended before
(orm_in: the picture saved first) is not printed.

Goal: the window editable within 2x a bare window, first start and usual start alike.

    python benchmarks/startup_bench.py [--repeat 7] [--root CHECKOUT]...

--root measures a checkout's main.py (an earlier commit: `git archive REV | tar -x -C DIR`); given
more than once, the checkouts are measured in the same rounds against the same baseline (each with
its own copy of the database and its own cache of last views).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))

import whole  # noqa: E402

GOAL = 2.0

BASELINE = """
import os, sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setGeometry(w.screen().availableGeometry()); w.showMaximized(); app.processEvents()
with open(os.environ["BRANCH_REPORT_TIMES"], "a") as out:
    out.write(f"first_paint {time.monotonic():.6f}\\neditable {time.monotonic():.6f}\\n")
w.grab().save(sys.argv[1])
"""

SCREEN = '{"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96}]}'


def _env(folder: Path, cache: Path) -> dict:
    """Offscreen on a 1366x768 screen, with its own settings and cache folders."""
    screen = folder / "screen.json"
    screen.write_text(SCREEN)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={screen}", XDG_CACHE_HOME=str(cache),
               XDG_CONFIG_HOME=str(folder / "config"))
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH"):   # .pyc files as a user has them
        env.pop(name, None)
    return env


def timed(cmd: list[str], env: dict, times: Path, forget: Path | None = None, cwd: Path = ROOT) -> dict:
    """One whole run, with its first paint and editable moments (seconds from its start)."""
    if forget is not None:
        shutil.rmtree(forget, ignore_errors=True)
    times.unlink(missing_ok=True)
    start = time.monotonic()
    run = whole.run(cmd, env=dict(env, BRANCH_REPORT_TIMES=str(times)), cwd=str(cwd))
    marks = dict(line.split() for line in times.read_text().splitlines())
    return {**run, **{k: float(v) - start for k, v in marks.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="rounds (median; default 7)")
    ap.add_argument("--root", action="append", default=None,
                    help="the checkout whose main.py is measured (default: this one); may be repeated")
    args = ap.parse_args(argv)
    roots = [Path(r).resolve() for r in args.root or [ROOT]]
    for root in roots:
        whole.compiled(root)            # bytecode, as an installed program has it
    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        tmp = Path(tmp)
        from app.operations.demo import build_demo

        demo = tmp / "demo.sqlite3"
        build_demo(demo).engine.dispose()
        bare_py = whole.linked_venv(tmp / "clean-venv", "PySide6", "shiboken6")
        png, times = str(tmp / "shot.png"), tmp / "times.txt"
        bare_env = _env(tmp, tmp / "cache")
        commands = {"bare": lambda i: timed([bare_py, "-c", BASELINE, png], bare_env, times)}
        for n, root in enumerate(roots):
            db = shutil.copy(demo, tmp / f"db{n}.sqlite3")
            usual, first = _env(tmp, tmp / f"cache{n}"), _env(tmp, tmp / f"first-cache{n}")
            shot = [sys.executable, str(root / "main.py"), "--db", str(db), "--screenshot", png]
            subprocess.run(shot, env=usual, cwd=root, check=True, capture_output=True)   # leaves the last view
            commands[f"usual{n}"] = lambda i, shot=shot, usual=usual, root=root: timed(shot, usual, times, cwd=root)
            commands[f"first{n}"] = lambda i, shot=shot, first=first, root=root, n=n: timed(
                shot, first, times, forget=tmp / f"first-cache{n}", cwd=root)
        runs = whole.rounds(commands, args.repeat)

    def moments(rs, base):
        def one(key):
            xs = [r[key] for r in rs]
            q = [r[key] / b["wall"] for r, b in zip(rs, base)]
            return (f"{key.replace('_', ' ')} {statistics.median(xs):.3f} s [{min(xs):.3f}–{max(xs):.3f}] "
                    f"({statistics.median(q):.2f}x the bare window's whole run)")
        return "; ".join(one(k) for k in ("first_paint", "editable", "orm_in") if all(k in r for r in rs))

    base = runs["bare"]
    print(f"startup benchmark: {args.repeat} rounds after a warm-up, whole processes, offscreen 1366x768, "
          f"interleaved; baseline in a clean environment holding only PySide6")
    print(f"  bare PySide6 window (baseline)  {whole.describe(base)}")
    met = True
    for n, root in enumerate(roots):
        where = f"{root.name}: " if len(roots) > 1 else ""
        for name, label in ((f"usual{n}", "usual start (last view kept)"), (f"first{n}", "first start (no kept view)")):
            print(f"  {where + label:<32}{whole.describe(runs[name], base)}")
            print(f"      {moments(runs[name], base)}")
            met &= whole.ratio(runs[name], base) <= GOAL
    print(f"goal: the window editable (whole run) within {GOAL:.1f}x a bare window -> {'MET' if met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
