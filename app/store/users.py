"""利用者の登録 (shared mode): an admin registers a group leader with her branch and group.

On PostgreSQL registering *is* making the server login: the login is created (its password sent
to the server already hashed, SCRAM-SHA-256, so it is in no statement or server log), may connect
to this database only, and is a member of ``branch_report_user`` (or, for an admin,
``branch_report_admin``, with the right to register others) — the roles of migration 0005. What
the login may then change is decided by the server from its ``app_user`` row.

On SQLite there is no server: the row alone, an honour system on one person's file.
"""
from __future__ import annotations

import re

from sqlalchemy import select, text

from app.store.access import check_admin, on_server
from app.core.catalogue import GROUP_NAMES
from app.core.errors import PermissionDenied, ValidationError
from db.models import AppUser, Branch

LOGIN = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,62}")
MIN_PASSWORD = 8
USER_ROLE, ADMIN_ROLE = "branch_report_user", "branch_report_admin"


def register(s, who: str, login: str, branch: str, group: str, *, admin: bool = False,
             password: str | None = None, name: str = "") -> str:
    """Register (or re-register) a user in the operation's session; returns what was done, in
    Japanese. Only an admin may register; the login's password is needed when the server login
    is new."""
    may_register(s, who)
    if not LOGIN.fullmatch(login or ""):
        raise ValidationError(f"ログイン名は半角の英小文字・数字と _ . - で 63 文字までです ('{login}')")
    if group not in GROUP_NAMES:
        raise ValidationError(f"グループは 業務・レセプト・保健・企画総務 のいずれかです ({group})")
    if s.get(Branch, branch) is None:
        raise ValidationError(f"支部 '{branch}' がありません")
    known = s.get(AppUser, login) is not None
    said = _server_login(s, login, admin, password, known) if on_server(s) else f"{login} を登録しました"
    s.merge(AppUser(login=login, branch_code=branch, group_name=group, admin=admin, name=name))
    return said


def may_register(s, who: str) -> None:
    """Only an admin registers users (a file with no admin yet: its owner sets it up)."""
    if on_server(s) or s.scalar(select(AppUser.login).where(AppUser.admin).limit(1)) is not None:
        check_admin(s, who, "利用者の登録")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _server_login(s, login: str, admin: bool, password: str | None, known: bool) -> str:
    conn = s.connection()
    role = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :l"), {"l": login}).first()
    if role is not None and role.rolsuper:
        raise ValidationError(f"{login} はサーバーの管理者のログインです（登録しなくても管理者です）")
    who = _quoted(login)
    if role is None:
        _check_password(password)
        verifier = _scram(conn, login, password)
        options = "LOGIN INHERIT NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS" + (" CREATEROLE" if admin else "")
        _run(conn, f"CREATE ROLE {who} {options} PASSWORD '{verifier}'")
        said = f"ログイン {login} を作り、登録しました"
    elif password is not None and known:      # a registered user's new password
        _check_password(password)
        _run(conn, f"ALTER ROLE {who} PASSWORD '{_scram(conn, login, password)}'")
        said = f"{login} の登録とパスワードを変えました"
    else:                                     # a login the server already has (another database's)
        said = f"サーバーにあるログイン {login} を登録しました（パスワードは変えていません）"
    database = _quoted(conn.execute(text("SELECT current_database()")).scalar())
    if conn.execute(text("SELECT rolsuper OR pg_has_role(current_user, (SELECT datdba FROM pg_database "
                         "WHERE datname = current_database()), 'MEMBER') FROM pg_roles "
                         "WHERE rolname = current_user")).scalar():
        _run(conn, f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")     # logins of this database only
    # TEMPORARY: an import copies new values into a temporary table (COPY is refused under
    # row-level security); granted here, whatever the server gives PUBLIC
    _run(conn, f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {who}" + (" WITH GRANT OPTION" if admin else ""))
    option = " WITH ADMIN OPTION" if admin else ""
    _run(conn, f"GRANT {USER_ROLE} TO {who}{option}")
    if admin:
        _run(conn, f"GRANT {ADMIN_ROLE} TO {who}{option}")
    elif conn.execute(text("SELECT pg_has_role(:l, :r, 'MEMBER')"), {"l": login, "r": ADMIN_ROLE}).scalar():
        _run(conn, f"REVOKE {ADMIN_ROLE} FROM {who}")
    return said


def _run(conn, statement: str) -> None:
    """A statement that takes no parameters (CREATE ROLE, GRANT); a refusal of the server is said
    in Japanese."""
    from sqlalchemy.exc import DBAPIError

    try:
        conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            raise PermissionDenied("このログインにはサーバーのログインを作る・権限を与える権限がありません"
                                   "（サーバーの管理者か、--admin で登録された利用者が行います）") from None
        raise


def _check_password(password: str | None) -> None:
    if password is None:
        raise ValidationError("新しいログインのパスワードを指定してください（--password-file、または入力）")
    if len(password) < MIN_PASSWORD or "\n" in password:
        raise ValidationError(f"パスワードは {MIN_PASSWORD} 文字以上、1 行にしてください")


def _scram(conn, login: str, password: str) -> str:
    """The password as the server stores it (SCRAM-SHA-256), computed here by libpq."""
    pgconn = conn.connection.dbapi_connection.pgconn
    verifier = pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256").decode()
    if not re.fullmatch(r"SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+", verifier):
        raise ValidationError("パスワードを暗号化できませんでした")
    return verifier
