"""SQLite files as files — copied through the backup API, checked by SQLite itself — with the
standard library only (``--demo`` copies its sample database before SQLAlchemy is loaded)."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")


def check_file(path: Path, full: bool = False, at_rest: bool = False) -> str | None:
    """SQLite's own check of a database file (quick_check; integrity_check when ``full``): None
    when sound, else what is wrong. ``at_rest``: a file nobody has open (a backup): read as it
    is, leaving no -wal/-shm beside it."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro{'&immutable=1' if at_rest else ''}", uri=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return said_of(exc)
    return None if rows == ["ok"] else f"中身に食い違いが {len(rows)} か所あります"


def said_of(exc: sqlite3.DatabaseError) -> str:
    """SQLite's words about a file that is not a sound database, in the user's words."""
    text = str(exc).lower()
    if "not a database" in text:
        return "データベースのファイルではありません"
    if "malformed" in text or "corrupt" in text:
        return "ファイルの中身が壊れています"
    if "unable to open" in text:
        return "ファイルを開けません"
    return "SQLite が読めません"


def copy_sqlite(source: Path, out: Path, read_only: bool = False, journal: str = "DELETE") -> Path:
    """SQLite's online backup API from one file into another (a consistent copy while in use).
    The copy is one file (``DELETE``), or kept as the program keeps a database (``WAL``)."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True) if read_only else sqlite3.connect(source)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal}")   # DELETE: no -wal/-shm beside the copy
    finally:
        dst.close()
        src.close()
    return Path(out)


def revisions_from_files() -> tuple[set[str], set[str]]:
    """The revisions the migration files define, and those they name as down_revision (read as
    text: Alembic is not loaded)."""
    revs, downs = set(), set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        if m := re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M):
            revs.add(m.group(1))
        downs.update(re.findall(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M))
    return revs, downs


def head_from_files() -> str | None:
    """The newest revision: the one no migration file names as its down_revision."""
    revs, downs = revisions_from_files()
    heads = revs - downs
    return heads.pop() if len(heads) == 1 else None


def checkpoint_file(con: sqlite3.Connection) -> bool:
    """db.engine.checkpoint on a connection of the sqlite3 module: the -wal moved into the file
    (whether it was)."""
    try:
        con.execute("PRAGMA busy_timeout=1000")            # a reader's snapshot: do not wait long
        busy, log, done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return log == done
    except sqlite3.Error:
        return False
    finally:
        try:
            con.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error:
            pass
