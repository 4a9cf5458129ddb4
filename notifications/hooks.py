"""Wake the relay when an outbox message commits.

The transition that wrote the message has committed by the time this runs, so nothing here can undo
or fail it: if the broker cannot be reached the error is logged and the message waits, pending, for
the periodic relay (beat) to pick it up.
"""

from __future__ import annotations

import logging

from django.db import transaction

from casework.models import OutboxMessage

from . import wakeup

logger = logging.getLogger(__name__)


def _queue_empty(conn) -> bool:
    from .tasks import relay_outbox

    queue = relay_outbox.app.conf.task_default_queue
    try:
        return conn.default_channel.queue_declare(queue=queue, passive=True).message_count == 0
    except Exception:  # the queue does not exist yet
        return True


def schedule_relay() -> None:
    """Wake the relay, unless a wake-up is already pending (notifications.wakeup)."""
    from .tasks import relay_outbox

    try:
        claimed = wakeup.claim()
    except Exception as exc:  # the flag is an optimisation: without it, wake up as before
        logger.warning("Relay wake-up flag unavailable (%s); waking the relay anyway.", exc)
        claimed = "new"
    if claimed is None:
        return
    try:
        # Fail fast: one connection attempt, no publish retries, so that a web request is not held for
        # seconds while the broker is down (kombu would otherwise retry until its connect timeout).
        with relay_outbox.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            if claimed == "stale" and not _queue_empty(conn):
                return  # no worker has taken what is queued: one more message would only pile up
            relay_outbox.apply_async(retry=False, connection=conn)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); the periodic relay will deliver the outbox later.", exc)
        wakeup.release()


def _already_scheduled(using: str | None) -> bool:
    pending = getattr(transaction.get_connection(using), "run_on_commit", [])
    return any(len(entry) > 1 and entry[1] is schedule_relay for entry in pending)


def outbox_saved(sender, instance: OutboxMessage, created: bool, raw: bool = False, using=None, **kwargs):
    if raw or not created or instance.status != OutboxMessage.Status.PENDING:
        return
    if _already_scheduled(using):  # one wake-up per transaction is enough
        return
    transaction.on_commit(schedule_relay, using=using)
