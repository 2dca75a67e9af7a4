"""Opening a database: migrate it, fill the reference data, hand out sessions and reads."""
from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.branches import branch_names  # noqa: F401  (re-exported)
from app.core.catalogue import Catalogue, load_catalogue
from app.core.errors import BranchReportError, DatabaseError
from app.store.connection import current_user
from app.store.paths import default_database_path, user_catalogue_path  # noqa: F401  (re-exported)

if TYPE_CHECKING:                 # SQLAlchemy is loaded when the engine is first asked for
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker


LOCK_TIMEOUT = "120s"       # how long a writer waits for another's transaction on the server

Rows = Callable[..., list]    # rows(sql, **params) -> the rows (tuples)


def _bound(sql: str, params: dict, server: bool) -> tuple[str, dict]:
    """``sql`` with :name parameters made ready for the driver: a list, tuple or set of values
    expanded for ``IN :name`` (none: ``(NULL)``, which matches nothing); on PostgreSQL (psycopg)
    written %(name)s, its own % doubled."""
    bound = {}
    for name, value in params.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            names = [f"{name}_{i}" for i in range(len(value))]
            sql = re.sub(rf":{name}\b", "(" + (", ".join(f":{n}" for n in names) or "NULL") + ")", sql)
            bound.update(zip(names, value))
        else:
            bound[name] = value
    if server:
        sql = re.sub(r":(\w+)", r"%(\1)s", sql.replace("%", "%%"))
    return sql, bound


class Database:
    """An open, migrated database: reads through the driver (``reading``, ``rows``), sessions of
    the ORM and its engine. A SQLite file already at the newest revision is opened with the
    sqlite3 module alone (``open_database(..., light=True)``): SQLAlchemy, the models and the
    check of the reference data come in when the engine is first asked for (``bring_in``)."""

    def __init__(self, engine: Engine | None = None, sessions: sessionmaker[Session] | None = None,
                 sqlite_file: Path | None = None):
        self._engine, self._sessions, self.sqlite_file = engine, sessions, sqlite_file
        self._lock = threading.RLock()
        self._in = threading.Event()
        if engine is not None:
            from db.engine import sqlite_path

            self.sqlite_file = sqlite_path(engine)
            self._in.set()

    @property
    def engine(self) -> Engine:
        if not self._in.is_set():
            self.bring_in()
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        if not self._in.is_set():
            self.bring_in()
        return self._sessions

    @property
    def brought_in(self) -> bool:
        """The engine is made (SQLAlchemy loaded): writes and sessions go without waiting."""
        return self._in.is_set()

    def bring_in(self) -> None:
        """The engine and the ORM of a database opened light, and its reference data checked as
        opening does (sync_reference_data); once, whichever thread asks first (the others wait).
        A failure is a DatabaseError in Japanese; the next ask tries again."""
        with self._lock:
            if self._engine is not None:
                return                  # made (or being checked by this thread: sync_reference_data)
            from sqlalchemy.exc import SQLAlchemyError

            from app.store.connection import describe
            from app.store.failures import explain
            from db import engine as dbengine

            try:
                self._engine = dbengine.make_engine(self.sqlite_file)
                self._sessions = dbengine.session_factory(self._engine)
                sync_reference_data(self)
            except (SQLAlchemyError, BranchReportError, sqlite3.Error) as exc:
                engine, self._engine = self._engine, None
                self.__dict__.pop("_writer", None)     # made on that engine (sync_reference_data's unit)
                if engine is not None:
                    engine.dispose()
                raise DatabaseError(f"データベースを開けません: {describe(str(self.sqlite_file))}: {explain(exc)}") from None
            self._in.set()

    @contextmanager
    def reading(self) -> Iterator[Rows]:
        """One read transaction (one snapshot): ``rows(sql, **params)`` gives a query's rows as
        tuples — the driver's values (SQLite: booleans 0/1, times as text: ``when``). The SQL is
        the same on SQLite and PostgreSQL, its parameters :name (a list: ``IN :name``)."""
        if not self._in.is_set():                   # light: a connection of the sqlite3 module
            con = sqlite3.connect(self.sqlite_file, isolation_level=None, check_same_thread=False)
            try:
                con.execute("PRAGMA busy_timeout=5000")
                con.execute("BEGIN")
                yield lambda sql, **params: con.execute(*_bound(sql, params, False)).fetchall()
            finally:
                con.close()                          # the read transaction ends with it
            return
        with self.engine.connect() as conn:
            server = conn.dialect.name != "sqlite"
            yield lambda sql, **params: conn.exec_driver_sql(*_bound(sql, params, server)).all()

    def rows(self, sql: str, **params) -> list:
        """One query's rows, in a read transaction of its own (``reading``)."""
        with self.reading() as rows:
            return rows(sql, **params)

    def session(self) -> Session:
        """A session to read with (no writes: those go through ``unit``)."""
        return self.sessions()

    @cached_property
    def _writer(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine.execution_options(writes=True), expire_on_commit=False)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """The transaction of one user operation: begun here with the write lock taken at once
        (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, so two imports of the same year
        or file wait for each other instead of colliding on a key), committed once when the
        block ends, rolled back if anything in it fails. The services it calls take this session
        and never begin or commit on their own. A failure of the server (a lost connection, a
        refusal, a change to a submitted quarter) becomes a Japanese message; nothing of the unit is stored."""
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from app.store.failures import explain
        from db import engine as dbengine
        from db.engine import WRITE_LOCK

        try:
            with self._writer.begin() as s:
                if not self.is_sqlite:
                    s.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
                    s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
                yield s
        except Exception as exc:
            from app.store.locks import refusal

            if (locked := refusal(self.session, exc)) is not None:    # a submitted quarter (0012)
                raise locked from None
            if isinstance(exc, DBAPIError):
                raise explain(exc) from exc
            raise
        dbengine.checkpoint(self.engine)       # the .sqlite3 file alone now holds the operation (or close says)

    UNFINISHED = ("変更は保存しましたが、データベースのファイルへの書き込みがまだ終わっていません"
                  "（ディスクの空き不足か、ほかの処理が読み取り中です）。今は .sqlite3 ファイルだけを"
                  "コピー・移動しないでください。次に開いたときに仕上げます")

    def close(self) -> bool:
        """Leave the database: everything committed in the file itself (whether it is), connections closed."""
        from db.files import checkpoint_file

        with self._lock:                              # a bring_in under way (a worker thread) ends first
            if self._engine is None:                  # opened light, never brought in
                if self.sqlite_file is None:
                    return True
                con = sqlite3.connect(self.sqlite_file, isolation_level=None)
                try:
                    return checkpoint_file(con)
                finally:
                    con.close()
            from db import engine as dbengine

            try:
                return dbengine.checkpoint(self._engine)
            finally:
                self._engine.dispose()

    @cached_property
    def user(self) -> str:
        """Who is acting: on a server, the login it connected with (SQL current_user), never
        $USER; on SQLite, the operating-system user."""
        if self.is_sqlite:
            return current_user()
        return self.rows("SELECT current_user")[0][0]

    @property
    def description(self) -> str:
        """The database as a person reads it (the file, or server, database and login; never a
        password)."""
        from app.store.connection import describe

        return describe(self.engine.url if self._in.is_set() else str(self.sqlite_file))

    @cached_property
    def catalogue(self) -> Catalogue:
        learned = dict(self.rows("SELECT label, indicator_code FROM label_alias"))
        extra = [user_catalogue_path()] if user_catalogue_path().exists() else []
        return load_catalogue(*extra, extra_aliases=learned)

    def stored(self, name: str) -> str | None:
        """One of the database's own settings (app.store.settings: ``setting`` table), read on
        its own."""
        found = self.rows("SELECT value FROM setting WHERE key = :key", key=name)
        return found[0][0] if found else None

    @property
    def home_branch(self) -> str | None:
        return self.stored("home_branch")

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_file is not None or self.engine.dialect.name == "sqlite"


def open_database(target: str | Path | None = None, password: str | None = None, light: bool = False) -> Database:
    """Open (creating if needed) and migrate the database at a path or URL. A server's password:
    the one given, the URL's own, or the one kept in the credential store (app.store.connection).
    A failure is a DatabaseError in Japanese that never shows the password. ``light``: a SQLite
    file already at the newest revision is opened without SQLAlchemy (Database.bring_in later)."""
    if target is None:
        target = default_database_path()
    if "://" not in str(target):
        _check_file(Path(target).expanduser())
        if light and (db := _open_light(Path(target).expanduser().resolve())) is not None:
            return db
    from sqlalchemy.exc import SQLAlchemyError

    from app.store.connection import describe, with_password
    from app.store.failures import explain
    from db import engine as dbengine

    url = with_password(target, password) if "://" in str(target) else target
    engine = None
    try:
        engine = dbengine.make_engine(url)
        dbengine.migrate(engine)
        dbengine.checkpoint(engine)            # what an earlier run left in the -wal only, into the file
        db = Database(engine, dbengine.session_factory(engine))
        sync_reference_data(db)
    except (SQLAlchemyError, BranchReportError) as exc:
        if engine is not None:
            engine.dispose()
        problem = explain(exc)
        if "42501" == getattr(getattr(exc, "orig", None), "sqlstate", None):
            problem = DatabaseError("データベースの構造を作る・更新する権限がありません。共有データベースを最初に開く"
                                    "（または新しい版で最初に開く）のは、データベースの所有者かサーバーの管理者のログインです")
        raise DatabaseError(f"データベースを開けません: {describe(url)}: {problem}") from None
    return db


def open_light(target: str | Path) -> Database | None:
    """``open_database(target, light=True)`` when that needs no SQLAlchemy — a SQLite file at the
    newest revision: the same checks (their Japanese refusals), then the sqlite3 module; else None."""
    if "://" in str(target):
        return None
    _check_file(Path(target).expanduser())
    return _open_light(Path(target).expanduser().resolve())


def _check_file(path: Path) -> None:
    """A SQLite file's place and state before it is opened (the folder made if need be)."""
    from app.store.backups import check_database_file, network_filesystem

    if fs := network_filesystem(path.parent):
        raise DatabaseError(f"{path} はネットワーク上のドライブ ({fs}) にあります。SQLite のデータベースは"
                            "ネットワークドライブでは安全に使えません（WAL が働きません）。ローカルのディスクに置くか、"
                            "グループで共有するときは共有モード（PostgreSQL: --db postgresql+psycopg://…）を使ってください")
    path.parent.mkdir(parents=True, exist_ok=True)
    check_database_file(path)


def _open_light(path: Path) -> Database | None:
    """A SQLite file stamped with the newest migration, opened with the sqlite3 module (what an
    earlier run left in its -wal moved into the file, as opening does); None when it is not
    (new, older, unreadable: the regular way opens it, migrates it and says what is wrong)."""
    from db.files import checkpoint_file, head_from_files

    head = head_from_files()
    if head is None or not path.is_file():
        return None
    try:
        con = sqlite3.connect(path, isolation_level=None)
        try:
            stamped = con.execute("SELECT version_num FROM alembic_version").fetchall()
            if stamped != [(head,)]:
                return None
            con.execute("PRAGMA journal_mode=WAL")
            checkpoint_file(con)
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return Database(sqlite_file=path)


def _indicator_row(ind, pos: int) -> tuple:
    return ind.name, ind.group, ind.unit, ind.kind, ind.higher_is_better, pos


def sync_reference_data(db: Database) -> None:
    """Branches and the indicator catalogue, inserted or refreshed. Read first: nothing is written
    when nothing changed, nor by a login that may not write them (a group leader's: the next
    admin to start the program brings them in)."""
    import uuid

    from sqlalchemy import select

    from app.store.access import is_admin
    from app.store.settings import StoredSettings
    from db.models import Branch, Indicator

    with db.session() as s:
        have = set(s.scalars(select(Branch.code)))
        stored = {i.code: (i.name, i.group_name, i.unit, i.kind, i.higher_is_better, i.position)
                  for i in s.scalars(select(Indicator))}
        has_id = StoredSettings(s).database_id is not None
        missing = {c: n for c, n in branch_names().items() if c not in have}
        changed = [(pos, ind) for pos, ind in enumerate(db.catalogue) if stored.get(ind.code) != _indicator_row(ind, pos)]
        if not (missing or changed or not has_id) or not is_admin(s, db.user):
            return
    with db.unit() as s:
        s.add_all(Branch(code=c, name=n) for c, n in missing.items())
        for pos, ind in changed:
            row = (s.get(Indicator, ind.code) if ind.code in stored else None) or Indicator(code=ind.code)
            row.name, row.group_name, row.unit, row.kind, row.higher_is_better, row.position = _indicator_row(ind, pos)
            s.add(row)
        if StoredSettings(s).database_id is None:      # its identity: work packages find their way home
            StoredSettings(s).database_id = str(uuid.uuid4())


def test_connection(server, password: str) -> str:
    """Try a server (a connection.Server) with these details: who the server says the login is (current_user), or a
    DatabaseError saying in Japanese what is wrong."""
    from sqlalchemy import create_engine, text

    from app.store.failures import explain
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    engine = create_engine(make_url(server.url()).set(password=password), connect_args={"connect_timeout": 10},
                           poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT current_user")).scalar()
    except Exception as exc:
        raise explain(exc, server.url()) from None
    finally:
        engine.dispose()
