"""Relay wake-ups without a worker: the file-system broker's queue (the default broker, var/broker/queue)
holds at most one, however many transitions commit; a wake-up lost from the queue is sent again once
it is stale. The Celery app is pointed at a queue folder of the test's own; every transition commits
(transaction=True), as in production."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from notifications import tasks, wakeup
from notifications.models import RelayWakeup
from tests.factories import act, register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sql]


@contextlib.contextmanager
def filesystem_broker(folder: Path):
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }

    def reset_pools() -> None:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    (folder / "processed").mkdir()
    celery_app.conf.broker_url = "filesystem://"
    celery_app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.update(saved)


def queued(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.msg"))


def stale_and_due_for_a_check(monkeypatch, settings) -> None:
    """The pending wake-up was sent longer ago than WAKEUP_REARM_SECONDS, and this process has not looked
    for a stale one lately."""
    age = timedelta(seconds=settings.NOTIFICATIONS["WAKEUP_REARM_SECONDS"] + 1)
    RelayWakeup.objects.update(requested_at=timezone.now() - age)
    monkeypatch.setattr(wakeup, "_last_stale_check", float("-inf"))


def test_without_a_worker_many_commits_queue_one_wakeup(org, frozen_today, tmp_path, monkeypatch, settings):
    frozen_today(date(2026, 3, 20))
    tasks.relay_outbox()  # nothing pending to begin with
    with filesystem_broker(tmp_path):
        for _ in range(5):
            case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
            act(case, "review", org.reception)
        assert len(queued(tmp_path)) == 1  # ten commits

        # Long after, still not taken: sending another would only pile up behind it.
        stale_and_due_for_a_check(monkeypatch, settings)
        act(case, "accept", org.head)
        assert len(queued(tmp_path)) == 1

        # The queued one is lost (the queue emptied with nobody relaying): the stale wake-up goes again.
        for message in queued(tmp_path):
            message.unlink()
        stale_and_due_for_a_check(monkeypatch, settings)
        act(case, "start_verification", org.head, handler=org.handler.pk)
        assert len(queued(tmp_path)) == 1
        assert wakeup.pending()


def test_a_worker_taking_the_wakeup_lets_the_next_commit_send_one(org, frozen_today, tmp_path):
    frozen_today(date(2026, 3, 20))
    tasks.relay_outbox()
    with filesystem_broker(tmp_path):
        case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
        case = act(case, "review", org.reception)
        assert len(queued(tmp_path)) == 1
        # A worker takes it: the message leaves the queue and the task runs.
        for message in queued(tmp_path):
            message.unlink()
        tasks.relay_outbox()
        assert not wakeup.pending()

        act(case, "accept", org.head)
        assert len(queued(tmp_path)) == 1
