"""Connecting like an office program: failures said in Japanese and never showing the password,
the password kept in the credential store, a server lost mid-operation, two imports at once."""
import logging
import os
import subprocess
import sys
import time
import traceback
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.cli.main import main
from app.store.connection import Server, save_password, saved_password, without_password
from app.store.failures import explain
from app.core.errors import DatabaseError
from app.store.database import open_database
from tests.conftest import PG_URL, ROOT, SAMPLE, _pg_admin, _pg_database

needs_server = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (BRANCH_REPORT_TEST_PG)")


def _failed_targets(team, password):
    """Connections that fail, each with the password in its URL."""
    targets = {"nobody listening": f"postgresql+psycopg://gyomu:{password}@127.0.0.1:1/gunma",
               "no such server": f"postgresql+psycopg://gyomu:{password}@nohost.invalid:5432/gunma"}
    if team is not None:
        url = team.db.engine.url
        targets |= {"no such database": url.set(username=team.logins["gyomu"], password=password, database="nodb"),
                    "no such login": url.set(username=f"nobody_{uuid.uuid4().hex[:4]}", password=password),
                    "wrong password": url.set(username=team.logins["gyomu"], password=password)}
    return {k: v if isinstance(v, str) else v.render_as_string(hide_password=False) for k, v in targets.items()}


@pytest.fixture
def maybe_team(request):
    if not PG_URL:
        return None
    team = request.getfixturevalue("server_team")
    team.add("gyomu", "業務")
    return team


def test_failed_connections_never_show_the_password(maybe_team, capsys, caplog):
    password = f"Zq{uuid.uuid4().hex[:10]}"
    caplog.set_level(logging.DEBUG)
    for case, url in _failed_targets(maybe_team, password).items():
        if case == "wrong password" and _server_trusts(maybe_team):
            continue                                         # a server that checks no password lets it in
        assert main(["--db", url, "values"]) == 1, case
        out, err = capsys.readouterr()
        assert "データベースを開けません" in err and password not in out + err + caplog.text, case
        with pytest.raises(DatabaseError) as raised:
            open_database(url)
        shown = "".join(traceback.format_exception(raised.value))
        assert password not in shown and "Traceback" not in str(raised.value), case
    assert password not in caplog.text


def _server_trusts(team) -> bool:
    try:
        psycopg.connect(host=team.db.engine.url.host, port=team.db.engine.url.port, dbname="postgres",
                        user=team.logins["gyomu"], password="surely-wrong").close()
        return True
    except psycopg.OperationalError:
        return False


def test_a_failed_connection_from_the_command_line_is_one_japanese_line(tmp_path):
    password = f"Zq{uuid.uuid4().hex[:10]}"
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db",
                          f"postgresql+psycopg://gyomu:{password}@127.0.0.1:1/gunma", "values"],
                         capture_output=True, text=True, env={**os.environ, "PYTHON_KEYRING_BACKEND":
                                                              "keyring.backends.null.Keyring"})
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "branch-report: データベースを開けません: サーバー 127.0.0.1:1 のデータベース「gunma」（ログイン gyomu）: "
        "サーバーに接続できません。サーバー名とポート番号、サーバーが動いているかを確かめてください"]
    assert password not in out.stdout + out.stderr


@pytest.mark.parametrize("english, japanese", [
    ('connection failed: connection to server at "h", port 5432 failed: FATAL:  password authentication failed '
     'for user "x"', "ログイン名またはパスワードが違います"),
    ('connection failed: FATAL:  database "gunma" does not exist', "このデータベースはサーバーにありません"),
    ('connection failed: FATAL:  permission denied for database "gunma"', "このデータベースを使う権限がありません"),
    ("failed to resolve host 'nohost': [Errno -2] Name or service not known", "サーバー名が見つかりません"),
    ("server closed the connection unexpectedly", "接続が切れました"),
    ("terminating connection due to administrator command", "接続が切れました"),
])
def test_the_servers_english_is_said_in_japanese(english, japanese):
    said = str(explain(psycopg.OperationalError(english)))
    assert japanese in said and not any(word in said for word in ("FATAL", "failed", "server"))


def test_the_target_remembered_has_no_password():
    assert without_password("postgresql+psycopg://gyomu:pw@srv:5432/gunma") == "postgresql+psycopg://gyomu@srv:5432/gunma"
    assert Server("srv", 5432, "gunma", "gyomu").url() == "postgresql+psycopg://gyomu@srv:5432/gunma"


@needs_server
def test_the_password_kept_in_the_credential_store_opens_the_database(server_team, credential_store):
    server_team.add("gyomu", "業務")
    url = server_team.url("gyomu")
    server = Server(url.host, url.port, url.database, url.username)
    assert saved_password(server) is None
    if not _server_trusts(server_team):
        with pytest.raises(DatabaseError, match="パスワード"):
            open_database(server.url())                               # none given, none kept
    save_password(server, url.password)
    assert credential_store.kept == {("branch-report", server.credential): url.password}
    db = open_database(server.url())
    assert db.user == url.username and url.password not in db.description
    db.engine.dispose()


@needs_server
def test_a_server_lost_mid_import_stores_nothing_and_says_so(server_team, capsys, tmp_path):
    """The connection is cut (the server ends it) as the import starts writing its values: the
    operation and the command line say so in Japanese, and nothing of the import is stored."""
    from sqlalchemy import event, func, select
    from sqlalchemy.engine import Engine

    from app.operations import ops
    from db.models import ChangeLog, ImportBatch, MonthlyValue

    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    book = tmp_path / "hq2023.xlsx"                               # new values (the sample's are already in)
    import_bench.build_hq(book, years=range(2023, 2024), n_indicators=4)
    db = server_team.db
    admin, _ = _pg_admin()

    def stored():
        with db.session() as s:
            return [s.scalar(select(func.count()).select_from(m)) for m in (MonthlyValue, ImportBatch, ChangeLog)]

    before = stored()

    def pull_the_plug(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO change_log"):        # the batch and its values (COPY) are written by now
            admin.execute("SELECT pg_terminate_backend(%s)", (conn.connection.dbapi_connection.info.backend_pid,))

    event.listen(Engine, "before_cursor_execute", pull_the_plug)
    try:
        with pytest.raises(DatabaseError, match="接続が切れました.*保存されていません"):
            ops.import_files(db, [book])
        capsys.readouterr()
        assert main(["--db", db.engine.url.render_as_string(hide_password=False), "import", str(book)]) == 1
        err = capsys.readouterr().err
        assert "接続が切れました" in err and "Traceback" not in err and "psycopg" not in err
    finally:
        event.remove(Engine, "before_cursor_execute", pull_the_plug)
        admin.close()
    assert stored() == before


@needs_server
@pytest.mark.parametrize("files", [("gunma_fy2024_monthly.xlsx", "gunma_fy2024_monthly.xlsx"),
                                   ("gunma_fy2024_plan.xlsx", "gunma_fy2024_monthly.xlsx")],
                         ids=["the same file", "the same year"])
def test_two_imports_at_once_both_succeed(files):
    """Two processes import into an empty database while a third transaction holds the year's row:
    both wait, then both succeed — one after the other, never a unique-key crash."""
    databases = _pg_database(None)
    db = next(databases)
    admin, _ = _pg_admin()
    name = db.engine.url.database
    url = db.engine.url.render_as_string(hide_password=False)
    holder = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        holder.execute("INSERT INTO fiscal_year (year) VALUES (2024)")          # not committed yet
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        runs = [subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "import", str(SAMPLE / f),
                                  "--branch", "10"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for f in files]
        deadline = time.monotonic() + 60
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                            (name,)).fetchone()[0] < 2:
            assert time.monotonic() < deadline and all(r.poll() is None for r in runs), [r.communicate() for r in runs]
            time.sleep(0.1)
        holder.rollback()                                                    # both go on
        results = [r.communicate(timeout=120) for r in runs]
        assert [r.returncode for r in runs] == [0, 0], results
        assert not any("Traceback" in err or "UniqueViolation" in err for _, err in results)
        from app.reads.queries import monthly_values

        assert len(monthly_values(db)) == 854
    finally:
        holder.close()
        admin.close()
        databases.close()
