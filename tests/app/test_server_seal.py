"""Packages you can trust, a log nobody forges (PostgreSQL, migration 0015): logins with psql-level
access try to read the signing key, sign in another's name, forge a package, mark a package
that is not theirs, put another login's name on a row or a log line, and rewrite the log — the
server refuses each; the program's own paths still work."""
import hashlib
import hmac
import json

import openpyxl
import psycopg
import pytest

from app.core.errors import ImportRefused
from app.workpackage.package import bring_back_package, export_package, read_package
from tests.app.test_server_rights import branch, changed  # noqa: F401 - the fixture
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (BRANCH_REPORT_TEST_PG)")

WHO = ("gyomu", "kikaku", "saitama", "admin")


def _grid_row(wb) -> int:
    grid = wb["月次実績"]
    return next(r for r in range(4, grid.max_row + 1) if grid.cell(r, 2).value == "counter_count")


def _record(wb):
    ws = wb["_package"]
    return json.loads("".join(ws.cell(r, 1).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value))


def _put_record(wb, record, signature):
    from app.workpackage.seal import _record_text

    ws = wb["_package"]
    for r in range(1, ws.max_row + 1):
        ws.cell(r, 1).value = None
    ws.cell(1, 1).value = _record_text(record)
    ws.cell(1, 2).value = json.dumps(signature)


def test_the_servers_hmac_is_pythons(branch):
    """The server's HMAC-SHA256 (built-in sha256 only: no extension needed) is RFC 2104's."""
    conn = branch.sql("gyomu")
    for key, msg in (("k" * 64, 'record\n{"a":1}'), ("鍵", "日本語の本文\n"), ("x" * 100, "")):
        got = conn.execute("SELECT branch_report_hmac(%s, %s)", (key, msg)).fetchone()[0]
        assert got == hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()


def test_no_login_reads_the_signing_key(branch):
    for who in WHO:
        conn = branch.sql(who)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT secret FROM branch_report_private.package_key")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM branch_report_private.package")
        assert conn.execute("SELECT key FROM setting WHERE key LIKE '%secret%'").fetchall() == []


def test_a_package_proves_its_sender_and_nobody_signs_in_anothers_name(branch, tmp_path):
    from app.workpackage.seal import _record_part

    db, _ = branch.acting("gyomu")
    path = export_package(db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    wb = openpyxl.load_workbook(path)
    record = _record(wb)
    assert record["made_by"] == branch.logins["gyomu"]              # the login, whatever the caller said
    assert read_package(db, path).sender == branch.logins["gyomu"]

    kikaku = branch.sql("kikaku")
    # her colleague alters the package and has the server sign it: the server binds her own name
    record["base"]["values"]["counter_count/4"] = 1
    with pytest.raises(psycopg.errors.UniqueViolation):                # the id is gyomu's already
        kikaku.execute("SELECT branch_report_package_sign(%s, '10', '業務', %s)", (record["package"], ["x"]))
    record["package"] = "forged-by-kikaku"
    macs = kikaku.execute("SELECT branch_report_package_sign(%s, '10', '業務', %s)",
                          (record["package"], [_record_part(record)])).fetchone()[0]
    signature = json.loads(wb["_package"]["B1"].value)
    _put_record(wb, record, {**signature, "record": macs[0]})
    wb.save(tmp_path / "forged.xlsx")
    with pytest.raises(ImportRefused, match="書き出した後に書き換えられています.*" + branch.logins["gyomu"]):
        read_package(db, tmp_path / "forged.xlsx")
    # the check answers yes or no, never a signature: in gyomu's name it is no
    assert kikaku.execute("SELECT branch_report_package_check(%s, %s, %s, %s)",
                          (record["package"], branch.logins["gyomu"], [_record_part(record)], macs)).fetchone()[0] is None
    assert kikaku.execute("SELECT branch_report_package_check(%s, %s, %s, %s)",
                          (record["package"], branch.logins["kikaku"], [_record_part(record)], macs)).fetchone()[0] == [True]
    # a signature made up without the key
    _put_record(wb, _record(openpyxl.load_workbook(path)), {**signature, "record": "0" * 64})
    wb.save(tmp_path / "guessed.xlsx")
    with pytest.raises(ImportRefused, match="書き出した後に書き換えられています"):
        read_package(db, tmp_path / "guessed.xlsx")


def test_only_who_may_bring_a_package_back_may_mark_it(branch, tmp_path):
    db, _ = branch.acting("gyomu")
    path = export_package(db, "10", 2024, "業務", 4, tmp_path / "gyomu.xlsx")
    package = _record(openpyxl.load_workbook(path))["package"]
    mark = f"INSERT INTO setting (key, value) VALUES ('package:{package}', '2026-12-05T10:00:00 ' || current_user)"
    branch.add("hoken", "保健", by="admin")
    for who in ("saitama", "hoken"):                                  # another branch's 企画総務, another group
        assert not changed(branch.sql(who), mark)
    for who in ("gyomu", "kikaku", "admin"):                          # hers, her branch's 企画総務, an admin
        assert changed(branch.sql(who), mark)
    wb = openpyxl.load_workbook(path)
    wb["月次実績"][f"C{_grid_row(wb)}"] = "777"
    wb.save(path)
    bring_back_package(db, read_package(db, path))                   # the program's path marks it
    with pytest.raises(ImportRefused, match="取り込み済み"):
        read_package(db, path)


CELL = "indicator_code = 'counter_count' AND fiscal_year = 2024 AND month = 4"
LOG_CELL = ("INSERT INTO change_log (at, who, entity, key, field, old, new) VALUES (now(), current_user, "
            "'monthly_value', '10/2024/4/counter_count', 'value', '541', '5')")


def committed(conn, *statements) -> bool:
    """Did the server take these statements as one transaction, to its commit (where the checks
    deferred to the end of a transaction run)? psql's way: BEGIN … COMMIT."""
    try:
        with conn.transaction():
            for sql in statements:
                conn.execute(sql)
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def test_a_change_not_in_the_log_is_refused(branch):
    """What a group login changes is in the change log, in her name, in the same transaction —
    else the server refuses it at the commit (issue 23: a name set by hand, no log line)."""
    kikaku = branch.logins["kikaku"]
    conn = branch.sql("gyomu")
    own_row = ("(SELECT r.id FROM rated_row r JOIN plan_item i ON i.id = r.item_id WHERE i.owner_group LIKE '%業務%' "
               "ORDER BY r.id LIMIT 1)")
    own_kpi = "(SELECT k.id FROM kpi k JOIN plan_item i ON i.id = k.item_id WHERE i.owner_group LIKE '%業務%' ORDER BY k.id LIMIT 1)"
    for sql in (f"UPDATE monthly_value SET edited_by = '{kikaku}' WHERE {CELL}",
                f"UPDATE monthly_value SET value = 5 WHERE {CELL}",
                f"DELETE FROM monthly_value WHERE {CELL}",
                f"INSERT INTO row_status (row_id, quarter, progress_text, version) VALUES ({own_row}, 1, 'x', 1)",
                f"UPDATE kpi SET manual_result = 3 WHERE id = {own_kpi}"):
        assert not committed(conn, sql), sql
    # a log line of another cell, or another login's, does not stand for it
    assert not committed(conn, LOG_CELL.replace("counter_count", "mail_count"), f"UPDATE monthly_value SET value = 5 WHERE {CELL}")
    assert committed(conn, LOG_CELL, f"UPDATE monthly_value SET value = 5, edited_by = '{kikaku}' WHERE {CELL}")
    assert conn.execute(f"SELECT value, edited_by FROM monthly_value WHERE {CELL}").fetchone() == (5, branch.logins["gyomu"])
    assert committed(conn, f"INSERT INTO row_status (row_id, quarter, progress_text, updated_by, version) VALUES "
                           f"({own_row}, 1, 'x', '{kikaku}', 1)",
                     f"INSERT INTO change_log (at, who, entity, key, field) SELECT now(), current_user, 'row_status', "
                     f"{own_row} || '/Q1', 'progress_text'")
    assert conn.execute(f"SELECT updated_by FROM row_status WHERE quarter = 1 AND row_id = {own_row}").fetchone() \
        == (branch.logins["gyomu"],)
    # an earlier transaction's line does not stand for a later change
    assert not committed(conn, f"UPDATE monthly_value SET value = 6 WHERE {CELL}")


def test_nobody_writes_a_line_an_operation_or_an_import_in_anothers_name(branch):
    kikaku = branch.logins["kikaku"]
    conn = branch.sql("gyomu")
    for sql in ("INSERT INTO operation (kind, at, who) VALUES ('edit', now(), '{}')",
                "INSERT INTO change_log (at, who, entity, key, field) VALUES (now(), '{}', 'monthly_value', "
                "'10/2024/4/counter_count', 'value')",
                "INSERT INTO import_batch (file_name, file_sha256, layout, imported_at, imported_by, inserted, "
                "updated, warnings) VALUES ('f', 'x', 'monthly', now(), '{}', 0, 0, 0)"):
        assert not changed(conn, sql.format(kikaku))


def test_the_log_is_only_appended_to_even_by_the_owner(branch):
    """The login that set the database up (here a superuser, past every policy) cannot rewrite
    the log nor write a line in another's name either."""
    from tests.conftest import _pg_admin

    _, url = _pg_admin()
    owner = psycopg.connect(url.set(drivername="postgresql", database=branch.db.engine.url.database)
                            .render_as_string(hide_password=False), autocommit=True)
    try:
        for sql in ("UPDATE change_log SET who = 'someone'", "DELETE FROM change_log", "TRUNCATE change_log",
                    "INSERT INTO change_log (at, who, entity, key, field) VALUES (now(), 'someone', 'x', 'x', 'x')"):
            assert not changed(owner, sql), sql
        assert owner.execute("SELECT count(*) FROM change_log").fetchone()[0] > 0
    finally:
        owner.close()
