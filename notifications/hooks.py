"""Wake the relay when an outbox message commits.

The transition that wrote the message has committed by the time this runs, so nothing here can undo
or fail it: if the broker cannot be reached the error is logged and the message waits, pending, for
the periodic relay (beat) to pick it up.
"""

from __future__ import annotations

import logging

from django.db import transaction

from casework.models import OutboxMessage

logger = logging.getLogger(__name__)


def schedule_relay() -> None:
    from .tasks import relay_outbox

    try:
        # Fail fast: one connection attempt, no publish retries, so that a web request is not held for
        # seconds while the broker is down (kombu would otherwise retry until its connect timeout).
        with relay_outbox.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            relay_outbox.apply_async(retry=False, connection=conn)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); the periodic relay will deliver the outbox later.", exc)


def _already_scheduled(using: str | None) -> bool:
    pending = getattr(transaction.get_connection(using), "run_on_commit", [])
    return any(len(entry) > 1 and entry[1] is schedule_relay for entry in pending)


def outbox_saved(sender, instance: OutboxMessage, created: bool, raw: bool = False, using=None, **kwargs):
    if raw or not created or instance.status != OutboxMessage.Status.PENDING:
        return
    if _already_scheduled(using):  # one wake-up per transaction is enough
        return
    transaction.on_commit(schedule_relay, using=using)
