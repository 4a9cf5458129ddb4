"""The synthetic data generator: with a small N the data it writes is what the service would write.

The dataset is generated once for the module, inside a transaction rolled back after its last test.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from casework import reports
from casework.choices import CaseKind, CaseState, Channel, DeadlineKind, DeadlineStatus
from casework.models import Case, CaseEvent, CaseParty, Deadline, OutboxMessage, ReferenceCounter, Unit, Visit
from casework.rules import policy
from casework.rules.periods import case_facts, computation_for
from demo.synthetic import Progress
from workflows.clock_effects import effects_of
from workflows.diagrams import edges

# `make test-postgres` runs these again on PostgreSQL, where the rows go in by COPY.
pytestmark = pytest.mark.sql

UNTIL = date(2026, 5, 20)
IN_RESOLUTION = {CaseState.ACCEPTED, CaseState.VERIFYING, CaseState.AWAITING_APPROVAL}


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command(
            "generate_synthetic",
            units=14,
            cases=700,
            years=2,
            seed=7,
            until=UNTIL,
            no_progress=True,
            stdout=out,
        )
        yield out.getvalue()
        transaction.set_rollback(True)  # the next module starts from an empty database


@pytest.fixture
def synthetic(generated, db):
    return generated


def cases_with_deadlines():
    return list(Case.objects.prefetch_related("deadlines", "transfers", "appeal_cases", "case_parties"))


def test_generator_builds_a_marked_synthetic_tree_with_staff(synthetic):
    units = list(Unit.objects.select_related("level", "parent"))
    assert len(units) == 14 and all(u.code.startswith("syn-") for u in units)
    assert {u.level.code for u in units} == {"province", "department", "commune"}
    assert all(u.path == f"{u.parent.path if u.parent else '/'}{u.pk}/" for u in units)
    assert all(
        u.head is not None and u.head.memberships.filter(unit=u, role="unit_head").exists() for u in units
    )
    assert "700 cases" in synthetic or "cases up to 2026-05-20" in synthetic
    assert 0.97 * 700 <= Case.objects.count() <= 1.03 * 700
    assert all(c.summary.startswith("[SYN]") for c in Case.objects.all())


def test_no_state_without_its_dates(synthetic):
    problems = Counter()
    for case in Case.objects.all():
        if (
            case.state in IN_RESOLUTION | {CaseState.DECIDED, CaseState.SUSPENDED}
            and case.accepted_at is None
        ):
            problems["accepted state without accepted_at"] += 1
        if case.state == CaseState.DECIDED and case.decided_at is None:
            problems["decided without decided_at"] += 1
        if case.state in (CaseState.WITHDRAWN, CaseState.CLOSED) and case.closed_at is None:
            problems["ended without closed_at"] += 1
        if case.state in (CaseState.RECEIVED, CaseState.UNDER_REVIEW) and (
            case.accepted_at or case.closed_at
        ):
            problems["intake state with later dates"] += 1
        dates = [case.received_at, case.accepted_at, case.decided_at, case.published_at, case.closed_at]
        present = [d for d in dates if d is not None]
        if present != sorted(present) or max(present) > UNTIL:
            problems["dates out of order or in the future"] += 1
        if case.state == CaseState.DECIDED and case.kind == CaseKind.DENUNCIATION and not case.outcome:
            problems["decision without outcome"] += 1
    assert problems == Counter()
    assert {c.state for c in Case.objects.all()} >= {
        CaseState.CLOSED,
        CaseState.TRANSFERRED,
        CaseState.REJECTED,
        CaseState.WITHDRAWN,
        CaseState.APPEALED,
    }


def test_every_accepted_case_has_a_resolution_deadline_in_the_right_status(synthetic):
    problems = Counter()
    for case in cases_with_deadlines():
        clocks = {d.kind: d for d in case.deadlines.all()}
        resolution = clocks.get(DeadlineKind.RESOLUTION)
        if case.accepted_at and resolution is None:
            problems["accepted without resolution deadline"] += 1
            continue
        if resolution is None:
            continue
        if resolution.start_date != case.accepted_at:
            problems["resolution clock not started at acceptance"] += 1
        if case.state in IN_RESOLUTION and resolution.status != DeadlineStatus.RUNNING:
            problems["open case with a stopped clock"] += 1
        if case.state == CaseState.SUSPENDED and (resolution.status, resolution.due_date) != (
            DeadlineStatus.PAUSED,
            None,
        ):
            problems["suspended case with a running clock"] += 1
        if case.decided_at and (resolution.status, resolution.completed_on) != (
            DeadlineStatus.MET,
            case.decided_at,
        ):
            problems["decision did not meet the clock"] += 1
        if case.state == CaseState.WITHDRAWN and resolution.status != DeadlineStatus.CANCELLED:
            problems["withdrawal did not cancel the clock"] += 1
        if case.state in (CaseState.RECEIVED, CaseState.UNDER_REVIEW) and clocks[
            DeadlineKind.PROCESSING
        ].status != (DeadlineStatus.RUNNING):
            problems["intake clock stopped before classification"] += 1
    assert problems == Counter()


def test_due_dates_are_what_the_ledger_and_the_calendar_give(synthetic):
    deadlines = list(Deadline.objects.select_related("case").prefetch_related("entries"))
    assert deadlines
    wrong = [d for d in deadlines if computation_for(d).due_date != d.due_date]
    assert wrong == []
    # Extensions and suspensions appear in the ledger, not only in the totals.
    assert all(d.entries.filter(kind="extend").exists() for d in deadlines if d.extension_days)


def test_every_step_of_the_audit_trail_is_a_transition_its_machine_declares(synthetic):
    declared = {kind: {(s, a, t) for s, t, a in edges(kind)} for kind in CaseKind.values}
    undeclared = Counter()
    steps = 0
    for case in Case.objects.prefetch_related("events"):
        trail = sorted(case.events.all(), key=lambda e: e.pk)
        assert (trail[0].action, trail[0].to_state) == ("register", CaseState.RECEIVED)
        assert trail[-1].to_state == case.state
        for before, event in pairwise(trail):
            steps += 1
            if event.from_state != before.to_state:
                undeclared[f"{event.action} does not start where the previous step ended"] += 1
            if (event.from_state, event.action, event.to_state) not in declared[case.kind]:
                undeclared[f"{case.kind}: {event.from_state} -{event.action}-> {event.to_state}"] += 1
            if event.effective_date < before.effective_date:
                undeclared[f"{event.action} dated before the previous step"] += 1
    assert undeclared == Counter()
    assert steps > 3 * Case.objects.count()


def test_every_clock_is_started_by_a_step_that_starts_it_under_the_rule_in_force(synthetic):
    """The clocks a case has are exactly those its steps start (workflows.clock_effects, as the
    machines apply them) where casework.rules.policy has a rule for the case on that day."""
    wrong = []
    for case in Case.objects.select_related("unit").prefetch_related("events", "deadlines"):
        expected = {}
        for event in sorted(case.events.all(), key=lambda e: e.pk):
            for kind in effects_of(event.action).start:
                on, facts = event.effective_date, case_facts(case)
                if policy.has_rule(deadline=kind, kind=case.kind, on=on, facts=facts):
                    rule = policy.deadline_rule(deadline=kind, kind=case.kind, on=on, facts=facts)
                    expected[kind] = (on, rule.code, rule.days)
        actual = {d.kind: (d.start_date, d.rule_code, d.base_days) for d in case.deadlines.all()}
        if actual != expected:
            wrong.append((case.reference, actual, expected))
    assert wrong == []
    # Second-round decisions run the publication clock, as the machine starts it on approval.
    assert Deadline.objects.filter(kind=DeadlineKind.PUBLICATION, case__round=2).exists()


def test_transfers_and_appeals_open_linked_cases(synthetic):
    for case in cases_with_deadlines():
        if case.state == CaseState.TRANSFERRED:
            target = case.transfers.get()
            assert target.channel == Channel.TRANSFERRED_IN and target.received_at >= case.received_at
            assert target.unit_id != case.unit_id
            if case.kind == CaseKind.DENUNCIATION:
                assert not target.case_parties.exists()  # the denouncer's identity does not travel
        if case.state == CaseState.APPEALED:
            appeal = case.appeal_cases.get()
            assert (appeal.round, appeal.unit_id) == (2, case.unit.parent_id)
    assert CaseParty.objects.filter(case__kind=CaseKind.DENUNCIATION, confidential=False).count() == 0


def test_numbers_are_gap_free_and_counters_continue_them(synthetic):
    per_unit_year = Case.objects.values("unit", "year").annotate(n=Count("id"), top=Max("sequence"))
    assert all(row["n"] == row["top"] for row in per_unit_year)
    counters = {(c.unit_id, c.year): c.last_number for c in ReferenceCounter.objects.filter(series="case")}
    assert counters == {(row["unit"], row["year"]): row["n"] for row in per_unit_year}
    books = Visit.objects.values("unit", "year").annotate(n=Count("id"), top=Max("book_number"))
    assert all(row["n"] == row["top"] for row in books)


def test_audit_trail_and_reception_book_are_written_but_no_notification(synthetic):
    assert CaseEvent.objects.filter(action="register").count() == Case.objects.count()
    last_events = CaseEvent.objects.values("case").annotate(n=Count("id"))
    versions = dict(Case.objects.values_list("id", "version"))
    assert all(versions[row["case"]] == row["n"] for row in last_events)
    assert Visit.objects.filter(received_by_head=True).exists()
    assert Visit.objects.filter(cases__isnull=False).exists()
    assert OutboxMessage.objects.count() == 0


def test_reports_on_synthetic_data_match_a_direct_count_of_the_definitions(synthetic):
    period = reports.calendar_months(2025, 12)
    report = reports.resolution_rates(period=period, scope=reports.Scope.all(), compare=False)
    f, t = period.date_from, period.date_to
    expected = Counter()
    for case in cases_with_deadlines():
        res = next((d for d in case.deadlines.all() if d.kind == DeadlineKind.RESOLUTION), None)
        ended = any(
            d is not None and d < f for d in (case.decided_at, case.closed_at, res and res.completed_on)
        )
        in_competence = bool(case.accepted_at and case.accepted_at <= t) and not ended
        in_competence &= case.state != CaseState.TRANSFERRED
        decided = bool(case.decided_at and f <= case.decided_at <= t)
        withdrawn = case.state == CaseState.WITHDRAWN and case.accepted_at and f <= case.closed_at <= t
        resolved = in_competence and (decided or withdrawn)
        on_time = resolved and (
            (decided and res.status == DeadlineStatus.MET and res.completed_on <= res.due_date)
            or (withdrawn and (res.due_date is None or case.closed_at <= res.due_date))
        )
        expected["received"] += f <= case.received_at <= t
        expected["in_competence"] += in_competence
        expected["resolved"] += resolved
        expected["resolved_on_time"] += bool(on_time)
        expected["overdue"] += bool(in_competence and not resolved and res.due_date and res.due_date < t)
    assert {k: report.totals[k] for k in expected} == dict(expected)
    assert expected["in_competence"] > 50 and expected["overdue"] > 0  # the sample is not trivial


def test_generator_refuses_to_run_twice_into_the_same_database(synthetic):
    with pytest.raises(CommandError):
        call_command("generate_synthetic", units=3, cases=10, years=1, no_progress=True, stdout=io.StringIO())


def test_generator_refuses_a_last_day_after_today(db):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError, match="after today"):
        call_command(
            "generate_synthetic", units=3, cases=10, until=tomorrow, no_progress=True, stdout=io.StringIO()
        )


def test_progress_bar_reaches_a_hundred_percent():
    stream = io.StringIO()
    bar = Progress(200, stream)
    bar.update(100, "cases", force=True)
    bar.finish(200, "cases")
    assert " 50.0% 100/200 cases" in stream.getvalue()
    assert stream.getvalue().rstrip().split("\r")[-1].startswith("[" + "#" * 30 + "] 100.0% 200/200")
