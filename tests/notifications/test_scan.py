from datetime import date, timedelta

import pytest
from django.db import connection

from casework.choices import CaseState, DeadlineKind
from casework.models import CaseEvent, Deadline, OutboxMessage
from notifications.models import Channel, Kind, Notification
from tests.factories import act
from tests.helpers import accepted_on
from workflows import scan

pytestmark = [pytest.mark.django_db, pytest.mark.sql]


def alerts(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(topic=f"deadline.{kind}"))


@pytest.mark.parametrize(
    ("accepted", "due", "remind_on"),
    [
        # 30 days from 16/1/2026 end on Sunday 15/2, in Tết week (16–20/2): the period runs to Monday 23/2.
        # Three working days before it, across Tết and two weekends: Wednesday 11/2, not Friday 20/2.
        (date(2026, 1, 16), date(2026, 2, 23), date(2026, 2, 11)),
        # Due Wednesday 3/9/2025, right after National Day (1–2/9): the reminder is on Wednesday 27/8.
        (date(2025, 8, 4), date(2025, 9, 3), date(2025, 8, 27)),
    ],
)
def test_reminder_lands_n_working_days_before_a_deadline_after_a_holiday(
    org, frozen_today, accepted, due, remind_on
):
    case = accepted_on(org, frozen_today, accepted)
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert (resolution.due_date, resolution.reminder_working_days) == (due, 3)

    day_before = remind_on - timedelta(days=1)
    frozen_today(day_before)
    scan.scan_deadlines()
    assert alerts("reminder") == []

    frozen_today(remind_on)
    scan.scan_deadlines()
    [reminder] = alerts("reminder")
    assert reminder.payload["fire_on"] == remind_on.isoformat()
    assert reminder.payload["due_date"] == due.isoformat()
    assert reminder.payload["working_days_left"] == 3


def test_overdue_alert_waits_for_the_first_working_day_after_the_holiday(org, frozen_today):
    # Due Friday 13/2/2026; Tết runs 16–20/2: nobody is alerted at the weekend or during Tết.
    case = accepted_on(org, frozen_today, date(2026, 1, 14))
    assert case.deadlines.get(kind=DeadlineKind.RESOLUTION).due_date == date(2026, 2, 13)

    for day in (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 16), date(2026, 2, 20)):
        frozen_today(day)
        scan.scan_deadlines()
        assert alerts("overdue") == [], day

    frozen_today(date(2026, 2, 23))
    scan.scan_deadlines()
    [overdue] = alerts("overdue")
    assert overdue.payload["working_days_overdue"] == 1


def test_scan_run_twice_writes_one_alert_and_one_notification(org, frozen_today, run_relay):
    accepted_on(org, frozen_today, date(2026, 1, 16))
    frozen_today(date(2026, 2, 11))

    scan.scan_deadlines()
    scan.scan_deadlines()
    frozen_today(date(2026, 2, 12))
    scan.scan_deadlines()
    run_relay()

    assert len(alerts("reminder")) == 1
    reminders = Notification.objects.filter(kind=Kind.REMINDER, channel=Channel.IN_APP)
    assert [n.recipient for n in reminders] == [org.head]  # no handler yet: the head is reminded


def test_reminders_go_to_the_assigned_handler(org, frozen_today, run_relay):
    case = accepted_on(org, frozen_today, date(2026, 1, 16))
    act(case, "start_verification", org.head, handler=org.handler.pk)
    frozen_today(date(2026, 2, 11))

    scan.scan_deadlines()
    run_relay()

    reminders = Notification.objects.filter(kind=Kind.REMINDER, channel=Channel.IN_APP)
    assert [n.recipient for n in reminders] == [org.handler]
    assert "23/02/2026" in reminders[0].subject


def test_extension_moves_the_due_date_and_earns_a_new_reminder(org, frozen_today):
    case = accepted_on(org, frozen_today, date(2026, 1, 16))
    frozen_today(date(2026, 2, 11))
    scan.scan_deadlines()
    act(case, "extend", org.head, days=15, reason="complex")

    # 45 days from 16/1 end on Monday 2/3; three working days before: Wednesday 25/2.
    frozen_today(date(2026, 2, 24))
    scan.scan_deadlines()
    frozen_today(date(2026, 2, 25))
    scan.scan_deadlines()

    assert [a.payload["due_date"] for a in alerts("reminder")] == ["2026-02-23", "2026-03-02"]
    assert alerts("overdue") == []


def test_suspended_case_gets_no_alerts(org, frozen_today):
    case = accepted_on(org, frozen_today, date(2026, 1, 14))
    frozen_today(date(2026, 2, 2))
    act(case, "suspend", org.head, reason="Chờ kết quả giám định")

    frozen_today(date(2026, 3, 30))
    scan.scan_deadlines()

    assert OutboxMessage.objects.filter(topic__startswith="deadline.").count() == 0


def test_overdue_alert_reaches_handler_and_head_and_escalation_the_parent_monitor(
    org, frozen_today, run_relay
):
    case = accepted_on(org, frozen_today, date(2026, 1, 14))  # due Friday 13/2/2026
    act(case, "start_verification", org.head, handler=org.handler.pk)

    # The 10th working day after 13/2, with Tết skipped, is Friday 6/3.
    frozen_today(date(2026, 3, 5))
    scan.scan_deadlines()
    assert alerts("escalation") == []
    frozen_today(date(2026, 3, 6))
    scan.scan_deadlines()
    run_relay()

    overdue = Notification.objects.filter(kind=Kind.OVERDUE, channel=Channel.IN_APP)
    assert {n.recipient for n in overdue} == {org.handler, org.head}
    escalated = Notification.objects.filter(kind=Kind.ESCALATION, channel=Channel.IN_APP)
    assert [n.recipient for n in escalated] == [org.monitor]  # the province's monitor
    assert "10" in escalated[0].subject
    assert len(alerts("escalation")) == 1


def test_escalation_threshold_is_configurable(org, frozen_today, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "ESCALATE_AFTER_WORKING_DAYS": 3}
    accepted_on(org, frozen_today, date(2026, 1, 14))  # due Friday 13/2/2026

    frozen_today(date(2026, 2, 24))  # 2 working days overdue (23, 24/2)
    scan.scan_deadlines()
    assert alerts("escalation") == []
    frozen_today(date(2026, 2, 25))
    scan.scan_deadlines()
    assert len(alerts("escalation")) == 1


def decided_complaint(org, frozen_today, decided: date):
    case = accepted_on(org, frozen_today, decided - timedelta(days=10))
    frozen_today(decided)
    case = act(case, "start_verification", org.head, handler=org.handler.pk)
    case = act(case, "submit_for_approval", org.handler, outcome="wrong", summary="Khiếu nại sai")
    return act(case, "approve", org.head, decision_number="7/QĐ-UBND", on=decided)


def test_scan_closes_a_first_round_complaint_when_its_appeal_window_lapses(org, frozen_today):
    case = decided_complaint(org, frozen_today, date(2026, 3, 2))
    window = case.deadlines.get(kind=DeadlineKind.APPEAL_WINDOW)
    assert window.due_date == date(2026, 4, 1)

    frozen_today(date(2026, 4, 1))
    scan.scan_deadlines()
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED

    frozen_today(date(2026, 4, 6))
    scan.scan_deadlines()
    scan.scan_deadlines()
    case.refresh_from_db()
    assert (case.state, case.closed_at) == (CaseState.CLOSED, date(2026, 4, 2))
    closing = CaseEvent.objects.get(case=case, action="close")
    assert closing.actor is None and "01/04/2026" in closing.note
    assert alerts("overdue") == []  # the citizen's window is not a staff deadline


def test_daily_digest_lists_overdue_and_due_soon_cases_for_each_unit_head(org, frozen_today, run_relay):
    accepted_on(org, frozen_today, date(2026, 1, 14))  # due Friday 13/2: due soon on 11/2
    accepted_on(org, frozen_today, date(2026, 1, 5))  # due Wednesday 4/2: overdue on 11/2
    frozen_today(date(2026, 2, 11))

    assert scan.build_daily_digests() == 1
    assert scan.build_daily_digests() == 1  # same day: the dedup key keeps one
    run_relay()

    [digest] = Notification.objects.filter(kind=Kind.DIGEST, channel=Channel.IN_APP)
    assert digest.recipient == org.head
    assert "1 overdue, 1 due soon" in digest.subject
    assert OutboxMessage.objects.filter(topic="digest.daily").count() == 1


def test_scan_reads_running_clocks_through_the_partial_index(org, frozen_today):
    accepted_on(org, frozen_today, date(2026, 1, 14))
    qs = scan.running_due_by(date(2026, 3, 1))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    else:
        plan = qs.explain()
    assert "deadline_running_due_idx" in plan


def test_closed_cases_do_not_enter_the_scan(org, frozen_today):
    case = decided_complaint(org, frozen_today, date(2026, 3, 2))
    frozen_today(date(2026, 4, 6))
    scan.scan_deadlines()  # closes it

    result = scan.scan_deadlines()

    assert result.examined == 0
    assert not Deadline.objects.filter(case=case, status="running").exists()


def test_reminder_notice_cites_the_article_in_the_recipients_language(org, frozen_today):
    from notifications import planning, rendering

    accepted_on(org, frozen_today, date(2026, 1, 16))
    frozen_today(date(2026, 2, 11))
    scan.scan_deadlines()
    [reminder] = alerts("reminder")
    context = planning.plan(reminder)[0].context
    assert context["deadline"]["basis"].startswith("LKN Art. 28")  # stored in English
    _subject, vietnamese = rendering.render("reminder", "vi", context)
    _subject, english = rendering.render("reminder", "en", context)
    assert "Căn cứ: Điều 28 Luật Khiếu nại" in vietnamese
    assert "Basis: LKN Art. 28" in english


def test_a_second_round_decision_not_published_in_time_raises_an_overdue_alert(org, frozen_today):
    from casework.choices import CaseState
    from casework.models import Case
    from tests.helpers import TODAY, drive, new_case

    frozen_today(TODAY)  # Fri 20 Mar 2026
    first = drive(new_case(org), org, CaseState.DECIDED)
    act(first, "appeal", org.reception)
    second = drive(Case.objects.get(first_round_case=first), org, CaseState.DECIDED)
    assert second.deadlines.get(kind=DeadlineKind.PUBLICATION).due_date == date(2026, 4, 6)

    frozen_today(date(2026, 4, 6))
    scan.scan_deadlines()
    assert [a.payload["deadline_kind"] for a in alerts("overdue")] == []
    frozen_today(date(2026, 4, 7))
    scan.scan_deadlines()
    [overdue] = alerts("overdue")
    assert (overdue.case_id, overdue.payload["deadline_kind"]) == (second.pk, "publication")
