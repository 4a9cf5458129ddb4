"""Named constructors for the append-only audit trail and for outbox messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import models

from . import prepared
from .choices import AuditStep
from .models import Case, CaseEvent, OutboxMessage

# Fields whose change is bookkeeping, not content.
_UNAUDITED = {"updated_at", "version", "created_at"}


# Per model: the audited columns and one getter for all of them (two snapshots per transition).
_audited: dict[type, tuple[list[str], Any]] = {}


def snapshot(case: Case) -> dict[str, Any]:
    known = _audited.get(type(case))
    if known is None:
        names = [f.attname for f in case._meta.concrete_fields if f.attname not in _UNAUDITED]
        known = _audited[type(case)] = (names, attrgetter(*names) if len(names) > 1 else None)
    names, values = known
    return dict(zip(names, values(case) if values else [getattr(case, names[0])], strict=True))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    def plain(v):
        if isinstance(v, Decimal):
            return str(v)  # an amount exactly as stated (a JSON float could not keep it)
        return v.isoformat() if isinstance(v, date) else v

    return {k: [plain(before[k]), plain(after[k])] for k in before if before[k] != after.get(k)}


def case_transitioned(**fields) -> CaseEvent:
    """Write the audit record of a transition (the fields of `transition_record`)."""
    event = transition_record(**fields)
    prepared.insert([event], send_signals=True)  # as save(): the statement is built once, not per call
    return event


def transition_record(
    *,
    case: Case,
    actor,
    action: str,
    from_state: str,
    effective_date: date | None,
    note: str,
    changes: dict[str, list],
) -> CaseEvent:
    """The audit record of a transition, not yet saved (a batch inserts many at once)."""
    return CaseEvent(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        effective_date=effective_date,
        note=note,
        changes=changes,
    )


def case_registered(*, case: Case, actor, note: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=AuditStep.REGISTER,
        from_state="",
        to_state=case.state,
        effective_date=case.received_at,
        note=note,
        changes={"intake_flags": [None, case.intake_flags]} if case.intake_flags else {},
    )


def case_noted(*, case: Case, actor, action: str, note: str, changes: dict | None = None) -> CaseEvent:
    """Something happened to the case that is not a state change (a dialogue, a calendar change)."""
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_state=case.state,
        to_state=case.state,
        note=note,
        changes=changes or {},
    )


def enqueue(*, topic: str, case: Case | None, payload: dict[str, Any], dedup_key: str) -> OutboxMessage:
    """Write the message in the caller's transaction: one INSERT. The callers' keys are unique by
    construction (case and version, the version bumped under the case's row lock), so there is nothing
    to look up first; the unique constraint on dedup_key stays the guard, and a second message under one
    key fails the whole transaction rather than being silently merged."""
    message = outbox_message(topic=topic, case=case, payload=payload, dedup_key=dedup_key)
    prepared.insert([message], send_signals=True)  # as create(): post_save wakes the relay on commit
    return message


def outbox_message(
    *, topic: str, case: Case | None, payload: dict[str, Any], dedup_key: str
) -> OutboxMessage:
    """The message `enqueue` writes, not yet saved (perform_action writes it with its audit record)."""
    return OutboxMessage(dedup_key=dedup_key, topic=topic, case=case, payload=payload)


def last_effective_date(case: Case) -> date:
    latest = case.events.exclude(effective_date=None).aggregate(m=models.Max("effective_date"))["m"]
    return max(filter(None, [latest, case.received_at]))
