"""Opening a database: migrate it, fill the reference data, hand out sessions."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.branches import branch_names  # noqa: F401  (re-exported)
from app.core.catalogue import Catalogue, load_catalogue
from app.core.errors import BranchReportError, DatabaseError
from app.store.connection import current_user
from app.store.paths import default_database_path, user_catalogue_path  # noqa: F401  (re-exported)
from db import engine as dbengine
from app.store.settings import StoredSettings
from db.models import Branch, Indicator, LabelAlias


LOCK_TIMEOUT = "120s"       # how long a writer waits for another's transaction on the server


@dataclass
class Database:
    """An open, migrated database: its engine and a session factory."""
    engine: Engine
    sessions: sessionmaker[Session]

    def session(self) -> Session:
        """A session to read with (no writes: those go through ``unit``)."""
        return self.sessions()

    @cached_property
    def _writer(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine.execution_options(writes=True), expire_on_commit=False)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """The transaction of one user operation: begun here with the write lock taken at once
        (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, so two imports of the same year
        or file wait for each other instead of colliding on a key), committed once when the
        block ends, rolled back if anything in it fails. The services it calls take this session
        and never begin or commit on their own. A failure of the server (a lost connection, a
        refusal, a change to a submitted quarter) becomes a Japanese message; nothing of the unit is stored."""
        from app.store.failures import explain
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
        try:
            return dbengine.checkpoint(self.engine)
        finally:
            self.engine.dispose()

    @cached_property
    def user(self) -> str:
        """Who is acting: on a server, the login it connected with (SQL current_user), never
        $USER; on SQLite, the operating-system user."""
        if self.is_sqlite:
            return current_user()
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT current_user")).scalar()

    @property
    def description(self) -> str:
        """The database as a person reads it (the file, or server, database and login; never a
        password)."""
        from app.store.connection import describe

        return describe(self.engine.url)

    @cached_property
    def catalogue(self) -> Catalogue:
        with self.session() as s:
            learned = dict(s.execute(select(LabelAlias.label, LabelAlias.indicator_code)).all())
        extra = [user_catalogue_path()] if user_catalogue_path().exists() else []
        return load_catalogue(*extra, extra_aliases=learned)

    def stored(self, name: str) -> str | None:
        """One of the database's own settings (app.store.settings), read in a session of its own."""
        with self.session() as s:
            return getattr(StoredSettings(s), name)

    @property
    def home_branch(self) -> str | None:
        return self.stored("home_branch")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def open_database(target: str | Path | None = None, password: str | None = None) -> Database:
    """Open (creating if needed) and migrate the database at a path or URL. A server's password:
    the one given, the URL's own, or the one kept in the credential store (app.store.connection).
    A failure is a DatabaseError in Japanese that never shows the password."""
    from app.store.connection import describe, with_password
    from app.store.failures import explain

    if target is None:
        target = default_database_path()
    if "://" not in str(target):
        from app.store.backups import check_database_file, network_filesystem

        if fs := network_filesystem(Path(target).expanduser().parent):
            raise DatabaseError(f"{target} はネットワーク上のドライブ ({fs}) にあります。SQLite のデータベースは"
                                "ネットワークドライブでは安全に使えません（WAL が働きません）。ローカルのディスクに置くか、"
                                "グループで共有するときは共有モード（PostgreSQL: --db postgresql+psycopg://…）を使ってください")
        Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
        check_database_file(Path(target).expanduser())
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


def _indicator_row(ind, pos: int) -> tuple:
    return ind.name, ind.group, ind.unit, ind.kind, ind.higher_is_better, pos


def sync_reference_data(db: Database) -> None:
    """Branches and the indicator catalogue, inserted or refreshed. Read first: nothing is written
    when nothing changed, nor by a login that may not write them (a group leader's: the next
    admin to start the program brings them in)."""
    from app.store.access import is_admin

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
