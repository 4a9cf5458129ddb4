"""Celery tasks of the notifications app. Each is idempotent: a redelivered task sends nothing twice."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import relay


@shared_task(
    name="notifications.relay_outbox",
    autoretry_for=(DatabaseError,),  # e.g. "database is locked": try again shortly, backing off
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def relay_outbox() -> dict[str, int]:
    """Fan out pending outbox messages and deliver what is due (run on commit and by beat)."""
    return relay.relay().as_dict()
