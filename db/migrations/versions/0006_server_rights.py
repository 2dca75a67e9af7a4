"""shared mode enforced by the server: admins, the work-package secret, and on PostgreSQL the
roles, grants and row-level security policies

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:00:00

On PostgreSQL the server, not the program, decides who may change what. Two roles carry the
table privileges (server-wide, NOLOGIN): ``branch_report_user`` (a group leader: read everything,
write the month values, statuses, ratings and KPI results, append to the change log) and
``branch_report_admin`` (everything the branch needs, but the change log stays append-only).
``branch-report users --add`` makes a login a member of one of them and lets it connect to this
database only. The row-level policies below say *which rows*: a group leader's only of her
branch's and group's indicators and items (企画総務: all of her branch's), judged from this
database's ``app_user`` row for ``current_user``; admins (a superuser, the owner of the tables —
the login that set the database up — or a user registered with --admin) every row. The log's
``who`` (and an operation's, an import's) must be the login writing it.

Policies are part of the schema (they live and move with the tables, so they are here); the
roles are created here when missing (the login running this needs CREATEROLE, as the one setting
up a shared database does). A table added later must get its grants and policies in its own
migration: tests/app/test_server_rights.py fails for a table without row-level security.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
ALL_TABLES = ("alembic_version", "branch", "fiscal_year", "setting", "indicator", "label_alias", "plan_pillar",
              "plan_item", "kpi", "import_batch", "monthly_value", "year_value", "quarterly_status", "kpi_status",
              "app_user", "operation", "change_log")
ADMIN_WRITES = ("branch", "fiscal_year", "setting", "indicator", "label_alias", "plan_pillar", "plan_item", "kpi",
                "import_batch", "monthly_value", "year_value", "quarterly_status", "kpi_status", "app_user")
# Plain SQL functions (inlined by the planner; every relation named with its schema, so nothing a
# login could put in its own temporary schema is picked up instead).
_FN = "LANGUAGE sql STABLE AS"

FUNCTIONS = f"""
CREATE FUNCTION branch_report_is_admin() RETURNS boolean {_FN} $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false)
      OR pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c
                                               WHERE c.oid = 'public.app_user'::pg_catalog.regclass), 'MEMBER')
      OR EXISTS (SELECT 1 FROM public.app_user u WHERE u.login = current_user AND u.admin)
$$;
CREATE FUNCTION branch_report_may(branch text, grp text) RETURNS boolean {_FN} $$
  SELECT EXISTS (
    SELECT 1 FROM public.app_user u WHERE u.login = current_user AND u.branch_code = branch
      AND (u.group_name = '企画総務' OR pg_catalog.strpos(coalesce(grp, ''), u.group_name) > 0
           OR pg_catalog.strpos(coalesce(grp, ''), '全グループ') > 0))
$$;
CREATE FUNCTION branch_report_may_indicator(branch text, code text) RETURNS boolean {_FN} $$
  SELECT public.branch_report_may(branch, (SELECT i.group_name FROM public.indicator i WHERE i.code = $2))
$$;
CREATE FUNCTION branch_report_may_item(item integer) RETURNS boolean {_FN} $$
  SELECT coalesce((SELECT public.branch_report_may(p.branch_code, i.owner_group) FROM public.plan_item i
                   JOIN public.plan_pillar p ON p.id = i.pillar_id WHERE i.id = item), false)
$$;
CREATE FUNCTION branch_report_may_kpi(kpi integer) RETURNS boolean {_FN} $$
  SELECT public.branch_report_may_item((SELECT k.item_id FROM public.kpi k WHERE k.id = $1))
$$;
"""

# An admin is asked once per statement (a sub-select: an init plan), before any row's own rule.
IS_ADMIN = "(SELECT public.branch_report_is_admin())"
ROW_RULES = {       # table → who may write a row (besides admins), checked on old and new rows
    "monthly_value": "public.branch_report_may_indicator(branch_code, indicator_code)",
    "year_value": "public.branch_report_may_indicator(branch_code, indicator_code)",
    "quarterly_status": "public.branch_report_may_item(item_id)",
    "kpi_status": "public.branch_report_may_kpi(kpi_id)",
}


def _policies() -> list[str]:
    out = []
    for table in ALL_TABLES:
        out += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                f"CREATE POLICY br_read ON {table} FOR SELECT USING (true)"]
        if table in ROW_RULES:
            rule = f"{IS_ADMIN} OR {ROW_RULES[table]}"
            out.append(f"CREATE POLICY br_write ON {table} FOR ALL USING ({rule}) WITH CHECK ({rule})")
        elif table in ADMIN_WRITES:
            out.append(f"CREATE POLICY br_admin ON {table} FOR ALL USING ({IS_ADMIN}) WITH CHECK ({IS_ADMIN})")
    out += [
        # a KPI's result typed by hand (the only column a group may update: see the grants)
        "CREATE POLICY br_group ON kpi FOR UPDATE USING (public.branch_report_may_item(item_id))"
        " WITH CHECK (public.branch_report_may_item(item_id))",
        "CREATE POLICY br_own ON import_batch FOR ALL USING (imported_by = current_user)"
        " WITH CHECK (imported_by = current_user)",
        "CREATE POLICY br_new ON fiscal_year FOR INSERT WITH CHECK (true)",
        "CREATE POLICY br_package ON setting FOR INSERT WITH CHECK (key LIKE 'package:%')",
        "CREATE POLICY br_own ON operation FOR INSERT WITH CHECK (who = current_user)",
        # the change log: appended to by whoever writes it, as herself, for her own operations and
        # imports (an admin's undo of someone's import logs under that import)
        "CREATE POLICY br_append ON change_log FOR INSERT WITH CHECK (who = current_user"
        " AND (op_id IS NULL OR EXISTS (SELECT 1 FROM operation o WHERE o.id = op_id AND o.who = current_user))"
        f" AND (batch_id IS NULL OR {IS_ADMIN}"
        " OR EXISTS (SELECT 1 FROM import_batch b WHERE b.id = batch_id AND b.imported_by = current_user)))",
    ]
    return out


def _grants() -> list[str]:
    tables = ", ".join(ALL_TABLES)
    return [
        f"REVOKE ALL ON {tables} FROM PUBLIC",
        f"GRANT SELECT ON {tables} TO {USER}, {ADMIN}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}",
        f"GRANT INSERT, UPDATE, DELETE ON monthly_value, year_value, quarterly_status, kpi_status, import_batch TO {USER}",
        f"GRANT UPDATE (manual_result) ON kpi TO {USER}",
        f"GRANT INSERT ON change_log, operation, fiscal_year, setting TO {USER}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(ADMIN_WRITES)} TO {ADMIN}",
        f"GRANT INSERT ON change_log, operation TO {ADMIN}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    ]


def _postgresql(conn) -> None:
    for role in (USER, ADMIN):
        if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is None:
            conn.execute(sa.text(f"CREATE ROLE {role} NOLOGIN"))
    database = conn.execute(sa.text("SELECT current_database()")).scalar()
    conn.execute(sa.text(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC'))
    conn.execute(sa.text(FUNCTIONS))
    for statement in _policies() + _grants():
        conn.execute(sa.text(statement))


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin', sa.Boolean(), server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO setting (key, value) SELECT 'package_secret', :v WHERE NOT EXISTS "
                         "(SELECT 1 FROM setting WHERE key = 'package_secret')"), {"v": secrets.token_hex(32)})
    if conn.dialect.name == "postgresql":
        _postgresql(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in ALL_TABLES:
            for policy in ("br_read", "br_admin", "br_write", "br_group", "br_own", "br_new", "br_package", "br_append"):
                conn.execute(sa.text(f"DROP POLICY IF EXISTS {policy} ON {table}"))
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
        for fn in ("is_admin()", "may_kpi(integer)", "may_item(integer)", "may_indicator(text, text)",
                   "may(text, text)"):
            conn.execute(sa.text(f"DROP FUNCTION IF EXISTS branch_report_{fn}"))
    conn.execute(sa.text("DELETE FROM setting WHERE key = 'package_secret'"))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('admin')
