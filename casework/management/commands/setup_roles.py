"""Give the application's runtime database role only what it needs (PostgreSQL).

    DATABASE_URL=postgres://owner:...@host/db RUNTIME_DATABASE_URL=postgres://app:...@host/db \
        manage.py setup_roles

Run as the role that owns the tables (the one that runs migrations; docker/entrypoint.sh's `migrate`
does both). The runtime role named in RUNTIME_DATABASE_URL (or --runtime-url) is created if missing,
its password set from that URL, and it gets SELECT, INSERT, UPDATE and DELETE on every table and the
use of every sequence, now and (default privileges) for tables the owner creates later; on the
append-only tables only SELECT and INSERT. It owns nothing, so it cannot TRUNCATE, ALTER or DROP a
table, disable or drop the append-only triggers, or replace their function. Idempotent: run it after
every migrate (a new append-only table loses UPDATE and DELETE then).
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

# The audit trail and the personal-data access log are append-only by trigger (casework migration
# 0003); identity corrections are append-only in the model. The runtime role only adds rows to them.
APPEND_ONLY_TABLES = ("casework_caseevent", "casework_accesslog", "casework_partycorrection")


def runtime_credentials(url: str) -> tuple[str, str]:
    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("The runtime URL must be a postgres:// URL.")
    if not parsed.get("USER"):
        raise CommandError("The runtime URL names no role.")
    return parsed["USER"], parsed.get("PASSWORD") or ""


def run(cursor, statement: sql.Composable) -> None:
    # Utility statements take no bind parameters: compose them with quoted identifiers and literals.
    cursor.execute(statement.as_string(cursor.connection))


class Command(BaseCommand):
    help = "Create or update the runtime database role with least privileges (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runtime-url",
            default=os.environ.get("RUNTIME_DATABASE_URL", ""),
            help="postgres:// URL the application connects with (default: $RUNTIME_DATABASE_URL)",
        )

    def handle(self, *args, runtime_url: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles apply to PostgreSQL only; SQLite has none.")
        if not runtime_url:
            raise CommandError("Give the runtime role's URL: --runtime-url or RUNTIME_DATABASE_URL.")
        role, password = runtime_credentials(runtime_url)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"The runtime role {role!r} is the role running this command (the owner): give the "
                    "application a role of its own in DATABASE_URL and the owner in DATABASE_OWNER_URL."
                )
            self.ensure_role(cursor, role, password)
            self.refuse_if_owner(cursor, role)
            self.grant(cursor, role, database)
        self.stdout.write(
            f"Runtime role {role}: DML on the tables of {database}, SELECT and INSERT only on "
            f"{', '.join(APPEND_ONLY_TABLES)}; owner {owner}."
        )

    def ensure_role(self, cursor, role: str, password: str) -> None:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        name = sql.Identifier(role)
        if row is None:
            run(cursor, sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password or None)))
            return
        if any(row):
            raise CommandError(
                f"The runtime role {role!r} may create roles or databases or is a superuser; "
                "it must be an ordinary login role."
            )
        if password:
            run(cursor, sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))

    def refuse_if_owner(self, cursor, role: str) -> None:
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
            raise CommandError(
                f"The runtime role {role!r} owns {', '.join(owned)}...: it was used to run migrations. "
                f"Run `REASSIGN OWNED BY {role} TO <owner>` as a superuser, then this command again."
            )

    def grant(self, cursor, role: str, database: str) -> None:
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
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(name),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(name),
        ]
        for table in APPEND_ONLY_TABLES:
            statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), name))
        for statement in statements:
            run(cursor, statement)
