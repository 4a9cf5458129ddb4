"""Create or update the application's runtime database role with least privileges (PostgreSQL).

    DATABASE_URL=postgres://app:...@host/db DATABASE_OWNER_URL=postgres://owner:...@host/db \
        manage.py setup_roles

The runtime role is DATABASE_URL's (or --runtime-url); the command connects as DATABASE_OWNER_URL's
role (or --owner-url; without either, as DATABASE_URL's connection, which must then be the owner's).
What the role gets is casework.dbroles'. Idempotent: run it after every migrate.
"""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from casework.dbroles import RoleSetupError, credentials, setup_runtime_role


class Command(BaseCommand):
    help = "Create or update the runtime database role with least privileges (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runtime-url", default="", help="the application's role (default: DATABASE_URL)"
        )
        parser.add_argument(
            "--owner-url", default="", help="the owner of the tables (default: DATABASE_OWNER_URL)"
        )

    def handle(self, *args, runtime_url: str, owner_url: str, **options):
        owner_url = owner_url or settings.DATABASE_OWNER_URL
        try:
            role, password = credentials(runtime_url or settings.DATABASES["default"])
            if owner_url:
                credentials(owner_url)
                with psycopg.connect(owner_url) as owner, owner.cursor() as cursor:
                    owner_name, database = setup_runtime_role(cursor, role, password)
            else:
                with transaction.atomic(), connection.cursor() as cursor:
                    owner_name, database = setup_runtime_role(cursor, role, password)
        except RoleSetupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Runtime role {role} on {database}: reads and writes rows, only adds to the audit trail and "
            f"the access log, owns nothing (owner: {owner_name})."
        )
