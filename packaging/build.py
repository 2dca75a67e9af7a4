"""Build the application for people without Python: a one-folder bundle at dist/branch-report/.

    pip install ".[bundle]"      (PyInstaller, in the environment the app runs in)
    python packaging/build.py    (Linux: dist/branch-report/branch-report; Windows: …\\branch-report.exe)

The same script builds on Linux and on Windows (PyInstaller does not cross-compile: build the Windows
bundle on Windows). It prints the build time and the bundle's size; --check then runs the bundle from
outside the source tree on the sample data and writes the quarterly PDF.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "branch-report.spec"


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def check(bundle: Path) -> None:
    """The bundle on its own: no source tree, no Python packages — the sample data opened and the
    quarterly PDF written, from a folder elsewhere."""
    exe = bundle / ("branch-report-cli.exe" if os.name == "nt" else "branch-report")
    with tempfile.TemporaryDirectory(prefix="branch-report-check-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                   XDG_DATA_HOME=str(Path(tmp) / "data"), XDG_CONFIG_HOME=str(Path(tmp) / "config"))
        pdf = Path(tmp) / "x.pdf"
        for args in (["--demo", "values", "--indicator", "mail_rate", "--fy", "R6"],
                     ["--demo", "export", "--fy", "R6", "--quarter", "4", "--out", str(pdf)],
                     ["--demo", "--screenshot", str(Path(tmp) / "x.png")]):
            t = time.perf_counter()
            run = subprocess.run([str(exe), *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
            print(f"  {exe.name} {' '.join(args[:3])} … exit {run.returncode} ({time.perf_counter() - t:.1f} s)")
            if run.returncode != 0:
                raise SystemExit(f"bundle check failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
        if not pdf.read_bytes().startswith(b"%PDF") or pdf.stat().st_size < 10_000:
            raise SystemExit("bundle check failed: the PDF is missing or empty")
        print(f"  wrote the quarterly PDF ({pdf.stat().st_size // 1024} KiB) and a screenshot from {tmp}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"), help="where the bundle goes (default: dist/)")
    ap.add_argument("--check", action="store_true", help="then run the bundle on the sample data (PDF export)")
    args = ap.parse_args(argv)
    dist = Path(args.dist).resolve()
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(ROOT / "build" / "pyinstaller"), str(SPEC)],
                   cwd=ROOT, check=True)
    bundle = dist / "branch-report"
    print(f"built {bundle} in {time.perf_counter() - t:.0f} s: {size_of(bundle) / 2**20:.0f} MiB, "
          f"{sum(1 for _ in bundle.rglob('*'))} files")
    if args.check:
        check(bundle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
