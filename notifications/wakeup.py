"""At most one pending relay wake-up.

A wake-up that no worker has taken yet will, when it runs, read every outbox message committed before
it starts; so a commit that finds one pending has nothing to send. The flag is one row
(`RelayWakeup`): a commit claims it with a conditional UPDATE after it commits (no row lock unless it
wins, nothing inside the transition) and only the winner publishes; the relay task clears it as it
starts, before it reads the outbox, so a message committed after that point claims it again. At any
rate of commits the broker gets at most one wake-up per relay run, and without a worker at most one
waits in the queue (the file-system broker's var/broker/queue does not fill up).

A wake-up can be lost (a broker restarted without persistence): the periodic relay (beat) clears the
flag every RELAY_INTERVAL_SECONDS anyway, and a wake-up not taken after WAKEUP_REARM_SECONDS may be
sent again, but only if the broker's queue is empty (a waiting message will run and clear the flag).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from casework.prepared import run_prepared

from .models import RelayWakeup
from .planning import conf

ROW = 1
_CLAIM_SQL = (
    f"UPDATE {RelayWakeup._meta.db_table} SET requested_at = %s WHERE id = %s AND requested_at IS NULL"
)
# How often one process looks for a stale wake-up (a second statement on the coalesced path).
STALE_CHECK_SECONDS = 10.0
_last_stale_check = float("-inf")


def ensure_row(*args, apps=None, using: str = "default", **kwargs) -> None:
    """The flag's row (post_migrate: also after a test database is built or flushed)."""
    try:
        model = apps.get_model("notifications", "RelayWakeup") if apps is not None else RelayWakeup
    except LookupError:  # migrated back to before the table existed
        return
    model.objects.using(using).get_or_create(pk=ROW)


def claim() -> str | None:
    """Take the pending slot after a commit: "new" if none was pending, "stale" if the pending one has
    waited longer than WAKEUP_REARM_SECONDS (then send only if the queue is empty), None otherwise."""
    global _last_stale_check
    now = timezone.now()
    # Run after every commit that wrote outbox messages: plain SQL, no ORM query building, and a
    # prepared statement of the session on PostgreSQL.
    if run_prepared(connection, _CLAIM_SQL, [now, ROW], rows=False)[1]:
        return "new"
    if time.monotonic() - _last_stale_check < STALE_CHECK_SECONDS:
        return None
    _last_stale_check = time.monotonic()
    cutoff = now - timedelta(seconds=conf("WAKEUP_REARM_SECONDS"))
    if RelayWakeup.objects.filter(Q(requested_at__lt=cutoff), pk=ROW).update(requested_at=now):
        return "stale"
    if not RelayWakeup.objects.filter(pk=ROW).exists():  # the row was lost: recreate it and send
        RelayWakeup.objects.get_or_create(pk=ROW, defaults={"requested_at": now})
        return "new"
    return None


def release() -> None:
    """The wake-up could not be sent: the next commit tries again."""
    RelayWakeup.objects.filter(pk=ROW).update(requested_at=None)


def taken() -> None:
    """The relay task starts: messages committed from now on need a new wake-up."""
    if not RelayWakeup.objects.filter(pk=ROW).update(requested_at=None):
        RelayWakeup.objects.get_or_create(pk=ROW)


def pending() -> bool:
    return RelayWakeup.objects.filter(pk=ROW, requested_at__isnull=False).exists()
