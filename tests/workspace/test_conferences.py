"""The dialogue conferences in the workspace, as a commune's staff and a monitor use them, and the
citizens' satisfaction on the monitor's board (Django test client)."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import CaseKind, CaseState, ConferenceStatus, Quality, Satisfaction, Timeliness
from casework.models import DialogueConference
from casework.ratings import rate_case
from tests.helpers import drive, new_case

pytestmark = pytest.mark.django_db


def test_a_head_schedules_announces_records_and_publishes_a_conference(client, org, frozen_today):
    frozen_today(date(2026, 3, 2))
    client.force_login(org.head)
    page = client.get("/conferences/").content.decode()
    assert "Schedule a conference" in page or "Lên lịch hội nghị" in page
    made = client.post(
        "/conferences/",
        {
            "unit": org.commune.pk,
            "starts_at": "20/03/2026 08:00",
            "reason": "yearly",
            "format": "in_person",
            "place": "Hội trường UBND xã",
            "topics": "Đường liên thôn",
        },
    )
    assert made.status_code == 302
    conference = DialogueConference.objects.get()
    assert conference.notice_due_on == date(2026, 3, 13)
    url = f"/conferences/{conference.pk}/"
    assert client.post(url, {"step": "announce", "on": "02/03/2026"}).status_code == 302
    frozen_today(date(2026, 3, 20))
    client.force_login(org.head)  # a new day, a new sign-in (sessions expire)
    case = new_case(org, CaseKind.RECOMMENDATION, received_at=date(2026, 3, 20))
    bad = client.post(
        url, {"step": "record", "held_on": "20/03/2026", "questions": "x", "references": "NOPE/1"}
    )
    assert bad.status_code == 200 and "NOPE/1" in bad.content.decode()
    recorded = client.post(
        url,
        {
            "step": "record",
            "held_on": "20/03/2026",
            "participant_count": "80",
            "questions": "Bao giờ làm đường?",
            "answers": "Quý II",
            "references": case.reference,
        },
    )
    assert recorded.status_code == 302
    assert client.post(url, {"step": "publish", "results": "Kết quả", "on": "25/03/2026"}).status_code == 200
    frozen_today(date(2026, 3, 25))
    client.force_login(org.head)
    assert client.post(url, {"step": "publish", "results": "Kết quả", "on": "25/03/2026"}).status_code == 302
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.HELD
    assert conference.results_on_time and conference.announced_on_time
    assert list(conference.cases.all()) == [case]
    shown = client.get(url).content.decode()
    assert case.reference in shown


def test_staff_of_another_commune_see_nothing_and_a_monitor_only_reads(client, org, frozen_today):
    frozen_today(date(2026, 3, 2))
    client.force_login(org.head)
    client.post(
        "/conferences/",
        {
            "unit": org.commune.pk,
            "starts_at": "20/03/2026 08:00",
            "reason": "yearly",
            "format": "online",
            "link": "https://meet.example.vn/xa-a",
            "topics": "Nước sạch",
        },
    )
    conference = DialogueConference.objects.get()
    client.force_login(org.outsider)
    assert client.get(f"/conferences/{conference.pk}/").status_code == 404
    client.force_login(org.monitor)
    page = client.get(f"/conferences/{conference.pk}/").content.decode()
    assert "meet.example.vn" in page and 'name="step"' not in page
    assert (
        client.post(f"/conferences/{conference.pk}/", {"step": "announce", "on": "02/03/2026"}).status_code
        == 404
    )


def test_the_board_shows_the_citizens_satisfaction_per_unit(client, org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = drive(new_case(org, CaseKind.RECOMMENDATION), org, CaseState.DECIDED)
    rate_case(
        case=case,
        satisfaction=Satisfaction.NOT_SATISFIED,
        timeliness=Timeliness.LATE,
        contacts=4,
        staff_attitude=Quality.FAIR,
        answer_clarity=Quality.POOR,
    )
    client.force_login(org.monitor)
    page = client.get("/board/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "satisfaction-title" in page
    assert org.commune.name in page and "4.0" in page
