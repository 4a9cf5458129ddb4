"""Dialogue conferences of a commune with its residents (LGO 2025 Art. 43): the two clocks on the
working-day calendar, the deadline scan's reminders and alerts, the record, and the yearly report."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from casework import conferences, reports
from casework.choices import CaseKind, ConferenceFormat, ConferenceReason, ConferenceStatus, Topic
from casework.models import DialogueConference, OutboxMessage
from casework.services import NotPermitted, ServiceError
from notifications.planning import plan
from notifications.rendering import render
from tests.helpers import new_case
from workflows.scan import scan_deadlines

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 8) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def schedule(org, day: date, **kw) -> DialogueConference:
    return conferences.schedule_conference(
        actor=org.head,
        unit=org.commune,
        starts_at=at(day),
        topics="Quy hoạch khu dân cư; đường liên thôn",
        place="Hội trường UBND xã",
        **kw,
    )


def alerts(topic: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(topic=topic).order_by("id")]


# --- The notice clock --------------------------------------------------------------------------


def test_the_notice_is_due_seven_days_before_and_an_announcement_after_that_is_late(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    conference = schedule(org, date(2026, 3, 10))  # a Tuesday
    assert conference.notice_due_on == date(2026, 3, 3)
    frozen_today(date(2026, 3, 4))
    conference = conferences.announce_conference(actor=org.head, conference=conference)
    assert conference.announced_on == date(2026, 3, 4)
    assert conference.announced_on_time is False


def test_an_announcement_on_the_last_day_is_on_time(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    conference = schedule(org, date(2026, 3, 10))
    conference = conferences.announce_conference(actor=org.head, conference=conference, on=date(2026, 3, 2))
    assert conference.announced_on_time is True


def test_the_scan_reminds_then_alerts_the_heads_of_a_notice_not_yet_announced(org, frozen_today):
    frozen_today(date(2026, 2, 25))
    schedule(org, date(2026, 3, 10))  # notice due Tue 3/3
    frozen_today(date(2026, 2, 27))  # Fri: 3 working days before the due date (Thu 26/2) has passed
    scan_deadlines()
    scan_deadlines()  # twice: still one reminder
    [reminder] = alerts(Topic.CONFERENCE_NOTICE)
    assert reminder["alert"] == "reminder" and reminder["due_date"] == "2026-03-03"
    assert reminder["working_days_left"] == 2
    frozen_today(date(2026, 3, 4))
    scan_deadlines()
    overdue = alerts(Topic.CONFERENCE_NOTICE)[-1]
    assert overdue["alert"] == "overdue" and overdue["working_days_overdue"] == 1


def test_an_announced_conference_is_no_longer_watched_for_its_notice(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    conference = schedule(org, date(2026, 3, 10))
    conferences.announce_conference(actor=org.head, conference=conference)
    frozen_today(date(2026, 3, 5))
    scan_deadlines()
    assert alerts(Topic.CONFERENCE_NOTICE) == []


# --- The results clock, across Tết 2026 (14/02 – 22/02 off) -------------------------------------


def held_before_tet(org, frozen_today) -> DialogueConference:
    frozen_today(date(2026, 1, 20))
    conference = schedule(org, date(2026, 2, 5))
    conferences.announce_conference(actor=org.head, conference=conference)
    frozen_today(date(2026, 2, 5))
    case = new_case(org, CaseKind.RECOMMENDATION, received_at=date(2026, 2, 5))
    return conferences.record_conference(
        actor=org.head,
        conference=conference,
        held_on=date(2026, 2, 5),
        participant_count=120,
        participants="Đại diện HĐND, MTTQ xã; 118 cử tri",
        questions="Tiến độ làm đường liên thôn",
        answers="Khởi công quý II",
        commitments="Công khai dự toán trước 30/4",
        cases=[case],
    )


def test_the_results_deadline_rolls_past_tet_to_the_next_working_day(org, frozen_today):
    conference = held_before_tet(org, frozen_today)
    # 10 days after Thu 5/2 is Sun 15/2, inside Tết: the period ends on Mon 23/2 (Civil Code Art. 148).
    assert conference.status == ConferenceStatus.HELD
    assert conference.results_due_on == date(2026, 2, 23)
    assert conference.cases.count() == 1
    frozen_today(date(2026, 2, 23))
    published = conferences.publish_conference_results(
        actor=org.head, conference=conference, results="Kết quả hội nghị đối thoại"
    )
    assert published.results_on_time is True


def test_results_published_after_the_deadline_are_late_and_the_scan_alerted_first(org, frozen_today):
    conference = held_before_tet(org, frozen_today)
    frozen_today(date(2026, 2, 24))
    scan_deadlines()
    [overdue] = alerts(Topic.CONFERENCE_RESULTS)
    assert overdue["alert"] == "overdue" and overdue["due_date"] == "2026-02-23"
    published = conferences.publish_conference_results(
        actor=org.head, conference=conference, results="Kết quả hội nghị đối thoại"
    )
    assert published.results_on_time is False
    frozen_today(date(2026, 2, 25))
    scan_deadlines()
    assert len(alerts(Topic.CONFERENCE_RESULTS)) == 1  # published: no longer watched


def test_the_alert_reaches_the_communes_heads_as_a_notice_without_personal_data(org, frozen_today):
    held_before_tet(org, frozen_today)
    frozen_today(date(2026, 2, 24))
    scan_deadlines()
    message = OutboxMessage.objects.get(topic=Topic.CONFERENCE_RESULTS)
    planned = plan(message)
    assert {p.recipient for p in planned} == {org.head}
    subject, body = render(planned[0].kind, "vi", planned[0].context)
    assert "Quá hạn" in subject and "23/02/2026" in body and "10 ngày" in body
    assert "118 cử tri" not in body


# --- Rules of the record -----------------------------------------------------------------------


def test_only_a_communes_own_staff_schedule_its_conference_and_only_at_a_commune(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    with pytest.raises(NotPermitted):
        conferences.schedule_conference(
            actor=org.outsider, unit=org.commune, starts_at=at(date(2026, 3, 20)), topics="x", place="y"
        )
    with pytest.raises(ServiceError) as error:
        conferences.schedule_conference(
            actor=org.p_head, unit=org.province, starts_at=at(date(2026, 3, 20)), topics="x", place="y"
        )
    assert "unit" in error.value.errors


def test_an_online_conference_needs_its_link_and_results_need_a_held_conference(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    with pytest.raises(ServiceError) as error:
        schedule(org, date(2026, 3, 20), format=ConferenceFormat.ONLINE)
    assert "link" in error.value.errors
    conference = schedule(
        org, date(2026, 3, 20), format=ConferenceFormat.SOCIAL_NETWORK, link="https://zalo.me/xa-a"
    )
    with pytest.raises(ServiceError) as error:
        conferences.publish_conference_results(actor=org.head, conference=conference, results="x")
    assert "status" in error.value.errors
    with pytest.raises(ServiceError) as error:
        conferences.record_conference(actor=org.head, conference=conference, held_on=date(2026, 3, 21))
    assert {"held_on", "questions"} <= set(error.value.errors)


# --- The yearly report -------------------------------------------------------------------------


def test_the_yearly_report_shows_per_commune_held_and_on_time(org, frozen_today):
    conference = held_before_tet(org, frozen_today)
    frozen_today(date(2026, 2, 24))
    conferences.publish_conference_results(actor=org.head, conference=conference, results="Kết quả")
    frozen_today(date(2026, 3, 2))
    late = conferences.schedule_conference(
        actor=org.remote_head,
        unit=org.remote_commune,
        starts_at=at(date(2026, 3, 10)),
        topics="Nước sạch",
        place="Nhà văn hoá",
        reason=ConferenceReason.VOTER_REQUEST,
    )
    frozen_today(date(2026, 3, 5))
    conferences.announce_conference(actor=org.remote_head, conference=late)
    frozen_today(date(2026, 3, 10))
    conferences.record_conference(
        actor=org.remote_head, conference=late, held_on=date(2026, 3, 10), questions="Giá nước"
    )

    report = reports.conference_compliance(year=2026, scope=reports.Scope.all(), within=org.province)
    rows = {r["unit"]: r for r in report["rows"]}
    assert set(rows) == {org.commune.pk, org.remote_commune.pk, org.other_commune.pk}
    a = rows[org.commune.pk]
    assert (a["held"], a["announced_on_time"], a["results_on_time"], a["held_as_required"]) == (1, 1, 0, True)
    r = rows[org.remote_commune.pk]
    assert (r["held"], r["announced_on_time"], r["results_pending"], r["voter_requests"]) == (1, 0, 1, 1)
    assert rows[org.other_commune.pk]["held"] == 0 and rows[org.other_commune.pk]["held_as_required"] is False
    assert report["totals"]["communes_held_as_required"] == 2

    reception = reports.reception_activity(
        period=reports.custom_period(date(2026, 1, 1), date(2026, 12, 31)),
        scope=reports.Scope.all(),
        group_by="unit",
        within=org.province,
    )
    assert {r["unit"]: r["dialogues_held"] for r in reception.rows}[org.commune.pk] == 1
