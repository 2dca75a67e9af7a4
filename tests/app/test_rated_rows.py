"""Rated rows (評価行): the model, migration 0008 carrying item statuses to each item's first row,
the reads (rows, row statuses, the closing count) and the service writing a row's quarter.
Run against SQLite and, when a server is given, PostgreSQL."""
import pytest
from sqlalchemy import text

from app.core.errors import ConflictError, ValidationError
from app.core.kpi import rows_rating
from app.operations import ops
from app.reads.queries import plan_items, row_statuses
from app.reads.ratings import item_ratings, row_counts
from db.engine import current_revision, head_revision, make_engine, upgrade


def _who(db):
    return "sample" if db.is_sqlite else None


def _raw_engine(backend, tmp_path, request):
    """An empty database (no migration run) on the test's backend, and a way to drop it."""
    if backend == "sqlite":
        return make_engine(tmp_path / "old.sqlite3"), lambda: None
    import uuid

    from tests.conftest import _pg_admin

    admin, url = _pg_admin()
    name = f"br_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")

    def drop():
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    return make_engine(url.set(database=name).render_as_string(hide_password=False)), drop


def test_a_populated_database_at_0007_keeps_every_item_status_on_the_items_first_row(backend, tmp_path, request):
    engine, drop = _raw_engine(backend, tmp_path, request)
    try:
        upgrade(engine, "0007")
        with engine.begin() as c:
            c.execute(text("INSERT INTO branch (code, name) VALUES ('10', '群馬')"))
            c.execute(text("INSERT INTO fiscal_year (year) VALUES (2024)"))
            c.execute(text("INSERT INTO plan_pillar (id, branch_code, fiscal_year, no, title) VALUES (1, '10', 2024, 1, '柱')"))
            for i, incentive in ((1, False), (2, True), (3, False)):
                c.execute(text("INSERT INTO plan_item (id, pillar_id, item_no, title, owner_group, plan_text, important,"
                               " difficult, incentive, evaluation) VALUES (:i, 1, :i, :t, '業務', :p, false, false, :inc, '')"),
                          {"i": i, "t": f"項目{i}", "p": f"（１）計画{i}\n（２）続き", "inc": incentive})
            c.execute(text("INSERT INTO kpi (id, item_id, position, op, target_rule, unit, text) "
                           "VALUES (7, 1, 1, '>=', 'value', '%', '率を95%以上')"))
            c.execute(text("INSERT INTO quarterly_status (item_id, quarter, status_text, rating, national_rank, updated_by,"
                           " version) VALUES (1, 4, '進捗の文', '○', 27, 'hanako', 3), (1, 2, '二期', NULL, NULL, NULL, 1),"
                           " (2, 4, '', '△', NULL, 'taro', 1)"))
        upgrade(engine)
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as c:
            rows = c.execute(text("SELECT item_id, position, plan_text, is_kpi, is_performance, is_incentive "
                                  "FROM rated_row ORDER BY item_id")).all()
            assert [tuple(r) for r in rows] == [(1, 1, "（１）計画1\n（２）続き", False, False, False),
                                                (2, 1, "（１）計画2\n（２）続き", False, False, True),
                                                (3, 1, "（１）計画3\n（２）続き", False, False, False)]
            got = c.execute(text("SELECT r.item_id, s.quarter, s.progress_text, s.rating, s.national_rank, s.updated_by,"
                                 " s.version FROM row_status s JOIN rated_row r ON r.id = s.row_id "
                                 "ORDER BY r.item_id, s.quarter")).all()
            assert [tuple(r) for r in got] == [(1, 2, "二期", None, None, None, 1), (1, 4, "進捗の文", "○", 27, "hanako", 3),
                                               (2, 4, "", "△", None, "taro", 1)]
            assert c.execute(text("SELECT r.item_id FROM kpi k JOIN rated_row r ON r.id = k.row_id")).scalar() == 1
            assert c.execute(text("SELECT count(*) FROM quarterly_status")).scalar() == 3   # the items keep theirs
    finally:
        engine.dispose()
        drop()


def test_every_item_of_an_imported_plan_has_rows_and_its_kpis_are_on_them(demo_db):
    items = plan_items(demo_db, "10", 2024)
    assert items and all(i.rows for i in items)
    for i in items:
        assert [r.position for r in i.rows] == list(range(1, len(i.rows) + 1))
        assert {k for r in i.rows for k in r.kpi_ids} == {k.id for k in i.kpis}


def test_a_rows_quarter_is_written_logged_counted_and_gives_the_items_rating(demo_db):
    item = next(i for i in plan_items(demo_db, "10", 2024) if i.rows)
    row = item.rows[0].id
    before = row_counts(demo_db, "10", 2024, 3)
    changes = ops.save_row_status(demo_db, row, 3, text="窓口で案内", rating="〇", rank="27", who=_who(demo_db))
    assert changes.rows == {(row, 3)} and changes.ratings and changes.items == {item.id}
    st = row_statuses(demo_db, [row], 3)[row]
    assert (st.progress_text, st.rating, st.national_rank, st.version, st.updated_by) == ("窓口で案内", "○", 27, 1, demo_db.user
                                                                                if not demo_db.is_sqlite else "sample")
    after = row_counts(demo_db, "10", 2024, 3)
    assert after.all["○"] == before.all["○"] + 1 and after.unrated == before.unrated - 1
    assert after.total == before.total == sum(len(i.rows) for i in plan_items(demo_db, "10", 2024))
    assert item_ratings(demo_db, [item.id], 3)[item.id] == "○"
    assert not ops.save_row_status(demo_db, row, 3, text="窓口で案内", who=_who(demo_db))     # nothing changed
    assert ops.save_row_status(demo_db, row, 3, rating=None, who=_who(demo_db)).ratings      # None empties
    assert row_statuses(demo_db, [row], 3)[row].rating is None
    assert row_statuses(demo_db, [row], 3)[row].progress_text == "窓口で案内"           # left out: kept
    with demo_db.session() as s:
        logged = s.execute(text("SELECT field, old, new FROM change_log WHERE entity = 'row_status' AND key = :k "
                                "ORDER BY id"), {"k": f"{row}/Q3"}).all()
    assert [tuple(r) for r in logged][:3] == [("progress_text", "", "窓口で案内"), ("rating", None, "○"),
                                              ("national_rank", None, "27")]


def test_a_rows_quarter_refuses_bad_marks_ranks_and_someone_elses_save(demo_db):
    row = plan_items(demo_db, "10", 2024)[0].rows[0].id
    with pytest.raises(ValidationError, match="評価は"):
        ops.save_row_status(demo_db, row, 1, rating="A", who=_who(demo_db))
    with pytest.raises(ValidationError, match="全国順位は 1〜47"):
        ops.save_row_status(demo_db, row, 1, rank=48, who=_who(demo_db))
    ops.save_row_status(demo_db, row, 1, text="一人目", who=_who(demo_db))
    with pytest.raises(ConflictError):
        ops.save_row_status(demo_db, row, 1, text="二人目", expected_version=0, who=_who(demo_db))
    assert row_statuses(demo_db, [row], 1)[row].progress_text == "一人目"


def test_an_items_rating_from_its_rows():
    assert rows_rating([]) is None and rows_rating([None]) is None
    assert rows_rating(["◎", "◎", None]) == "◎"
    assert rows_rating(["◎", "○"]) == "○"
    assert rows_rating(["◎", "△", "○"]) == "△"
    assert rows_rating(["△", "×"]) == "×"
    assert rows_rating(["□", "□"]) == "□"
    assert rows_rating(["□", "◎"]) == "◎"            # □ (still to come) does not pull a done row down


def test_the_demos_item_statuses_are_on_each_items_first_row_as_the_migration_puts_them(demo_db):
    from app.reads.queries import statuses

    items = plan_items(demo_db, "10", 2024)
    kept = {s.item_id: s for s in statuses(demo_db, [i.id for i in items], 4)}
    rows = row_statuses(demo_db, [i.rows[0].id for i in items], 4)
    got = {i.id: (rows[i.rows[0].id].progress_text, rows[i.rows[0].id].rating, rows[i.rows[0].id].national_rank)
           for i in items if i.rows[0].id in rows}
    assert kept and got == {k: (s.status_text, s.rating, s.national_rank) for k, s in kept.items()}
