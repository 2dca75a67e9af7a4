"""One machine's safety: backups before imports, restore, network drives, one window per file,
and kill -9 in the middle of an import or an edit."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from app.backups import InstanceLock, auto_backup, list_backups, network_filesystem, restore
from app.cli import main
from app.errors import DatabaseError
from app.ops import import_workbook
from app.queries import monthly_values
from app.store import open_database
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.sqlite_only      # about SQLite files themselves


def count(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM monthly_value").fetchone()[0]
    finally:
        con.close()


def test_each_import_is_preceded_by_a_backup_and_they_are_bounded(empty_db, monkeypatch):
    import app.backups as backups

    monkeypatch.setattr(backups, "KEEP", 2)
    path = empty_db.engine.url.database
    import_workbook(empty_db, SAMPLE / "gunma_fy2024_plan.xlsx", branch="10")
    import_workbook(empty_db, SAMPLE / "gunma_fy2024_monthly.xlsx", branch="10")
    first = list_backups(path)
    assert len(first) == 2 and count(first[0]) == 0                    # before the monthly import
    import_workbook(empty_db, SAMPLE / "hq_national_fy2024.xlsx")
    assert len(list_backups(path)) == 2 and count(list_backups(path)[0]) == 854


def test_restore_puts_a_backup_back_and_keeps_the_current_content(demo_db, tmp_path, capsys):
    path = demo_db.engine.url.database
    before = auto_backup(demo_db, "manual")
    from tests.helpers import set_month_value

    set_month_value(demo_db, "10", 2024, 4, "mail_count", 1)
    demo_db.engine.dispose()
    assert main(["--db", path, "restore", "--from", str(before)]) == 0
    db = open_database(path)
    assert [r.value for r in monthly_values(db, "10", 2024, ["mail_count"]) if r.month == 4] == [7742]
    safety = [p for p in list_backups(path) if p.name.startswith("before-restore")]
    assert safety and sqlite3.connect(safety[0]).execute(
        "SELECT value FROM monthly_value WHERE indicator_code='mail_count' AND month=4 AND fiscal_year=2024"
    ).fetchone() == (1,)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DatabaseError):
        restore(__import__("pathlib").Path(path), junk)
    db.engine.dispose()


MOUNTS = """/dev/sda1 / ext4 rw 0 0
server:/export /mnt/share nfs4 rw 0 0
//nas/branch /mnt/nas cifs rw 0 0
"""


def test_a_database_on_a_network_drive_is_refused(tmp_path, monkeypatch):
    assert network_filesystem("/mnt/share/gunma/db.sqlite3", MOUNTS) == "nfs4"
    assert network_filesystem("/mnt/nas/x.sqlite3", MOUNTS) == "cifs"
    assert network_filesystem("/home/user/db.sqlite3", MOUNTS) is None
    import app.backups as backups

    monkeypatch.setattr(backups, "network_filesystem", lambda path, mounts=None: "cifs")
    with pytest.raises(DatabaseError, match="共有モード"):
        open_database(tmp_path / "on-share.sqlite3")


def test_one_window_per_database_file(tmp_path):
    first, second = InstanceLock(tmp_path / "db.sqlite3"), InstanceLock(tmp_path / "db.sqlite3")
    assert first.acquire()
    code = ("import sys; sys.path.insert(0, %r); from app.backups import InstanceLock; "
            "print(InstanceLock(%r).acquire())" % (str(ROOT), str(tmp_path / "db.sqlite3")))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"                               # another process is refused
    first.release()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True"


IMPORTER = """
import sys; sys.path.insert(0, {root!r})
from app.store import open_database
from app.ops import import_workbook
db = open_database({db!r})
print("start", flush=True)
r = import_workbook(db, {book!r}, branch="10")
print("done", r.inserted, flush=True)
"""

EDITOR = """
import sys; sys.path.insert(0, {root!r})
from app.store import open_database
from app.edits import CellEntry
from tests.helpers import set_month_values
db = open_database({db!r})
print("start", flush=True)
for k in range(1, 100000):
    set_month_values(db, [CellEntry("10", fy, m, "counter_count", k) for fy in (2022, 2023) for m in range(1, 13)])
"""


def big_workbook(path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    import_bench.build_hq(path, years=range(2020, 2025), n_indicators=10)
    return path


def run_and_kill(script: str, delay: float):
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc


def integrity(path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_kill_during_an_import_leaves_all_or_nothing(tmp_path, delay):
    book = big_workbook(tmp_path / "hq.xlsx")
    path = tmp_path / "crash.sqlite3"
    open_database(path).engine.dispose()
    run_and_kill(IMPORTER.format(root=str(ROOT), db=str(path), book=str(book)), delay)
    assert integrity(path) == "ok"
    db = open_database(path)                                            # opens again, and …
    n = len(monthly_values(db))
    assert n in (0, 48 * 12 * 10 * 5), n                                # … holds all of it or none
    db.engine.dispose()


def test_kill_during_edits_leaves_each_edit_whole(demo_path, tmp_path):
    import shutil

    path = tmp_path / "edits.sqlite3"
    shutil.copy(demo_path, path)
    run_and_kill(EDITOR.format(root=str(ROOT), db=str(path)), 1.0)
    assert integrity(path) == "ok"
    db = open_database(path)
    values = {r.value for r in monthly_values(db, "10", None, ["counter_count"]) if r.fiscal_year in (2022, 2023)}
    assert len(values) == 1 and values.pop() >= 1                      # 24 cells, one edit: never half of it
    db.engine.dispose()
