"""A Celery worker killed (SIGKILL) between delivering a notification and recording it, then
restarted: an in-app notification exists exactly once and an email is never sent twice.

Real worker processes (`celery -A config worker --pool solo`, the file-system broker in a temporary
VAR_DIR) share this test's PostgreSQL database; the test sends the relay task as beat would. Where each
kill lands is made certain, not timed:

- in-app: a notification is delivered by inserting its row, in the transaction that marks the outbox
  message sent. The test holds a SHARE lock on the notifications table, so the worker's INSERT waits
  inside that transaction; once PostgreSQL shows it waiting, the worker is killed. Its transaction
  never commits: the restarted worker delivers the message once.
- email: the mail server accepts the message (tests/notifications/stalling_mail.py writes it), then
  the worker freezes before recording the hand-off and is killed. The restarted worker finds the
  delivery left "sending" without a recorded hand-off and, since the mail may have left, marks it
  failed for an administrator to check rather than sending it again (at most once; README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from casework.models import OutboxMessage
from notifications import relay
from notifications.models import Channel, Kind, Notification
from tests.factories import act, petitioner, register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes share a PostgreSQL database"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 90  # seconds for anything to happen; reached only if something is broken


def eventually(condition, what: str, timeout: float = TIMEOUT):
    """Wait for what another process brings about, polling with a deadline; never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        threading.Event().wait(0.1)
    return result


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


class Workers:
    """Starts worker processes on one broker and mail folder; sends the relay task as beat does."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.mail_dir = var_dir / "mail"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": database_url(),
            "VAR_DIR": str(var_dir),
            "CELERY_BROKER_URL": "filesystem://",
            "EMAIL_BACKEND": "tests.notifications.stalling_mail.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "NOTIFY_STAFF_EMAIL": "0",  # staff: in-app only, so the in-app case is about in-app rows
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, **env: str) -> subprocess.Popen:
        log = self.var_dir / f"{name}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--hostname",
                f"{name}@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        eventually(lambda: process.poll() is not None or " ready." in log.read_text(), f"{name} is ready")
        assert process.poll() is None, log.read_text()[-3000:]
        return process

    def send_relay(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "config", "call", "notifications.relay_outbox"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )

    def mails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.log")) if self.mail_dir.is_dir() else []

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(TIMEOUT)
        assert process.returncode == -signal.SIGKILL

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def accepted(org, frozen_today, **person):
    frozen_today(date(2026, 3, 20))
    case = register(
        org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[petitioner(**person)]
    )
    case = act(case, "review", org.reception, on=date(2026, 3, 3))
    return act(case, "accept", org.head, on=date(2026, 3, 5))


def backend_waiting_on_a_lock(watcher: psycopg.Connection):
    return watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() "
        "AND query LIKE 'INSERT INTO \"notifications_notification\"%'"
    ).fetchone()


def relays_done(workers: Workers, name: str) -> int:
    log = (workers.var_dir / f"{name}.log").read_text()
    return sum("notifications.relay_outbox" in line and " succeeded " in line for line in log.splitlines())


def test_a_worker_killed_inside_the_in_app_delivery_leaves_it_to_the_restarted_worker_once(
    org, frozen_today, workers
):
    case = accepted(org, frozen_today)
    relay.relay()  # the acceptance's own notices, out of the way
    act(case, "start_verification", org.head, on=date(2026, 3, 6), handler=org.handler.pk)
    message = OutboxMessage.objects.get(topic="case.start_verification")

    # `watcher` polls in autocommit: inside a transaction pg_stat_activity is a snapshot that never moves.
    with (
        psycopg.connect(database_url()) as locker,
        psycopg.connect(database_url(), autocommit=True) as watcher,
    ):
        locker.execute("LOCK TABLE notifications_notification IN SHARE MODE")  # held until rollback
        first = workers.start("first")
        workers.send_relay()
        (backend,) = eventually(lambda: backend_waiting_on_a_lock(watcher), "the worker's INSERT waits")
        workers.kill(first)  # inside the delivery transaction: message claimed, rows not yet written
        locker.rollback()
        eventually(
            lambda: (
                not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()
            ),
            "PostgreSQL ends the dead worker's session",
        )

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING  # nothing of that transaction survived
    assert not Notification.objects.filter(outbox=message).exists()

    workers.start("second")
    workers.send_relay()
    eventually(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT,
        "the restarted worker relays the message",
    )
    delivered = Notification.objects.filter(outbox=message)
    assert list(delivered.values_list("recipient", "channel", "kind", "status")) == [
        (org.handler.pk, Channel.IN_APP, Kind.ASSIGNED, Notification.Status.SENT)
    ]


def test_a_worker_killed_after_the_mail_server_accepted_an_email_never_sends_it_again(
    org, frozen_today, workers
):
    accepted(org, frozen_today, email="dan@example.vn")
    message = OutboxMessage.objects.get(topic="case.accept")

    first = workers.start("first", MAIL_STALL_AFTER_SEND="1")
    workers.send_relay()
    eventually(workers.mails, "the mail server has the acceptance notice")
    workers.kill(first)

    notice = Notification.objects.get(outbox=message, kind=Kind.ACCEPTANCE_NOTICE)
    # Killed between the send and its record: claimed, handed off, but not recorded as such.
    assert (notice.channel, notice.status, notice.handed_off_at) == (Channel.EMAIL, "sending", None)

    # Restarted (the lease on "sending" shortened so the test need not wait 15 minutes).
    workers.start("second", NOTIFY_SENDING_LEASE_SECONDS="0")
    workers.send_relay()
    eventually(
        lambda: Notification.objects.get(pk=notice.pk).status != Notification.Status.SENDING,
        "the restarted worker settles the interrupted delivery",
    )
    workers.send_relay()  # and once more, as beat would a minute later
    eventually(
        lambda: "succeeded" in (workers.var_dir / "second.log").read_text().split("received")[-1],
        "the second relay has run",
    )

    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert "not resent automatically" in notice.last_error
    assert len(workers.mails()) == 1  # sent once, never twice
    assert "dan@example.vn" in workers.mails()[0].read_text()
