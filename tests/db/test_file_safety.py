"""One machine's file never loses a stored change: the .sqlite3 alone holds every committed change,
damage is noticed and named with the newest good backup, a full disk or a read-only file is one
clear line with nothing changed, only databases this version can open are restored, and --demo
leaves nothing behind."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.backups import auto_backup, backup_dir, list_backups, restore
from app.cli.main import main
from app.core.errors import DamagedDatabase, DatabaseError
from app.reads.queries import monthly_values
from app.store.database import open_database
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.sqlite_only
MONTHLY = str(SAMPLE / "gunma_fy2024_monthly.xlsx")


def cli(*args, capsys=None):
    return main(list(args))


def test_the_file_alone_holds_an_import_once_the_command_has_finished(tmp_path):
    db = tmp_path / "mine.sqlite3"
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", MONTHLY, "--branch", "10"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    usb = tmp_path / "usb"
    usb.mkdir()
    shutil.copy(db, usb / "mine.sqlite3")                               # only the .sqlite3, as people do
    copy = open_database(usb / "mine.sqlite3")
    assert len(monthly_values(copy)) == 854
    copy.close()


def test_each_operation_is_in_the_file_while_the_program_still_runs(demo_path, tmp_path):
    from tests.helpers import set_month_value

    path = tmp_path / "open.sqlite3"
    shutil.copy(demo_path, path)
    db = open_database(path)
    set_month_value(db, "10", 2024, 4, "counter_count", 999)
    shutil.copy(path, tmp_path / "copied.sqlite3")                       # copied while the app is open
    con = sqlite3.connect(tmp_path / "copied.sqlite3")
    assert con.execute("SELECT value FROM monthly_value WHERE indicator_code='counter_count' AND month=4 "
                       "AND fiscal_year=2024").fetchone() == (999.0,)
    con.close()
    db.close()


def damage(path: Path, table: str = "monthly_value") -> None:
    """Zero the root page of a table, as a failing disk would."""
    con = sqlite3.connect(path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    con.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\0" * page_size)


def test_a_damaged_page_is_noticed_and_the_newest_good_backup_named(demo_path, tmp_path, capsys):
    path = tmp_path / "hurt.sqlite3"
    shutil.copy(demo_path, path)
    db = open_database(path)
    good = auto_backup(db, "before-import")
    db.close()
    damage(path)
    with pytest.raises(DamagedDatabase) as caught:
        open_database(path)
    assert caught.value.backup == good and str(good) in str(caught.value)
    assert cli("--db", str(path), "check") == 1
    assert "壊れています" in (err := capsys.readouterr().err) and str(good) in err
    for verb in (["values"], ["import", MONTHLY], ["backup", "--out", str(tmp_path / "b.sqlite3")]):
        assert cli("--db", str(path), *verb) == 1                           # every verb refuses, saying why
        assert "壊れています" in capsys.readouterr().err
    assert not (tmp_path / "b.sqlite3").exists()
    assert cli("--db", str(path), "restore", "--from", str(good)) == 0
    assert cli("--db", str(path), "check") == 0
    assert len(monthly_values(reopened := open_database(path), "10")) == 854
    reopened.close()


def test_the_quick_check_at_opening_takes_milliseconds(demo_path):
    from db.files import check_file

    started = time.perf_counter()
    for _ in range(10):
        assert check_file(demo_path) is None
    assert (time.perf_counter() - started) / 10 < 0.05


def test_a_full_disk_during_an_import_is_one_line_and_nothing_changes(demo_path, tmp_path):
    """SQLITE_FULL, as a full disk gives it: the page limit of the file is set just above its size."""
    from sqlalchemy import event

    from app.operations import ops
    from app.store.failures import describe_failure

    path = tmp_path / "full.sqlite3"
    shutil.copy(demo_path, path)
    db = open_database(path)
    before = monthly_values(db)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    event.listen(db.engine, "connect", lambda con, _r: con.execute(f"PRAGMA max_page_count = {pages + 2}"))
    db.engine.dispose()
    book = tmp_path / "hq.xlsx"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    import_bench.build_hq(book, years=range(2024, 2025), n_indicators=4)
    with pytest.raises(Exception) as caught:
        ops.import_files(db, [book])
    assert describe_failure(caught.value).startswith("ディスクの空きが足りない")
    assert monthly_values(db) == before
    db.close()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_backup_that_cannot_be_written_leaves_nothing_and_stops_the_import(demo_path, tmp_path, monkeypatch):
    import db.engine as dbengine

    path = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, path)

    def full_disk(_engine, out):
        Path(out).write_bytes(b"SQLite format 3\0" + b"\0" * 100)        # half written …
        raise sqlite3.OperationalError("database or disk is full")      # … then the disk is full
    monkeypatch.setattr(dbengine, "backup_sqlite", full_disk)
    db = open_database(path)
    from app.operations import ops
    with pytest.raises(DatabaseError, match="バックアップを作れない"):
        ops.import_workbook(db, SAMPLE / "hq_national_fy2024.xlsx")
    assert list(backup_dir(path).glob("*")) == []                         # no empty or partial backup
    assert len(monthly_values(db, "10")) == 854
    db.close()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_database_is_one_line_and_no_backup(demo_path, tmp_path, capsys):
    path = tmp_path / "ro.sqlite3"
    shutil.copy(demo_path, path)
    path.chmod(0o444)
    assert cli("--db", str(path), "import", MONTHLY) == 1
    assert "読み取り専用" in capsys.readouterr().err
    assert not backup_dir(path).exists()


def test_a_read_only_file_is_refused_before_anything_is_written(demo_path, tmp_path, monkeypatch):
    """The check itself (tests may run as root, for whom nothing is read-only)."""
    path = tmp_path / "ro.sqlite3"
    shutil.copy(demo_path, path)
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != path)
    with pytest.raises(DatabaseError, match="読み取り専用"):
        open_database(path)
    assert not backup_dir(path).exists() and not Path(f"{path}-wal").exists()


def test_restore_refuses_a_database_of_a_newer_version_or_another_program(demo_path, tmp_path, capsys):
    target = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, target)
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(demo_path, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = target.read_bytes()
    for source, why in ((newer, "知らない形式"), (other, "branch-report のデータベースではない")):
        assert cli("--db", str(target), "restore", "--from", str(source)) == 1
        assert why in capsys.readouterr().err
        assert target.read_bytes() == before
    good = tmp_path / "good.sqlite3"
    shutil.copy(demo_path, good)
    assert cli("--db", str(target), "restore", "--from", str(good)) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("good")) == ["good.sqlite3"]
    assert not Path(f"{target}.restoring").exists()


RESTORER = """
import sys; sys.path.insert(0, {root!r})
from pathlib import Path
from app.store.backups import restore
print("start", flush=True)
for _ in range(1000):
    restore(Path({target!r}), Path({source!r}))
"""


def test_a_kill_during_a_restore_leaves_the_old_database_or_the_new_one(demo_path, tmp_path):
    from tests.db.test_safety import integrity, run_and_kill

    target = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, target)
    source = tmp_path / "source.sqlite3"
    shutil.copy(demo_path, source)
    con = sqlite3.connect(source)
    con.execute("UPDATE monthly_value SET value = 1")
    con.commit()
    con.close()
    run_and_kill(RESTORER.format(root=str(ROOT), target=str(target), source=str(source)), 0.5)
    assert integrity(target) == "ok"
    values = {v for (v,) in sqlite3.connect(target).execute("SELECT DISTINCT value FROM monthly_value")}
    assert values == {1.0} or len(values) > 100                          # all new, or all old


def test_demo_removes_its_copy_when_it_ends(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--demo", "values"], capture_output=True, env=env)
    assert out.returncode == 0
    assert not list(tmp_path.glob("branch-report-demo-*"))


def test_demo_removes_its_copy_on_ctrl_c(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--demo"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not list(tmp_path.glob("branch-report-demo-*/demo.sqlite3-wal")) and time.time() < deadline:
        time.sleep(0.1)                                                  # the window has opened its database
    assert list(tmp_path.glob("branch-report-demo-*")), "the demo did not start"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert not list(tmp_path.glob("branch-report-demo-*"))


def test_backups_are_checked_and_rotation_keeps_the_good_ones(demo_path, tmp_path, monkeypatch):
    import app.store.backups

    path = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, path)
    db = open_database(path)
    monkeypatch.setattr(app.store.backups, "KEEP", 2)
    made = [auto_backup(db, "before-import") for _ in range(2)]
    monkeypatch.setattr(app.store.backups, "check_file", lambda p, full=False, at_rest=False: "malformed")   # the next one is bad
    with pytest.raises(DatabaseError):
        auto_backup(db, "before-import")
    assert list_backups(path) == made[::-1]                               # the good ones are still there
    db.close()
    assert restore is not None


@pytest.fixture
def small_disk(tmp_path):
    """A real, small file system (tmpfs): where the machine allows mounting one, else skipped."""
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.mark.parametrize("room_for_the_backup", [True, False])
def test_a_full_disk_during_a_large_import_from_the_command_line(small_disk, demo_path, tmp_path, room_for_the_backup):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    book = tmp_path / "hq.xlsx"
    import_bench.build_hq(book, years=range(2018, 2025), n_indicators=10)    # 40,320 values: 5 MB and more
    path = small_disk / "db.sqlite3"
    shutil.copy(demo_path, path)
    if not room_for_the_backup:
        free = shutil.disk_usage(small_disk).free
        (small_disk / "filler").write_bytes(b"\0" * (free - 64 * 1024))
    before = sorted(monthly_values(db := open_database(path)), key=lambda r: (r.indicator, r.fiscal_year, r.month))
    db.close()
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(path), "import", str(book)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "ディスクの空き" in out.stderr and "Traceback" not in out.stderr
    assert not [p for p in backup_dir(path).glob("*") if p.suffix == ".partial" or p.stat().st_size == 0]
    (small_disk / "filler").unlink(missing_ok=True)
    db = open_database(path)
    assert sorted(monthly_values(db), key=lambda r: (r.indicator, r.fiscal_year, r.month)) == before
    db.close()


# --- restore on its own terms (issue 23) --------------------------------------------------------

@pytest.mark.parametrize("sql, named", [
    ("CREATE TRIGGER wipe AFTER INSERT ON monthly_value BEGIN DELETE FROM change_log; END", "トリガー wipe"),
    ("CREATE TRIGGER zero AFTER UPDATE ON monthly_value BEGIN UPDATE monthly_value SET value = 0; END",
     "トリガー zero"),
    ("CREATE VIEW v AS SELECT * FROM monthly_value", "ビュー v"),
    ("CREATE TABLE extra (x)", "表 extra"),
])
def test_restore_brings_over_data_only(demo_path, tmp_path, capsys, sql, named):
    target = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, target)
    hostile = tmp_path / "hostile.sqlite3"
    shutil.copy(demo_path, hostile)
    with sqlite3.connect(hostile) as con:
        con.execute(sql)
    con.close()
    before = target.read_bytes()
    assert cli("--db", str(target), "restore", "--from", str(hostile)) == 1
    err = capsys.readouterr().err
    assert f"branch-report が作らないもの ({named}) があるため復元できません" in err and len(err.splitlines()) == 1
    assert target.read_bytes() == before


def test_restore_is_refused_while_a_window_holds_the_database(demo_path, tmp_path, capsys):
    target = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, target)
    good = tmp_path / "good.sqlite3"
    shutil.copy(demo_path, good)
    holder = subprocess.Popen([sys.executable, "-c", (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\nfrom app.store.backups import InstanceLock\n"
        f"assert InstanceLock(Path({str(target)!r})).acquire()\nprint('held', flush=True)\ntime.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = target.read_bytes()
        assert cli("--db", str(target), "restore", "--from", str(good)) == 1
        assert "画面で開かれているため復元できません" in capsys.readouterr().err
        assert target.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    assert cli("--db", str(target), "restore", "--from", str(good)) == 0
    from app.store.backups import InstanceLock                      # this process's own window: allowed
    lock = InstanceLock(target)
    assert lock.acquire()
    try:
        restore(target, good)
    finally:
        lock.release()


# --- a success means the file alone holds it, or says it does not yet (issue 23) ----------------

def test_a_reader_holding_a_snapshot_is_said_and_the_next_open_finishes(tmp_path, capsys):
    db = tmp_path / "db.sqlite3"
    assert cli("--db", str(db), "plan", "--branch", "10") == 0
    capsys.readouterr()
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM monthly_value").fetchone()     # a snapshot from before the import
    try:
        assert cli("--db", str(db), "import", MONTHLY, "--branch", "10") == 0
        err = capsys.readouterr().err
        assert "取り込みました" in err and ".sqlite3 ファイルだけをコピー・移動しないでください" in err
    finally:
        reader.rollback()
        reader.close()
    assert cli("--db", str(db), "values", "--fy", "2024", "--indicator", "mail_rate") == 0   # the next open
    assert "コピー・移動しないでください" not in capsys.readouterr().err
    alone = tmp_path / "alone" / "copy.sqlite3"
    alone.parent.mkdir()
    shutil.copy(db, alone)                                       # the file alone, without its -wal
    assert sqlite3.connect(alone).execute("SELECT count(*) FROM monthly_value").fetchone()[0] > 800


def test_a_failed_checkpoint_is_said_not_hidden(tmp_path, capsys, monkeypatch):
    import db.engine as engine

    db = tmp_path / "db.sqlite3"
    real = engine.checkpoint
    monkeypatch.setattr(engine, "checkpoint", lambda e: real(e) and False)    # as with a disk filling
    assert cli("--db", str(db), "import", MONTHLY, "--branch", "10") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("branch-report: 変更は保存しましたが、データベースのファイルへの書き込みがまだ終わっていません")


# --- damage noticed before use, index damage too; read-only said as read-only (issue 23) ---------

def _flip_an_index_page(path: Path) -> None:
    con = sqlite3.connect(path)
    root, size = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_monthly_value_1'"
                             ).fetchone()[0], con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    data[root * size - 10] ^= 0x01                # a key byte of the index's root page
    path.write_bytes(data)


def test_index_damage_is_noticed_on_open_before_any_read_or_write(demo_path, tmp_path, capsys):
    from db.files import check_file

    path = tmp_path / "db.sqlite3"
    shutil.copy(demo_path, path)
    _flip_an_index_page(path)
    assert check_file(path) is None and check_file(path, full=True).startswith("中身に食い違いが")  # quick_check misses it
    before = path.read_bytes()
    assert cli("--db", str(path), "values", "--fy", "2024") == 1
    assert cli("--db", str(path), "import", MONTHLY, "--branch", "10") == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("が壊れています" in line for line in err)
    assert path.read_bytes() == before


def test_check_says_read_only_not_damaged(demo_path, tmp_path, capsys, monkeypatch):
    path = tmp_path / "ro" / "db.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_path, path)
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) not in (path, path.parent))
    assert cli("--db", str(path), "check") == 0
    err = capsys.readouterr().err
    assert "問題はありません（ただし読み取り専用です" in err and "壊れています" not in err
