"""Two people act on the same case at the same moment (PostgreSQL only).

perform_action locks the case row (SELECT ... FOR UPDATE) before it checks the version, so the second
transaction waits for the first to commit, then sees the new version and fails with StaleVersion;
exactly one transition is recorded. SQLite serializes writers by itself, so these tests only mean
something on a real PostgreSQL: run them with TEST_DATABASE_URL set (see config/settings/test.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from casework.choices import CaseState as S
from casework.models import Case, CaseEvent, OutboxMessage
from tests.helpers import crew, drive, new_case
from workflows.errors import StaleVersion
from workflows.service import perform_action

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set TEST_DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 20  # seconds; only reached if something is broken


class Worker(threading.Thread):
    """Runs `fn` on its own database connection and keeps its result or exception."""

    def __init__(self, fn: Callable[[], object]):
        super().__init__(daemon=True)
        self.fn = fn
        self.result: object = None
        self.error: BaseException | None = None
        self.backend_pid: int | None = None

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.backend_pid = connection.connection.info.backend_pid
            self.result = self.fn()
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()


def _eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait for a condition the other threads bring about (not for a length of time)."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        threading.Event().wait(0.005)


def _case_in(org, state: str) -> Case:
    received = timezone.localdate() - timedelta(days=3)
    return drive(new_case(org, received_at=received), org, state)


def _attempt(case: Case, action: str, actor, params: dict, barrier: threading.Barrier | None = None):
    version = case.version

    def run():
        if barrier is not None:
            barrier.wait(timeout=TIMEOUT)
        return perform_action(case_id=case.pk, action=action, actor=actor, version=version, params=params)

    return run


RACES = {
    "approve-vs-return": (
        S.AWAITING_APPROVAL,
        ("approve", "head", {"decision_number": "20/QĐ-UBND"}),
        ("return_for_revision", "head", {}),
    ),
    "handler-and-head-both-submit": (
        S.VERIFYING,
        ("submit_for_approval", "handler", {"outcome": "right", "summary": "Đúng"}),
        ("submit_for_approval", "head", {"outcome": "wrong", "summary": "Sai"}),
    ),
    "accept-vs-reject": (
        S.UNDER_REVIEW,
        ("accept", "head", {}),
        ("reject", "head", {"reason": "not_affected"}),
    ),
}


@pytest.mark.parametrize("race", list(RACES))
def test_two_simultaneous_actions_at_the_same_version_one_wins(org, race):
    state, *moves = RACES[race]
    case = _case_in(org, state)
    staff = crew(org, case.unit)
    version = case.version
    events_before = CaseEvent.objects.filter(case=case).count()
    outbox_before = OutboxMessage.objects.filter(case=case).count()

    barrier = threading.Barrier(len(moves))
    workers = [
        Worker(_attempt(case, action, getattr(staff, who), params, barrier)) for action, who, params in moves
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT)
        assert not worker.is_alive()

    winners = [w for w in workers if w.error is None]
    losers = [w for w in workers if w.error is not None]
    assert len(winners) == 1, [w.error for w in workers]
    assert len(losers) == 1
    assert isinstance(losers[0].error, StaleVersion), losers[0].error
    assert losers[0].error.current_version == version + 1

    case.refresh_from_db()
    assert case.version == version + 1
    assert case.state == winners[0].result.state
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert OutboxMessage.objects.filter(case=case).count() == outbox_before + 1
    recorded = CaseEvent.objects.filter(case=case).order_by("-id").first()
    winner_action = moves[workers.index(winners[0])][0]
    assert recorded.action == winner_action


def test_second_transaction_waits_for_the_row_lock_then_sees_the_new_version(org):
    case = _case_in(org, S.AWAITING_APPROVAL)
    version = case.version
    events_before = CaseEvent.objects.filter(case=case).count()
    locked, release = threading.Event(), threading.Event()

    def approve_and_hold():
        with transaction.atomic():
            approved = perform_action(
                case_id=case.pk,
                action="approve",
                actor=org.head,
                version=version,
                params={"decision_number": "21/QĐ-UBND"},
            )
            # The row stays locked (and the new version invisible) until this block commits.
            locked.set()
            assert release.wait(TIMEOUT)
        return approved

    holder = Worker(approve_and_hold)
    holder.start()
    assert locked.wait(TIMEOUT), holder.error

    waiter = Worker(_attempt(case, "return_for_revision", org.head, {}))
    waiter.start()

    def waiter_blocked_by_holder() -> bool:
        if waiter.backend_pid is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_blocking_pids(%s)", [waiter.backend_pid])
            return holder.backend_pid in cursor.fetchone()[0]

    _eventually(waiter_blocked_by_holder, "the second transaction waits on the first one's row lock")
    assert waiter.is_alive()  # it has not finished: it is blocked in SELECT ... FOR UPDATE
    assert waiter.error is None and waiter.result is None
    assert Case.objects.get(pk=case.pk).version == version  # nothing committed yet

    release.set()
    holder.join(TIMEOUT)
    waiter.join(TIMEOUT)
    assert not holder.is_alive() and not waiter.is_alive()
    assert holder.error is None, holder.error
    assert isinstance(waiter.error, StaleVersion), waiter.error
    assert waiter.error.current_version == version + 1

    case.refresh_from_db()
    assert (case.state, case.version) == (S.DECIDED, version + 1)
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1


def _nowait(sql: str, params: list) -> None:
    """Take a row lock without waiting (raises OperationalError if another transaction holds it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql + " FOR UPDATE NOWAIT", params)


def test_transitions_on_two_cases_of_the_same_unit_proceed_concurrently(org):
    first, second = _case_in(org, S.UNDER_REVIEW), _case_in(org, S.UNDER_REVIEW)
    assert first.unit_id == second.unit_id
    locked, release = threading.Event(), threading.Event()

    def accept_and_hold():
        with transaction.atomic():
            accepted = perform_action(
                case_id=first.pk, action="accept", actor=org.head, version=first.version
            )
            locked.set()  # the transition is done, its transaction still open
            assert release.wait(TIMEOUT)
        return accepted

    holder = Worker(accept_and_hold)
    holder.start()
    try:
        assert locked.wait(TIMEOUT), holder.error

        # The open transition holds its case's row, and only that: not its unit's, not the level's.
        with pytest.raises(OperationalError):
            _nowait("SELECT id FROM casework_case WHERE id = %s", [first.pk])
        _nowait("SELECT id FROM casework_unit WHERE id = %s", [first.unit_id])
        _nowait("SELECT id FROM casework_unitlevel WHERE id = %s", [first.unit.level_id])

        # A transition on another case of the same unit completes meanwhile.
        other = Worker(_attempt(second, "accept", org.head, {}))
        other.start()
        other.join(TIMEOUT)
        assert not other.is_alive(), "the second transition waited for the first one's transaction"
        assert other.error is None, other.error
        assert holder.is_alive()  # the first one's transaction is still open
        assert Case.objects.get(pk=second.pk).state == S.ACCEPTED
    finally:
        release.set()
        holder.join(TIMEOUT)
    assert holder.error is None, holder.error
    assert Case.objects.get(pk=first.pk).state == S.ACCEPTED
