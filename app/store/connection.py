"""Connecting to a shared server like an office program: a server, a port, a database, a login
and a password — never a driver URL typed by hand; the password kept in the operating system's
credential store (keyring), never in a settings file; every failure said in Japanese, and no
message ever showing the password.

A remembered target is a URL *without* its password (``postgresql+psycopg://login@server:5432/db``);
the password is looked up in the credential store when the database is opened.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from app.core.errors import DatabaseError

SERVICE = "branch-report"
DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class Server:
    """共有サーバー: where a shared database is, and who connects to it."""
    host: str
    port: int
    database: str
    login: str

    def url(self) -> str:
        """The target to remember: no password in it."""
        from sqlalchemy.engine import URL

        return URL.create(DRIVER, username=self.login, host=self.host, port=self.port,
                          database=self.database).render_as_string(hide_password=True)

    @property
    def credential(self) -> str:
        """The name the password is kept under in the credential store."""
        return f"{self.login}@{self.host}:{self.port}/{self.database}"


def server_of(target) -> Server | None:
    """The server a PostgreSQL target names (None for a SQLite file)."""
    if "://" not in str(target) and not hasattr(target, "drivername"):
        return None
    from sqlalchemy.engine import make_url

    url = make_url(target)                      # a URL object is kept as it is
    if not url.drivername.startswith("postgresql"):
        return None
    return Server(url.host or "localhost", url.port or DEFAULT_PORT, url.database or "", url.username or "")


def with_password(target, password: str | None):
    """The URL to connect with: the target's own password, the one given, or the one kept in the
    credential store (a URL object: its password never goes through a string)."""
    from sqlalchemy.engine import make_url

    url = make_url(target)
    if password is None and url.password is None and (server := server_of(url)) is not None:
        password = saved_password(server)
    return url.set(password=password) if password is not None else url


def without_password(target) -> str:
    """The target as it may be remembered: a server's URL with its password taken out."""
    if server_of(target) is None:
        return str(target)
    from sqlalchemy.engine import make_url

    url = make_url(target)
    return url._replace(password=None).render_as_string(hide_password=False)


def describe(target) -> str:
    """What a person reads about a database: the file, or the server, database and login."""
    server = server_of(target)
    if server is None:
        return str(getattr(target, "database", None) or target)
    return f"サーバー {server.host}:{server.port} のデータベース「{server.database}」（ログイン {server.login}）"


# ---- the credential store ------------------------------------------------------------------------
def saved_password(server: Server) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, server.credential)
    except Exception:  # no credential store on this machine (a server, a CI box): nothing kept
        return None


def save_password(server: Server, password: str) -> None:
    try:
        import keyring

        keyring.set_password(SERVICE, server.credential, password)
    except Exception:  # noqa: BLE001 - any keyring backend's failure
        raise DatabaseError("パスワードを OS の資格情報（キーチェーン・資格情報マネージャー）に保存できませんでした。"
                            "次に開くときにもう一度入力してください") from None


# ---- what went wrong, in Japanese ---------------------------------------------------------------


def current_user() -> str:
    """The operating-system user running the program: who acts on a SQLite database (taken from
    the account, not from $USER). On a shared server the identity is the login: ``Database.user``."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except Exception:  # Windows (no pwd): the signed-in account's name
        try:
            import getpass

            return getpass.getuser()
        except Exception:  # no user name at all (some services)
            return "unknown"
