"""A broker outage delays notifications and never loses or doubles them (real Redis, real worker).

The test runs its own redis-server on a free port so that it can have it down and then up, points the
Celery app at it, and runs a real Celery worker in a thread of this process (the test database is
shared with it: transaction=True, so every transition really commits).

1. Broker down: transitions succeed; the relay cannot be woken (the error is logged) and their
   outbox messages wait, pending.
2. Broker up: the next transition's wake-up and the periodic relay (sent here as beat would) reach
   it, and a worker delivers everything; every acceptance notice is emailed exactly once, although
   the relay task is delivered three times more.

Needs REDIS_URL (CI sets it) and a redis-server binary; skipped otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from casework.models import OutboxMessage
from config.celery import app as celery_app
from notifications import relay
from notifications.models import Kind, Notification
from notifications.tasks import relay_outbox
from tests.factories import act, petitioner, register

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL to run the Redis broker test"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 30  # seconds for anything to happen; reached only if something is broken


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(condition, what: str, timeout: float = TIMEOUT) -> None:
    """Wait for something another process or thread brings about, polling; never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        threading.Event().wait(0.05)


@contextlib.contextmanager
def redis_server(port: int, workdir):
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def up() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        eventually(up, "redis-server answers", timeout=10)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def celery_broker(url: str):
    """Point the Celery app at `url` for the test, dropping connections pooled for the old broker."""
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": celery_app.conf.broker_transport_options,
        "task_acks_late": celery_app.conf.task_acks_late,
    }

    def reset_pools() -> None:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {"socket_connect_timeout": 2, "visibility_timeout": 3600}
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.update(saved)


def accept_one(org, n: int):
    received = timezone.localdate() - timedelta(days=2)
    case = register(
        org.commune,
        org.reception,
        received_at=received,
        petitioners=[petitioner(n, email=f"citizen{n}@example.vn")],
    )
    case = act(case, "review", org.reception)
    return act(case, "accept", org.head)


def queue_drained(client: redis.Redis) -> bool:
    # Nothing waiting in the "celery" list, nothing delivered but unacknowledged (acks_late).
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_broker_outage_delays_notifications_and_delivers_each_exactly_once(org, tmp_path, caplog):
    port = free_port()
    with celery_broker(f"redis://127.0.0.1:{port}/0"):
        # 1. The broker is down.
        started = time.monotonic()
        cases = [accept_one(org, n) for n in range(1, 4)]
        assert time.monotonic() - started < TIMEOUT / 2  # a dead broker does not hold transitions
        assert all(c.state == "accepted" for c in cases)
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        assert pending.filter(topic="case.accept").count() == 3
        assert "Broker unreachable" in caplog.text
        assert mail.outbox == []

        # 2. The broker comes up: the next transition's wake-up reaches it at once, as does the periodic
        #    relay (sent here as beat would) and the same relay task delivered twice more.
        with redis_server(port, tmp_path) as client:
            cases.append(accept_one(org, 4))
            assert client.llen("celery") >= 1
            for _tick in range(3):
                relay_outbox.apply_async()
            # A worker takes them. The test does not touch the database while it runs: SQLite's shared
            # in-memory test database locks whole tables between connections.
            with start_worker(
                celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
            ):
                eventually(
                    lambda: len(mail.outbox) >= 4 and queue_drained(client),
                    "the worker has run every task and sent the emails",
                )
        relay.relay()  # one more pass, for good measure: it finds nothing to do

    emailed = sorted(to for m in mail.outbox for to in m.to)
    assert emailed == [f"citizen{n}@example.vn" for n in range(1, 5)]
    assert Notification.objects.filter(kind=Kind.ACCEPTANCE_NOTICE).count() == 4
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
