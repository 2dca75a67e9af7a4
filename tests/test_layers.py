"""The layers of house-style.md: app, db and importers run without Qt."""
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_core_imports_without_qt():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import pkgutil, importlib\n"
        "for pkg in ('app', 'db', 'importers'):\n"
        "    m = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(m.__path__, pkg + '.'):\n"
        "        if '.migrations' in info.name: continue\n"
        "        importlib.import_module(info.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_layer_contracts_hold():
    """import-linter checks the contracts written in pyproject.toml (docs/house-style.md)."""
    command = shutil.which("lint-imports") or str(ROOT.parent / "lint-imports")
    out = subprocess.run([command], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_importers_may_use_only_the_reading_modules_of_app():
    """Every app module but the reading ones is named in the importers' contract, so that a new
    module of app/ cannot become a dependency of the importers unnoticed."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    forbidden = set(next(c for c in config["contracts"] if c["source_modules"] == ["importers"])["forbidden_modules"])
    reading = {"app.__init__", "app.core.values", "app.core.fiscal", "app.core.catalogue", "app.core.branches", "app.core.errors"}
    modules = {f"app.{p.stem}" for p in (ROOT / "app").glob("*.py")}
    assert modules - reading <= forbidden, sorted(modules - reading - forbidden)
