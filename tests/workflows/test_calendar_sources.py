"""Every day off and make-up working day has a source a person can check (issue 10, defect 8;
DOMAIN.md §3): a statutory holiday from the `holidays` package, a government decision named by number
and date (shipped as data in casework.rules.holidays), or an administrator. 24/11 (Vietnamese Culture
Day), which the package lists from 2026 before the law does, counts as a working day until confirmed.

Reference calendar: New Year 2026 — Thu 1 Jan holiday, Fri 2 Jan off, worked on Sat 10 Jan
(12729/VPCP-KGVX of 25/12/2025); 30/4–1/5/2025 — Fri 2 May off, worked on Sat 26 Apr (8726/VPCP-KGVX
of 26/11/2024); National Day 2026 — Mon 31 Aug off, worked on Sat 22 Aug; Tue 24 Nov 2026 Culture Day.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from casework.choices import CalendarDayKind, CalendarSource, CaseKind, DeadlineKind
from casework.models import CalendarDay, CaseEvent, Deadline, DeadlineEntry
from casework.rules.calendar import PACKAGE_REFERENCE, WorkingCalendar
from casework.rules.holidays import DECREED_DAYS
from tests.factories import register
from workflows.clocks import confirm_calendar_day, override_calendar_day
from workflows.errors import RuleViolation

CULTURE_DAY = date(2026, 11, 24)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_the_new_year_2026_swap_is_a_day_off_and_a_working_saturday_by_decision(cal):
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    # A 7-working-day period from Wed 31/12/2025: [Thu 1, Fri 2, Sat 3, Sun 4] Mon 5 (1) … Fri 9 (5),
    # Sat 10 (6), Mon 12 (7).
    assert cal.working_days_between(date(2025, 12, 31), date(2026, 1, 12)) == 7
    for day in (date(2026, 1, 2), date(2026, 1, 10)):
        status = cal.status(day)
        assert status.source == CalendarSource.DECISION
        assert status.reference == "12729/VPCP-KGVX ngày 25/12/2025 (Văn phòng Chính phủ)"


def test_the_2025_labour_day_swap_names_its_decision(cal):
    off, worked = cal.status(date(2025, 5, 2)), cal.status(date(2025, 4, 26))
    assert (off.working, worked.working) == (False, True)
    assert off.reference.startswith("8726/VPCP-KGVX ngày 26/11/2024")
    assert worked.source == off.source == CalendarSource.DECISION


def test_a_decision_whose_number_could_not_be_verified_says_so_instead_of_inventing_one(cal):
    status = cal.status(date(2026, 8, 31))
    assert (status.working, status.source) == (False, CalendarSource.DECISION)
    assert "số hiệu chưa xác minh" in status.reference
    assert all(d.decision.number == "" or "/VPCP-KGVX" in d.decision.number for d in DECREED_DAYS.values())


def test_statutory_holidays_come_from_the_package(cal):
    status = cal.status(date(2026, 2, 17))
    assert (status.working, status.kind, status.source) == (
        False,
        CalendarDayKind.DAY_OFF,
        CalendarSource.PACKAGE,
    )
    assert status.reference == PACKAGE_REFERENCE
    assert status.confirmed


def test_culture_day_is_listed_but_counted_as_a_working_day_until_confirmed(cal):
    status = cal.status(CULTURE_DAY)
    assert cal.is_working_day(CULTURE_DAY)
    assert status.working and status.pending
    assert (status.kind, status.source) == (CalendarDayKind.DAY_OFF, CalendarSource.PACKAGE)
    assert "Labor Code Art. 112" in status.note
    with translation.override("en"):
        assert cal.why_not_working(date(2029, 11, 24)) == "Saturday"  # unconfirmed, on a weekend


def test_ordinary_days_have_no_source(cal):
    status = cal.status(date(2026, 3, 11))
    assert (status.working, status.kind, status.source) == (True, None, None)
    assert cal.status(date(2026, 3, 14)).working is False


def test_the_year_review_lists_every_day_off_and_make_up_day_with_a_source(cal):
    review = cal.year_review(2026)
    days = [s.day for s in review]
    assert days == sorted(days)
    assert {
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 1, 10),
        date(2026, 2, 16),
        date(2026, 4, 27),
    } <= set(days)
    assert {date(2026, 8, 22), date(2026, 8, 31), date(2026, 9, 2), CULTURE_DAY} <= set(days)
    assert all(s.source and s.reference and s.kind for s in review)
    assert [s.day for s in review if s.pending] == [CULTURE_DAY]


def test_an_administrator_row_wins_and_carries_its_source_and_confirmation(db, org):
    override_calendar_day(
        day=date(2026, 1, 10),
        kind=CalendarDayKind.DAY_OFF,
        reason="Bão số 1",
        decision_reference="15/QĐ-UBND ngày 09/01/2026",
        actor=org.head,
    )
    status = WorkingCalendar.load().status(date(2026, 1, 10))
    assert (status.working, status.source, status.reference) == (
        False,
        CalendarSource.DECISION,
        "15/QĐ-UBND ngày 09/01/2026",
    )
    assert status.confirmed_by == org.head.username and status.confirmed_at is not None


# --- Confirming and overriding recompute the running deadlines --------------------------------------


@pytest.fixture
def november_denunciation(org, frozen_today):
    """Received Wed 18 Nov 2026; acceptance = 7 working days with 24/11 unconfirmed (working):
    Thu 19 (1), Fri 20 (2), Mon 23 (3), Tue 24 (4), Wed 25 (5), Thu 26 (6), Fri 27 (7)."""
    frozen_today(date(2026, 11, 19))
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 11, 18))
    assert Deadline.objects.get(case=case, kind=DeadlineKind.ACCEPTANCE).due_date == date(2026, 11, 27)
    return case


def test_confirming_culture_day_makes_it_a_day_off_and_moves_the_running_deadline(org, november_denunciation):
    moved = confirm_calendar_day(day=CULTURE_DAY, actor=org.head)
    assert moved == 1
    acceptance = Deadline.objects.get(case=november_denunciation, kind=DeadlineKind.ACCEPTANCE)
    assert acceptance.due_date == date(2026, 11, 30)
    row = CalendarDay.objects.get(date=CULTURE_DAY)
    assert (row.kind, row.source, row.decision_reference) == (
        CalendarDayKind.DAY_OFF,
        CalendarSource.PACKAGE,
        PACKAGE_REFERENCE,
    )
    assert row.confirmed_by == org.head and row.confirmed_at is not None
    [event] = CaseEvent.objects.filter(case=november_denunciation, action="deadline_recomputed")
    assert event.changes == {"deadlines.acceptance.due_date": ["2026-11-27", "2026-11-30"]}
    assert DeadlineEntry.objects.filter(deadline=acceptance, kind=DeadlineEntry.Kind.RECOMPUTE).count() == 1
    assert not WorkingCalendar.load().status(CULTURE_DAY).pending


def test_overriding_a_confirmed_day_back_to_working_restores_the_deadline(org, november_denunciation):
    confirm_calendar_day(day=CULTURE_DAY, actor=org.head)
    moved = override_calendar_day(
        day=CULTURE_DAY, kind=CalendarDayKind.WORKING_DAY, reason="Luật chưa sửa", actor=org.head
    )
    assert moved == 1
    acceptance = Deadline.objects.get(case=november_denunciation, kind=DeadlineKind.ACCEPTANCE)
    assert acceptance.due_date == date(2026, 11, 27)
    assert CalendarDay.objects.get(date=CULTURE_DAY).source == CalendarSource.ADMINISTRATOR


def test_confirming_an_ordinary_day_or_overriding_without_a_reason_is_refused(db, org):
    with pytest.raises(RuleViolation) as ordinary:
        confirm_calendar_day(day=date(2026, 3, 11), actor=org.head)
    assert ordinary.value.code == "not_a_calendar_day"
    with pytest.raises(RuleViolation) as silent:
        override_calendar_day(day=CULTURE_DAY, kind=CalendarDayKind.DAY_OFF, reason=" ", actor=org.head)
    assert silent.value.code == "reason_required"
    assert not CalendarDay.objects.exists()
