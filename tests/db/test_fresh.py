"""A new SQLite database is written from the snapshot of the newest revision (db/fresh.py), the same
as the migrations leave it; an older snapshot falls back to the migrations."""
import json
import sqlite3

from db import engine as dbengine
from db import fresh
from app.store.database import open_database


def _migrated(path):
    engine = dbengine.make_engine(path)
    dbengine.upgrade(engine, "head")
    engine.dispose()
    return fresh.dump(path)


def _same_up_to_constraint_order(statements):
    """Alembic's batch mode rebuilds a table with its constraints in a set's order (it varies from
    run to run); columns keep theirs."""
    def norm(sql):
        lines = sql.split("\n")
        return "\n".join([x for x in lines if "CONSTRAINT" not in x] + sorted(x.rstrip(", ") for x in lines if "CONSTRAINT" in x))
    return sorted(norm(s) for s in statements)


def test_the_snapshot_is_of_the_newest_migration_and_what_the_migrations_leave(tmp_path):
    snapshot = json.loads(fresh.SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot["revision"] == dbengine._head_from_files(), "a migration was added: run `python -c 'import db.engine as e; e.write_fresh_snapshot()'`"
    assert _same_up_to_constraint_order(snapshot["statements"]) == \
        _same_up_to_constraint_order(_migrated(tmp_path / "migrated.sqlite3")), "run `python -c 'import db.engine as e; e.write_fresh_snapshot()'`"


def test_a_new_file_is_written_from_the_snapshot_and_opens_as_a_migrated_one(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(dbengine, "upgrade", lambda *a, **k: calls.append(a))
    a, b = open_database(tmp_path / "a.sqlite3"), open_database(tmp_path / "a.sqlite3")
    assert calls == []                                      # Alembic never ran
    assert dbengine.current_revision(b.engine) == dbengine._head_from_files()
    assert sqlite3.connect(tmp_path / "a.sqlite3").execute("PRAGMA foreign_key_check").fetchall() == []
    c = open_database(tmp_path / "c.sqlite3")
    secret = [d.stored("package_secret") for d in (a, c)]
    assert all(len(x) == 64 for x in secret) and secret[0] != secret[1]     # each database its own, as migrated
    for d in (a, b, c):
        d.engine.dispose()


def test_a_stale_snapshot_or_a_file_with_tables_is_left_to_the_migrations(tmp_path):
    con = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    assert not fresh.create(con, "9999")                     # not of the newest revision
    assert con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    con.execute("CREATE TABLE mine (x)")
    assert not fresh.create(con, dbengine._head_from_files())
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["mine"]
