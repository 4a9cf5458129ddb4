"""Celery tasks of the notifications app. Each is idempotent: a redelivered task sends nothing twice."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import hooks, relay, wakeup
from .planning import conf


@shared_task(
    name="notifications.relay_outbox",
    autoretry_for=(DatabaseError,),  # e.g. "database is locked": try again shortly, backing off
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def relay_outbox() -> dict[str, int]:
    """Fan out pending outbox messages and deliver what is due (woken after commits, and run by beat)."""
    wakeup.taken()  # before reading the outbox: what commits from now on wakes the relay again
    result = relay.relay()
    if result.messages + result.message_failures >= conf("BATCH_SIZE"):
        hooks.schedule_relay()  # a full batch: more may be waiting, go round again now
    return result.as_dict()
