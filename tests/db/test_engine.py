"""The database layer: pragmas, migrations that match the models, backups."""
import sqlite3

import pytest
from sqlalchemy import inspect, text

from db.engine import backup_sqlite, current_revision, head_revision, make_engine, migrate, upgrade
from db.models import Base

pytestmark = pytest.mark.sqlite_only      # about SQLite files themselves


def test_sqlite_connections_are_safe(empty_db):
    with empty_db.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_migrations_create_every_model_table_and_column(empty_db):
    insp = inspect(empty_db.engine)
    for table in Base.metadata.sorted_tables:
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name
    assert current_revision(empty_db.engine) == head_revision(empty_db.engine)


def test_migrations_leave_nothing_for_autogenerate(empty_db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with empty_db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


def test_foreign_keys_are_enforced(empty_db):
    from sqlalchemy.exc import IntegrityError

    import pytest
    from db.models import MonthlyValue

    with pytest.raises(IntegrityError):
        with empty_db.sessions.begin() as s:
            s.add(MonthlyValue(branch_code="99", fiscal_year=2024, month=4, indicator_code="nope", value=1))


def test_an_old_database_is_backed_up_before_migrating(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.execute("INSERT INTO notes VALUES ('keep me')")
    con.commit()
    con.close()
    engine = make_engine(path)
    backup = migrate(engine)
    engine.dispose()
    assert backup is not None and backup.exists()
    assert sqlite3.connect(backup).execute("SELECT x FROM notes").fetchall() == [("keep me",)]
    assert migrate(make_engine(path)) is None  # already at head: no second backup


def test_backup_is_a_consistent_copy(demo_db, tmp_path):
    out = backup_sqlite(demo_db.engine, tmp_path / "copy.sqlite3")
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM monthly_value WHERE branch_code = '10'").fetchone()[0] == 854


def test_head_read_from_the_files_is_alembics_head(empty_db):
    from db.engine import _head_from_files, _stamped_revision

    assert _head_from_files() == head_revision(empty_db.engine) == _stamped_revision(empty_db.engine)


def test_a_populated_database_of_every_released_schema_upgrades(tmp_path):
    """Each revision in turn: a database made at it, with data, upgrades to head keeping the data."""
    from alembic.script import ScriptDirectory

    from app.store.database import open_database
    from db.engine import _alembic_config

    scripts = ScriptDirectory.from_config(_alembic_config(make_engine(tmp_path / "x.sqlite3")))
    revisions = [r.revision for r in reversed(list(scripts.walk_revisions()))]
    assert revisions[0] == "0001" and len(revisions) >= 2
    for rev in revisions[:-1]:
        path = tmp_path / f"at-{rev}.sqlite3"
        engine = make_engine(path)
        upgrade(engine, rev)
        with engine.begin() as c:
            c.execute(text("INSERT INTO branch (code, name) VALUES ('10', '群馬')"))
            c.execute(text("INSERT INTO fiscal_year (year) VALUES (2024)"))
            c.execute(text("INSERT INTO indicator (code, name, group_name, unit, kind, higher_is_better, position)"
                           " VALUES ('mail_rate', '郵送化率', '業務', '%', 'ratio', 1, 0)"))
            c.execute(text("INSERT INTO monthly_value (branch_code, fiscal_year, month, indicator_code, value, version)"
                           " VALUES ('10', 2024, 4, 'mail_rate', 93.5, 1)"))
            c.execute(text("INSERT INTO year_value (branch_code, fiscal_year, indicator_code, value)"
                           " VALUES ('10', 2024, 'mail_rate', 94.3)"))
        engine.dispose()
        db = open_database(path)
        assert current_revision(db.engine) == head_revision(db.engine)
        with db.engine.connect() as c:
            assert c.execute(text("SELECT value FROM monthly_value")).scalar() == 93.5
            assert c.execute(text("SELECT value FROM year_value")).scalar() == 94.3
        assert list(tmp_path.glob(f"at-{rev}.before-migration-*.sqlite3"))
        db.engine.dispose()
