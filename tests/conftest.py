"""Shared fixtures: the sample workbooks, a demo database built once, a fresh database."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "sample"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden files")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, tmp_path, monkeypatch):
    """Settings, caches and the user catalogue of the tests never touch the real user's, and
    each test starts with no remembered window settings."""
    home = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    from app.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo(path).engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_path, tmp_path):
    """A private copy of the demo database (tests may change it)."""
    from app.store import open_database
    from db.engine import backup_sqlite, make_engine

    src = make_engine(demo_path)
    copy = backup_sqlite(src, tmp_path / "demo.sqlite3")
    src.dispose()
    db = open_database(copy)
    yield db
    db.engine.dispose()


@pytest.fixture
def empty_db(tmp_path):
    from app.store import open_database

    db = open_database(tmp_path / "empty.sqlite3")
    yield db
    db.engine.dispose()
