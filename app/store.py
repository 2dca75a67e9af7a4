"""Opening a database: migrate it, fill the reference data, hand out sessions."""
from __future__ import annotations

import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.branches import RESOURCES, branch_names  # noqa: F401  (re-exported)
from app.catalogue import Catalogue, load_catalogue
from app.errors import DatabaseError
from db import engine as dbengine
from db.models import Branch, Indicator, LabelAlias, Setting


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("branch-report", appauthor=False)) / "branch-report.sqlite3"


def user_catalogue_path() -> Path:
    """The user's own catalogue additions (same JSON format as resources/indicators.json)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("branch-report", appauthor=False)) / "indicators.json"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some services)
        return "unknown"


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
        """The transaction of one user operation: begun here (on SQLite with the write lock taken at
        once), committed once when the block ends, rolled back if anything in it fails. The
        services it calls take this session and never begin or commit on their own."""
        with self._writer.begin() as s:
            yield s
        dbengine.checkpoint(self.engine)       # the .sqlite3 file alone now holds the operation

    def close(self) -> None:
        """Leave the database: everything committed in the file itself, connections closed."""
        try:
            dbengine.checkpoint(self.engine)
        finally:
            self.engine.dispose()

    @cached_property
    def catalogue(self) -> Catalogue:
        with self.session() as s:
            learned = dict(s.execute(select(LabelAlias.label, LabelAlias.indicator_code)).all())
        extra = [user_catalogue_path()] if user_catalogue_path().exists() else []
        return load_catalogue(*extra, extra_aliases=learned)

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.session() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.unit() as s:
            s.merge(Setting(key=key, value=value))

    @property
    def home_branch(self) -> str | None:
        return self.setting("home_branch")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def open_database(target: str | Path | None = None) -> Database:
    """Open (creating if needed) and migrate the database at a path or URL."""
    if target is None:
        target = default_database_path()
    if "://" not in str(target):
        from app.backups import check_database_file, network_filesystem

        if fs := network_filesystem(Path(target).expanduser().parent):
            raise DatabaseError(f"{target} はネットワーク上のドライブ ({fs}) にあります。SQLite のデータベースは"
                                "ネットワークドライブでは安全に使えません（WAL が働きません）。ローカルのディスクに置くか、"
                                "グループで共有するときは共有モード（PostgreSQL: --db postgresql+psycopg://…）を使ってください")
        Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
        check_database_file(Path(target).expanduser())
    try:
        engine = dbengine.make_engine(target)
        dbengine.migrate(engine)
        db = Database(engine, dbengine.session_factory(engine))
        sync_reference_data(db)
    except SQLAlchemyError as exc:
        from app.errors import describe_failure

        shown = target if "://" not in str(target) else dbengine.make_url_safe(str(target))
        why = describe_failure(getattr(exc, "orig", None) or exc)
        raise DatabaseError(f"データベースを開けません: {shown}: {why}") from exc
    return db


def sync_reference_data(db: Database) -> None:
    """Branches and the indicator catalogue, inserted or refreshed (idempotent)."""
    with db.unit() as s:
        have = set(s.scalars(select(Branch.code)))
        s.add_all(Branch(code=c, name=n) for c, n in branch_names().items() if c not in have)
        rows = {i.code: i for i in s.scalars(select(Indicator))}
        for pos, ind in enumerate(db.catalogue):
            row = rows.get(ind.code) or Indicator(code=ind.code)
            row.name, row.group_name, row.unit, row.kind = ind.name, ind.group, ind.unit, ind.kind
            row.higher_is_better, row.position = ind.higher_is_better, pos
            s.add(row)
        if s.get(Setting, "database_id") is None:      # its identity: work packages find their way home
            s.add(Setting(key="database_id", value=str(uuid.uuid4())))
