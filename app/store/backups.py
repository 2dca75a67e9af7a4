"""Backups of a SQLite database (always through SQLite's backup API, never a file copy), kept to a
bounded number beside the database; restoring one; the checks that keep one machine's file safe."""
from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from app.core.errors import DamagedDatabase, DatabaseError
from app.store.failures import describe_failure
from db.files import check_file, copy_sqlite, revisions_from_files

KEEP = 20
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "fuse.sshfs", "davfs", "afs", "ceph",
                       "glusterfs", "fuse.glusterfs", "lustre"}


def backup_dir(path: Path) -> Path:
    return path.with_name(f"{path.stem}.backups")


def auto_backup(db, reason: str) -> Path | None:
    """A backup before a risky step (an import); SQLite only. Written under a temporary name,
    checked, then given its name; only then are the oldest beyond KEEP dropped. If it cannot be
    written (a full disk, a read-only folder), nothing is left of it and the step is refused."""
    from db.engine import backup_sqlite, sqlite_path

    path = sqlite_path(db.engine)
    if path is None or not path.exists():
        return None
    folder = backup_dir(path)
    out = folder / f"{reason}-{datetime.now():%Y%m%d-%H%M%S-%f}.sqlite3"
    partial = out.with_suffix(".partial")
    try:
        backup_sqlite(db.engine, partial)
        if problem := check_file(partial, at_rest=True):
            raise DatabaseError(f"書いたバックアップを確かめると壊れていました ({problem})")
        os.replace(partial, out)
    except (OSError, sqlite3.Error, DatabaseError) as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseError("バックアップを作れないため中止しました。何も変更していません"
                            f"（{describe_failure(exc)}）") from exc
    for old in sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
        old.unlink()
    return out


def list_backups(path: Path) -> list[Path]:
    """Newest first."""
    folder = backup_dir(Path(path))
    return sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)


#: What a backup was made before, by the first word of its name.
MADE_BEFORE = {"before-import": "取り込みの前", "before-restore": "復元の前", "before-migration": "版の更新の前"}


def describe_backup(path: Path) -> str:
    """A backup as a user knows it: when, and what it was made before
    ('2026-12-05 08:07 取り込みの前'), not its file name."""
    import re

    name = Path(path).stem
    m = re.search(r"(\d{8})-(\d{6})", name)
    try:
        when = datetime.strptime("".join(m.groups()), "%Y%m%d%H%M%S") if m else None
    except ValueError:
        when = None
    when = when or datetime.fromtimestamp(Path(path).stat().st_mtime)
    reason = next((said for key, said in MADE_BEFORE.items() if key in name), "バックアップ")
    return f"{when:%Y-%m-%d %H:%M} {reason}"


def newest_good_backup(path: Path) -> Path | None:
    """The newest backup of the database at path that is sound and this version can open."""
    for candidate in list_backups(path):
        try:
            check_backup(candidate)
        except DatabaseError:
            continue
        return candidate
    return None


def check_database_file(path: Path) -> None:
    """Before opening a SQLite file: it can be written, and SQLite's full integrity check finds it
    sound, indexes included (measured: 4 ms on the demo database, 105 ms at 16 times its rows);
    else one message — for damage, naming the newest good backup."""
    if not path.exists():
        return
    if read_only(path):
        raise DatabaseError(f"{path} は読み取り専用です（ファイルかフォルダに書き込めません）。"
                            "書き込めるフォルダに置くか、ファイルの読み取り専用を外してください")
    if problem := check_file(path, full=True):
        raise damaged(path, problem)


def read_only(path: Path) -> bool:
    """The database file or its folder (where SQLite keeps its -wal and -shm) cannot be written."""
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def damaged(path: Path, problem: str) -> DamagedDatabase:
    """Damage found in a database file, said with the newest good backup to restore."""
    good = newest_good_backup(path)
    advice = (f"最新の正常なバックアップは {good}（{datetime.fromtimestamp(good.stat().st_mtime):%Y-%m-%d %H:%M}）です。"
              f"復元するには: branch-report restore --from \"{good}\"" if good else "正常なバックアップが見つかりません")
    return DamagedDatabase(f"データベース {path} が壊れています（{problem}）。{advice}", path, good)


def check_backup(source: Path) -> None:
    """A file fit to restore from: a sound SQLite database that branch-report made, at a revision
    this version knows (a newer program's database is refused)."""
    if problem := check_file(source, full=True, at_rest=True):
        raise DatabaseError(f"{source.name}: 壊れているか、データベースのファイルではないため復元できません ({problem})")
    con = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
    finally:
        con.close()
    if not {"alembic_version", "monthly_value", "plan_item"} <= tables:
        raise DatabaseError(f"{source.name}: branch-report のデータベースではないため復元できません")
    if foreign := foreign_objects(source):
        raise DatabaseError(f"{source.name}: branch-report が作らないもの ({'、'.join(foreign[:5])}) があるため復元できません"
                            "（バックアップは表のデータだけを持つものです。トリガーやビューは動かしません）")
    if revision is None or revision[0] not in revisions_from_files()[0]:
        raise DatabaseError(f"{source.name}: この版の branch-report が知らない形式 ({revision[0] if revision else '不明'}) の"
                            "データベースです（新しい版で作られたもの）。新しい版の branch-report で開いてください")


def foreign_objects(path: Path) -> list[str]:
    """What a branch-report database file never holds: triggers and views (code that would run in
    the program's own transactions), virtual tables, and tables not of any revision's schema —
    named as 'トリガー x' and so on."""
    from db.models import Base

    ours = set(Base.metadata.tables) | {"alembic_version", "sqlite_sequence"}
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        con.close()
    kinds = {"trigger": "トリガー", "view": "ビュー", "table": "表"}
    return [f"{kinds[kind]} {name[:40]}" for kind, name, sql in rows
            if kind == "view" or kind == "trigger" and (sql or "").rstrip(";") not in _our_triggers()
            or kind == "table" and (
                (name not in ours and not name.startswith("sqlite_stat"))
                or (sql or "").lstrip().upper().startswith("CREATE VIRTUAL"))]


def _our_triggers() -> set[str]:
    """The triggers the migrations make (0012: submitted quarters locked), exactly as written."""
    import json

    from db.fresh import SNAPSHOT

    return {s.rstrip(";") for s in json.loads(SNAPSHOT.read_text(encoding="utf-8"))["statements"]
            if s.startswith("CREATE TRIGGER ")}


def lost_submissions(target: Path, source: Path) -> list[str]:
    """The quarters submitted (and locked) in the database at target that the backup does not hold:
    restoring it takes their submission, kept documents and lock back too. One line each."""
    def locked(path: Path, at_rest: bool) -> set[tuple]:
        try:                    # a file that is no database: restore itself says so
            con = sqlite3.connect(f"file:{path}?mode=ro" + ("&immutable=1" if at_rest else ""), uri=True)
            try:
                if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'submission'").fetchone():
                    return set()
                return set(con.execute("SELECT branch_code, fiscal_year, quarter, submitted_by, submitted_at "
                                       "FROM submission WHERE unlocked_at IS NULL"))
            finally:
                con.close()
        except sqlite3.Error:
            return set()

    if not (Path(target).exists() and Path(source).exists()):
        return []
    gone = locked(Path(target), False) - locked(Path(source), True)
    return [f"このバックアップは {b} {y}年度 第{q}四半期の提出（{who} {str(at)[:16]}）より前のものです。復元すると"
            "その提出の記録と保管した資料がなくなり、四半期の鎖錠も外れます（必要ならもう一度 submit してください）"
            for b, y, q, who, at in sorted(gone)]


def restore_allowed(target: Path, who: str | None = None) -> None:
    """Restoring replaces everyone's work: on a file with registered users, an admin only."""
    from app.core.errors import PermissionDenied
    from app.store.connection import current_user

    if not Path(target).exists():
        return
    who = who or current_user()
    con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        columns = {r[1] for r in con.execute("PRAGMA table_info(app_user)")}
        if not columns or con.execute("SELECT count(*) FROM app_user").fetchone()[0] == 0:
            return
        admin = "admin" if "admin" in columns else "group_name = '企画総務'"   # before migration 0006
        if con.execute(f"SELECT {admin} FROM app_user WHERE login = ?", (who,)).fetchone() in (None, (0,)):
            raise PermissionDenied(f"{who} はバックアップから復元できません（管理者の作業です）")
    finally:
        con.close()


def restore(target: Path, source: Path) -> Path | None:
    """Put a backup in place of the database at target (closed by the caller); the current content
    is backed up first. The backup is copied beside the target, checked, and moved into place in
    one rename: a crash at any moment leaves the old database or the new one. Returns the safety
    backup of the current content."""
    source, target = Path(source), Path(target)
    check_backup(source)
    lock = None
    if target.exists() and target.resolve() not in InstanceLock.held:    # our own window reloads after
        lock = InstanceLock(target)
        if not lock.acquire():
            raise DatabaseError(f"{target} は branch-report の画面で開かれているため復元できません。何も変更していません"
                                "（画面を閉じてからやり直すか、画面の ファイル → バックアップから復元 を使ってください）")
    try:
        return _replace(target, source)
    finally:
        if lock is not None:
            lock.release()


def _replace(target: Path, source: Path) -> Path | None:
    safety = None
    if target.exists():
        safety = backup_dir(target) / f"before-restore-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
        try:
            copy_sqlite(target, safety)
        except sqlite3.DatabaseError:          # a damaged file: its bytes are kept as they are
            safety.unlink(missing_ok=True)
            safety = safety.with_suffix(".damaged")
            shutil.copyfile(target, safety)
    incoming = target.with_name(target.name + ".restoring")
    try:
        copy_sqlite(source, incoming, read_only=True)
        check_backup(incoming)
        for side in ("-wal", "-shm"):
            target.with_name(target.name + side).unlink(missing_ok=True)
        os.replace(incoming, target)
    finally:
        incoming.unlink(missing_ok=True)
    return safety


def network_filesystem(path: Path, mounts: str | None = None) -> str | None:
    """The network file system a path lives on ('nfs', 'cifs', …), or None for a local disk."""
    path = Path(path).expanduser().resolve()
    if sys.platform == "win32":
        text = str(path)
        if text.startswith("\\\\"):
            return "UNC"
        import ctypes

        drive_remote = 4
        return "network drive" if ctypes.windll.kernel32.GetDriveTypeW(text[:3]) == drive_remote else None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return None
    best, fstype = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, fstype = point, parts[2]
    return fstype if fstype in NETWORK_FILESYSTEMS else None


class InstanceLock:
    """One window per database file: a lock on '<db>.lock', released when the process ends (even by
    kill -9, since the operating system drops it)."""

    held: set[Path] = set()          # the databases this process holds (its window)

    def __init__(self, path: Path):
        self.database = Path(path).resolve()
        self.path = Path(path).with_suffix(Path(path).suffix + ".lock")
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            return False
        InstanceLock.held.add(self.database)
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            InstanceLock.held.discard(self.database)
