"""One machine's safety: backups before imports, restore, network drives, one window per file,
and kill -9 in the middle of an import or an edit."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.backups import InstanceLock, auto_backup, list_backups, network_filesystem, restore
from app.cli.main import main
from app.core.errors import DatabaseError
from app.operations.ops import import_workbook
from app.reads.queries import monthly_values
from app.store.database import open_database
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.sqlite_only      # about SQLite files themselves


def count(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM monthly_value").fetchone()[0]
    finally:
        con.close()


def test_each_import_is_preceded_by_a_backup_and_they_are_bounded(empty_db, monkeypatch):
    import app.store.backups as backups

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
    import app.store.backups as backups

    monkeypatch.setattr(backups, "network_filesystem", lambda path, mounts=None: "cifs")
    with pytest.raises(DatabaseError, match="共有モード"):
        open_database(tmp_path / "on-share.sqlite3")


def test_one_window_per_database_file(tmp_path):
    first, second = InstanceLock(tmp_path / "db.sqlite3"), InstanceLock(tmp_path / "db.sqlite3")
    assert first.acquire()
    code = ("import sys; sys.path.insert(0, %r); from app.store.backups import InstanceLock; "
            "print(InstanceLock(%r).acquire())" % (str(ROOT), str(tmp_path / "db.sqlite3")))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"                               # another process is refused
    first.release()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True"


IMPORTER = """
import sys; sys.path.insert(0, {root!r})
from app.store.database import open_database
from app.operations.ops import import_workbook
db = open_database({db!r})
print("start", flush=True)
r = import_workbook(db, {book!r}, branch="10")
print("done", r.inserted, flush=True)
"""

EDITOR = """
import sys; sys.path.insert(0, {root!r})
from app.store.database import open_database
from app.operations.edits import CellEntry
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


FOUR_FILES = """
import sys; sys.path.insert(0, {root!r})
from app.store.database import open_database
from app.operations.ops import import_files
db = open_database({db!r})
print("start", flush=True)
r = import_files(db, {books!r})
print("done", r.stored, flush=True)
"""


@pytest.mark.parametrize("delay", [0.1, 0.4, 0.7, 1.0])
def test_kill_during_a_four_file_import_leaves_all_or_none(tmp_path, delay):
    """Four headquarters workbooks (a year each) in one command: a kill at any point leaves all
    four stored or none — never one, two or three."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    books = []
    for year in (2021, 2022, 2023, 2024):
        books.append(str(tmp_path / f"hq{year}.xlsx"))
        import_bench.build_hq(Path(books[-1]), years=range(year, year + 1), n_indicators=10)
    path = tmp_path / "crash.sqlite3"
    open_database(path).engine.dispose()
    run_and_kill(FOUR_FILES.format(root=str(ROOT), db=str(path), books=books), delay)
    assert integrity(path) == "ok"
    db = open_database(path)
    from app.operations.imports import import_history

    assert len(import_history(db)) in (0, 4)
    assert len(monthly_values(db)) in (0, 4 * 48 * 12 * 10)
    db.engine.dispose()


MIGRATION_KILLED = """
import os, signal, sys; sys.path.insert(0, {root!r})
from alembic.operations import Operations

create = Operations.create_table


def create_then_die(self, name, *args, **kwargs):
    made = create(self, name, *args, **kwargs)
    if name == "kpi_status":              # inside migration 0002, after its first step
        os.kill(os.getpid(), signal.SIGKILL)
    return made


Operations.create_table = create_then_die
from app.store.database import open_database
print("start", flush=True)
open_database({db!r})
"""


def test_a_migration_killed_between_its_steps_leaves_the_previous_revision(tmp_path):
    from sqlalchemy import text

    from db.engine import current_revision, head_revision, make_engine, upgrade

    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0001")
    with engine.begin() as c:
        c.execute(text("INSERT INTO branch (code, name) VALUES ('10', '群馬')"))
    engine.dispose()
    proc = subprocess.run([sys.executable, "-c", MIGRATION_KILLED.format(root=str(ROOT), db=str(path))],
                          capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL and proc.stdout.strip() == "start"
    assert integrity(path) == "ok"
    engine = make_engine(path)
    assert current_revision(engine) == "0001"
    with engine.connect() as c:                                          # nothing of 0002 survived
        assert "kpi_status" not in {r[0] for r in c.execute(text("SELECT name FROM sqlite_master"))}
    engine.dispose()
    db = open_database(path)                                            # the next start migrates
    assert current_revision(db.engine) == head_revision(db.engine)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT name FROM branch WHERE code = '10'")).scalar() == "群馬"
    db.engine.dispose()
