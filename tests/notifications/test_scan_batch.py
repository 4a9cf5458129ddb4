"""The scan closes lapsed appeal windows in batches: a few statements per batch whatever its size, and
for each case the audit record, ledger entries and outbox row a per-case transition would write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.choices import CaseState, DeadlineKind, DeadlineStatus
from casework.models import Case, CaseEvent, Deadline, DeadlineEntry, OutboxMessage
from tests.factories import act
from tests.helpers import accepted_on
from workflows import batch, scan
from workflows.service import perform_action

pytestmark = [pytest.mark.django_db, pytest.mark.sql]

DECIDED = date(2026, 3, 2)  # the appeal window then runs to Wednesday 1/4/2026
AFTER = date(2026, 4, 6)


def decided_complaints(org, frozen_today, n: int) -> list[Case]:
    cases = []
    for _i in range(n):
        case = accepted_on(org, frozen_today, DECIDED - timedelta(days=10))
        frozen_today(DECIDED)
        case = act(case, "start_verification", org.head, handler=org.handler.pk)
        case = act(case, "submit_for_approval", org.handler, outcome="wrong", summary="Khiếu nại sai")
        cases.append(act(case, "approve", org.head, decision_number="7/QĐ-UBND", on=DECIDED))
    return cases


def written_for(case: Case) -> dict:
    """Everything a close writes about one case, without ids, times and the case's own reference."""
    case.refresh_from_db()
    [event] = CaseEvent.objects.filter(case=case, action="close")
    [message] = OutboxMessage.objects.filter(case=case, topic="case.close")
    payload = {k: v for k, v in message.payload.items() if k not in ("case_id", "reference")}
    return {
        "case": (case.state, case.closed_at, case.version),
        "event": (
            event.actor_id,
            event.from_state,
            event.to_state,
            event.effective_date,
            event.note,
            event.changes,
        ),
        "outbox": (message.status, message.dedup_key.replace(str(case.pk), "<id>"), payload),
        "clocks": sorted(
            (
                d.kind,
                d.status,
                d.completed_on,
                [(e.kind, e.on, e.reason, e.days, e.note) for e in d.entries.all()],
            )
            for d in Deadline.objects.filter(case=case).prefetch_related("entries")
        ),
    }


def test_batch_close_writes_what_a_per_case_transition_writes(org, frozen_today):
    alone, batched = decided_complaints(org, frozen_today, 2)
    frozen_today(AFTER)
    [closing, closing_batched] = sorted(scan.lapsed_appeal_windows(AFTER), key=lambda c: c.case_id)
    assert (closing.case_id, closing_batched.case_id) == (alone.pk, batched.pk)

    perform_action(
        case_id=alone.pk,
        action="close",
        actor=None,
        version=Case.objects.get(pk=alone.pk).version,
        effective_date=closing.effective_date,
        note=closing.note,
    )
    version_before = Case.objects.get(pk=batched.pk).version
    outcome = batch.close_cases([closing_batched])

    assert outcome.closed == [batched.pk] and outcome.refused == {}
    assert written_for(batched) == written_for(alone)
    assert written_for(batched)["case"] == (CaseState.CLOSED, date(2026, 4, 2), version_before + 1)


def test_scan_closes_lapsed_windows_in_batches_with_one_audit_record_and_one_outbox_row_per_case(
    org, frozen_today, monkeypatch
):
    cases = decided_complaints(org, frozen_today, 5)
    frozen_today(AFTER)
    monkeypatch.setattr(batch, "BATCH_SIZE", 2)

    result = scan.scan_deadlines()

    assert (result.closed, result.close_failures) == (5, 0)
    for case in cases:
        case.refresh_from_db()
        assert (case.state, case.closed_at) == (CaseState.CLOSED, date(2026, 4, 2))
        assert CaseEvent.objects.filter(case=case, action="close").count() == 1
        assert OutboxMessage.objects.filter(case=case, topic="case.close").count() == 1
        assert not Deadline.objects.filter(
            case=case, status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED]
        )
        window = Deadline.objects.get(case=case, kind=DeadlineKind.APPEAL_WINDOW)
        assert window.entries.filter(kind=DeadlineEntry.Kind.CANCEL, reason="closed").count() == 1
    assert scan.scan_deadlines().closed == 0  # nothing left to close


def test_a_batch_costs_the_same_statements_for_two_cases_as_for_six(org, frozen_today):
    few = decided_complaints(org, frozen_today, 2)
    many = decided_complaints(org, frozen_today, 6)
    frozen_today(AFTER)
    closings = {c.case_id: c for c in scan.lapsed_appeal_windows(AFTER)}

    def statements(cases) -> int:
        with CaptureQueriesContext(connection) as captured:
            outcome = batch.close_cases([closings[c.pk] for c in cases])
        assert len(outcome.closed) == len(cases)
        return len(captured)

    assert statements(few) == statements(many)


def test_a_case_appealed_meanwhile_is_left_open_and_counted_as_not_closed(org, frozen_today):
    appealed, lapsed = decided_complaints(org, frozen_today, 2)
    frozen_today(AFTER)
    closings = scan.lapsed_appeal_windows(AFTER)
    # Between the scan's read and its lock, the citizen appeals one of them (late, with a valid excuse
    # the reception accepted; here simply a state change under the scan's feet).
    Case.objects.filter(pk=appealed.pk).update(state=CaseState.APPEALED)

    outcome = batch.close_cases(closings)

    assert outcome.closed == [lapsed.pk]
    assert set(outcome.refused) == {appealed.pk}
    assert not CaseEvent.objects.filter(case=appealed, action="close").exists()
    assert not OutboxMessage.objects.filter(case=appealed, topic="case.close").exists()
