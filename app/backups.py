"""Backups of a SQLite database (always through SQLite's backup API, never a file copy), kept to a
bounded number beside the database; restoring one; the checks that keep one machine's file safe."""
from __future__ import annotations

import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from app.errors import DatabaseError
from db.engine import backup_sqlite, copy_sqlite, sqlite_path

KEEP = 20
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "fuse.sshfs", "davfs", "afs", "ceph",
                       "glusterfs", "fuse.glusterfs", "lustre"}


def backup_dir(path: Path) -> Path:
    return path.with_name(f"{path.stem}.backups")


def auto_backup(db, reason: str) -> Path | None:
    """A backup before a risky step (an import, a restore); SQLite only; the oldest beyond KEEP go."""
    path = sqlite_path(db.engine)
    if path is None or not path.exists():
        return None
    folder = backup_dir(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    out = backup_sqlite(db.engine, folder / f"{reason}-{stamp}.sqlite3")
    for old in sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
        old.unlink()
    return out


def list_backups(path: Path) -> list[Path]:
    """Newest first."""
    folder = backup_dir(Path(path))
    return sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)


def check_backup(source: Path) -> None:
    """A file fit to restore from: a sound SQLite database that branch-report made."""
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise DatabaseError(f"{source.name}: 壊れているため復元できません")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{source.name}: データベースのファイルではありません ({exc})") from exc
    if not {"alembic_version", "monthly_value", "plan_item"} <= tables:
        raise DatabaseError(f"{source.name}: branch-report のデータベースではありません")


def restore_allowed(target: Path, who: str | None = None) -> None:
    """Restoring replaces everyone's work: on a file with registered users, an admin only."""
    from app.errors import PermissionDenied
    from app.store import current_user

    if not Path(target).exists():
        return
    who = who or current_user()
    con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        columns = {r[1] for r in con.execute("PRAGMA table_info(app_user)")}
        if not columns or con.execute("SELECT count(*) FROM app_user").fetchone()[0] == 0:
            return
        admin = "admin" if "admin" in columns else "group_name = '企画総務'"   # before migration 0005
        if con.execute(f"SELECT {admin} FROM app_user WHERE login = ?", (who,)).fetchone() in (None, (0,)):
            raise PermissionDenied(f"{who} はバックアップから復元できません（管理者の作業です）")
    finally:
        con.close()


def restore(target: Path, source: Path) -> Path | None:
    """Put a backup in place of the database at target (closed by the caller); the current content
    is backed up first. Returns that safety backup."""
    source, target = Path(source), Path(target)
    check_backup(source)
    safety = None
    if target.exists():
        safety = copy_sqlite(target, backup_dir(target) / f"before-restore-{datetime.now():%Y%m%d-%H%M%S}.sqlite3")
    copy_sqlite(source, target, read_only=True)
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

    def __init__(self, path: Path):
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
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
