"""Connecting to a shared server like an office program: a server, a port, a database, a login
and a password — never a driver URL typed by hand; the password kept in the operating system's
credential store (keyring), never in a settings file; every failure said in Japanese, and no
message ever showing the password.

A remembered target is a URL *without* its password (``postgresql+psycopg://login@server:5432/db``);
the password is looked up in the credential store when the database is opened.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.errors import BranchReportError, DatabaseError, PermissionDenied

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
    from sqlalchemy.engine import make_url

    if "://" not in str(target) and not hasattr(target, "drivername"):
        return None
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
    except Exception as exc:
        raise DatabaseError("パスワードを OS の資格情報（キーチェーン・資格情報マネージャー）に保存できませんでした。"
                            f"次に開くときにもう一度入力してください（{type(exc).__name__}）") from None


# ---- what went wrong, in Japanese ---------------------------------------------------------------
_CONNECT = (      # libpq's and the server's words → what to tell the user
    (r"password authentication failed|no password supplied|authentication failed",
     "ログイン名またはパスワードが違います"),
    (r'role "[^"]*" does not exist', "このログイン名はサーバーにありません"),
    (r'database "[^"]*" does not exist', "このデータベースはサーバーにありません。データベース名を確かめてください"),
    (r"permission denied for database|CONNECT privilege",
     "このログインにはこのデータベースを使う権限がありません（管理者に利用者として登録してもらってください）"),
    (r"failed to resolve host|could not translate host name|Name or service not known",
     "サーバー名が見つかりません。サーバー名を確かめてください"),
    (r"Connection refused|timeout expired|timed out|No route to host|Network is unreachable",
     "サーバーに接続できません。サーバー名とポート番号、サーバーが動いているかを確かめてください"),
    (r"the database system is (starting up|shutting down)", "サーバーが起動中か停止中です。しばらくしてからやり直してください"),
)
_LOST = r"server closed the connection|terminating connection|connection is closed|consuming input failed|" \
        r"EOF detected|connection .* lost|Connection reset|broken pipe|the connection is lost"


def explain(exc: BaseException, target=None) -> BranchReportError:
    """A database failure as a message for the user: Japanese, naming the server and database
    (never the password), saying that nothing was stored."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, BranchReportError):
        return exc
    where = f"{describe(target)}: " if target is not None else ""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if type(orig).__module__ == "sqlite3":            # a file's failure: a full disk, a read-only file …
        from app.store.failures import describe_failure

        return DatabaseError(describe_failure(orig))
    text = str(orig)
    state = getattr(orig, "sqlstate", None) or ""
    if state == "42501" or "row-level security" in text:
        return PermissionDenied("データベースのサーバーがこの変更を許可しませんでした（このログインには権限がありません）。"
                                "何も保存していません")
    if state == "55P03":
        return DatabaseError("ほかの人の保存が長く続いているため保存できませんでした。何も保存していません。"
                             "しばらくしてからやり直してください")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated or re.search(_LOST, text, re.I) \
            or state.startswith(("08", "57P")):
        return DatabaseError(f"{where}データベースのサーバーとの接続が切れました（サーバーが止まったか、ネットワークが"
                             "切れました）。この操作は保存されていません。接続が戻ってからやり直してください")
    for pattern, message in _CONNECT:
        if re.search(pattern, text, re.I):
            return DatabaseError(f"{where}{message}")
    if isinstance(exc, SQLAlchemyError) or type(orig).__module__.startswith("psycopg"):
        return DatabaseError(f"{where}データベースを使えませんでした。何も保存していません（{type(orig).__name__}）")
    return DatabaseError(f"{where}データベースを使えませんでした（{type(exc).__name__}）")


def test_connection(server: Server, password: str) -> str:
    """Try a server with these details: who the server says the login is (current_user), or a
    DatabaseError saying in Japanese what is wrong."""
    from sqlalchemy import create_engine, text
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
