"""On PostgreSQL a value's references (branch, fiscal year, indicator, import batch) are kept by
statement-level triggers instead of row-by-row foreign keys (migration 0007): tried with plain SQL
as the tables' owner (whom row-level security does not stop), they hold as a foreign key would,
locks included; imports under row-level security store new values."""
import openpyxl
import psycopg
import pytest

from app.operations import ops
from app.reads.queries import monthly_values
from tests.app.test_server_rights import branch  # noqa: F401  (the fixture: a branch's logins)
from tests.conftest import PG_URL, SAMPLE

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (BRANCH_REPORT_TEST_PG)")

GOOD = {"branch_code": "'10'", "fiscal_year": "2024", "indicator_code": "'counter_count'",
        "batch_id": "(SELECT min(id) FROM import_batch)"}
NEW_BATCH = ("INSERT INTO import_batch (file_name, file_sha256, layout, imported_at, imported_by, inserted, updated, "
             "warnings) VALUES ('f', 'x', 'monthly', now(), current_user, 0, 0, 0)")
BAD = {"branch_code": "'99'", "fiscal_year": "1900", "indicator_code": "'no_such_indicator'", "batch_id": "-1"}


def owner(branch):
    url = branch.db.engine.url
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=url.username,
                           password=url.password, autocommit=True)


def refused(conn, sql: str) -> bool:
    """Did the server refuse this as a broken reference? Rolled back either way."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(sql)
    except psycopg.errors.ForeignKeyViolation:
        return True
    return False


def value_insert(table: str, **refs) -> str:
    """One value of fiscal year 1999 (a year nothing else has) with these references."""
    cols = {**GOOD, "fiscal_year": "1999", **refs}
    month = ("month, version, ", "3, 1, ") if table == "monthly_value" else ("", "")
    return (f"INSERT INTO {table} ({month[0]}branch_code, fiscal_year, indicator_code, batch_id, value) "
            f"VALUES ({month[1]}{cols['branch_code']}, {cols['fiscal_year']}, {cols['indicator_code']}, "
            f"{cols['batch_id']}, 1)")


def test_a_value_refers_only_to_what_exists(branch):
    with owner(branch) as conn:
        conn.execute("INSERT INTO fiscal_year (year) VALUES (1999)")
        for table in ("monthly_value", "year_value"):
            assert not refused(conn, value_insert(table))
            one = f"(SELECT min(id) FROM {table} WHERE indicator_code = 'counter_count')"
            for column, bad in BAD.items():
                assert refused(conn, value_insert(table, **{column: bad})), (table, column)
                assert refused(conn, f"UPDATE {table} SET {column} = {bad} WHERE id = {one}"), (table, column)
            many = (f"INSERT INTO {table} ({'month, version, ' if table == 'monthly_value' else ''}branch_code, fiscal_year, "
                    f"indicator_code, value) SELECT {'g % 12 + 1, 1, ' if table == 'monthly_value' else ''}"
                    "CASE WHEN g = 500 THEN '99' ELSE lpad((g % 47 + 1)::text, 2, '0') END, 1999, "
                    "'counter_count', g FROM generate_series(0, 563) g "
                    f"{'' if table == 'monthly_value' else 'WHERE g < 47 OR g = 500'}")
            assert refused(conn, many)            # one bad row among many: the statement refused whole


def test_what_values_refer_to_cannot_be_removed_or_renamed(branch):
    with owner(branch) as conn:
        for sql in ("DELETE FROM indicator WHERE code = 'counter_count'",
                    "UPDATE indicator SET code = 'renamed' WHERE code = 'counter_count'",
                    "DELETE FROM branch WHERE code = '10'",
                    "DELETE FROM fiscal_year WHERE year = 2024",
                    "DELETE FROM import_batch WHERE id IN (SELECT batch_id FROM year_value)"):
            assert refused(conn, sql), sql
        for sql in ("INSERT INTO fiscal_year (year) VALUES (2031); DELETE FROM fiscal_year WHERE year = 2031",
                    "UPDATE indicator SET name = 'x' WHERE code = 'counter_count'",
                    f"{NEW_BATCH}; DELETE FROM import_batch WHERE file_name = 'f'"):
            assert not refused(conn, sql), sql


def test_a_value_being_written_holds_what_it_refers_to_as_a_foreign_key_does(branch):
    with owner(branch) as setup:
        setup.execute("INSERT INTO fiscal_year (year) VALUES (1999)")
        batch = setup.execute(f"{NEW_BATCH} RETURNING id").fetchone()[0]
        with owner(branch) as writer, owner(branch) as remover:
            writer.execute("BEGIN")
            writer.execute(value_insert("monthly_value", batch_id=str(batch)))
            remover.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):     # waits for the writer
                remover.execute(f"DELETE FROM import_batch WHERE id = {batch}")
            writer.execute("COMMIT")
            with pytest.raises(psycopg.errors.ForeignKeyViolation):  # and then sees the value
                remover.execute(f"DELETE FROM import_batch WHERE id = {batch}")


def test_a_group_leader_imports_a_new_year_of_her_sheet(branch, tmp_path):
    """New values under row-level security (COPY itself is refused there, so they go through a
    temporary table): the sample's 業務 sheet a year on — 令和６年度 becomes 令和７年度 (new
    values), 令和５年度 becomes 令和６年度."""
    wb = openpyxl.load_workbook(SAMPLE / "gunma_fy2024_monthly.xlsx")
    for name in wb.sheetnames:
        if name != "業務":
            del wb[name]
    for row in wb["業務"].iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.value = c.value.replace("令和６年度", "令和７年度").replace("令和５年度", "令和６年度") \
                    .replace("令和6年度", "令和7年度")
    wb.save(tmp_path / "next_year.xlsx")
    with owner(branch) as conn:           # a hardened server: temporary tables only for the program's roles
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{branch.db.engine.url.database}" FROM PUBLIC')
    db, _ = branch.acting("gyomu")
    report = ops.import_workbook(db, tmp_path / "next_year.xlsx", branch="10")
    assert report.stored and report.inserted > 0, [p.message for p in report.errors]
    assert len(monthly_values(branch.db, "10", 2025, ["counter_count"])) == 12
    with owner(branch) as conn:
        assert conn.execute("SELECT DISTINCT batch_id FROM monthly_value WHERE fiscal_year = 2025").fetchall() == \
            [(report.batch_id,)]


def test_a_registered_admin_imports_every_branchs_table_a_year_on(branch, tmp_path):
    """Headquarters' by-branch tables for a new year, by an admin who is not the tables' owner
    (row-level security applies to her): 47 branches and 全国, new values, one statement each."""
    wb = openpyxl.load_workbook(SAMPLE / "hq_national_fy2024.xlsx")
    for ws in wb.worksheets:
        ws["A1"] = ws["A1"].value.replace("令和6年度", "令和7年度")
    wb.save(tmp_path / "hq_next_year.xlsx")
    from app.operations.imports import read_report

    db, _ = branch.acting("admin")
    months = sum(v.month is not None for v in read_report(db, tmp_path / "hq_next_year.xlsx")[1].values)
    report = ops.import_workbook(db, tmp_path / "hq_next_year.xlsx")
    assert report.stored and report.inserted == months > 1700, [p.message for p in report.errors]
    assert {v.branch for v in monthly_values(branch.db, fiscal_year=2025)} == {f"{b:02d}" for b in range(48)}
