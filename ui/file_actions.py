"""The ファイル menu's less frequent actions: work packages out and back, restoring a backup,
switching to another database. Each asks, calls an operation of app/, and tells the window what
changed; a failure is one message."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.core.catalogue import GROUP_NAMES
from app.core.fiscal import format_fy
from ui.preferences import Preferences
from ui.messages import INFO, say
from ui.tasks import run_op


def export_work_package(window, group: str | None = None, path: str | None = None) -> str | None:
    from app.workpackage.package import export_package

    if group is None:
        group, ok = QInputDialog.getItem(window, "作業用ブック", "どのグループの作業用ブックですか", list(GROUP_NAMES), 0, False)
        if not ok:
            return None
    quarter = window.status.current_quarter
    if path is None:
        path, _ = QFileDialog.getSaveFileName(window, "作業用ブックを書き出す",
                                              f"{format_fy(window.fiscal_year)}_第{quarter}四半期_{group}_作業用.xlsx",
                                              "Excel ブック (*.xlsx)")
    if not path:
        return None
    if run_op(window, "作業用ブック", export_package, window.db, window.branch, window.fiscal_year, group, quarter,
              path, window.db.user) is None:
        return None
    say(window, f"作業用ブックを書き出しました: {path}", INFO)
    return path


def import_work_package(window, path: str | None = None):
    from app.workpackage.package import read_package
    from ui.package_dialog import PackageDialog

    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "作業用ブックを取り込む", "", "Excel ブック (*.xlsx)")
    if not path:
        return None
    window.status.save()
    diff = run_op(window, "作業用ブック", read_package, window.db, path)
    if diff is None:
        return None
    dialog = PackageDialog(window.db, diff, window)
    dialog.stored.connect(window.apply_changes)
    dialog.show()
    return dialog


def restore_backup(window, source: str | None = None, confirm: bool = True) -> bool:
    """Put a backup in place of this database (the current content is backed up first)."""
    from app.operations import ops
    from app.store.backups import backup_dir, describe_backup, list_backups, lost_submissions
    from app.store.database import open_database
    from db.engine import sqlite_path

    path = sqlite_path(window.db.engine)
    if path is None:
        say(window, "共有モード（PostgreSQL）のデータベースはサーバーで復元してください", INFO, "復元")
        return False
    if not source:
        kept = list_backups(path)
        other = "ほかのファイルを選ぶ…"
        choice, ok = QInputDialog.getItem(
            window, "バックアップから復元", "どの時点に戻しますか（新しい順。取り込みなどの前に自動で作られたもの）",
            [describe_backup(b) for b in kept] + [other], 0, False) if kept else (other, True)
        if not ok:
            return False
        if choice != other:
            source = str(kept[[describe_backup(b) for b in kept].index(choice)])
        else:
            source, _ = QFileDialog.getOpenFileName(window, "復元するバックアップ", str(backup_dir(path)),
                                                    "データベース (*.sqlite3 *.db)")
    if not source:
        return False
    said = describe_backup(Path(source)) if Path(source).parent == backup_dir(path) else Path(source).name
    lost = "".join(f"\n\n警告: {line}" for line in lost_submissions(path, Path(source)))   # allowed, but said
    if confirm and QMessageBox.question(
            window, "復元", f"{said} の内容に戻します。今の内容はバックアップしてから置き換えます。"
            f"よろしいですか？{lost}") != QMessageBox.Yes:
        return False
    window.status.save()
    window.db.engine.dispose()
    restored = run_op(window, "復元", lambda: ops.restore_backup(path, Path(source)) or True)
    if not restored:                           # refused or failed (said): the database is as it was
        window.set_database(open_database(path))
        return False
    window.editor.stack.clear()
    window.set_database(open_database(path))
    say(window, f"{said} の内容に戻しました", INFO)
    return True


def switch_database(window, target: str | None = None, password: str | None = None):
    """Another database: a SQLite file, or a shared PostgreSQL server; remembered for the next
    start without its password (kept in the OS credential store). Without a target it opens the
    connection dialog (returned) and switches when 開く is pressed; with one, returns whether it
    switched."""
    if target is None:
        from ui.connect_dialog import ConnectDialog

        current = Preferences().database_target
        dialog = ConnectDialog(current, window)
        dialog.accepted.connect(lambda: _open_target(window, dialog.target(), dialog.password.text()
                                                     if dialog.server() else None))
        dialog.open()
        window.connect_dialog = dialog
        return dialog
    return _open_target(window, target.strip(), password)


def _open_target(window, target: str, password: str | None) -> bool:
    from app.store.connection import save_password, server_of, without_password
    from app.store.database import open_database

    window.status.save()
    db = run_op(window, "データベース", open_database, target, password)
    if db is None:
        return False
    server = server_of(target)
    if server is not None and password:
        run_op(window, "パスワードの保存", save_password, server, password)
    Preferences().database_target = without_password(target)
    window.editor.stack.clear()
    window.set_database(db)
    return True
