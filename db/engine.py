"""Engine and session set-up, migrations at start-up, SQLite backups."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from db.files import MIGRATIONS, checkpoint_file, copy_sqlite, head_from_files as _head_from_files, revisions_from_files  # noqa: F401

KEEP_BACKUPS = 10


def database_url(target) -> str | URL:
    """A file path becomes a SQLite URL; an SQLAlchemy URL (a string, or a URL object — whose
    password then never passes through a string) is kept as it is."""
    if isinstance(target, URL):
        return target
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own transaction handling would start a transaction only before an INSERT or
    # UPDATE: reads and DDL (migrations) would run outside it. We BEGIN ourselves (_sqlite_begin),
    # so every transaction — schema changes included — is all or nothing.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _sqlite_begin(conn) -> None:
    """A writing unit of work takes the write lock at once (BEGIN IMMEDIATE): it then never fails
    half-way because another connection wrote since it read."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


WRITE_LOCK = 0x6272_7772      # PostgreSQL advisory lock key of a writing unit of work ('brwr')


def make_engine(target) -> Engine:
    url = make_url(database_url(target))
    server = url.get_backend_name() != "sqlite"
    engine = create_engine(url, **({"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True} if server else {}))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def checkpoint(engine: Engine) -> bool:
    """Everything committed moved from the write-ahead log into the database file itself, so that
    the .sqlite3 file alone holds it (someone may copy just that file). Whether it did: what is
    committed is safe in the log either way, so a checkpoint that cannot finish now (a full disk,
    a reader holding an older snapshot) fails nothing — the caller says the file must not be
    copied alone yet, and the next checkpoint (at the latest, the next open) finishes it."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        return checkpoint_file(raw.driver_connection)
    finally:
        raw.close()


def sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    return Path(engine.url.database)


def backup_sqlite(engine: Engine, out: Path) -> Path:
    """A consistent copy through SQLite's online backup API (never a file copy)."""
    src_path = sqlite_path(engine)
    if src_path is None:
        raise ValueError("バックアップは SQLite のデータベースにのみ使えます")
    return copy_sqlite(src_path, out)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def _stamped_revision(engine: Engine) -> str | None:
    """The revision in alembic_version, read without loading Alembic (start-up speed)."""
    from sqlalchemy import text

    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _create_fresh(engine: Engine, head: str | None) -> bool:
    """An empty SQLite database written from the snapshot of the newest revision (db/fresh.py)."""
    from db import fresh

    raw = engine.raw_connection()
    try:
        return fresh.create(raw.driver_connection, head)
    finally:
        raw.close()


def write_fresh_snapshot() -> Path:
    """Migrate an empty file by Alembic and keep what it holds as db/fresh.py's snapshot."""
    import json
    import tempfile

    from db import fresh

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fresh.sqlite3"
        engine = make_engine(path)
        try:
            upgrade(engine, "head")
            head = current_revision(engine)
        finally:
            engine.dispose()
        statements = fresh.dump(path)
    fresh.SNAPSHOT.write_text(json.dumps({"revision": head, "statements": statements}, ensure_ascii=False, indent=0)
                              + "\n", encoding="utf-8")
    return fresh.SNAPSHOT


def migrate(engine: Engine) -> Path | None:
    """Bring the schema to the newest revision; back an existing SQLite file up first.

    Returns the backup's path when one was made.
    """
    head = _head_from_files()
    if engine.dialect.name == "sqlite" and _create_fresh(engine, head):
        return None                                  # a new file: written at once at the newest revision
    if head is not None and _stamped_revision(engine) == head:
        return None                                  # already current: Alembic is not loaded at all
    current = current_revision(engine)
    if current == head_revision(engine):
        return None
    backup = None
    path = sqlite_path(engine)
    if path is not None and path.exists() and inspect(engine).get_table_names():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_sqlite(engine, path.with_name(f"{path.stem}.before-migration-{stamp}.sqlite3"))
        prune_backups(path.parent, f"{path.stem}.before-migration-*.sqlite3")
    upgrade(engine, "head")
    return backup


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` as one transaction: stopped at any point (an error,
    a kill), the database stays at the revision it had. On SQLite, foreign keys are switched off
    for the schema change (as SQLite's ALTER TABLE procedure asks) and checked before commit."""
    from alembic import command

    from sqlalchemy import text

    cfg = _alembic_config(engine)
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")   # outside a transaction
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":       # two programs starting at once: one migrates
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite and conn.execute(text("PRAGMA foreign_key_check")).first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys point nowhere")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def prune_backups(folder: Path, pattern: str, keep: int = KEEP_BACKUPS) -> None:
    for old in sorted(folder.glob(pattern))[:-keep]:
        old.unlink()


def executemany(conn, statement, rows: list[dict]) -> None:
    """``statement`` (SQLAlchemy Core, its parameters named as the keys of ``rows``) run once per
    row by the driver's own executemany, in ``conn``'s transaction: compiled once, and each row's
    values converted only where the column's type asks (a datetime on SQLite) — none of
    SQLAlchemy's work per row of each parameter (a 600-cell paste: a third of its time)."""
    if not rows:
        return
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    convert = [(i, name, proc) for i, name in enumerate(names)
               if (proc := compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    if compiled.positional:
        params = [[row[name] for name in names] for row in rows]
    else:
        params = [{name: row[name] for name in names} for row in rows]
    for i, name, proc in convert:                      # each distinct value converted once (a paste's one time)
        key, done = i if compiled.positional else name, {}
        for values in params:
            value = values[key]
            try:
                values[key] = done[value]
            except KeyError:
                values[key] = done[value] = proc(value)
            except TypeError:                          # a value that cannot be a dict key
                values[key] = proc(value)
    conn.exec_driver_sql(compiled.string, [tuple(v) for v in params] if compiled.positional else params)


def _arrays(conn, table, names) -> tuple[str, str]:
    """PostgreSQL: the quoted column names, and the parameters of their values as typed arrays."""
    quote = conn.dialect.identifier_preparer.quote
    return (", ".join(quote(k) for k in names),
            ", ".join(f"%s::{table.c[k].type.compile(dialect=conn.dialect)}[]" for k in names))


def insert_rows(conn, table, rows: list[dict]) -> None:
    """Many rows inserted (the same keys in all): on PostgreSQL one statement whatever their
    number (INSERT … SELECT FROM unnest of one array a column: the server's checks per statement
    run once, not once a row, and the statement's text is the same each time), elsewhere by
    executemany."""
    from sqlalchemy import insert

    if not rows or conn.dialect.name != "postgresql":
        executemany(conn, insert(table), rows)
        return
    names = list(rows[0])
    columns, arrays = _arrays(conn, table, names)
    conn.exec_driver_sql(f"INSERT INTO {conn.dialect.identifier_preparer.format_table(table)} ({columns}) "
                         f"SELECT * FROM unnest({arrays})", tuple([r[k] for r in rows] for k in names))


def update_rows(conn, table, rows: list[dict]) -> None:
    """Rows updated by their id: each dict holds ``id`` and the columns to set (the same keys in
    all). On PostgreSQL one statement (UPDATE … FROM unnest of arrays), elsewhere by executemany."""
    from sqlalchemy import bindparam, update

    if not rows:
        return
    names = [k for k in rows[0] if k != "id"]
    if conn.dialect.name != "postgresql":
        executemany(conn, update(table).where(table.c.id == bindparam("_id")).values(
            {k: bindparam(k) for k in names}), [{"_id": r["id"], **{k: r[k] for k in names}} for r in rows])
        return
    quote, name = conn.dialect.identifier_preparer.quote, conn.dialect.identifier_preparer.format_table(table)
    columns, arrays = _arrays(conn, table, ["id", *names])
    conn.exec_driver_sql(f"UPDATE {name} SET {', '.join(f'{quote(k)} = given.{quote(k)}' for k in names)} "
                         f"FROM unnest({arrays}) AS given ({columns}) WHERE {name}.id = given.id",
                         tuple([r[k] for r in rows] for k in ["id", *names]))


def delete_rows(conn, table, ids: list[int]) -> None:
    """Rows deleted by their ids, in one statement per 2,000."""
    from sqlalchemy import delete

    for start in range(0, len(ids), 2000):
        conn.execute(delete(table).where(table.c.id.in_(ids[start:start + 2000])))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
