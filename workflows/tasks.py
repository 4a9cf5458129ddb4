"""Celery tasks of the engine, run by beat (schedule: CELERY_BEAT_SCHEDULE, from NOTIFICATIONS)."""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django.db import DatabaseError

from . import scan

logger = logging.getLogger(__name__)


def _wake_relay() -> None:
    """Deliver the alerts now rather than at the next periodic relay; by name, so that workflows does
    not import notifications. A broker error only delays them."""
    try:
        current_app.send_task("notifications.relay_outbox", retry=False)
    except Exception as exc:
        logger.warning("Could not wake the relay (%s); the periodic relay will pick the alerts up.", exc)


@shared_task(
    name="workflows.scan_deadlines",
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def scan_deadlines() -> dict[str, int]:
    result = scan.scan_deadlines()
    _wake_relay()
    return result.as_dict()


@shared_task(
    name="workflows.daily_digest",
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def daily_digest() -> int:
    count = scan.build_daily_digests()
    _wake_relay()
    return count
