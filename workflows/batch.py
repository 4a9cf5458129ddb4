"""Set-based transitions for the system actor: closing first-round complaints whose appeal window lapsed.

A scan may find hundreds of such cases at once (after a long weekend, or on the first run after an
outage). One `perform_action` per case costs a full transaction each (about 16 ms); here a batch of
cases is locked with one statement, checked with the same guards and permission as perform_action,
and written with a handful of statements whatever its size: the cases' UPDATE, the deadline ledger
entries and the deadlines' UPDATE, then one audit record and one outbox row per case, built by the
same functions the transition service uses (`events.transition_record`, `service.transition_message`),
so the audit trail and the outbox read exactly as if each case had been closed on its own.

Only what the close action declares is applied: it sets `closed_at` and cancels the open clocks
(`workflows.clock_effects`). If that declaration ever grows, the batch refuses and the caller falls
back to perform_action (see `batchable`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import DateField, F, Max, Value, When
from django.utils import timezone

from casework import events
from casework.choices import Action, CaseState, DeadlineStatus
from casework.models import Case, CaseEvent, Deadline, DeadlineEntry, OutboxMessage
from casework.rules.periods import OPEN_STATUSES

from .clock_effects import ClockEffects, effects_of
from .machines import GUARD_PREFETCH, workflow_for
from .permissions import may_perform
from .service import _transition_from_state, transition_message

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass(frozen=True)
class Closing:
    """One case the scan wants closed, on `effective_date`, with its audit note."""

    case_id: int
    effective_date: date
    note: str


@dataclass
class BatchOutcome:
    closed: list[int]
    refused: dict[int, str]  # case id -> why not (state changed, a guard, the date)


def batchable() -> bool:
    """Whether the close action does only what this module knows how to write in bulk."""
    return effects_of(Action.CLOSE) == ClockEffects(cancel_open=effects_of(Action.CLOSE).cancel_open)


def _dated(field_values: dict[int, date]) -> SqlCase:
    """CASE WHEN id = ... THEN <date> END, so one UPDATE writes each row its own date."""
    return SqlCase(
        *(When(pk=pk, then=Value(day)) for pk, day in field_values.items()),
        output_field=DateField(),
    )


def close_cases(closings: Iterable[Closing], *, batch_size: int | None = None) -> BatchOutcome:
    """Close these cases as the system actor (None), `batch_size` (BATCH_SIZE) cases per transaction."""
    batch_size = batch_size or BATCH_SIZE
    outcome = BatchOutcome(closed=[], refused={})
    pending = sorted(closings, key=lambda c: c.case_id)  # lock in id order: no deadlock with another batch
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        with transaction.atomic():
            _close_batch(chunk, outcome)
    return outcome


def _close_batch(chunk: list[Closing], outcome: BatchOutcome) -> None:
    wanted = {c.case_id: c for c in chunk}
    locked = list(
        Case.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .select_related("unit")
        .prefetch_related(*GUARD_PREFETCH)
        .order_by("pk")
    )
    outcome.refused.update({pk: "not found" for pk in set(wanted) - {c.pk for c in locked}})
    # The date on the paper may not precede the case's previous step (as perform_action checks).
    previous = dict(
        CaseEvent.objects.filter(case_id__in=wanted)
        .exclude(effective_date=None)
        .values("case_id")
        .annotate(last=Max("effective_date"))
        .values_list("case_id", "last")
    )
    ready = []
    for row in locked:
        closing = wanted[row.pk]
        case = workflow_for(row)
        reason = _refusal(case, closing, previous.get(case.pk))
        if reason:
            outcome.refused[case.pk] = reason
            continue
        ready.append((case, closing))
    if not ready:
        return
    _write(ready)
    outcome.closed.extend(case.pk for case, _closing in ready)


def _refusal(case, closing: Closing, previous: date | None) -> str:
    if not may_perform(None, case, Action.CLOSE):
        return "not a system action"
    transition = _transition_from_state(case, Action.CLOSE)
    if transition is None:
        return f"state {case.state}"
    failed = next((c for c in transition.conditions if not c(case)), None)
    if failed is not None:
        return getattr(failed, "guard_code", "guard_failed")
    last = max(filter(None, [previous, case.received_at]))
    if closing.effective_date < last or closing.effective_date > timezone.localdate():
        return "effective date"
    return ""


def _write(ready: list[tuple[Case, Closing]]) -> None:
    now = timezone.now()
    on = {case.pk: closing.effective_date for case, closing in ready}
    cancel_reason = effects_of(Action.CLOSE).cancel_open

    # The clocks: a ledger entry per open clock, then their status, as clocks.cancel_open_deadlines.
    open_clocks = [d for case, _c in ready for d in case.deadlines.all() if d.status in OPEN_STATUSES]
    DeadlineEntry.objects.bulk_create(
        DeadlineEntry(deadline=d, kind=DeadlineEntry.Kind.CANCEL, on=on[d.case_id], reason=cancel_reason)
        for d in open_clocks
    )
    if open_clocks:
        Deadline.objects.filter(pk__in=[d.pk for d in open_clocks]).update(
            status=DeadlineStatus.CANCELLED,
            completed_on=_dated({d.pk: on[d.case_id] for d in open_clocks}),
        )

    # The cases, as the close transition and perform_action's save leave them.
    Case.objects.filter(pk__in=on).update(
        state=CaseState.CLOSED, closed_at=_dated(on), version=F("version") + 1, updated_at=now
    )
    records, messages = [], []
    for case, closing in ready:
        before = events.snapshot(case)
        from_state = case.state
        # What the close transition and perform_action's save do to the row, done in memory so the
        # audit diff and the outbox payload read the saved values (the UPDATE above wrote them).
        case.__dict__.update(state=CaseState.CLOSED, closed_at=closing.effective_date)
        case.version += 1
        case.updated_at = now
        after = events.snapshot(case)
        records.append(
            events.transition_record(
                case=case,
                actor=None,
                action=Action.CLOSE,
                from_state=from_state,
                effective_date=closing.effective_date,
                note=closing.note,
                changes=events.diff(before, after),
            )
        )
        messages.append(
            OutboxMessage(
                **transition_message(
                    case,
                    action=Action.CLOSE,
                    from_state=from_state,
                    actor=None,
                    effective_date=closing.effective_date,
                )
            )
        )
    CaseEvent.objects.bulk_create(records)
    # ON CONFLICT DO NOTHING on the dedup key, as events.enqueue's get_or_create keeps the first row.
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
