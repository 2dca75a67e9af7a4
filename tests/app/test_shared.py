"""Several users of one database: optimistic concurrency with two real connections, and who may
change what — through the program, on SQLite (by name) and on PostgreSQL (each user her own
server login, made by the program). The server's own enforcement, tried with plain SQL, is in
test_server_rights.py."""
import uuid

import pytest
from sqlalchemy import select

from app.operations import ops
from app.operations.edits import CellEntry
from app.core.errors import ConflictError, PermissionDenied
from app.operations.ops import import_workbook, rate_kpi, save_status, set_kpi_result
from app.reads.queries import monthly_values, plan_items, statuses
from app.operations.statuses import status_version
from app.store.database import open_database
from tests.conftest import SAMPLE
from tests.helpers import set_month_value, set_month_values


@pytest.fixture
def second(demo_db):
    """A second user's own connection to the same database."""
    other = open_database(demo_db.engine.url)
    yield other
    other.engine.dispose()


def value(db, indicator, fy, month):
    return next((r.value for r in monthly_values(db, "10", fy, [indicator]) if r.month == month), None)


def test_the_second_writer_of_a_cell_is_told_with_both_values(demo_db, second):
    seen = value(demo_db, "counter_count", 2024, 4)                   # both users see 541
    set_month_values(second, [CellEntry("10", 2024, 4, "counter_count", 600, expected=seen)])
    with pytest.raises(ConflictError) as err:
        set_month_values(demo_db, [CellEntry("10", 2024, 4, "counter_count", 700, expected=seen)])
    (what, theirs, mine), = err.value.conflicts
    assert (theirs, mine) == (600, 700) and "4月" in what
    assert value(demo_db, "counter_count", 2024, 4) == 600            # nothing silently lost
    set_month_values(demo_db, [CellEntry("10", 2024, 4, "counter_count", 700, expected=600)])
    assert value(second, "counter_count", 2024, 4) == 700              # chosen with both in view


def test_the_second_writer_of_a_status_text_is_told(demo_db, second):
    item = {i.item_no: i.id for i in plan_items(demo_db, "10", 2024)}[2]
    version = status_version(demo_db, item, 4)
    save_status(second, item, 4, text="Bの文章", expected_version=version)
    with pytest.raises(ConflictError) as err:
        save_status(demo_db, item, 4, text="Aの文章", expected_version=version)
    assert err.value.conflicts[0] == ("進捗状況", "Bの文章", "Aの文章")
    assert statuses(demo_db, [item], 4)[0].status_text == "Bの文章"
    save_status(demo_db, item, 4, text="Aの文章", expected_version=status_version(demo_db, item, 4))
    assert statuses(second, [item], 4)[0].status_text == "Aの文章"


@pytest.fixture
def branch_team(team):
    team.add("gyomu", "業務")
    team.add("hoken", "保健")
    team.add("kikaku", "企画総務")
    team.add("saitama", "企画総務", branch="11")
    team.add("admin", "企画総務", admin=True)
    return team


def test_group_leaders_change_only_their_groups_data(branch_team, demo_db):
    items = {i.item_no: i for i in plan_items(demo_db, "10", 2024)}
    hoken_kpi = items[13].kpis[0].id
    manual = next(k.id for i in items.values() if "保健" in i.owner_group for k in i.kpis if not k.indicator)
    db, who = branch_team.acting("gyomu")
    set_month_value(db, "10", 2024, 4, "counter_count", 1, who=who)                       # 業務's: yes
    for refused in (lambda: set_month_value(db, "10", 2024, 4, "decl_new", 1, who=who),  # 保健's indicator
                    lambda: save_status(db, items[13].id, 4, text="x", who=who),          # 保健's item
                    lambda: rate_kpi(db, hoken_kpi, 4, "◎", who=who),
                    lambda: set_kpi_result(db, manual, "1%", who=who)):
        with pytest.raises(PermissionDenied):
            refused()
    db, who = branch_team.acting("hoken")
    save_status(db, items[13].id, 4, text="宣言が増えた", who=who)
    rate_kpi(db, hoken_kpi, 4, "○", who=who)
    set_kpi_result(db, manual, "57.1%", who=who)
    db, who = branch_team.acting("kikaku")
    set_month_value(db, "10", 2024, 4, "decl_new", 2, who=who)                           # the whole branch
    db, who = branch_team.acting("saitama")
    with pytest.raises(PermissionDenied):
        set_month_value(db, "10", 2024, 4, "mail_rate", 1, who=who)                      # another branch's
    assert value(demo_db, "decl_new", 2024, 4) == 2 and value(demo_db, "counter_count", 2024, 4) == 1
    assert statuses(demo_db, [items[13].id], 4)[0].status_text == "宣言が増えた"


def test_an_unregistered_user_changes_nothing(branch_team, demo_db):
    if branch_team.on_server:
        pytest.skip("on a server an unregistered login cannot even connect (test_server_rights.py)")
    with pytest.raises(PermissionDenied, match="登録されていません"):
        set_month_value(demo_db, "10", 2024, 4, "mail_rate", 1, who="stranger")


def test_imports_undo_and_label_mappings_are_checked(branch_team, demo_db, tmp_path):
    from app.operations.imports import import_history

    db, who = branch_team.acting("gyomu")
    with pytest.raises(PermissionDenied):
        import_workbook(db, SAMPLE / "hq_national_fy2024.xlsx", who=who)      # every branch's figures: admins
    with pytest.raises(PermissionDenied):
        import_workbook(db, SAMPLE / "gunma_fy2024_monthly.xlsx", who=who)    # holds other groups' sheets
    assert len(monthly_values(demo_db, "10")) == 854
    plan_batch = next(b.id for b in import_history(demo_db) if b.layout == "progress")   # the plan
    with pytest.raises(PermissionDenied):
        ops.undo_import(db, plan_batch, who=who)                           # the plan: admins
    with pytest.raises(PermissionDenied):
        ops.learn_alias(db, "窓口件数（再掲）", "counter_count", who=who)      # the mapping is everyone's
    assert len(plan_items(demo_db, "10", 2024)) == 21
    admin, by = branch_team.acting("admin")
    ops.learn_alias(admin, "窓口件数（再掲）", "counter_count", who=by)
    hq_batch = next(b.id for b in import_history(demo_db) if b.layout == "national")   # in the sample
    with pytest.raises(PermissionDenied):
        ops.undo_import(db, hq_batch, who=who)                             # someone else's import
    ops.undo_import(admin, hq_batch, who=by)
    assert len(monthly_values(demo_db)) == 854                           # the branch's own figures only


def test_a_group_leader_undoes_her_own_edits_only(branch_team, demo_db):
    db, who = branch_team.acting("gyomu")
    mine = set_month_value(db, "10", 2024, 4, "counter_count", 600, who=who)
    kikaku, by = branch_team.acting("kikaku")
    theirs = set_month_value(kikaku, "10", 2024, 5, "counter_count", 700, who=by)
    with pytest.raises(PermissionDenied):
        ops.undo(db, theirs.op_id, who=who)                   # 企画総務's edit, even of her indicator
    assert value(demo_db, "counter_count", 2024, 5) == 700
    ops.undo(db, mine.op_id, who=who)
    assert value(demo_db, "counter_count", 2024, 4) == 541


def test_only_an_admin_registers_users(team, demo_db):
    team.add("admin", "企画総務", admin=True)              # the first one: by whoever set the database up
    team.add("gyomu", "業務", by="admin")
    db, who = team.acting("gyomu")
    with pytest.raises(PermissionDenied, match="管理者"):
        ops.add_user(db, "evil", "10", "企画総務", admin=True, password="x" * 12, who=who)
    from db.models import AppUser

    with demo_db.session() as s:
        assert set(s.scalars(select(AppUser.login))) == {team.logins["admin"], team.logins["gyomu"]}


def test_users_are_registered_and_listed_on_the_command_line(demo_db, team, tmp_path, capsys):
    from app.cli.main import main

    url = demo_db.engine.url.render_as_string(hide_password=False)
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")
    login = f"gyomu_{uuid.uuid4().hex[:6]}" if team.on_server else "gyomu"
    args = ["--db", url, "users", "--add", login, "--branch", "10", "--group", "業務", "--password-file", str(secret)]
    assert main(args) == 0
    team.extra_logins.append(login)
    assert capsys.readouterr().out.splitlines() == ["login,branch,group,admin", f"{login},10,業務,no"]
    assert main(["--db", url, "users", "--add", "x", "--group", "業務"]) == 2


def test_restore_is_an_admins_and_never_of_a_shared_server(team, demo_db, tmp_path, capsys):
    from app.store.backups import auto_backup
    from app.cli.main import main

    if team.on_server:
        url = demo_db.engine.url.render_as_string(hide_password=False)
        assert main(["--db", url, "restore", "--from", str(tmp_path / "x.sqlite3")]) == 2
        assert "SQLite" in capsys.readouterr().err
        return
    backup = auto_backup(demo_db, "manual")
    team.add("gyomu", "業務")
    team.add("admin", "企画総務", admin=True)
    path = demo_db.engine.url.database
    demo_db.engine.dispose()
    with pytest.raises(PermissionDenied, match="管理者"):
        ops.restore_backup(path, backup, who="gyomu")
    assert ops.restore_backup(path, backup, who="admin") is not None        # the current content kept first
