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


class MemoryKeyring:
    """The operating system's credential store, in memory: no test touches the real one."""

    def __new__(cls):
        import keyring.backend

        class Backend(keyring.backend.KeyringBackend):
            priority = 1

            def __init__(self):
                super().__init__()
                self.kept = {}

            def get_password(self, service, username):
                return self.kept.get((service, username))

            def set_password(self, service, username, password):
                self.kept[(service, username)] = password

            def delete_password(self, service, username):
                self.kept.pop((service, username), None)

        return Backend()


@pytest.fixture(autouse=True)
def credential_store():
    """Passwords kept by the program during a test (keyring.set_keyring with an in-memory store)."""
    import keyring

    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, tmp_path, monkeypatch):
    """Settings, caches and the user catalogue of the tests never touch the real user's, and
    each test starts with no remembered window settings and no kept last view (the sample
    database built for ``--demo`` is kept for the whole run)."""
    import shutil

    home = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    shutil.rmtree(home / "cache" / "branch-report" / "last-view", ignore_errors=True)


# ---- database backends ----------------------------------------------------------------------
# The database, importer and service tests (tests/app, tests/db, tests/importers) run against
# SQLite, and against a real PostgreSQL server when BRANCH_REPORT_TEST_PG names one (an SQLAlchemy
# URL to a database the tests may create databases from; .ci/run starts one on loopback).
PG_URL = os.environ.get("BRANCH_REPORT_TEST_PG")
BACKEND_DIRS = ("tests/app/", "tests/db/", "tests/importers/")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself (files, pragmas, backups)")


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    path = str(metafunc.definition.path.relative_to(ROOT)).replace(os.sep, "/")
    both = PG_URL and path.startswith(BACKEND_DIRS) and not metafunc.definition.get_closest_marker("sqlite_only")
    metafunc.parametrize("backend", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


def _pg_admin():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True), url


@pytest.fixture(scope="session")
def pg_demo_template():
    """The demo database built once on the server; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    from app.operations.demo import build_demo

    import uuid

    admin, url = _pg_admin()
    name = f"br_demo_template_{uuid.uuid4().hex[:8]}"       # runs side by side on one server keep apart
    admin.execute(f"CREATE DATABASE {name}")
    build_demo(url.set(database=name).render_as_string(hide_password=False)).engine.dispose()
    yield name
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def _pg_database(template: str | None):
    import uuid

    from app.store.database import open_database

    admin, url = _pg_admin()
    name = f"br_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    db = open_database(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        db.engine.dispose()
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    from app.operations.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo(path).engine.dispose()
    return path


@pytest.fixture
def demo_db(backend, demo_path, tmp_path, request):
    """A private copy of the demo database (tests may change it), on each backend."""
    if backend == "postgresql":
        yield from _pg_database(request.getfixturevalue("pg_demo_template"))
        return
    from app.store.database import open_database
    from db.engine import backup_sqlite, make_engine

    src = make_engine(demo_path)
    copy = backup_sqlite(src, tmp_path / "demo.sqlite3")
    src.dispose()
    db = open_database(copy)
    yield db
    db.engine.dispose()


@pytest.fixture
def team(demo_db):
    """The branch's users on the demo database, on the test's backend (tests/team.py)."""
    from tests.team import Team

    t = Team(demo_db)
    yield t
    t.close()


@pytest.fixture
def server_team(request):
    """Users of a demo database on the PostgreSQL test server, whatever the test's backend."""
    from tests.team import Team

    if not PG_URL:
        pytest.skip("needs a PostgreSQL server (BRANCH_REPORT_TEST_PG)")
    databases = _pg_database(request.getfixturevalue("pg_demo_template"))
    t = Team(next(databases))
    yield t
    t.close()
    databases.close()


@pytest.fixture
def empty_db(backend, tmp_path):
    if backend == "postgresql":
        yield from _pg_database(None)
        return
    from app.store.database import open_database

    db = open_database(tmp_path / "empty.sqlite3")
    yield db
    db.engine.dispose()
