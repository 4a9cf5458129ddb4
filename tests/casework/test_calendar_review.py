"""The yearly calendar review (issue 10, defect 8): `manage.py calendar_review 2026` and the admin page
linked from the calendar list both show the year's days off and make-up working days with their
sources, and let an administrator confirm or override a day, which recomputes the running deadlines."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from casework.choices import CalendarDayKind, CalendarSource, CaseKind, DeadlineKind, Role
from casework.models import CalendarDay, Deadline
from tests.factories import register, staff

CULTURE_DAY = date(2026, 11, 24)
REVIEW_URL = "admin:casework_calendarday_review"


@pytest.fixture
def administrator(org):
    return staff(org.province, Role.ADMINISTRATOR, "calendar_admin")


@pytest.fixture
def running_case(org, frozen_today):
    """Acceptance due Fri 27/11/2026 while 24/11 counts as a working day; Mon 30/11 once it is off."""
    frozen_today(date(2026, 11, 19))
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 11, 18))
    return Deadline.objects.get(case=case, kind=DeadlineKind.ACCEPTANCE)


def review(*args) -> str:
    out = StringIO()
    call_command("calendar_review", *args, "--language", "en", stdout=out)
    return out.getvalue()


# --- Command ------------------------------------------------------------------------------------


def test_the_command_lists_the_years_days_with_their_sources(db):
    out = review("2026")
    assert "02/01/2026 Fri | day off | Day off swapped with Saturday 10/01/2026 (New Year)" in out
    assert "Government decision: 12729/VPCP-KGVX ngày 25/12/2025" in out
    assert "10/01/2026 Sat | working day |" in out
    assert "17/02/2026 Tue | day off | Lunar New Year | Statutory holiday (holidays package)" in out
    culture = next(line for line in out.splitlines() if line.startswith("24/11/2026"))
    assert "not counted yet" in culture and "UNCONFIRMED" in culture
    assert "1 day(s) waiting for an administrator's confirmation." in out


def test_the_command_confirms_a_day_as_an_administrator_and_moves_deadlines(org, administrator, running_case):
    out = review("2026", "--confirm", "2026-11-24", "--by", "calendar_admin")
    assert "1 running deadline moved." in out
    running_case.refresh_from_db()
    assert running_case.due_date == date(2026, 11, 30)
    culture = next(line for line in out.splitlines() if line.startswith("24/11/2026"))
    assert "| day off |" in culture and "confirmed by calendar_admin" in culture
    assert "waiting for an administrator's confirmation" not in out


def test_the_command_overrides_a_day_on_a_named_decision(org, administrator, running_case):
    review(
        "2026",
        "--override",
        "2026-11-23",
        "--kind",
        "day_off",
        "--reason",
        "Lễ hội tỉnh",
        "--decision",
        "99/QĐ-UBND ngày 01/11/2026",
        "--by",
        "calendar_admin",
    )
    row = CalendarDay.objects.get(date=date(2026, 11, 23))
    assert (row.kind, row.source, row.decision_reference, row.confirmed_by) == (
        CalendarDayKind.DAY_OFF,
        CalendarSource.DECISION,
        "99/QĐ-UBND ngày 01/11/2026",
        administrator,
    )
    running_case.refresh_from_db()
    assert running_case.due_date == date(2026, 11, 30)


def test_the_command_refuses_changes_without_an_administrator(org):
    with pytest.raises(CommandError, match="--by"):
        review("2026", "--confirm", "2026-11-24")
    with pytest.raises(CommandError, match="may not change the calendar"):
        review("2026", "--confirm", "2026-11-24", "--by", org.monitor.username)
    with pytest.raises(CommandError, match="not_a_calendar_day"):
        staff(org.province, Role.ADMINISTRATOR, "calendar_admin")
        review("2026", "--confirm", "2026-03-11", "--by", "calendar_admin")
    assert not CalendarDay.objects.exists()


# --- Admin page ---------------------------------------------------------------------------------


def test_the_calendar_list_links_to_the_review_page(org, administrator, client, frozen_today):
    frozen_today(date(2026, 3, 2))
    client.force_login(administrator)
    page = client.get(reverse("admin:casework_calendarday_changelist")).content.decode()
    assert f"{reverse(REVIEW_URL)}?year=2026" in page


def test_the_review_page_shows_sources_in_vietnamese(org, administrator, client):
    client.force_login(administrator)
    with translation.override("vi"):
        response = client.get(reverse(REVIEW_URL), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-date="2026-01-02"' in page and "12729/VPCP-KGVX ngày 25/12/2025" in page
    assert "Quyết định của Chính phủ" in page and "Ngày lễ theo luật (gói holidays)" in page
    assert "Chưa xác nhận" in page and "Ngày Văn hóa Việt Nam" in page


def test_confirming_on_the_review_page_moves_deadlines_and_is_logged(
    org, administrator, client, running_case
):
    client.force_login(administrator)
    response = client.post(
        f"{reverse(REVIEW_URL)}?year=2026", {"day": "2026-11-24", "action": "confirm"}, follow=True
    )
    assert "1 running deadline moved." in response.content.decode()
    running_case.refresh_from_db()
    assert running_case.due_date == date(2026, 11, 30)
    row = CalendarDay.objects.get(date=CULTURE_DAY)
    assert (row.source, row.confirmed_by) == (CalendarSource.PACKAGE, administrator)
    assert LogEntry.objects.filter(object_id=str(row.pk), user=administrator).exists()
    assert running_case.case.events.filter(action="deadline_recomputed", actor=administrator).count() == 1


def test_overriding_on_the_review_page_records_the_administrator_as_source(org, administrator, client):
    client.force_login(administrator)
    client.post(
        reverse(REVIEW_URL),
        {"day": "2026-11-24", "action": "override", "kind": "working_day", "reason": "Luật chưa sửa"},
    )
    row = CalendarDay.objects.get(date=CULTURE_DAY)
    assert (row.kind, row.source, row.reason) == (
        CalendarDayKind.WORKING_DAY,
        CalendarSource.ADMINISTRATOR,
        "Luật chưa sửa",
    )


def test_a_monitor_may_read_the_review_but_not_change_it(org, client):
    client.force_login(org.monitor)
    assert client.get(reverse(REVIEW_URL), {"year": 2026}).status_code == 200
    refused = client.post(reverse(REVIEW_URL), {"day": "2026-11-24", "action": "confirm"})
    assert refused.status_code == 403
    assert not CalendarDay.objects.exists()
