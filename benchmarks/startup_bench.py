"""Start-up benchmark: the main window against a bare PySide6 window, measured in the same run.

Goal (product brief): the main window up within 2x the time of a bare PySide6 window.
Each measurement is a fresh interpreter (``python -c ...``) with QT_QPA_PLATFORM=offscreen,
timed from outside (wall clock, interpreter start-up included), median of --repeat runs
after one discarded warm-up run each. A script, not a timed test.

    .venv/bin/python benchmarks/startup_bench.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL = 2.0
HEAVY = ("alembic", "numpy", "openpyxl", "pandas", "pyqtgraph", "python_calamine", "sqlalchemy")

BASELINE = ("from PySide6.QtWidgets import QApplication, QMainWindow\n"
            "app = QApplication([]); w = QMainWindow(); w.show(); app.processEvents()\n")

# What run_gui does: the window up (shown and painted once), then which heavy modules are loaded;
# with WAIT, until the database is open and the plan is in the window.
DRIVER = """
import json, os, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from ui.app import launch
app = QApplication(sys.argv[:1])
window = launch({db!r})
app.processEvents()
up = time.perf_counter()
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
if {wait!r}:
    while window.db is None:
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()
print(json.dumps({{"in_process_ms": (up - t0) * 1000, "ready_ms": (time.perf_counter() - t0) * 1000,
                  "heavy": heavy, "modules": len(sys.modules)}}), flush=True)
os._exit(0)
"""


def _env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def timed(cmd: list[str], repeat: int) -> tuple[float, str]:
    """Median wall time (ms) of running cmd `repeat` times (after a warm-up), and the last stdout."""
    times, out = [], ""
    for i in range(repeat + 1):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
        dt = (time.perf_counter() - t) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)[:200]}\n{proc.stderr[-2000:]}")
        out = proc.stdout
        if i:                                   # run 0 is the warm-up (disk cache, .pyc files)
            times.append(dt)
    return statistics.median(times), out


def build_demo_db(folder: Path) -> Path:
    from app.demo import build_demo

    path = folder / "demo.sqlite3"
    build_demo(path).engine.dispose()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (median; default 5)")
    ap.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    args = ap.parse_args(argv)
    py = args.python

    with tempfile.TemporaryDirectory(prefix="branch-report-bench-") as tmp:
        tmp = Path(tmp)
        db = build_demo_db(tmp)
        png = tmp / "shot.png"
        base_ms, _ = timed([py, "-c", BASELINE], args.repeat)
        up_ms, out = timed([py, "-c", DRIVER.format(root=str(ROOT), db=str(db), heavy=HEAVY, wait=False)],
                           args.repeat)
        info = json.loads(out.strip().splitlines()[-1])
        ready_ms, _ = timed([py, "-c", DRIVER.format(root=str(ROOT), db=str(db), heavy=HEAVY, wait=True)],
                            args.repeat)
        shot_ms, _ = timed([py, str(ROOT / "main.py"), "--db", str(db), "--screenshot", str(png)], args.repeat)

    ratio = up_ms / base_ms
    rows = [("bare PySide6 window (baseline)", base_ms, 1.0),
            ("main window up", up_ms, ratio),
            ("main window with the plan loaded", ready_ms, ready_ms / base_ms),
            ("main.py --screenshot (load + PNG)", shot_ms, shot_ms / base_ms)]
    print(f"startup benchmark: median of {args.repeat} fresh processes, QT_QPA_PLATFORM=offscreen")
    print(f"{'measurement':<36}{'ms':>9}{'ratio':>9}")
    for name, ms, r in rows:
        print(f"{name:<36}{ms:>9.0f}{r:>8.2f}x")
    print(f"goal: window up <= {GOAL:.1f}x baseline -> {'MET' if ratio <= GOAL else 'NOT MET'} ({ratio:.2f}x)")
    print(f"in-process time to window shown: {info['in_process_ms']:.0f} ms, "
          f"{info['modules']} modules in sys.modules")
    print(f"heavy modules loaded when the window is shown: {', '.join(info['heavy']) or '(none)'}")
    print(f"  checked: {', '.join(HEAVY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
