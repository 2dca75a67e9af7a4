"""Several users of one database: optimistic concurrency with two real connections, and who may
change what. Run against SQLite and, in CI, PostgreSQL."""
import pytest

from app.ops import add_user
from app.edits import CellEntry
from tests.helpers import set_month_values
from app.errors import ConflictError, PermissionDenied
from app.ops import import_workbook
from app.queries import monthly_values, plan_items, statuses
from app.ops import rate_kpi as save_kpi_rating, save_status
from app.statuses import status_version
from app.store import open_database
from tests.conftest import SAMPLE


@pytest.fixture
def second(demo_db):
    """A second user's own connection to the same database."""
    other = open_database(demo_db.engine.url.render_as_string(hide_password=False))
    yield other
    other.engine.dispose()


def value(db, indicator, fy, month):
    return next((r.value for r in monthly_values(db, "10", fy, [indicator]) if r.month == month), None)


def test_the_second_writer_of_a_cell_is_told_with_both_values(demo_db, second):
    seen = value(demo_db, "counter_count", 2024, 4)                   # both users see 541
    set_month_values(second, [CellEntry("10", 2024, 4, "counter_count", 600, expected=seen)], who="b")
    with pytest.raises(ConflictError) as err:
        set_month_values(demo_db, [CellEntry("10", 2024, 4, "counter_count", 700, expected=seen)], who="a")
    (what, theirs, mine), = err.value.conflicts
    assert (theirs, mine) == (600, 700) and "4月" in what
    assert value(demo_db, "counter_count", 2024, 4) == 600            # nothing silently lost
    set_month_values(demo_db, [CellEntry("10", 2024, 4, "counter_count", 700, expected=600)], who="a")
    assert value(second, "counter_count", 2024, 4) == 700              # chosen with both in view


def test_the_second_writer_of_a_status_text_is_told(demo_db, second):
    item = {i.item_no: i.id for i in plan_items(demo_db, "10", 2024)}[2]
    version = status_version(demo_db, item, 4)
    save_status(second, item, 4, text="Bの文章", who="b", expected_version=version)
    with pytest.raises(ConflictError) as err:
        save_status(demo_db, item, 4, text="Aの文章", who="a", expected_version=version)
    assert err.value.conflicts[0] == ("進捗状況", "Bの文章", "Aの文章")
    assert statuses(demo_db, [item], 4)[0].status_text == "Bの文章"
    save_status(demo_db, item, 4, text="Aの文章", who="a", expected_version=status_version(demo_db, item, 4))
    assert statuses(second, [item], 4)[0].status_text == "Aの文章"


def test_group_leaders_change_only_their_groups_data(demo_db):
    add_user(demo_db, "gyomu", "10", "業務")
    add_user(demo_db, "hoken", "10", "保健")
    add_user(demo_db, "kikaku", "10", "企画総務")
    add_user(demo_db, "saitama", "11", "企画総務")
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    set_month_values(demo_db, [CellEntry("10", 2024, 4, "counter_count", 1)], who="gyomu")       # 業務: yes
    with pytest.raises(PermissionDenied):
        set_month_values(demo_db, [CellEntry("10", 2024, 4, "decl_new", 1)], who="gyomu")     # 保健's
    with pytest.raises(PermissionDenied):
        save_status(demo_db, items[13].id, 4, text="x", who="gyomu")                          # 保健's item
    save_status(demo_db, items[13].id, 4, text="宣言が増えた", who="hoken")
    save_kpi_rating(demo_db, items[13].kpis[0].id, 4, "○", who="hoken")
    set_month_values(demo_db, [CellEntry("10", 2024, 4, "decl_new", 2)], who="kikaku")        # whole branch
    with pytest.raises(PermissionDenied):
        set_month_values(demo_db, [CellEntry("10", 2024, 4, "mail_rate", 1)], who="saitama")  # other branch
    with pytest.raises(PermissionDenied):
        set_month_values(demo_db, [CellEntry("10", 2024, 4, "mail_rate", 1)], who="stranger")
    assert value(demo_db, "decl_new", 2024, 4) == 2 and value(demo_db, "counter_count", 2024, 4) == 1


def test_imports_are_checked_too(demo_db):
    from app.imports import import_history
    from app.ops import learn_alias, undo_import

    add_user(demo_db, "gyomu", "10", "業務")
    with pytest.raises(PermissionDenied):
        import_workbook(demo_db, SAMPLE / "hq_national_fy2024.xlsx", who="gyomu")   # headquarters' tables: 企画総務
    with pytest.raises(PermissionDenied):
        import_workbook(demo_db, SAMPLE / "gunma_fy2024_monthly.xlsx", who="gyomu")   # holds other groups' sheets
    assert len(monthly_values(demo_db, "10")) == 854
    plan_batch = next(b.id for b in import_history(demo_db) if b.layout == "plan")
    with pytest.raises(PermissionDenied):
        undo_import(demo_db, plan_batch, who="gyomu")                 # the plan is 企画総務's
    with pytest.raises(PermissionDenied):
        learn_alias(demo_db, "窓口件数（再掲）", "counter_count", who="gyomu")   # the mapping is everyone's
    assert len(plan_items(demo_db, "10", 2024)) == 21


def test_users_are_registered_on_the_command_line(demo_db, capsys):
    from app.cli import main

    url = demo_db.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "users", "--add", "gyomu", "--branch", "10", "--group", "業務"]) == 0
    assert capsys.readouterr().out.splitlines() == ["login,branch,group", "gyomu,10,業務"]
    assert main(["--db", url, "users", "--add", "x", "--group", "業務"]) == 2
