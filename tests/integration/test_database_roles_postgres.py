"""The application's runtime database role cannot erase or unprotect the audit trail (PostgreSQL).

`manage.py setup_roles`, run as the owner of the tables, gives the runtime role DML on the tables and
only SELECT and INSERT on the append-only ones. Connected as that role, TRUNCATE, disabling or dropping
the append-only trigger and replacing its function are all refused, while a transition (the
application's ordinary work) goes through.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import date

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors

from casework.models import AccessLog, CaseEvent, PartyCorrection
from casework.services import correct_party
from tests.factories import act, register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL-only"),
    pytest.mark.django_db(transaction=True),
]

TAMPERING = {
    "truncate": "TRUNCATE casework_caseevent CASCADE",
    "disable trigger": "ALTER TABLE casework_caseevent DISABLE TRIGGER casework_caseevent_append_only",
    "disable all triggers": "ALTER TABLE casework_accesslog DISABLE TRIGGER ALL",
    "drop trigger": "DROP TRIGGER casework_caseevent_append_only ON casework_caseevent",
    "replace function": (
        "CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
    ),
    "drop table": "DROP TABLE casework_accesslog",
    "update the audit trail": "UPDATE casework_caseevent SET note = 'rewritten'",
    "delete a correction": "DELETE FROM casework_partycorrection",
    "create a table": "CREATE TABLE casework_shadow (id int)",
}


@pytest.fixture
def runtime_role():
    """A runtime role of this test database's own (roles are cluster-wide), dropped afterwards."""
    owner = connection.settings_dict
    role = f"{owner['NAME']}_runtime"[:63]
    password = secrets.token_hex(12)
    url = (
        f"postgres://{role}:{password}@{owner['HOST'] or '127.0.0.1'}:{owner['PORT'] or 5432}/{owner['NAME']}"
    )
    try:
        call_command("setup_roles", runtime_url=url)
        yield {"role": role, "password": password, "url": url}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextlib.contextmanager
def django_connected_as(role: dict):
    """Django's own connection logged in as `role` for the block (then the owner again)."""
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=role["role"], PASSWORD=role["password"])
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_the_runtime_role_cannot_erase_or_unprotect_the_audit_trail(
    org, frozen_today, runtime_role, statement
):
    frozen_today(date(2026, 3, 10))
    act(register(org.commune, org.reception, received_at=date(2026, 3, 2)), "review", org.reception)
    events = CaseEvent.objects.count()

    with psycopg.connect(runtime_role["url"]) as runtime, pytest.raises(errors.InsufficientPrivilege):
        runtime.execute(statement)

    assert CaseEvent.objects.count() == events == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'casework_caseevent_append_only'")
        assert cursor.fetchall() == [("O",)]  # still there, still enabled


def test_the_runtime_role_does_the_applications_work(org, frozen_today, runtime_role):
    frozen_today(date(2026, 3, 10))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))

    with django_connected_as(runtime_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (runtime_role["role"],)
        case = act(case, "review", org.reception)
        case = act(case, "accept", org.head)
        correct_party(
            party=case.case_parties.get().party, actor=org.reception, changes={"phone": "0988"}, reason="CCCD"
        )
        AccessLog.objects.create(user=org.head, kind=AccessLog.Kind.PERSONAL_DATA_READ, channel="test")

    assert case.state == "accepted"
    assert CaseEvent.objects.filter(case=case).count() == 3
    assert PartyCorrection.objects.count() == AccessLog.objects.count() == 1


def test_setup_roles_refuses_a_runtime_role_that_is_the_owner(runtime_role):
    owner = connection.settings_dict
    url = f"postgres://{owner['USER']}:x@127.0.0.1/{owner['NAME']}"
    with pytest.raises(Exception, match="is the role running this"):
        call_command("setup_roles", runtime_url=url)
    call_command("setup_roles", runtime_url=runtime_role["url"])  # and runs again without harm
