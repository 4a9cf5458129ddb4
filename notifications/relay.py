"""The transactional-outbox relay: outbox messages -> deliveries -> channels.

1. Fan-out. Pending outbox messages are claimed (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so
   concurrent relays split the work; SQLite serializes writers anyway) and each becomes Notification
   rows keyed "ob<message>:<recipient>:<channel>" (unique; inserted with ON CONFLICT DO NOTHING), in
   the same transaction that marks the message sent. In-app rows are delivered by existing.
2. Delivery. Each due delivery is claimed by a conditional UPDATE (pending -> sending), so a
   redelivered task or a second relay cannot send it again. Database channels (letters) write and
   mark sent in one transaction. Email records its hand-off on the row right after the mail server
   accepts it and checks that record first (channels.EmailChannel): a relay that crashes between
   the send and "mark sent" finds the record on its next run and only marks the row sent.
3. Failures. A failed attempt goes back to pending with an exponential backoff (factor * 2^(n-1)
   seconds, capped) and after MAX_ATTEMPTS becomes failed, with the error shown in the admin. A row
   left "sending" by a worker that died is settled after a lease: sent if the hand-off was recorded;
   otherwise failed for an administrator to check and requeue — never resent blindly, because the
   mail may have left in the instant before the worker died (at most once over at least once).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from celery.utils.time import get_exponential_backoff_interval
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from casework.models import OutboxMessage

from . import channels, planning, rendering
from .models import Channel, Notification

logger = logging.getLogger(__name__)

Status = Notification.Status


@dataclass
class RelayResult:
    messages: int = 0
    message_failures: int = 0
    deliveries_created: int = 0
    sent: int = 0
    failed: int = 0
    settled: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def conf(name: str):
    return planning.conf(name)


def backoff_seconds(attempts: int) -> int:
    return int(
        get_exponential_backoff_interval(
            factor=conf("RETRY_BACKOFF_SECONDS"),
            retries=max(attempts - 1, 0),
            maximum=conf("RETRY_BACKOFF_MAX_SECONDS"),
            full_jitter=False,
        )
    )


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


# --- Fan-out ----------------------------------------------------------------------------------------


def _build(message: OutboxMessage, planned: planning.Planned, now) -> Notification:
    subject, body = rendering.render(planned.kind, planned.language, planned.context)
    if planned.channel == Channel.LETTER:
        body = rendering.render_letter(planned.language, subject, body, planned.context)
    in_app = planned.channel == Channel.IN_APP
    return Notification(
        key=f"ob{message.pk}:{planned.recipient_key}:{planned.channel}",
        kind=planned.kind,
        channel=planned.channel,
        status=Status.SENT if in_app else Status.PENDING,
        sent_at=now if in_app else None,
        outbox=message,
        case_id=message.case_id,
        unit=planned.unit,
        recipient=planned.recipient,
        party=planned.party,
        address=planned.address,
        confidential=planned.confidential,
        language=planned.language,
        subject=subject,
        body=body,
        next_attempt_at=now,
    )


def expand(message: OutboxMessage) -> int:
    """Create the deliveries of one message and mark it sent; call inside a transaction."""
    now = timezone.now()
    rows = [_build(message, p, now) for p in planning.plan(message)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )
    return len(rows)


def _claim_messages(limit: int) -> list[OutboxMessage]:
    qs = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs[:limit])


def fan_out(result: RelayResult, limit: int) -> None:
    with transaction.atomic():
        for message in _claim_messages(limit):
            try:
                with transaction.atomic():
                    result.deliveries_created += expand(message)
                result.messages += 1
            except Exception as exc:
                # One bad message must not hold back the others; it is retried on the next run.
                logger.exception("Outbox message %s could not be relayed", message.pk)
                result.message_failures += 1
                attempts = message.attempts + 1
                status = (
                    OutboxMessage.Status.FAILED
                    if attempts >= conf("MAX_ATTEMPTS")
                    else OutboxMessage.Status.PENDING
                )
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=attempts, last_error=_error_text(exc), status=status
                )


# --- Delivery ---------------------------------------------------------------------------------------


def _claim(notification_id: int, now) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _mark_sent(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _record_failure(notification_id: int, exc: BaseException) -> str:
    row = Notification.objects.filter(pk=notification_id).values("attempts").get()
    attempts = row["attempts"]
    now = timezone.now()
    if attempts >= conf("MAX_ATTEMPTS"):
        status, next_attempt = Status.FAILED, now
    else:
        status, next_attempt = Status.PENDING, now + timedelta(seconds=backoff_seconds(attempts))
    Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
        status=status, last_error=_error_text(exc), next_attempt_at=next_attempt
    )
    logger.warning(
        "Delivery %s failed (attempt %s): %s; %s",
        notification_id,
        attempts,
        exc,
        "giving up" if status == Status.FAILED else f"next attempt at {next_attempt:%Y-%m-%d %H:%M:%S}",
    )
    return status


def deliver(notification_id: int) -> str:
    """Send one delivery if it is due and nobody else has it; returns the resulting status, or
    "skipped" if there was nothing to do."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return "skipped"
    notification = Notification.objects.select_related("party").get(pk=notification_id)
    channel = channels.channel_for(notification.channel)
    try:
        if channel.external:
            channel.send(notification)
            _mark_sent(notification_id)
        else:
            with transaction.atomic():
                channel.send(notification)
                _mark_sent(notification_id)
    except Exception as exc:
        return _record_failure(notification_id, exc)
    return Status.SENT


def settle_stale(result: RelayResult) -> None:
    """Deliveries left "sending" by a worker that died mid-way (see the module docstring)."""
    cutoff = timezone.now() - timedelta(seconds=conf("SENDING_LEASE_SECONDS"))
    stale = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    for row in stale.values("pk", "channel", "handed_off_at", "message_id"):
        base = Notification.objects.filter(pk=row["pk"], status=Status.SENDING)
        if row["handed_off_at"] is not None:
            base.update(status=Status.SENT, sent_at=row["handed_off_at"], last_error="")
        elif not channels.channel_for(row["channel"]).external:
            base.update(status=Status.PENDING, next_attempt_at=timezone.now())  # nothing left the building
        else:
            base.update(
                status=Status.FAILED,
                last_error=(
                    "Interrupted while sending: it may or may not have reached the mail server, so it is not "
                    "resent automatically. Check the mail log for the delivery key, then requeue if needed."
                ),
            )
        result.settled += 1


def deliver_due(result: RelayResult, limit: int) -> None:
    ids = list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        outcome = deliver(pk)
        if outcome == Status.SENT:
            result.sent += 1
        elif outcome in (Status.FAILED, Status.PENDING):
            result.failed += 1


def relay(limit: int | None = None) -> RelayResult:
    """One relay pass: fan out pending outbox messages, settle stale sends, deliver what is due."""
    limit = limit or conf("BATCH_SIZE")
    result = RelayResult()
    fan_out(result, limit)
    settle_stale(result)
    deliver_due(result, limit)
    return result


def requeue(queryset: QuerySet[Notification]) -> int:
    """An administrator's retry of failed deliveries (after checking they did not go out)."""
    return queryset.filter(status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0, claimed_at=None
    )
