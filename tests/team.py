"""A branch's users on a test database, on either backend.

On PostgreSQL each user is a real server login made by the program (``ops.add_user``, as
``users --add`` does), with a password, and acts through her own connection: the server decides
what she may do. On SQLite there is no server: a user acts by name (``who=``), the honour system
of one person's file. Logins are unique per test (roles are server-wide) and dropped after it.
"""
from __future__ import annotations

import uuid

from app.operations import ops
from app.store.database import Database, open_database


class Team:
    def __init__(self, db: Database):
        self.db = db                            # opened by whoever set the database up
        self.logins: dict[str, str] = {}        # nickname → login
        self.passwords: dict[str, str] = {}
        self._open: dict[str, Database] = {}
        self._sql: list = []
        self.extra_logins: list[str] = []      # made by a test some other way: dropped too

    @property
    def on_server(self) -> bool:
        return not self.db.is_sqlite

    def add(self, nick: str, group: str, branch: str = "10", admin: bool = False, by: str | None = None) -> str:
        """Register a user (by the set-up login, or by another user ``by``); returns her login."""
        login = f"{nick}_{uuid.uuid4().hex[:6]}" if self.on_server else nick
        password = f"pw-{uuid.uuid4().hex}"
        db, who = self.acting(by) if by else (self.db, None)
        ops.add_user(db, login, branch, group, admin=admin, password=password, who=who)
        self.logins[nick], self.passwords[nick] = login, password
        return login

    def url(self, nick: str):
        return self.db.engine.url.set(username=self.logins[nick], password=self.passwords[nick])

    def acting(self, nick: str) -> tuple[Database, str | None]:
        """The database as this user acts on it, and the ``who`` to pass (None on a server)."""
        if not self.on_server:
            return self.db, self.logins[nick]
        if nick not in self._open:
            self._open[nick] = open_database(self.url(nick))
        return self._open[nick], None

    def sql(self, nick: str):
        """A plain psycopg connection as this user's login (autocommit), as psql would have."""
        import psycopg

        conn = psycopg.connect(host=self.db.engine.url.host, port=self.db.engine.url.port,
                               dbname=self.db.engine.url.database, user=self.logins[nick],
                               password=self.passwords[nick], autocommit=True)
        self._sql.append(conn)
        return conn

    def close(self) -> None:
        for db in self._open.values():
            db.engine.dispose()
        for conn in self._sql:
            conn.close()
        if not self.on_server:
            return
        self.db.engine.dispose()
        from tests.conftest import _pg_admin

        admin, url = _pg_admin()
        import psycopg

        here = psycopg.connect(url.set(drivername="postgresql", database=self.db.engine.url.database)
                               .render_as_string(hide_password=False), autocommit=True)
        names = [n for n in {*self.logins.values(), *self.extra_logins}
                 if here.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (n,)).fetchone()]
        if names:
            quoted = ", ".join(f'"{n}"' for n in names)
            here.execute(f"DROP OWNED BY {quoted}")        # their grants here, to each other too
            here.execute(f"DROP ROLE {quoted}")
        here.close()
        admin.close()
