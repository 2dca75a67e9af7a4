"""a brought-back package's mark names the login that wrote it (PostgreSQL)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05 10:40:00

Bringing a work package back writes ``setting('package:<id>', '<time> <login>')`` so that it
comes back once. Until now any group login could insert such a row in any words — marking a
colleague's package as brought back in someone else's name. The server now takes the mark only
when it ends with the inserting login (admins, through their own policy, as before). SQLite
files have no logins: nothing changes there.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_OWN_MARK = ("key LIKE 'package:%' AND pg_catalog.right(value, pg_catalog.length(current_user::text) + 1)"
             " = ' ' || current_user::text")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.execute(sa.text("DROP POLICY IF EXISTS br_package ON setting"))
    conn.execute(sa.text(f"CREATE POLICY br_package ON setting FOR INSERT WITH CHECK ({_OWN_MARK})"))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    conn.execute(sa.text("DROP POLICY IF EXISTS br_package ON setting"))
    conn.execute(sa.text("CREATE POLICY br_package ON setting FOR INSERT WITH CHECK (key LIKE 'package:%')"))
