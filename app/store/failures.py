"""Failures said to the user: one Japanese line for anything an operation may meet."""
from __future__ import annotations

from app.core.errors import BranchReportError


def describe_failure(exc: BaseException) -> str:
    """One Japanese line for any failure of an operation (never a traceback, never a password):
    ours as they are; a full disk, a read-only file, a locked or damaged file said in users' words;
    a server's failures as app.store.connection.explain says them."""
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
        from app.store.connection import explain

        return str(explain(exc))
    if isinstance(exc, OSError):
        where = f"（{exc.filename}）" if getattr(exc, "filename", None) else ""
        return f"ファイルを読み書きできません{where}: {exc.strerror or exc}"
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"予期しないエラーのため中止しました。何も変更していません（{type(exc).__name__}: {detail}）"
