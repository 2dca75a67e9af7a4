"""The server enforces who may change what (PostgreSQL): logins made by the program try, with
plain SQL as psql would, to change every table; the program's own checks bypassed change
nothing either; the identity is the login, never $USER; the first admin sets a database up."""
import os
import subprocess
import sys
import uuid

import psycopg
import pytest

from app.operations import ops
from app.core.errors import DatabaseError, PermissionDenied
from app.store.database import open_database
from tests.conftest import PG_URL, ROOT, SAMPLE
from tests.helpers import set_month_value

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (BRANCH_REPORT_TEST_PG)")

OWN_ITEM = "(SELECT id FROM plan_item WHERE owner_group LIKE '%業務%' ORDER BY id LIMIT 1)"
OTHER_ITEM = "(SELECT id FROM plan_item WHERE owner_group LIKE '%保健%' ORDER BY id LIMIT 1)"
OTHER_BATCH = "(SELECT min(id) FROM import_batch)"

# (what is tried, SQL, may it for: gyomu 業務 of 10, kikaku 企画総務 of 10, saitama 企画総務 of 11, admin)
ATTEMPTS = [
    ("a month value of her group", "UPDATE monthly_value SET value = 1 WHERE indicator_code = 'counter_count'",
     (1, 1, 0, 1)),
    ("a month value of another group", "UPDATE monthly_value SET value = 1 WHERE indicator_code = 'decl_new'",
     (0, 1, 0, 1)),
    ("a month value of her group deleted", "DELETE FROM monthly_value WHERE indicator_code = 'counter_count'",
     (1, 1, 0, 1)),
    ("another branch's month value", "INSERT INTO monthly_value (branch_code, fiscal_year, month, indicator_code, "
     "value, version) VALUES ('11', 2024, 4, 'counter_count', 1, 1)", (0, 0, 1, 1)),
    ("a year figure of another group", "UPDATE year_value SET value = 1 WHERE indicator_code IN "
     "(SELECT code FROM indicator WHERE group_name = '保健')", (0, 1, 0, 1)),
    ("a status of her item", f"INSERT INTO quarterly_status (item_id, quarter, status_text, version) "
     f"VALUES ({OWN_ITEM}, 1, 'x', 1)", (1, 1, 0, 1)),
    ("a status of another group's item", f"INSERT INTO quarterly_status (item_id, quarter, status_text, version) "
     f"VALUES ({OTHER_ITEM}, 1, 'x', 1)", (0, 1, 0, 1)),
    ("a rating of another group's item", "UPDATE row_status SET rating = '◎' WHERE row_id IN (SELECT r.id FROM "
     "rated_row r JOIN plan_item i ON i.id = r.item_id WHERE i.owner_group LIKE '%レセプト%')", (0, 1, 0, 1)),
    ("a KPI rating of her item", f"INSERT INTO kpi_status (kpi_id, quarter, rating, version) SELECT id, 1, '○', 1 "
     f"FROM kpi WHERE item_id = {OWN_ITEM}", (1, 1, 0, 1)),
    ("a KPI rating of another group's item", f"INSERT INTO kpi_status (kpi_id, quarter, rating, version) "
     f"SELECT id, 1, '○', 1 FROM kpi WHERE item_id = {OTHER_ITEM}", (0, 1, 0, 1)),
    ("a row's quarter of her item", f"INSERT INTO row_status (row_id, quarter, progress_text, rating, version) "
     f"SELECT id, 1, 'x', '○', 1 FROM rated_row WHERE item_id = {OWN_ITEM}", (1, 1, 0, 1)),
    ("a row's quarter of another group's item", f"INSERT INTO row_status (row_id, quarter, progress_text, version) "
     f"SELECT id, 1, 'x', 1 FROM rated_row WHERE item_id = {OTHER_ITEM}", (0, 1, 0, 1)),
    ("a rated row's plan text (the plan)", f"UPDATE rated_row SET plan_text = 'x' WHERE item_id = {OWN_ITEM}",
     (0, 0, 0, 1)),
    ("a KPI moved to another row (the plan)", f"UPDATE kpi SET row_id = NULL WHERE item_id = {OWN_ITEM}",
     (0, 0, 0, 1)),
    ("a KPI result of her item", f"UPDATE kpi SET manual_result = 1 WHERE item_id = {OWN_ITEM}", (1, 1, 0, 1)),
    ("a KPI result of another group's item", f"UPDATE kpi SET manual_result = 1 WHERE item_id = {OTHER_ITEM}",
     (0, 1, 0, 1)),
    ("the indicators her item keeps", f"INSERT INTO item_indicator (item_id, indicator_code, position) "
     f"VALUES ({OWN_ITEM}, 'overtime', 9)", (1, 1, 0, 1)),
    ("the indicators of another group's item", f"INSERT INTO item_indicator (item_id, indicator_code, position) "
     f"VALUES ({OTHER_ITEM}, 'overtime', 9)", (0, 1, 0, 1)),
    ("a KPI's target (the plan)", f"UPDATE kpi SET target = 1 WHERE item_id = {OWN_ITEM}", (0, 0, 0, 1)),
    ("a plan item", "UPDATE plan_item SET title = 'x'", (0, 0, 0, 1)),
    ("a plan pillar", "UPDATE plan_pillar SET title = 'x'", (0, 0, 0, 1)),
    ("herself made 企画総務", "UPDATE app_user SET group_name = '企画総務' WHERE login = current_user", (0, 0, 0, 1)),
    ("a new admin user", "INSERT INTO app_user (login, name, branch_code, group_name, admin) "
     "VALUES ('intruder', '', '10', '企画総務', true)", (0, 0, 0, 1)),
    ("a label mapping", "INSERT INTO label_alias (label, indicator_code) VALUES ('x', 'counter_count')", (0, 0, 0, 1)),
    ("a branch", "UPDATE branch SET name = 'x'", (0, 0, 0, 1)),
    ("an indicator's group", "UPDATE indicator SET group_name = '業務'", (0, 0, 0, 1)),
    ("the packages' signing key", "UPDATE branch_report_private.package_key SET secret = 'x'", (0, 0, 0, 0)),
    ("the home branch", "INSERT INTO setting (key, value) VALUES ('home_branch_2', '11')", (0, 0, 0, 1)),
    ("a mark in her name of a package never issued", "INSERT INTO setting (key, value) "
     "VALUES ('package:x', '2026-12-05T10:00:00 ' || current_user)", (0, 0, 0, 1)),
    ("a package's mark in someone else's name", "INSERT INTO setting (key, value) "
     "VALUES ('package:x', '2026-12-05T10:00:00 suzuki')", (0, 0, 0, 1)),
    ("a package's mark in no name", "INSERT INTO setting (key, value) VALUES ('package:x', 'y')", (0, 0, 0, 1)),
    ("a log line as herself about nothing of hers", "INSERT INTO change_log (at, who, entity, key, field) "
     "VALUES (now(), current_user, 'x', 'x', 'x')", (0, 0, 0, 1)),
    ("a log line about a month value of her group", "INSERT INTO change_log (at, who, entity, key, field) "
     "VALUES (now(), current_user, 'monthly_value', '10/2024/4/counter_count', 'value')", (1, 1, 0, 1)),
    ("a log line about another group's month value", "INSERT INTO change_log (at, who, entity, key, field) "
     "VALUES (now(), current_user, 'monthly_value', '10/2024/4/decl_new', 'value')", (0, 1, 0, 1)),
    ("a log line about another group's rated row", "INSERT INTO change_log (at, who, entity, key, field) "
     f"SELECT now(), current_user, 'row_status', id || '/Q1', 'rating' FROM rated_row WHERE item_id = {OTHER_ITEM}",
     (0, 1, 0, 1)),
    ("a log line about someone else's import", "INSERT INTO change_log (at, who, entity, key, field) "
     f"SELECT now(), current_user, 'import_batch', 'batch/' || {OTHER_BATCH}, 'undone'", (0, 0, 0, 1)),
    ("a log line about the plan", "INSERT INTO change_log (at, who, entity, key, field) "
     "VALUES (now(), current_user, 'plan_item', '10/2024/1/1', 'title')", (0, 0, 0, 1)),
    ("a log line as someone else", "INSERT INTO change_log (at, who, entity, key, field) "
     "VALUES (now(), 'someone', 'x', 'x', 'x')", (0, 0, 0, 0)),
    ("a log line rewritten", "UPDATE change_log SET who = current_user", (0, 0, 0, 0)),
    ("the log deleted", "DELETE FROM change_log", (0, 0, 0, 0)),
    ("the log emptied", "TRUNCATE change_log", (0, 0, 0, 0)),
    ("an operation as someone else", "INSERT INTO operation (kind, at, who) VALUES ('edit', now(), 'someone')",
     (0, 0, 0, 0)),
    ("someone else's import", f"UPDATE import_batch SET undone_at = now() WHERE id = {OTHER_BATCH}", (0, 0, 0, 1)),
    ("an import as herself", "INSERT INTO import_batch (file_name, file_sha256, layout, imported_at, imported_by, "
     "inserted, updated, warnings) VALUES ('f', 'x', 'monthly', now(), current_user, 0, 0, 0)", (1, 1, 1, 1)),
    ("a new fiscal year", "INSERT INTO fiscal_year (year) VALUES (2030)", (1, 1, 1, 1)),
    ("a fiscal year removed", "INSERT INTO fiscal_year (year) VALUES (2031); DELETE FROM fiscal_year WHERE year = 2031",
     (0, 0, 0, 1)),
    ("the schema's version", "UPDATE alembic_version SET version_num = 'x'", (0, 0, 0, 0)),
    ("row-level security switched off", "ALTER TABLE monthly_value DISABLE ROW LEVEL SECURITY", (0, 0, 0, 0)),
    ("a policy dropped", "DROP POLICY br_write ON monthly_value", (0, 0, 0, 0)),
    ("a table of her own", "CREATE TABLE mine (x int)", (0, 0, 0, 0)),
    ("a login of her own", "CREATE ROLE intruder LOGIN", (0, 0, 0, 1)),
]
WHO = ("gyomu", "kikaku", "saitama", "admin")


@pytest.fixture
def branch(server_team):
    server_team.add("admin", "企画総務", admin=True)
    server_team.add("gyomu", "業務", by="admin")
    server_team.add("kikaku", "企画総務", by="admin")
    server_team.add("saitama", "企画総務", branch="11", by="admin")
    return server_team


def changed(conn, sql: str) -> bool:
    """Did the server let this change at least one row (or run)? Rolled back either way."""
    try:
        with conn.transaction(force_rollback=True):
            cur = conn.execute(sql)
            return cur.rowcount != 0            # DDL reports -1; a row-level refusal of UPDATE: 0 rows
    except psycopg.errors.InsufficientPrivilege:
        return False


def test_each_login_may_change_through_sql_only_what_is_hers(branch):
    conns = {who: branch.sql(who) for who in WHO}
    got = {what: tuple(int(changed(conns[who], sql)) for who in WHO) for what, sql, _ in ATTEMPTS}
    assert got == {what: expected for what, _, expected in ATTEMPTS}


def test_every_table_is_under_row_level_security_and_granted_to_nobody_else(branch):
    with branch.db.engine.connect() as c:
        from sqlalchemy import text

        tables = c.execute(text("SELECT relname, relrowsecurity, relacl::text FROM pg_class WHERE relkind = 'r' "
                                "AND relnamespace = 'public'::regnamespace")).all()
    assert len(tables) >= 17
    assert [name for name, rls, _ in tables if not rls] == []
    public = [name for name, _, acl in tables if acl is None or any(e.startswith("=") for e in acl.strip("{}").split(","))]
    assert public == []                                                   # PUBLIC ('=…' entries): nothing


def test_an_unregistered_login_cannot_even_connect(branch):
    stranger = f"stranger_{uuid.uuid4().hex[:6]}"
    branch.extra_logins.append(stranger)
    with branch.db.engine.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE {stranger} LOGIN PASSWORD 'stranger-pw'")
        c.commit()
    with pytest.raises(DatabaseError, match="権限がありません") as err:
        open_database(branch.db.engine.url.set(username=stranger, password="stranger-pw"))
    assert "stranger-pw" not in str(err.value)


def test_the_server_refuses_even_when_the_programs_checks_are_bypassed(branch, monkeypatch):
    from app.store import access
    from app.reads.queries import monthly_values, plan_items

    db, _ = branch.acting("gyomu")
    items = {i.item_no: i for i in plan_items(db, "10", 2024)}
    monkeypatch.setattr(access, "_check", lambda *a, **k: None)
    monkeypatch.setattr(access, "is_admin", lambda *a, **k: True)
    for attempt in (lambda: set_month_value(db, "10", 2024, 4, "decl_new", 5),
                    lambda: ops.save_status(db, items[13].id, 4, text="x"),
                    lambda: ops.learn_alias(db, "x", "counter_count"),
                    lambda: ops.add_user(db, "intruder", "10", "企画総務", admin=True, password="x" * 10)):
        with pytest.raises(PermissionDenied, match="サーバー|権限"):
            attempt()
    assert [v.value for v in monthly_values(branch.db, "10", 2024, ["decl_new"]) if v.month == 4] != [5]


def test_the_identity_is_the_login_never_USER(branch, monkeypatch):
    from app.operations.edits import history

    admin_login = branch.logins["admin"]
    monkeypatch.setenv("USER", admin_login)
    monkeypatch.setenv("LOGNAME", admin_login)
    db, _ = branch.acting("gyomu")
    assert db.user == branch.logins["gyomu"]
    set_month_value(db, "10", 2024, 4, "counter_count", 600)
    assert history(db, "10", 2024, 4, "counter_count")[0].who == branch.logins["gyomu"]
    with pytest.raises(PermissionDenied):
        set_month_value(db, "10", 2024, 4, "decl_new", 1, who=admin_login)         # nobody acts as another
    env = {**os.environ, "USER": admin_login, "LOGNAME": admin_login, "QT_QPA_PLATFORM": "offscreen"}
    url = branch.url("gyomu").render_as_string(hide_password=False)
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, "users", "--add", "evil",
                          "--branch", "10", "--group", "企画総務", "--admin"], env=env, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL)
    assert out.returncode == 1 and "管理者" in out.stderr and "Traceback" not in out.stderr


def test_the_first_command_on_an_empty_database_makes_its_owner_the_first_admin(server_team, tmp_path):
    """The database's owner (a login that may create logins, not a superuser) sets it up with one
    command, and registers the first group leader."""
    from app.cli.main import main
    from tests.conftest import _pg_admin

    owner, name = f"owner_{uuid.uuid4().hex[:6]}", f"br_setup_{uuid.uuid4().hex[:8]}"
    leader = f"leader_{uuid.uuid4().hex[:6]}"
    server_team.extra_logins += [leader, owner]
    admin, url = _pg_admin()
    admin.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD 'owner-password'")
    admin.execute(f"CREATE DATABASE {name} OWNER {owner}")
    try:
        pw = tmp_path / "pw"
        pw.write_text("leader-password\n", encoding="utf-8")
        owner_url = url.set(username=owner, password="owner-password", database=name)
        args = ["--db", owner_url.render_as_string(hide_password=False), "users", "--add", leader, "--branch", "10",
                "--group", "業務", "--password-file", str(pw)]
        assert main(args) == 0
        db = open_database(url.set(username=leader, password="leader-password", database=name))
        with db.session() as s:
            from sqlalchemy import text

            assert s.scalar(text("SELECT branch_report_is_admin()")) is False
        assert db.user == leader
        db.engine.dispose()
        with pytest.raises(PermissionDenied):         # the leader may not register anyone
            ops.add_user(open_database(url.set(username=leader, password="leader-password", database=name)),
                         "another", "10", "業務", password="x" * 10)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_a_group_leader_does_her_own_work_through_the_program(branch, tmp_path):
    """Start-up (reference data not hers to write is left alone), edits, undo, statuses, ratings,
    KPI results, an import of her own sheet and its undo, her package out and back."""
    import openpyxl

    from app.workpackage.package import bring_back_package, export_package, read_package
    from app.reads.queries import monthly_values, plan_items
    from app.store.database import sync_reference_data

    with branch.db.engine.begin() as c:               # the catalogue moved on since the admin's start
        from sqlalchemy import text

        c.execute(text("UPDATE indicator SET name = 'old' WHERE code = 'counter_count'"))
    db, _ = branch.acting("gyomu")
    sync_reference_data(db)                          # no error, nothing written
    items = [i for i in plan_items(db, "10", 2024) if "業務" in i.owner_group]
    ops.save_status(db, items[0].id, 4, text="進捗あり", rating="○")
    ops.rate_kpi(db, items[0].kpis[0].id, 4, "◎")
    undone = set_month_value(db, "10", 2024, 6, "counter_count", 1)
    ops.undo(db, undone.op_id)
    wb = openpyxl.load_workbook(SAMPLE / "gunma_fy2024_monthly.xlsx")    # her group's sheet, one correction
    for name in wb.sheetnames:
        if name != "業務":
            del wb[name]
    wb["業務"]["B37"] = 7800
    wb.save(tmp_path / "own.xlsx")
    report = ops.import_workbook(db, tmp_path / "own.xlsx", branch="10")
    assert report.stored, [p.message for p in report.errors]
    ops.undo_import(db, report.batch_id)
    path = export_package(db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx", db.user)
    book = openpyxl.load_workbook(path)
    grid = book["月次実績"]
    row = next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")
    grid.cell(row, 3).value = "777"
    book.save(path)
    bring_back_package(db, read_package(db, path))
    assert [v.value for v in monthly_values(branch.db, "10", 2024, ["counter_count"]) if v.month == 4] == [777]
    assert [v.value for v in monthly_values(branch.db, "10", 2024, ["mail_count"]) if v.month == 4] == [7742]
    with branch.db.session() as s:
        from sqlalchemy import text

        assert s.scalar(text("SELECT name FROM indicator WHERE code = 'counter_count'")) == "old"
