"""A new SQLite database written at once at the newest revision, without walking Alembic's
machinery (loading Alembic and running every migration takes longer than the rest of a small
import): db/fresh_sqlite.json holds the statements that the migrations leave in an empty file
(its schema, the rows they insert and the alembic_version stamp), as SQLite's own dump gives them.

Used only when the snapshot is of the newest migration file; otherwise (a migration added and the
snapshot not yet rewritten) the migrations run as before, so a stale snapshot is slow, never
wrong. tests/db/test_fresh.py holds the two ways equal and the snapshot current; rewrite it with
``python -c 'import db.engine as e; e.write_fresh_snapshot()'``.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("fresh_sqlite.json")
# Settings a migration makes anew for each database (0006: the work packages' signing secret):
# never kept in the snapshot, made again for each file as the migration makes it.
PER_DATABASE = {"package_secret": lambda: secrets.token_hex(32)}


def create(con: sqlite3.Connection, head: str | None) -> bool:
    """Write the snapshot into ``con``'s database if it is empty and the snapshot is of ``head``;
    True when written. One transaction that takes the write lock first: a second program creating
    the same file at the same moment finds it no longer empty and writes nothing."""
    if head is None or not SNAPSHOT.exists():
        return False
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    if snapshot["revision"] != head:
        return False
    con.execute("BEGIN IMMEDIATE")
    try:
        if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            con.execute("ROLLBACK")
            return False
        for statement in snapshot["statements"]:
            con.execute(statement)
        for key, make in PER_DATABASE.items():
            con.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (key, make()))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def dump(path: Path) -> list[str]:
    """The statements that rebuild the database at ``path`` (SQLite's dump, without its own
    BEGIN/COMMIT and without the settings made for each database)."""
    own = tuple(f"""INSERT INTO "setting" VALUES('{key}',""" for key in PER_DATABASE)
    con = sqlite3.connect(path)
    try:
        return [s for s in con.iterdump() if s not in ("BEGIN TRANSACTION;", "COMMIT;") and not s.startswith(own)]
    finally:
        con.close()
