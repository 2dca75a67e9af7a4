"""work packages signed by the server; the change log, the marks and the names on rows written
only by the program's rules (PostgreSQL)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 14:30:00

Until now every login could read the packages' signing secret (``setting.package_secret``) and
so seal a package in anyone's name, mark any package as brought back, append change-log rows
about any cell, and put another login's name on a row it changed. On PostgreSQL, from here:

- The secret lives in the schema ``branch_report_private``, which no login but the one that set
  the database up can even look into. Packages are signed and checked by the server in
  ``SECURITY DEFINER`` functions: ``branch_report_package_sign`` registers the package (its id,
  branch and group) with ``made_by = session_user`` and returns the HMAC-SHA256 of each part
  with that name bound in (``session_user || LF || part``); ``branch_report_package_check``
  answers, per part, whether the signature is that of the login the package was registered to
  — it never returns a signature. So a signature proves which login made the package.
- A package's mark (``setting 'package:<id>'``, 0009) is taken only for a package this database
  issued and only from a login that may bring that group's package back (admins: their policy).
- The change log stays append-only for everyone, the owner and superusers included (a trigger
  refuses UPDATE, DELETE and TRUNCATE); a row appended by a login that is not an admin must be
  about what that login may change (its key read as app/core/keys.py writes it: a month or year
  value of her indicators, her items' statuses, rated rows, KPIs and kept indicators, her own
  imports); anything else — the plan, unknown entities — is an admin's.
- The names on rows: ``monthly_value.edited_by``, the statuses' ``updated_by`` and
  ``value_check.checked_by`` are set by a trigger to ``current_user`` whenever a row is written
  with a name (an undo that puts back an older hand edit names the login undoing it); a log line,
  an operation or an import in another login's name is refused. Nobody — the owner and
  superusers included — can blame another login.

SQLite files have no logins: nothing changes there (the file's own key signs its packages).
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

USER, ADMIN = "branch_report_user", "branch_report_admin"
PRIVATE = "branch_report_private"
_OWN_MARK = ("key LIKE 'package:%' AND pg_catalog.right(value, pg_catalog.length(current_user::text) + 1)"
             " = ' ' || current_user::text")
FUNCTIONS = ("logged(text[], text[])", "hmac(text, text)", "package_sign(text, text, text, text[])",
             "package_check(text, text, text[], text[])", "package_group(text)", "int(text)",
             "log_allowed(text, text)", "log_appended()", "log_kept()")
# the name a row is written with is the login writing it (a name left empty stays empty): who
# changed a value or status last is set on every write (an undo putting back an older hand edit
# names the login undoing it); a log line, an operation or an import in another login's name is
# refused, the owner's and a superuser's too (an admin marking someone's import undone leaves its name)
NAMED = {"monthly_value": ("edited_by", True), "quarterly_status": ("updated_by", True),
         "row_status": ("updated_by", True), "kpi_status": ("updated_by", True),
         "value_check": ("checked_by", True), "change_log": ("who", False), "operation": ("who", False),
         "import_batch": ("imported_by", False)}
# every change a login that is not an admin makes is in the change log, in her name, in the same
# transaction: table → (entities, its keys as app/core/keys.py writes them, of the row ``r``;
# a batch's key — an import's new rows, its undoing — counts for rows inserted or deleted only)
_CELL = "r.branch_code || '/' || r.fiscal_year || '/' || r.month || '/' || r.indicator_code"
_BATCH = "CASE WHEN TG_OP <> 'UPDATE' THEN 'batch/' || r.batch_id END"
LOGGED = {
    "monthly_value": (("monthly_value", "import_batch"), (_CELL, _BATCH)),
    "year_value": (("year_value", "import_batch"),
                   ("r.branch_code || '/' || r.fiscal_year || '/' || r.indicator_code", _BATCH)),
    "value_check": (("monthly_value",), (_CELL,)),
    "quarterly_status": (("quarterly_status",), ("r.item_id || '/Q' || r.quarter",)),
    "row_status": (("row_status",), ("r.row_id || '/Q' || r.quarter",)),
    "kpi_status": (("kpi_status",), ("r.kpi_id || '/Q' || r.quarter",)),
    "kpi": (("kpi",), ("r.id::text",)),
    "item_indicator": (("item_indicator",), ("r.item_id::text",)),
    "kpi_month_target": (("kpi",), ("r.kpi_id::text",)),
}

SQL = f"""
CREATE SCHEMA {PRIVATE};
REVOKE ALL ON SCHEMA {PRIVATE} FROM PUBLIC;
CREATE TABLE {PRIVATE}.package_key (secret text NOT NULL);
CREATE TABLE {PRIVATE}.package (id text PRIMARY KEY, made_by text NOT NULL, branch_code text NOT NULL,
                                group_name text NOT NULL, made_at timestamptz NOT NULL DEFAULT now());

-- HMAC-SHA256 (RFC 2104) with the built-in sha256: the same as Python's hmac.new(key, msg, sha256)
CREATE FUNCTION public.branch_report_hmac(key text, msg text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
DECLARE k bytea := convert_to(key, 'UTF8'); i bytea; o bytea;
BEGIN
  IF length(k) > 64 THEN k := sha256(k); END IF;
  k := k || decode(repeat('00', 64 - length(k)), 'hex');
  i := k; o := k;
  FOR n IN 0..63 LOOP
    i := set_byte(i, n, get_byte(k, n) # 54);
    o := set_byte(o, n, get_byte(k, n) # 92);
  END LOOP;
  RETURN encode(sha256(o || sha256(i || convert_to(msg, 'UTF8'))), 'hex');
END $$;

CREATE FUNCTION public.branch_report_package_sign(package text, branch text, grp text, parts text[]) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE k text;
BEGIN
  INSERT INTO {PRIVATE}.package (id, made_by, branch_code, group_name) VALUES (package, session_user, branch, grp);
  SELECT p.secret INTO k FROM {PRIVATE}.package_key p;
  RETURN ARRAY(SELECT public.branch_report_hmac(k, session_user || E'\\n' || t.part)
               FROM unnest(parts) WITH ORDINALITY AS t(part, n) ORDER BY t.n);
END $$;

CREATE FUNCTION public.branch_report_package_check(package text, sender text, parts text[], macs text[])
RETURNS boolean[] LANGUAGE plpgsql SECURITY DEFINER STABLE SET search_path = pg_catalog AS $$
DECLARE k text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {PRIVATE}.package p WHERE p.id = package AND p.made_by = sender) THEN
    RETURN NULL;                      -- not a package this database issued to that login
  END IF;
  SELECT p.secret INTO k FROM {PRIVATE}.package_key p;
  RETURN ARRAY(SELECT coalesce(t.mac = public.branch_report_hmac(k, sender || E'\\n' || t.part), false)
               FROM unnest(parts, macs) WITH ORDINALITY AS t(part, mac, n) ORDER BY t.n);
END $$;

CREATE FUNCTION public.branch_report_package_group(package text) RETURNS TABLE (branch text, grp text)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog AS $$
  SELECT p.branch_code, p.group_name FROM {PRIVATE}.package p WHERE p.id = $1
$$;

CREATE FUNCTION public.branch_report_int(t text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^[0-9]{{1,9}}$' THEN t::integer END
$$;

-- may the login write what a change-log row is about? (keys: app/core/keys.py)
CREATE FUNCTION public.branch_report_log_allowed(entity text, key text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(CASE
    WHEN key LIKE 'batch/%' THEN EXISTS (SELECT 1 FROM public.import_batch b
        WHERE b.id = public.branch_report_int(pg_catalog.split_part(key, '/', 2)) AND b.imported_by = current_user)
    WHEN entity = 'monthly_value' THEN public.branch_report_may_indicator(pg_catalog.split_part(key, '/', 1),
                                                                          pg_catalog.split_part(key, '/', 4))
    WHEN entity = 'year_value' THEN public.branch_report_may_indicator(pg_catalog.split_part(key, '/', 1),
                                                                       pg_catalog.split_part(key, '/', 3))
    WHEN entity IN ('quarterly_status', 'item_indicator') THEN
        public.branch_report_may_item(public.branch_report_int(pg_catalog.split_part(key, '/', 1)))
    WHEN entity = 'row_status' THEN public.branch_report_may_item((SELECT r.item_id FROM public.rated_row r
        WHERE r.id = public.branch_report_int(pg_catalog.split_part(key, '/', 1))))
    WHEN entity IN ('kpi_status', 'kpi') THEN
        public.branch_report_may_kpi(public.branch_report_int(pg_catalog.split_part(key, '/', 1)))
  END, false)
$$;

CREATE FUNCTION public.branch_report_log_appended() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF NOT public.branch_report_is_admin()
     AND EXISTS (SELECT 1 FROM new_rows n WHERE NOT public.branch_report_log_allowed(n.entity, n.key)) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'branch_report: a change-log row about what this login may not change';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER br_log_appended AFTER INSERT ON change_log REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.branch_report_log_appended();

-- a log line in the login's name written in this transaction (its own rows: visible and of a
-- transaction still in progress — another's in progress are not visible — ; age <= 0 first, so
-- that only transaction ids of this epoch are asked about)
CREATE FUNCTION public.branch_report_logged(entities text[], keys text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM public.change_log l
    WHERE l.key = ANY (keys) AND l.entity = ANY (entities) AND l.who = current_user::text
      AND CASE WHEN pg_catalog.age(l.xmin) <= 0 THEN pg_catalog.pg_xact_status(
            (((pg_catalog.pg_current_xact_id()::text::bigint >> 32) << 32) + l.xmin::text::bigint)::text::xid8)
            = 'in progress' ELSE false END)
$$;

CREATE FUNCTION public.branch_report_log_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'branch_report: the change log is only appended to';
END $$;
CREATE TRIGGER br_log_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON change_log
  FOR EACH STATEMENT EXECUTE FUNCTION public.branch_report_log_kept();

"""


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    secret = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'package_secret'")).scalar()
    conn.execute(sa.text(SQL))
    conn.execute(sa.text(f"INSERT INTO {PRIVATE}.package_key (secret) VALUES (:s)"),
                 {"s": secret or secrets.token_hex(32)})
    conn.execute(sa.text("DELETE FROM setting WHERE key = 'package_secret'"))
    for table, (column, always) in NAMED.items():
        own = f"NEW.{column} := current_user" if always else (
            "RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'branch_report: a row in the name of another login'")
        when = "" if always else (f" AND NEW.{column} IS DISTINCT FROM current_user::text"
                                  f" AND (TG_OP = 'INSERT' OR NEW.{column} IS DISTINCT FROM OLD.{column})")
        conn.execute(sa.text(f"""
CREATE FUNCTION public.branch_report_{table}_own_name() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  IF NEW.{column} IS NOT NULL{when} THEN {own}; END IF;
  RETURN NEW;
END $$"""))
        conn.execute(sa.text(f"CREATE TRIGGER br_own_name BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                             f"EXECUTE FUNCTION public.branch_report_{table}_own_name()"))
    for table, (entities, keys) in LOGGED.items():
        conn.execute(sa.text(f"""
CREATE FUNCTION public.branch_report_{table}_logged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF NOT public.branch_report_logged(ARRAY[{", ".join(f"'{e}'" for e in entities)}], ARRAY[{", ".join(keys)}]) THEN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'branch_report: a change of {table} not in the change log';
  END IF;
  RETURN NULL;
END $$"""))
        conn.execute(sa.text(
            f"CREATE CONSTRAINT TRIGGER br_logged AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY "
            f"DEFERRED FOR EACH ROW WHEN (NOT public.branch_report_is_admin()) "
            f"EXECUTE FUNCTION public.branch_report_{table}_logged()"))
    conn.execute(sa.text("DROP POLICY IF EXISTS br_package ON setting"))
    conn.execute(sa.text(
        f"CREATE POLICY br_package ON setting FOR INSERT WITH CHECK ({_OWN_MARK} AND EXISTS (SELECT 1 FROM "
        "public.branch_report_package_group(pg_catalog.substr(key, 9)) g WHERE public.branch_report_may(g.branch, g.grp)))"))
    for fn in FUNCTIONS:
        conn.execute(sa.text(f"REVOKE ALL ON FUNCTION public.branch_report_{fn} FROM PUBLIC"))
        conn.execute(sa.text(f"GRANT EXECUTE ON FUNCTION public.branch_report_{fn} TO {USER}, {ADMIN}"))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    secret = conn.execute(sa.text(f"SELECT secret FROM {PRIVATE}.package_key")).scalar()
    conn.execute(sa.text("INSERT INTO setting (key, value) VALUES ('package_secret', :s)"), {"s": secret})
    conn.execute(sa.text("DROP POLICY IF EXISTS br_package ON setting"))
    conn.execute(sa.text(f"CREATE POLICY br_package ON setting FOR INSERT WITH CHECK ({_OWN_MARK})"))
    for table in NAMED:
        conn.execute(sa.text(f"DROP TRIGGER br_own_name ON {table}"))
        conn.execute(sa.text(f"DROP FUNCTION public.branch_report_{table}_own_name()"))
    for table in LOGGED:
        conn.execute(sa.text(f"DROP TRIGGER br_logged ON {table}"))
        conn.execute(sa.text(f"DROP FUNCTION public.branch_report_{table}_logged()"))
    conn.execute(sa.text("DROP TRIGGER br_log_appended ON change_log"))
    conn.execute(sa.text("DROP TRIGGER br_log_kept ON change_log"))
    for fn in FUNCTIONS:
        conn.execute(sa.text(f"DROP FUNCTION public.branch_report_{fn}"))
    conn.execute(sa.text(f"DROP SCHEMA {PRIVATE} CASCADE"))
