"""Failures said to the user: one Japanese line for anything an operation may meet."""
from __future__ import annotations

import re

from app.core.errors import BranchReportError, DatabaseError, PermissionDenied
from app.core.log import note, os_reason
from app.store.connection import describe


def describe_failure(exc: BaseException) -> str:
    """One Japanese line for any failure of an operation (never a traceback, never a password):
    ours as they are; a full disk, a read-only file, a locked or damaged file said in users' words;
    a server's failures as explain says them."""
    if isinstance(exc, BranchReportError):
        return str(exc)
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text or getattr(exc, "errno", None) == 28:
        return "ディスクの空きが足りないため保存できませんでした。何も変更していません（空きを作ってからやり直してください）"
    if "readonly" in text or "read-only" in text or getattr(exc, "errno", None) in (13, 30):
        return "データベース（またはそのフォルダ）に書き込めないため保存できませんでした。何も変更していません"
    if "database is locked" in text:
        return "データベースがほかの処理で使用中です。しばらくしてからやり直してください。何も変更していません"
    if "malformed" in text or "not a database" in text:
        return "データベースのファイルが壊れています。branch-report check で確かめ、バックアップから復元してください"
    module = type(exc).__module__
    if module.startswith(("sqlalchemy", "psycopg")):
        return str(explain(exc))
    if isinstance(exc, OSError):
        where = f"（{exc.filename}）" if getattr(exc, "filename", None) else ""
        return f"ファイルを読み書きできません{where}: {os_reason(exc)}"
    note("予期しないエラー", exc)
    return "予期しないエラーのため中止しました。何も変更していません（詳しい内容はログに記録しました）"


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
    note("データベース", orig)
    if isinstance(exc, SQLAlchemyError) or type(orig).__module__.startswith("psycopg"):
        return DatabaseError(f"{where}データベースを使えませんでした。何も保存していません（詳しい内容はログに記録しました）")
    return DatabaseError(f"{where}データベースを使えませんでした（詳しい内容はログに記録しました）")
