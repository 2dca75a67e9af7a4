"""Start-up benchmark: the main window with its data drawn, against a bare PySide6 window rendered
the same way, measured in the same run.

Goal (issue 15): the window with its data drawn within 2x a bare PySide6 window rendered the same way.
Each measurement is a fresh interpreter, offscreen on a 1366x768 screen, timed from outside (wall
clock, interpreter start-up included), median of --repeat runs after one discarded warm-up run.
"Rendered the same way": the bare window is a QMainWindow of the size the app takes (the screen),
shown, painted and saved to PNG like ``main.py --screenshot`` saves the window.

- usual start: the database file is as the window left it, so the last view (ui/last_view.py) is
  drawn while the database opens;
- first start: no last view (a new machine, or the database changed since): the data comes from
  the database (SQLAlchemy, migrations check, queries);
- ``--demo``: a fresh copy of the sample database each run (its view kept by the warm-up run, as
  by any earlier ``--demo`` that changed nothing).

    python benchmarks/startup_bench.py [--repeat 5]
"""
from __future__ import annotations

import argparse
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

BASELINE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setGeometry(w.screen().availableGeometry()); w.showMaximized(); app.processEvents()
w.grab().save(sys.argv[1])
"""

# A session of the app: opened, data loaded, closed (the last view kept), as a user leaves it.
SESSION = """
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from ui.app import launch
app = QApplication(sys.argv[:1])
window = launch({db!r})
while window.db is None:
    app.processEvents(); time.sleep(0.002)
app.processEvents()
window.close()
"""


SCREEN = '{"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96}]}'


def _env(cache: Path, config: Path) -> dict:
    """Offscreen, on a 1366x768 screen (the office laptop), with its own settings and cache folders."""
    screen = cache.parent / "screen.json"
    screen.write_text(SCREEN)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={screen}", XDG_CACHE_HOME=str(cache),
               XDG_CONFIG_HOME=str(config))
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE"):   # .pyc files as a user has them
        env.pop(name, None)
    return env


def timed(cmd: list[str], repeat: int, env: dict, forget: Path | None = None) -> float:
    """Median wall time (ms) of running cmd `repeat` times (after a warm-up); ``forget``: a folder
    removed before each run (the kept views, for a first start)."""
    import shutil

    times = []
    for i in range(repeat + 1):
        if forget is not None:
            shutil.rmtree(forget, ignore_errors=True)
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        dt = (time.perf_counter() - t) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)[:200]}\n{proc.stderr[-2000:]}")
        if i:                                   # run 0 is the warm-up (disk cache, .pyc files)
            times.append(dt)
    return statistics.median(times)


def build_demo_db(folder: Path) -> Path:
    from app.operations.demo import build_demo

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
        png = str(tmp / "shot.png")
        usual = _env(tmp / "cache", tmp / "config")
        first = _env(tmp / "empty-cache", tmp / "config")
        subprocess.run([py, "-c", SESSION.format(root=str(ROOT), db=str(db))], env=usual, check=True,
                       capture_output=True)
        shot = [py, str(ROOT / "main.py"), "--db", str(db), "--screenshot", png]
        base_ms = timed([py, "-c", BASELINE, png], args.repeat, usual)
        usual_ms = timed(shot, args.repeat, usual)
        first_ms = timed(shot, args.repeat, first, forget=tmp / "empty-cache")
        demo_ms = timed([py, str(ROOT / "main.py"), "--demo", "--screenshot", png], args.repeat, usual)
        from PIL import Image

        size = Image.open(png).size

    ratio = usual_ms / base_ms
    rows = [("bare PySide6 window (baseline)", base_ms),
            ("window with its data: usual start", usual_ms),
            ("window with its data: first start", first_ms),
            ("--demo (a fresh copy)", demo_ms)]
    print(f"startup benchmark: median of {args.repeat} fresh processes, offscreen, "
          f"{size[0]}x{size[1]} rendered to PNG")
    print(f"{'measurement':<38}{'ms':>9}{'ratio':>9}")
    for name, ms in rows:
        print(f"{name:<38}{ms:>9.0f}{ms / base_ms:>8.2f}x")
    print(f"goal: window with its data <= {GOAL:.1f}x baseline -> {'MET' if ratio <= GOAL else 'NOT MET'} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
