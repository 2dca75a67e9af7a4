"""on PostgreSQL the references of month and year values checked once per statement

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:00:00

A value names its branch, fiscal year, indicator and import batch. A foreign key makes the
server check those four references row by row (one query each per row): a national import of
104,000 values spent 2.1 s of its 3.7 s there. Here the same rule is kept by triggers that check
a whole statement at once — the rows it wrote, against the four tables, in one query — and that
take the same locks a foreign key takes (the referenced rows ``FOR KEY SHARE``, so a concurrent
delete of a branch, year, indicator or batch waits and then fails). The referenced tables get the
other half: a statement deleting or renaming a key still referenced fails. Both raise SQLSTATE
23503 (foreign_key_violation), as a foreign key does; the trigger functions run as the tables'
owner (they lock rows a group leader may only read) with a fixed search path.

SQLite keeps its foreign keys (checked cheaply in the library); the models still declare them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHILDREN = ("monthly_value", "year_value")
# referencing column → (table, key column)
REFERENCES = {"branch_code": ("branch", "code"), "fiscal_year": ("fiscal_year", "year"),
              "indicator_code": ("indicator", "code"), "batch_id": ("import_batch", "id")}
PARENTS = dict(REFERENCES.values())          # referenced table → key column
_FN = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS"


def _child_function() -> str:
    cols = list(REFERENCES)
    keys = ", ".join(f"array_agg(DISTINCT k.{c})" for c in cols)
    locks = "\n".join(f"  PERFORM 1 FROM public.{table} p WHERE p.{key} = ANY(k_{col}) FOR KEY SHARE;"
                      for col, (table, key) in REFERENCES.items())
    missing = ",\n    ".join(
        f"(SELECT '{col} = ' || x FROM unnest(k_{col}) x "
        f"WHERE x IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.{table} p WHERE p.{key} = x) LIMIT 1)"
        for col, (table, key) in REFERENCES.items())
    declare = " ".join(f"k_{col} {kind}[];" for col, kind in zip(cols, ("text", "integer", "text", "integer")))
    return f"""
CREATE FUNCTION branch_report_value_refers() RETURNS trigger {_FN} $$
DECLARE bad text; {declare}
BEGIN
  SELECT {keys} INTO {", ".join(f"k_{c}" for c in cols)}
    FROM (SELECT DISTINCT {", ".join(cols)} FROM new_rows) k;      -- the rows read once
{locks}
  SELECT coalesce(
    {missing}) INTO bad;
  IF bad IS NOT NULL THEN
    RAISE foreign_key_violation USING MESSAGE = pg_catalog.format(
      '%s: %s refers to nothing (a value''s branch, fiscal year, indicator and batch must exist)',
      TG_TABLE_NAME, bad);
  END IF;
  RETURN NULL;
END $$"""


def _parent_function(table: str, key: str) -> str:
    refs = [col for col, (t, _) in REFERENCES.items() if t == table]
    used = " OR ".join(f"EXISTS (SELECT 1 FROM public.{child} c WHERE c.{col} = o.{key})"
                       for child in CHILDREN for col in refs)
    return f"""
CREATE FUNCTION branch_report_{table}_kept() RETURNS trigger {_FN} $$
DECLARE bad text;
BEGIN
  SELECT o.{key}::text INTO bad FROM old_rows o
   WHERE NOT EXISTS (SELECT 1 FROM public.{table} p WHERE p.{key} = o.{key}) AND ({used}) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE foreign_key_violation USING MESSAGE = pg_catalog.format(
      '%s %s is still referred to by month or year values', TG_TABLE_NAME, bad);
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for child in CHILDREN:
        for col, (table, _) in REFERENCES.items():
            conn.execute(sa.text(f"ALTER TABLE {child} DROP CONSTRAINT fk_{child}_{col}_{table}"))
    conn.execute(sa.text(_child_function()))
    for child in CHILDREN:
        for event in ("INSERT", "UPDATE"):       # a trigger with a transition table has one event
            conn.execute(sa.text(
                f"CREATE TRIGGER br_refers_{event.lower()} AFTER {event} ON {child} REFERENCING NEW TABLE AS "
                f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION branch_report_value_refers()"))
    for table, key in PARENTS.items():
        conn.execute(sa.text(_parent_function(table, key)))
        for event in ("DELETE", "UPDATE"):
            conn.execute(sa.text(
                f"CREATE TRIGGER br_kept_{event.lower()} AFTER {event} ON {table} REFERENCING OLD TABLE AS "
                f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION branch_report_{table}_kept()"))
    for fn in ["value_refers", *(f"{t}_kept" for t in PARENTS)]:
        conn.execute(sa.text(f"REVOKE ALL ON FUNCTION branch_report_{fn}() FROM PUBLIC"))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for child in CHILDREN:
        for event in ("insert", "update"):
            conn.execute(sa.text(f"DROP TRIGGER br_refers_{event} ON {child}"))
    for table, key in PARENTS.items():
        for event in ("delete", "update"):
            conn.execute(sa.text(f"DROP TRIGGER br_kept_{event} ON {table}"))
        conn.execute(sa.text(f"DROP FUNCTION branch_report_{table}_kept()"))
    conn.execute(sa.text("DROP FUNCTION branch_report_value_refers()"))
    for child in CHILDREN:
        for col, (table, key) in REFERENCES.items():
            conn.execute(sa.text(f"ALTER TABLE {child} ADD CONSTRAINT fk_{child}_{col}_{table} "
                                 f"FOREIGN KEY ({col}) REFERENCES {table} ({key})"))
