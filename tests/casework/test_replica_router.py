"""The database router behind REPORTS_DATABASE_URL (casework.replica), without a replica: writes and
migrations stay on `default`, reads only leave it inside `reading_reports()` when a `reports` alias
exists, and rows read there may be related to rows of the primary. The replica itself is exercised in
tests/integration/test_replica_postgres.py (`make test-replica`)."""

from __future__ import annotations

import pytest
from django.db import connections, router, transaction

from casework.models import AccessLog, Case, Unit
from casework.replica import REPORTS, ReportsRouter, reading_reports, reads_from_replica
from config.settings.base import reports_database


def test_writes_and_migrations_stay_on_the_primary_even_in_the_reading_scope():
    routes = ReportsRouter()
    with reading_reports():
        assert routes.db_for_write(Case) == "default"
        assert router.db_for_write(Case) == "default"
    assert routes.allow_migrate(REPORTS, "casework") is False
    assert routes.allow_migrate("default", "casework") is None


def test_without_a_reports_database_the_scope_reads_on_the_primary(db):
    assert REPORTS not in connections.settings  # the ordinary suite configures no replica
    with reading_reports():
        assert not reads_from_replica()
        assert router.db_for_read(Case) == "default"
        assert Case.objects.all().db == "default"


def test_the_scope_is_left_on_exit_and_on_error_and_works_as_a_decorator():
    from casework import replica

    @reading_reports()
    def inside() -> bool:
        return replica._reading_reports.get()

    assert inside() and not replica._reading_reports.get()
    with pytest.raises(ZeroDivisionError), reading_reports():
        1 / 0  # noqa: B018
    assert not replica._reading_reports.get()
    with reading_reports():
        with reading_reports():
            pass
        assert replica._reading_reports.get()  # an inner scope does not end the outer one


@pytest.fixture
def replica_alias(monkeypatch):
    """A `reports` alias in the settings: only routing decisions are looked at, no query is sent."""
    monkeypatch.setitem(connections.settings, REPORTS, connections.settings["default"])


def test_reads_in_the_scope_go_to_the_replica_and_back_to_the_primary_after_it(replica_alias):
    with reading_reports():
        assert router.db_for_read(Case) == REPORTS
    read_there = Case()
    read_there._state.db = REPORTS
    # Outside the scope, relations of a row read on the replica are read on the primary again.
    assert router.db_for_read(Unit, instance=read_there) == "default"


def test_reads_return_to_the_primary_inside_a_transaction(db, replica_alias):
    with reading_reports():
        # The test itself runs in a transaction (Django's TestCase), like a transition would.
        assert connections["default"].in_atomic_block
        assert not reads_from_replica()
        with transaction.atomic():
            assert ReportsRouter().db_for_read(Case) == "default"


def test_rows_read_on_the_replica_may_go_into_rows_of_the_primary():
    on_replica, on_primary = Unit(), AccessLog()
    on_replica._state.db, on_primary._state.db = REPORTS, "default"
    assert ReportsRouter().allow_relation(on_replica, on_primary) is True
    elsewhere = Unit()
    elsewhere._state.db = "archive"
    assert ReportsRouter().allow_relation(elsewhere, on_primary) is None


def test_the_reports_alias_opens_read_only_sessions_and_is_never_a_test_database_of_its_own():
    database = reports_database("postgres://u:p@replica.example:5433/tiepdan?sslmode=require")
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("replica.example", 5433, "tiepdan")
    assert database["OPTIONS"]["sslmode"] == "require"
    assert database["OPTIONS"]["options"] == "-c default_transaction_read_only=on"
    assert database["TEST"] == {"MIRROR": "default"}
