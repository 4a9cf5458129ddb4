"""Reports, the dashboard, the overdue board and exports read from a real PostgreSQL streaming replica;
writes never go there (`make test-replica`: bin/replica.sh starts the replica, CI runs it).

The `reports` alias is a test mirror of `default` (config/settings/test.py): it keeps the replica's port
and takes the test database's name, which physical replication brings over from the primary — Django
creates and drops nothing on the replica. Data is committed (transactional tests) and each test waits
until the replica has replayed the primary's WAL up to that point, with a deadline.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import InternalError, NotSupportedError, OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.choices import CaseState as S
from casework.models import AccessLog, Case
from casework.replica import REPORTS, reading_reports
from tests.helpers import crew, new_case
from workflows.service import perform_action

pytestmark = [
    pytest.mark.replica,
    pytest.mark.postgres,
    pytest.mark.skipif(
        REPORTS not in connections.settings,
        reason="needs a streaming replica: set TEST_DATABASE_URL and TEST_REPLICA_DATABASE_URL "
        "(make test-replica)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", REPORTS]),
]

TIMEOUT = 30  # seconds; only reached if replication is broken
REPORT_TABLES = ('"casework_case"', '"casework_deadline"', '"casework_visit"')


def replica_caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with connections[REPORTS].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
        except OperationalError:  # the test database itself is not on the replica yet
            connections[REPORTS].close()
        if time.monotonic() > deadline:
            pytest.fail(f"the replica did not replay up to {target} within {TIMEOUT} s")
        time.sleep(0.05)


def touching_report_tables(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in REPORT_TABLES)]


def is_read(sql: str) -> bool:
    sql = sql.lstrip().upper()
    # .iterator() (a form's choices) reads through a server-side cursor: DECLARE ... CURSOR FOR SELECT.
    return sql.startswith(("SELECT", "WITH")) or (sql.startswith("DECLARE") and " CURSOR " in sql)


class Reads:
    """The queries of one request, per connection."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPORTS]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def assert_figures_from_replica(self) -> None:
        assert touching_report_tables(self.replica), "no report query went to the replica"
        assert all(is_read(q["sql"]) for q in self.replica.captured_queries), [
            q["sql"] for q in self.replica.captured_queries if not is_read(q["sql"])
        ]
        assert touching_report_tables(self.primary) == []


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def resolution_report(client, date_from, date_to):
    response = client.get(
        reverse("api:report-resolution-rates"),
        {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "compare": "false"},
    )
    assert response.status_code == 200, response.content
    return response


def test_a_report_reads_on_the_replica_what_the_primary_committed(org):
    today = timezone.localdate()
    for _ in range(3):
        new_case(org, received_at=today)
    replica_caught_up()
    # The `reports` connection reaches a hot standby, on its own port, holding the test database.
    with connections[REPORTS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
        in_recovery, name, port = cursor.fetchone()
    assert in_recovery and name == connections["default"].settings_dict["NAME"]
    assert port == int(connections[REPORTS].settings_dict["PORT"])
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (False, int(connections["default"].settings_dict["PORT"]))
    client = token_client(org.monitor)

    with Reads() as reads:
        first = resolution_report(client, today - timedelta(days=30), today).json()
    reads.assert_figures_from_replica()
    assert first["totals"]["received"] == 3

    new_case(org, received_at=today)  # committed on the primary, streamed to the replica
    replica_caught_up()
    with Reads() as reads:
        second = resolution_report(client, today - timedelta(days=30), today).json()
    reads.assert_figures_from_replica()
    assert second["totals"]["received"] == 4


def test_exports_dashboard_board_and_reception_book_read_on_the_replica(org, client):
    today = timezone.localdate()
    new_case(org, received_at=today - timedelta(days=3))
    replica_caught_up()

    with Reads() as reads:
        response = token_client(org.monitor).get(
            reverse("api:report-overdue"), {"format": "xlsx", "as_of": today.isoformat()}
        )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    reads.assert_figures_from_replica()

    client.force_login(org.monitor)
    for url, query in (
        (reverse("monitor-dashboard"), {"period_kind": "year", "year": today.year}),
        (reverse("workspace:board"), {}),
    ):
        with Reads() as reads:
            response = client.get(url, query)
        assert response.status_code == 200, url
        reads.assert_figures_from_replica()

    # The book is read on the replica; its access-log row is written on the primary.
    logged = AccessLog.objects.count()
    with Reads() as reads:
        response = client.get(
            reverse("reception-book"),
            {"unit": org.commune.pk, "date_from": today.replace(day=1), "date_to": today, "format": "csv"},
        )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    reads.assert_figures_from_replica()
    assert AccessLog.objects.count() == logged + 1
    assert [q for q in reads.primary.captured_queries if '"casework_accesslog"' in q["sql"]]


def test_writes_in_the_reading_scope_go_to_the_primary_and_the_replica_refuses_them(org):
    case = new_case(org, received_at=timezone.localdate())
    reception = crew(org, case.unit).reception
    replica_caught_up()

    with reading_reports(), Reads() as reads:
        seen_on_replica = Case.objects.get(pk=case.pk)
        changed = perform_action(case_id=case.pk, action="review", actor=reception, version=case.version)
        # A row read on the replica goes into a new row on the primary (one database, two connections).
        AccessLog.objects.create(
            user=reception, kind=AccessLog.Kind.EXPORT, channel="export", detail="t", case=seen_on_replica
        )

    assert seen_on_replica._state.db == REPORTS and seen_on_replica.state == S.RECEIVED
    assert changed.state == S.UNDER_REVIEW and changed._state.db == "default"
    # The transition locked and read the case on the primary: the replica served only the first read.
    assert all(is_read(q["sql"]) for q in reads.replica.captured_queries)
    assert len([q for q in reads.replica.captured_queries if '"casework_case"' in q["sql"]]) == 1
    assert any("FOR UPDATE" in q["sql"] for q in reads.primary.captured_queries)
    assert Case.objects.get(pk=case.pk).state == S.UNDER_REVIEW
    assert AccessLog.objects.filter(case=case, detail="t").exists()

    replica_caught_up()
    assert Case.objects.using(REPORTS).get(pk=case.pk).state == S.UNDER_REVIEW

    # A write sent to the replica on purpose fails.
    with pytest.raises(InternalError, match="read-only transaction"):
        Case.objects.using(REPORTS).filter(pk=case.pk).update(summary="changed on the replica")
    # Not only the read-only sessions the settings open: the server itself, being in recovery, refuses.
    with (
        pytest.raises(NotSupportedError, match="during recovery"),
        transaction.atomic(using=REPORTS),
        connections[REPORTS].cursor() as cursor,
    ):
        cursor.execute("SET TRANSACTION READ WRITE")
    assert Case.objects.get(pk=case.pk).summary != "changed on the replica"
