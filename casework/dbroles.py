"""Two database roles on PostgreSQL: the owner of the tables runs migrations and restores backups; the
application connects as a runtime role that owns nothing and may only read and write rows.

The runtime role gets SELECT, INSERT, UPDATE and DELETE on every table and the use of every sequence,
now and (default privileges) on tables the owner creates later, and only SELECT and INSERT on the
append-only tables. Owning nothing, it cannot TRUNCATE, ALTER or DROP a table, disable or drop the
append-only triggers or replace their function (casework migration 0003), whatever the application
is made to run. `manage.py setup_roles` applies this; docker/entrypoint.sh's `migrate` runs it after
every migration.
"""

from __future__ import annotations

import dj_database_url
from psycopg import sql

# Append-only by trigger (casework migrations 0003 and 0009, documents 0003): the audit trail, the
# personal-data access log, the identity corrections and the issued documents. The runtime role only
# reads and adds rows there.
APPEND_ONLY_TABLES = (
    "casework_caseevent",
    "casework_accesslog",
    "casework_partycorrection",
    "documents_document",
)


class RoleSetupError(Exception):
    pass


def credentials(url_or_settings: str | dict) -> tuple[str, str]:
    """(role, password) from a postgres:// URL or a Django DATABASES entry."""
    parsed = dj_database_url.parse(url_or_settings) if isinstance(url_or_settings, str) else url_or_settings
    if parsed["ENGINE"] != "django.db.backends.postgresql":
        raise RoleSetupError("Database roles apply to PostgreSQL only.")
    if not parsed.get("USER"):
        raise RoleSetupError("The database URL names no role.")
    return parsed["USER"], parsed.get("PASSWORD") or ""


def _run(cursor, statement: sql.Composable) -> None:
    # Utility statements take no bind parameters: compose them with quoted identifiers and literals.
    cursor.execute(statement.as_string(cursor.connection))


def setup_runtime_role(cursor, role: str, password: str) -> tuple[str, str]:
    """Create or update `role` and grant it the runtime privileges, through `cursor` connected as the
    owner of the tables (in a transaction). Returns (owner, database)."""
    cursor.execute("SELECT current_user, current_database()")
    owner, database = cursor.fetchone()
    if role == owner:
        raise RoleSetupError(
            f"The runtime role {role!r} is the role running this (the owner of the tables): give the "
            "application a role of its own in DATABASE_URL and the owner in DATABASE_OWNER_URL."
        )
    _ensure_role(cursor, role, password)
    _refuse_if_owner(cursor, role)
    _grant(cursor, role, database)
    return owner, database


def _ensure_role(cursor, role: str, password: str) -> None:
    cursor.execute("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    name = sql.Identifier(role)
    if row is None:
        _run(cursor, sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password or None)))
        return
    if row[0]:
        raise RoleSetupError(
            f"The runtime role {role!r} is a superuser or may create roles or databases; "
            "it must be an ordinary login role."
        )
    if password:
        _run(cursor, sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))


def _refuse_if_owner(cursor, role: str) -> None:
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
         WHERE r.rolname = %s AND c.relnamespace = 'public'::regnamespace
        UNION ALL
        SELECT p.proname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
         WHERE r.rolname = %s AND p.pronamespace = 'public'::regnamespace
        LIMIT 5
        """,
        [role, role],
    )
    owned = [r[0] for r in cursor.fetchall()]
    if owned:
        raise RoleSetupError(
            f"The runtime role {role!r} owns {', '.join(owned)}...: it was used to run migrations. "
            f"Run `REASSIGN OWNED BY {role} TO <owner>` as a superuser, then this again."
        )


def _grant(cursor, role: str, database: str) -> None:
    name = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        # Nobody but the owner creates objects in the schema (PostgreSQL < 15 let everyone).
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC, {}").format(name),
        # From a clean slate each run: no TRUNCATE, REFERENCES or TRIGGER, whatever was granted before.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(name),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
        # Tables a later migration creates (run by this owner) are usable at once.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(name),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            name
        ),
    ]
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), name)
        for table in APPEND_ONLY_TABLES
    ]
    for statement in statements:
        _run(cursor, statement)
