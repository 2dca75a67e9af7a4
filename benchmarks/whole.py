"""Whole-process measurement shared by the benchmarks: commands as typed, timed from outside, in
rounds (one run of each command per round, so that the machine's load weighs on all alike), with
the baselines run by an interpreter of a clean virtual environment of their own.

Each figure: the median wall time of the runs, its spread (lowest–highest) and the CPU time (user +
system of that process alone); a ratio is taken round by round (a run against
the baseline run of the same round) and given as the median of those with their spread.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def clean_venv(folder: Path, *packages: str) -> str:
    """The python of a fresh venv in ``folder`` holding only ``packages`` (pip's cache serves them);
    checked to hold no defusedxml (openpyxl would swap its parser for a slower one)."""
    py = folder / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages],
                       check=True, capture_output=True)
    probe = subprocess.run([str(py), "-c", "import importlib.util as u; print(u.find_spec('defusedxml') is None)"],
                           capture_output=True, text=True, check=True)
    if probe.stdout.strip() != "True":
        raise SystemExit(f"{folder}: not a clean environment (defusedxml is installed)")
    return str(py)


def linked_venv(folder: Path, *packages: str) -> str:
    """The python of a fresh venv in ``folder`` (no pip) whose site-packages holds only links to
    this environment's ``packages`` (top-level names, e.g. PySide6, shiboken6): the same binaries
    in a clean environment, without downloading them again."""
    import sysconfig

    py = folder / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    for name in packages:
        if not (site / name).exists():
            (site / name).symlink_to(ours / name)
    return str(py)


def product_command() -> list[str]:
    """``branch-report`` as a user types it: the entry script of this environment."""
    script = Path(sys.executable).parent / "branch-report"
    return [str(script)] if script.exists() else [sys.executable, str(Path(__file__).resolve().parent.parent / "main.py")]


def compiled(root: Path) -> None:
    """A checkout's modules compiled to bytecode (__pycache__, ignored by git), as an installed
    package has them (pip compiles at install; the bundle holds bytecode), and as the baselines'
    openpyxl and python-calamine have them from pip: with PYTHONDONTWRITEBYTECODE set and an
    editable install, every run would otherwise compile the program's ~50 modules from source
    (~0.15 s), which no user's run does. The product's results are the same either way."""
    import compileall

    for name in ("app", "importers", "db", "ui"):
        compileall.compile_dir(str(root / name), quiet=1)
    compileall.compile_file(str(root / "main.py"), quiet=1)


def run(cmd: list[str], env: dict | None = None, cwd: str | None = None, out: Path | None = None) -> dict:
    """One run: wall seconds and CPU seconds of that process alone (wait4). (No peak memory here:
    a child's ru_maxrss starts from its parent's at the fork.)"""
    sink = open(out or os.devnull, "wb")
    err = open(str(out) + ".err" if out else os.devnull, "wb")
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=sink, stderr=err, stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    sink.close(), err.close()
    if proc.returncode:
        detail = Path(str(out) + ".err").read_text(errors="replace")[-2000:] if out else ""
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)[:300]}\n{detail}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime}


def rounds(commands: dict[str, callable], repeat: int, warmup: int = 1) -> dict[str, list[dict]]:
    """``commands``: name -> a function of the round number returning the run's dict. Interleaved."""
    runs: dict[str, list[dict]] = {k: [] for k in commands}
    for i in range(warmup + repeat):
        for name, go in commands.items():
            r = go(i)
            if i >= warmup:
                runs[name].append(r)
    return runs


def med(xs) -> float:
    return statistics.median(xs)


def describe(runs: list[dict], base: list[dict] | None = None) -> str:
    """'median s [low–high]  cpu  rss  ratio median [low–high]' of one command's runs."""
    w = [r["wall"] for r in runs]
    text = f"{med(w):7.3f} s [{min(w):.3f}–{max(w):.3f}]  cpu {med(r['cpu'] for r in runs):6.3f} s"
    if base is not None:
        q = [r["wall"] / b["wall"] for r, b in zip(runs, base)]
        c = med(r["cpu"] for r in runs) / med(b["cpu"] for b in base)
        text += f"  ratio {med(q):5.2f}x [{min(q):.2f}–{max(q):.2f}] (cpu {c:.2f}x)"
    return text


def ratio(runs: list[dict], base: list[dict]) -> float:
    return med(r["wall"] / b["wall"] for r, b in zip(runs, base))


def remove(path: Path) -> None:
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
