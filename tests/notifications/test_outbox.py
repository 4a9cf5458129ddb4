from datetime import date

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from casework.choices import CaseState
from casework.models import Case, OutboxMessage
from notifications import tasks, wakeup
from notifications.models import Notification
from tests.factories import act, register
from workflows.errors import RuleViolation

pytestmark = [pytest.mark.django_db, pytest.mark.sql]


@pytest.fixture
def reviewed(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    return act(case, "review", org.reception, on=date(2026, 3, 3))


@pytest.fixture
def wakeups(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.relay_outbox, "apply_async", lambda *a, **kw: calls.append(kw))
    return calls


def worker_takes_the_wakeup() -> None:
    """What a worker does with a pending wake-up: run the relay task (which clears the flag first)."""
    tasks.relay_outbox()


def test_rolled_back_transition_leaves_no_outbox_message_or_notification(reviewed, org, run_relay):
    before = set(OutboxMessage.objects.values_list("pk", flat=True))

    with pytest.raises(RuntimeError), transaction.atomic():
        act(reviewed, "accept", org.head, on=date(2026, 3, 5))
        raise RuntimeError("something after the transition failed")
    run_relay()

    reviewed.refresh_from_db()
    assert reviewed.state == CaseState.UNDER_REVIEW
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == before
    assert not OutboxMessage.objects.filter(topic="case.accept").exists()
    assert not Notification.objects.exists()


def test_transition_refused_by_a_guard_writes_nothing(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    people = [
        {"full_name": f"Người {i}", "address": "Thôn 1"} for i in range(6)
    ]  # a group, no representative
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=people)
    case = act(case, "review", org.reception)
    count = OutboxMessage.objects.count()

    with pytest.raises(RuleViolation):
        act(case, "accept", org.head)

    assert OutboxMessage.objects.count() == count


# These run without the test-wide transaction, so that each transition really commits.
@pytest.mark.django_db(transaction=True)
def test_committed_transition_wakes_the_relay_once_per_transaction(org, frozen_today, wakeups):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    case = act(case, "review", org.reception)
    worker_takes_the_wakeup()
    wakeups.clear()

    act(case, "transfer", org.reception, target_unit=org.other_commune.pk)

    # The transfer wrote two messages (case.transfer and the new case's case.register): one wake-up.
    assert OutboxMessage.objects.filter(topic__in=["case.transfer", "case.register"]).count() == 3
    assert len(wakeups) == 1
    assert wakeups[0]["retry"] is False  # fail fast; the periodic relay covers a broker outage


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transition_wakes_nothing(reviewed, org, wakeups):
    worker_takes_the_wakeup()
    wakeups.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        act(reviewed, "accept", org.head)
        raise RuntimeError
    assert wakeups == []

    act(reviewed, "accept", org.head)
    assert len(wakeups) == 1


@pytest.mark.django_db(transaction=True)
def test_unreachable_broker_does_not_fail_the_transition(reviewed, org, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    worker_takes_the_wakeup()
    monkeypatch.setattr(tasks.relay_outbox, "apply_async", broker_down)

    case = act(reviewed, "accept", org.head)

    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    assert OutboxMessage.objects.get(topic="case.accept").status == OutboxMessage.Status.PENDING
    assert "periodic relay" in caplog.text
    # Nothing was sent, so nothing is pending: the next commit tries the broker again.
    assert not wakeup.pending()


# --- Coalesced wake-ups -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_many_commits_leave_at_most_one_wakeup_pending_until_a_worker_takes_it(org, frozen_today, wakeups):
    frozen_today(date(2026, 3, 20))
    worker_takes_the_wakeup()
    wakeups.clear()

    cases = [register(org.commune, org.reception, received_at=date(2026, 3, 2)) for _ in range(4)]
    cases = [act(case, "review", org.reception) for case in cases]

    assert len(wakeups) == 1  # eight commits, one wake-up
    assert wakeup.pending()
    worker_takes_the_wakeup()
    assert not wakeup.pending()
    # The one run relayed every message committed before it started.
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()

    act(cases[0], "accept", org.head)
    act(cases[1], "accept", org.head)
    assert len(wakeups) == 2  # the first commit after the run wakes it again, the second waits with it


@pytest.mark.django_db(transaction=True)
def test_a_full_batch_wakes_the_relay_again_at_once(org, frozen_today, wakeups, settings):
    frozen_today(date(2026, 3, 20))
    for _ in range(3):
        register(org.commune, org.reception, received_at=date(2026, 3, 2))
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "BATCH_SIZE": 2}
    wakeups.clear()

    worker_takes_the_wakeup()  # relays two messages of three

    assert len(wakeups) == 1 and wakeup.pending()
    worker_takes_the_wakeup()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
