"""The transition service: one door for state changes, optimistic versions, atomic writes, the audit
trail and the outbox. The helpers (`drive`, `crew`, `new_case`, ...) are in tests/helpers.py."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import events, prepared
from casework.choices import CaseState as S
from casework.choices import Channel, DeadlineKind, DeadlineStatus
from casework.models import Case, CaseEvent, Deadline, DeadlineEntry, OutboxMessage
from notifications import wakeup
from tests.factories import act
from tests.helpers import (
    IN_RESOLUTION,
    RECEIVED,
    ROUTE,
    TODAY,
    counts,
    drive,
    fresh,
    new_case,
    perform,
    step,
)
from workflows.errors import RuleViolation, StaleVersion, TransitionNotAllowed, ValidationFailed
from workflows.service import available_actions, perform_action, perform_in_turn

pytestmark = pytest.mark.sql

# --- Stale versions and atomicity ---------------------------------------------------------------


def test_stale_version_is_refused_with_current_version_and_nothing_written(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    before = counts()
    with pytest.raises(StaleVersion) as exc:
        perform_action(case_id=case.pk, action="accept", actor=org.head, version=case.version - 1)
    assert exc.value.current_version == case.version
    assert exc.value.as_dict()["code"] == "stale_version"
    assert exc.value.as_dict()["current_version"] == case.version
    after = fresh(case)
    assert (after.version, after.state, after.accepted_at) == (case.version, S.UNDER_REVIEW, None)
    assert counts() == before


def test_version_from_the_future_is_also_stale(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    with pytest.raises(StaleVersion):
        perform_action(case_id=case.pk, action="accept", actor=org.head, version=case.version + 1)
    assert fresh(case).state == S.UNDER_REVIEW


def test_actions_signed_together_happen_in_turn_or_not_at_all(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    before = counts()
    # The second step names a handler of another unit: refused, and the acceptance is undone with it.
    with pytest.raises(ValidationFailed):
        perform_in_turn(
            case_id=case.pk,
            actor=org.head,
            version=case.version,
            steps=[("accept", {}), ("start_verification", {"handler": org.p_handler.pk})],
        )
    assert (fresh(case).state, counts()) == (S.UNDER_REVIEW, before)
    done = perform_in_turn(
        case_id=case.pk,
        actor=org.head,
        version=case.version,
        note="Thụ lý và giao xác minh",
        steps=[("accept", {}), ("start_verification", {"handler": org.handler.pk})],
    )
    assert (done.state, done.handler, done.version) == (S.VERIFYING, org.handler, case.version + 2)
    accept, assign = CaseEvent.objects.filter(case=case).order_by("-id")[:2][::-1]
    assert (accept.action, accept.note, assign.action, assign.note) == (
        "accept",
        "Thụ lý và giao xác minh",
        "start_verification",
        "",
    )


def test_rule_violation_leaves_nothing_half_written(org, frozen_today):
    frozen_today(TODAY)
    case = drive(
        new_case(org, decision_known_at=date(2025, 11, 1)), org, S.UNDER_REVIEW
    )  # 135 days before receipt
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(case, "accept", org.head)
    assert exc.value.code == "limitation_expired"
    after = fresh(case)
    assert (after.state, after.version, after.accepted_at) == (S.UNDER_REVIEW, case.version, None)
    assert counts() == before
    assert not case.deadlines.filter(kind=DeadlineKind.RESOLUTION).exists()


def test_rule_violation_raised_mid_transition_rolls_back_field_changes(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(case, "submit_for_approval", org.handler, outcome="right", summary="Đúng", claim_differs=True)
    assert exc.value.code == "dialogue_required"
    after = fresh(case)
    assert (after.state, after.version, after.claim_differs, after.outcome) == (
        S.VERIFYING,
        case.version,
        None,
        "",
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": "no_such_reason"}, "reason"),
        ("accept", {"bogus": 1}, "bogus"),
        ("transfer", {"target_unit": 999999}, "target_unit"),
    ],
)
def test_invalid_parameters_leave_nothing_half_written(org, frozen_today, action, params, field):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        act(case, action, org.head, **params)
    assert field in exc.value.errors
    assert exc.value.as_dict()["code"] == "invalid"
    assert (fresh(case).state, fresh(case).version) == (S.UNDER_REVIEW, case.version)
    assert counts() == before


def test_failure_after_the_transition_wrote_rolls_everything_back(org, frozen_today, monkeypatch):
    """A transfer writes a new case, deadlines and events before the outbox; if the last write fails,
    none of it survives."""
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    before = counts()
    real_message = events.outbox_message

    # The outbox message is the last thing perform_action makes (written with the audit record).
    def failing_message(*, topic, **kwargs):
        if topic == "case.transfer":
            raise RuntimeError("outbox unavailable")
        return real_message(topic=topic, **kwargs)

    monkeypatch.setattr(events, "outbox_message", failing_message)
    with pytest.raises(RuntimeError):
        act(case, "transfer", org.reception, target_unit=org.other_commune.pk)
    assert counts() == before
    assert (fresh(case).state, fresh(case).version) == (S.UNDER_REVIEW, case.version)
    assert not Case.objects.filter(transferred_from=case).exists()


def test_unknown_action_is_not_allowed_and_lists_the_allowed_ones(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, "teleport", org.head)
    assert exc.value.allowed_actions == available_actions(case, org.head)
    assert "review" in exc.value.allowed_actions


# --- Audit trail and outbox ---------------------------------------------------------------------


def test_transition_writes_one_audit_record_with_actor_states_note_date_and_changes(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW, on=date(2026, 3, 17))
    events_before = case.events.count()
    case = act(case, "accept", org.head, on=date(2026, 3, 18), note="Thụ lý giải quyết")
    assert case.events.count() == events_before + 1
    event = case.events.order_by("-id").first()
    assert event.actor == org.head
    assert (event.action, event.from_state, event.to_state) == ("accept", S.UNDER_REVIEW, S.ACCEPTED)
    assert event.note == "Thụ lý giải quyết"
    assert event.effective_date == date(2026, 3, 18)
    assert event.changes == {"state": [S.UNDER_REVIEW, S.ACCEPTED], "accepted_at": [None, "2026-03-18"]}


def test_every_transition_writes_exactly_one_audit_record_and_one_outbox_message(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    assert list(case.events.values_list("action", flat=True)) == ["register"]
    for state in ROUTE[1:]:
        events_before = CaseEvent.objects.filter(case=case).count()
        outbox_before = OutboxMessage.objects.filter(case=case).count()
        case = step(case, org, state)
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1
        assert OutboxMessage.objects.filter(case=case).count() == outbox_before + 1
        message = OutboxMessage.objects.filter(case=case).order_by("-id").first()
        assert message.dedup_key == f"case:{case.pk}:v{case.version}"
        assert message.payload["to_state"] == state
        assert message.payload["version"] == case.version
    assert list(case.events.values_list("action", flat=True)) == [
        "register",
        "review",
        "accept",
        "start_verification",
        "submit_for_approval",
        "approve",
    ]
    assert list(OutboxMessage.objects.filter(case=case).values_list("dedup_key", flat=True)) == [
        f"case:{case.pk}:v{v}" for v in range(1, 7)
    ]
    assert OutboxMessage.objects.filter(case=case).order_by("-id").first().topic == "case.approve"


def test_audit_record_cannot_be_updated_or_deleted(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    event = case.events.get(action="review")
    event.note = "sửa lại"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


# --- Effective date -----------------------------------------------------------------------------


def test_effective_date_cannot_be_in_the_future(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept", org.head, on=TODAY + timedelta(days=1))
    assert "effective_date" in exc.value.errors
    assert counts() == before
    assert fresh(case).state == S.UNDER_REVIEW


def test_effective_date_cannot_be_before_the_previous_step(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW, on=date(2026, 3, 18))
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept", org.head, on=date(2026, 3, 17))
    assert "effective_date" in exc.value.errors
    assert counts() == before
    case = act(case, "accept", org.head, on=date(2026, 3, 18))  # the same day is fine
    assert case.state == S.ACCEPTED


def test_effective_date_cannot_be_before_receipt(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "review", org.reception, on=RECEIVED - timedelta(days=1))
    assert "effective_date" in exc.value.errors


def test_deadlines_count_from_the_effective_date(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW, on=date(2026, 3, 17))
    case = act(case, "accept", org.head, on=date(2026, 3, 18))
    assert case.accepted_at == date(2026, 3, 18)
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert resolution.start_date == date(2026, 3, 18)
    assert resolution.due_date == date(2026, 4, 17)  # 30 calendar days, a Friday
    acceptance = case.deadlines.get(kind=DeadlineKind.ACCEPTANCE)
    assert (acceptance.status, acceptance.completed_on) == (DeadlineStatus.MET, date(2026, 3, 18))


def test_effective_date_defaults_to_today(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    assert case.events.get(action="review").effective_date == TODAY


# --- Withdrawal, suspension ---------------------------------------------------------------------


def test_full_withdrawal_ends_the_case_and_cancels_open_deadlines(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    assert case.deadlines.filter(status=DeadlineStatus.RUNNING).exists()
    case = act(case, "withdraw", org.reception, note="Đơn xin rút khiếu nại", scope="full")
    assert case.state == S.WITHDRAWN
    assert case.closed_at == TODAY
    assert not case.deadlines.filter(status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED]).exists()
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert resolution.status == DeadlineStatus.CANCELLED
    assert resolution.entries.order_by("-id").first().reason == "withdrawn"
    assert available_actions(case, org.head) == []


def test_withdrawal_without_scope_is_full(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.ACCEPTED)
    assert act(case, "withdraw", org.reception).state == S.WITHDRAWN


def test_partial_withdrawal_keeps_the_state_and_is_audited(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    version = case.version
    case = act(case, "withdraw", org.reception, note="Rút nội dung thứ hai", scope="partial")
    assert case.state == S.VERIFYING
    assert case.version == version + 1
    event = case.events.order_by("-id").first()
    assert (event.action, event.from_state, event.to_state, event.note) == (
        "withdraw",
        S.VERIFYING,
        S.VERIFYING,
        "Rút nội dung thứ hai",
    )
    assert case.deadlines.get(kind=DeadlineKind.RESOLUTION).status == DeadlineStatus.RUNNING
    assert OutboxMessage.objects.filter(dedup_key=f"case:{case.pk}:v{case.version}").exists()


@pytest.mark.parametrize("state", IN_RESOLUTION)
def test_resume_returns_to_the_state_the_case_was_suspended_from(org, frozen_today, state):
    frozen_today(date(2026, 4, 6))
    case = drive(new_case(org), org, state, on=date(2026, 3, 20))
    case = act(case, "suspend", org.head, on=date(2026, 3, 25), reason="Chờ kết quả giám định")
    assert (case.state, case.suspended_from) == (S.SUSPENDED, state)
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert (resolution.status, resolution.due_date) == (DeadlineStatus.PAUSED, None)
    case = act(case, "resume", org.head, on=date(2026, 4, 4))
    assert (case.state, case.suspended_from) == (state, "")
    resolution.refresh_from_db()
    # 30 days from 20/3 would end on Sun 19/4 (-> Mon 20/4); 25/3–3/4 (10 days) are not counted.
    assert (resolution.status, resolution.due_date) == (DeadlineStatus.RUNNING, date(2026, 4, 29))


def test_suspended_case_can_only_be_resumed_or_withdrawn(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.SUSPENDED, suspended_from=S.VERIFYING)
    assert available_actions(case, org.head) == ["resume", "withdraw"]
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, "submit_for_approval", org.handler, outcome="right", summary="x")
    assert exc.value.allowed_actions == available_actions(case, org.handler)


# --- Transfer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [S.RECEIVED, S.UNDER_REVIEW])
def test_transfer_opens_a_linked_case_at_the_target_unit(org, frozen_today, source):
    frozen_today(TODAY)
    case = drive(new_case(org), org, source, on=date(2026, 3, 17))
    case = act(case, "transfer", org.reception, on=date(2026, 3, 18), target_unit=org.province.pk)
    assert case.state == S.TRANSFERRED
    assert not case.deadlines.filter(status=DeadlineStatus.RUNNING).exists()
    assert case.deadlines.get(kind=DeadlineKind.PROCESSING).status == DeadlineStatus.MET

    moved = Case.objects.get(transferred_from=case)
    assert moved.unit == org.province
    assert moved.state == S.RECEIVED
    assert moved.channel == Channel.TRANSFERRED_IN
    assert (moved.kind, moved.round, moved.summary) == (case.kind, case.round, case.summary)
    assert moved.received_at == date(2026, 3, 18)
    assert moved.reference == "TINH/2026/00001"
    assert moved.reference != case.reference
    # The complainant travels with a complaint.
    assert set(moved.case_parties.values_list("party_id", flat=True)) == set(
        case.case_parties.values_list("party_id", flat=True)
    )
    for kind in (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE):
        deadline = moved.deadlines.get(kind=kind)
        assert (deadline.status, deadline.start_date) == (DeadlineStatus.RUNNING, date(2026, 3, 18))
    assert moved.events.get().action == "register"


def test_transfer_to_the_same_unit_is_refused(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        act(case, "transfer", org.reception, target_unit=org.commune.pk)
    assert "target_unit" in exc.value.errors
    assert counts() == before


# --- Held clock writes -------------------------------------------------------------------------


def _clock_rows(case) -> list[tuple]:
    deadlines = list(Deadline.objects.filter(case=case).order_by("id"))
    entries = DeadlineEntry.objects.filter(deadline__case=case).order_by("id").select_related("deadline")
    return [
        *[
            (d.kind, d.status, d.rule_code, d.basis, d.day_type, d.start_date, d.base_days, d.extension_days)
            for d in deadlines
        ],
        *[(d.kind, d.due_date, d.completed_on, d.reminder_working_days) for d in deadlines],
        *[
            (e.deadline.kind, e.kind, e.on, e.days, e.reason, e.note, e.due_before, e.due_after)
            for e in entries
        ],
    ]


def test_clock_writes_held_for_the_closing_statement_are_those_written_one_by_one(
    org, frozen_today, monkeypatch
):
    """Completions and starts wait for the transition's closing statement (PostgreSQL): the same clocks
    and ledger entries, in the same order, as when each is its own statement; on the way through the
    whole route, a transfer (a linked case opened between the clock writes and the closing statement)
    and a suspension (pauses are never held)."""
    frozen_today(TODAY)
    held, one_by_one = new_case(org), new_case(org)
    routes = [
        ["review", "accept", "start_verification", "submit_for_approval", "approve"],
        ["transfer"],
        ["accept", "suspend", "resume"],
    ]
    results = []
    real = prepared.held_writes
    for hold in (True, False):
        monkeypatch.setattr(prepared, "held_writes", real if hold else lambda model: None)
        cases = [held if hold else one_by_one, new_case(org), drive(new_case(org), org, S.UNDER_REVIEW)]
        for case, actions in zip(cases, routes, strict=True):
            for action in actions:
                case = perform(case, action, org)
        linked = [Case.objects.get(transferred_from=cases[1])]  # its intake clocks started on opening
        results.append([_clock_rows(c) for c in cases + linked])
    assert results[0] == results[1]
    assert any(row[1] == DeadlineStatus.RUNNING for row in results[0][0])  # the route wrote clocks


# --- Cost ---------------------------------------------------------------------------------------


# Without the test-wide transaction: the call runs and commits as in production, so BEGIN, COMMIT and the
# relay wake-up after commit are counted too.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("state", "action", "params", "ledger_rows"),
    [
        (S.UNDER_REVIEW, "accept", {}, 3),  # two intake clocks met, the resolution clock started
        (S.AWAITING_APPROVAL, "approve", {"decision_number": "15/QĐ-UBND"}, 2),  # met; appeal window
    ],
)
def test_accept_and_approve_each_take_at_most_twelve_sql_statements(
    org, frozen_today, monkeypatch, state, action, params, ledger_rows
):
    frozen_today(TODAY)
    # A commit pays one statement for the relay wake-up; the look for a stale wake-up (two more) runs at
    # most once per STALE_CHECK_SECONDS in a process. Counted here: a commit, not that housekeeping,
    # whose turn would otherwise depend on what this worker process ran in the last ten seconds.
    monkeypatch.setattr(wakeup, "_last_stale_check", time.monotonic())
    case = drive(new_case(org), org, state)
    head = get_user_model().objects.get(pk=org.head.pk)  # as a request loads it: memberships unread
    before = counts()

    # Everything the call causes: transaction control, the writes, and the relay wake-up after commit.
    with CaptureQueriesContext(connection) as captured:
        perform_action(case_id=case.pk, action=action, actor=head, version=case.version, params=params)

    # PostgreSQL writes the clocks, their ledger, the case, its audit record and its message in one
    # statement: BEGIN, the row lock, the memberships, that statement, COMMIT and the wake-up.
    limit = 6 if connection.vendor == "postgresql" else 12
    assert len(captured) <= limit, "\n".join(q["sql"] for q in captured.captured_queries)
    # ... and none of the work is skipped: the audit record, the outbox message and the ledger rows.
    after = counts()
    assert after["CaseEvent"] - before["CaseEvent"] == 1
    assert after["OutboxMessage"] - before["OutboxMessage"] == 1
    assert after["DeadlineEntry"] - before["DeadlineEntry"] == ledger_rows
    assert fresh(case).version == case.version + 1
