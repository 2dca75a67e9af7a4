"""submitted quarters: the kept documents, and the lock on the quarter's figures and rated rows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:45:00

An admin submits a branch's quarter (``submission``: who, when, a note; its documents'
bytes in ``submission_document``). Until an admin unlocks it (who, when, why — kept on the same
row) the quarter's months (``monthly_value`` of that branch, fiscal year and the quarter's three
fiscal months) and its rated rows' statuses (``row_status`` of that quarter, of that branch's
and year's plan) cannot change. The database itself refuses it, so that nothing — not the
program, not sqlite3 or psql — changes a submitted quarter behind its back:

- SQLite: a trigger before each row's insert, update or delete raises ABORT with the message
  ``branch_report_locked`` (SQLite's RAISE takes no expression; the program names the quarter).
- PostgreSQL: a trigger per statement (the rows it wrote read once, as in 0007) raises SQLSTATE
  BR001 with ``branch_report_locked:BRANCH/YEAR/QUARTER``. A superuser's statements too.

On PostgreSQL everyone reads the submissions; admins alone write them (row-level security).

``row_status.carried``: the next quarter's progress text started from the previous quarter's
(前四半期から引き継ぎ), marked until someone edits it; the quarter's check lists it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
IS_ADMIN = "(SELECT public.branch_report_is_admin())"
MARK = "branch_report_locked"
QUARTER = "(({r}.month + 8) % 12 / 3 + 1)"          # fiscal quarter of a calendar month (4-6 → 1 … 1-3 → 4)
# the submission, not unlocked, that holds a row of each table ({r}: the row's name)
HOLDS = {
    "monthly_value": "FROM {s}submission s WHERE s.unlocked_at IS NULL AND s.branch_code = {r}.branch_code"
                     " AND s.fiscal_year = {r}.fiscal_year AND s.quarter = " + QUARTER,
    "row_status": "FROM {s}submission s JOIN {s}plan_pillar p ON p.branch_code = s.branch_code"
                  " AND p.fiscal_year = s.fiscal_year JOIN {s}plan_item i ON i.pillar_id = p.id"
                  " JOIN {s}rated_row w ON w.item_id = i.id"
                  " WHERE s.unlocked_at IS NULL AND w.id = {r}.row_id AND s.quarter = {r}.quarter",
}
EVENTS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _sqlite(conn) -> None:
    for table, holds in HOLDS.items():
        for event, rows in EVENTS.items():
            when = " OR ".join(f"EXISTS (SELECT 1 {holds.format(s='', r=r)})" for r in rows)
            conn.execute(sa.text(f"CREATE TRIGGER br_locked_{table}_{event.lower()} BEFORE {event} ON {table} "
                                 f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{MARK}'); END"))


def _postgresql(conn) -> None:
    for table, holds in HOLDS.items():
        for event, rows in EVENTS.items():
            names = {"OLD": "old_rows", "NEW": "new_rows"}
            found = " UNION ALL ".join(
                f"(SELECT h.* FROM {names[r]} x, LATERAL (SELECT s.branch_code, s.fiscal_year, s.quarter "
                f"{holds.format(s='public.', r='x')}) h LIMIT 1)" for r in rows)
            conn.execute(sa.text(f"""
CREATE FUNCTION branch_report_{table}_{event.lower()}_locked() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE b text; y integer; q integer;
BEGIN
  SELECT l.branch_code, l.fiscal_year, l.quarter INTO b, y, q FROM ({found}) l LIMIT 1;
  IF b IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'BR001', MESSAGE = pg_catalog.format('{MARK}:%s/%s/%s', b, y, q);
  END IF;
  RETURN NULL;
END $$"""))
            referencing = " ".join(f"{r} TABLE AS {names[r]}" for r in rows)
            conn.execute(sa.text(
                f"CREATE TRIGGER br_locked_{event.lower()} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION branch_report_{table}_{event.lower()}_locked()"))
    for statement in (
        "ALTER TABLE submission ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY br_read ON submission FOR SELECT USING (true)",
        f"CREATE POLICY br_admin ON submission FOR ALL USING ({IS_ADMIN}) WITH CHECK ({IS_ADMIN})",
        "ALTER TABLE submission_document ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY br_read ON submission_document FOR SELECT USING (true)",
        f"CREATE POLICY br_admin ON submission_document FOR ALL USING ({IS_ADMIN}) WITH CHECK ({IS_ADMIN})",
        "REVOKE ALL ON submission, submission_document FROM PUBLIC",
        f"GRANT SELECT ON submission, submission_document TO {USER}, {ADMIN}",
        f"GRANT INSERT, UPDATE, DELETE ON submission, submission_document TO {ADMIN}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USER}, {ADMIN}",
    ):
        conn.execute(sa.text(statement))


def upgrade() -> None:
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_code', sa.String(length=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('unlocked_by', sa.String(length=100), nullable=True),
    sa.Column('unlocked_at', sa.DateTime(), nullable=True),
    sa.Column('unlock_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['branch_code'], ['branch.code'], name=op.f('fk_submission_branch_code_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    op.create_table('submission_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'],
                            name=op.f('fk_submission_document_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_document')),
    sa.UniqueConstraint('submission_id', 'kind', 'format',
                        name=op.f('uq_submission_document_submission_id_kind_format'))
    )
    with op.batch_alter_table('row_status', schema=None) as batch_op:     # before the triggers on it
        batch_op.add_column(sa.Column('carried', sa.Boolean(), server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _postgresql(conn)
    else:
        _sqlite(conn)


def downgrade() -> None:
    conn = op.get_bind()
    for table in HOLDS:
        for event in EVENTS:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"DROP TRIGGER br_locked_{event.lower()} ON {table}"))
                conn.execute(sa.text(f"DROP FUNCTION branch_report_{table}_{event.lower()}_locked()"))
            else:
                conn.execute(sa.text(f"DROP TRIGGER br_locked_{table}_{event.lower()}"))
    op.drop_table('submission_document')
    op.drop_table('submission')
    with op.batch_alter_table('row_status', schema=None) as batch_op:
        batch_op.drop_column('carried')

