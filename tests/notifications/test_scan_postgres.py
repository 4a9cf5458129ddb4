"""Two deadline scans at the same moment on PostgreSQL write one alert.

The first scan inserts its reminder and holds its transaction open; the second scan, reading the same
running clocks, reaches the insert of the same dedup key and blocks on the first one's row. When the
first commits, the second's INSERT ... ON CONFLICT DO NOTHING inserts nothing. A Python
"exists? then insert" check would have seen no row and failed (or duplicated without the constraint).
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from casework.models import OutboxMessage
from tests.helpers import accepted_on
from workflows import scan

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set TEST_DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 20  # seconds; reached only if something is broken


class Scanner(threading.Thread):
    def __init__(self, before_commit: threading.Event | None = None):
        super().__init__(daemon=True)
        self.before_commit = before_commit
        self.inserted = threading.Event()
        self.backend_pid: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.backend_pid = connection.connection.info.backend_pid
            with transaction.atomic():
                scan.scan_deadlines()
                self.inserted.set()
                if self.before_commit is not None:
                    assert self.before_commit.wait(TIMEOUT), "never released"
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()


def _blocked(pid: int | None) -> bool:
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [pid])
        return cursor.fetchone()[0] > 0


def test_two_concurrent_scans_write_one_alert(org, frozen_today):
    accepted_on(org, frozen_today, date(2026, 1, 16))  # due 23/2/2026, reminder on 11/2
    frozen_today(date(2026, 2, 11))
    release = threading.Event()
    first, second = Scanner(before_commit=release), Scanner()

    first.start()
    assert first.inserted.wait(TIMEOUT)
    second.start()
    deadline = time.monotonic() + TIMEOUT
    while not _blocked(second.backend_pid):  # the second scan waits on the first one's uncommitted row
        assert time.monotonic() < deadline, "the second scan never reached the insert"
        threading.Event().wait(0.005)
    release.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)

    assert first.error is None and second.error is None, (first.error, second.error)
    assert OutboxMessage.objects.filter(topic="deadline.reminder").count() == 1
