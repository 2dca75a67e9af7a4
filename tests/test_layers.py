"""The layers of house-style.md: app, db and importers run without Qt."""
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
    """import-linter checks the contracts written in pyproject.toml (docs/house-style.md), run by
    this interpreter (no activated environment or PATH needed) from the project's folder."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def _contracts():
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_every_package_of_app_has_its_place_in_the_layers():
    """A new package of app/ (or a module left at its top) cannot escape the layer contract."""
    layers = next(c for c in _contracts() if c["type"] == "layers" and "app.core" in c["layers"])["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    packages = {f"app.{p.parent.name}" for p in (ROOT / "app").glob("*/__init__.py")}
    loose = {p.name for p in (ROOT / "app").glob("*.py")} - {"__init__.py"}
    assert packages == named, sorted(packages ^ named)
    assert not loose, sorted(loose)


def test_no_module_imports_itself_through_others():
    """No import circle at module level, function-local imports included (grimp sees them all)."""
    import grimp

    graph = grimp.build_graph("app", "db", "importers", "ui")
    circles = {tuple(sorted((a, b))) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
               if graph.find_shortest_chain(importer=b, imported=a)}
    assert not circles, sorted(circles)
