"""The working-day calendar: weekends, Vietnamese public holidays (the `holidays` package), the swapped
Saturdays the government decrees, and the administrator's own exceptions (DOMAIN.md §3).

Reference calendar used below (checked against a printed calendar):
  Tết 2026: Mon 16 – Fri 20 Feb 2026 are public holidays; Sat 14, Sun 15, Sat 21, Sun 22 are weekend.
  Tết 2027: Thu 4 – Wed 10 Feb 2027 are public holidays (Sat 6 and Sun 7 fall inside).
  2026 National Day bridge: Mon 31 Aug 2026 is a day off, worked on Sat 22 Aug 2026 instead.
"""

from datetime import date

import pytest
from django.utils import translation

from casework.choices import CalendarDayKind
from casework.models import CalendarDay
from casework.rules.calendar import WorkingCalendar


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_monday_to_friday_are_working_days_and_the_weekend_is_not(cal):
    # Mon 2 – Fri 6 Mar 2026 are ordinary weekdays; Sat 7 and Sun 8 Mar are the weekend.
    assert all(cal.is_working_day(date(2026, 3, d)) for d in range(2, 7))
    assert not cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2026, 3, 8))


def test_tet_2026_weekdays_are_public_holidays(cal):
    # Mon 16 – Fri 20 Feb 2026: five weekdays off; Fri 13 and Mon 23 Feb are the working days around them.
    assert [d for d in range(13, 24) if cal.is_working_day(date(2026, 2, d))] == [13, 23]


def test_tet_2027_runs_from_thursday_4_to_wednesday_10_february(cal):
    # Wed 3 Feb 2027 is the last working day before Tết and Thu 11 Feb the first one after.
    assert cal.is_working_day(date(2027, 2, 3))
    assert not any(cal.is_working_day(date(2027, 2, d)) for d in range(4, 11))
    assert cal.is_working_day(date(2027, 2, 11))


def test_reasons_name_the_holiday_in_english_and_vietnamese(cal):
    with translation.override("en"):
        assert cal.why_not_working(date(2026, 2, 16)) == "Lunar New Year's Eve"
        assert cal.why_not_working(date(2026, 2, 17)) == "Lunar New Year"
        assert cal.why_not_working(date(2027, 2, 10)) == "Fifth Day of Lunar New Year"
    with translation.override("vi"):
        assert cal.why_not_working(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_a_weekend_day_inside_tet_is_named_after_the_holiday(cal, en):
    # Sat 6 Feb 2027 is both a Saturday and the first day of the lunar year: the holiday is the reason.
    assert cal.why_not_working(date(2027, 2, 6)) == "Lunar New Year"


def test_ordinary_weekend_days_are_named_saturday_and_sunday(cal, en):
    assert cal.why_not_working(date(2026, 3, 7)) == "Saturday"
    assert cal.why_not_working(date(2026, 3, 8)) == "Sunday"


def test_the_saturday_swapped_for_a_bridging_day_off_is_a_working_day(cal):
    # The `holidays` package gives Mon 31 Aug 2026 off in exchange for work on Sat 22 Aug 2026.
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.is_working_day(date(2026, 8, 22))
    # The other Saturdays of August stay days off.
    assert not cal.is_working_day(date(2026, 8, 29))


def test_an_admin_day_off_stops_a_weekday_counting_and_gives_its_reason(cal, en):
    cal = WorkingCalendar({date(2026, 3, 11): (CalendarDayKind.DAY_OFF, "Provincial anniversary")})
    assert not cal.is_working_day(date(2026, 3, 11))
    assert cal.why_not_working(date(2026, 3, 11)) == "Provincial anniversary"
    assert cal.is_working_day(date(2026, 3, 12))


def test_an_admin_make_up_working_saturday_counts_as_a_working_day():
    cal = WorkingCalendar({date(2026, 3, 7): (CalendarDayKind.WORKING_DAY, "Make-up for 2 Jan")})
    assert cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2026, 3, 8))


@pytest.mark.django_db
def test_load_reads_the_administrator_exceptions_from_the_database():
    CalendarDay.objects.create(date=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm")
    CalendarDay.objects.create(date=date(2026, 3, 14), kind=CalendarDayKind.WORKING_DAY, reason="Make-up")
    cal = WorkingCalendar.load()
    assert not cal.is_working_day(date(2026, 3, 11))
    assert cal.is_working_day(date(2026, 3, 14))


def test_next_working_day_after_the_last_day_before_tet_2026_is_monday_23_february(cal):
    # Fri 13 Feb -> Sat 14, Sun 15 (weekend), Mon 16 – Fri 20 (Tết), Sat 21, Sun 22 (weekend) -> Mon 23.
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    # An ordinary Friday goes to the Monday.
    assert cal.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)


def test_working_days_between_counts_the_end_day_but_not_the_start_day(cal):
    # (Mon 2 Mar, Fri 6 Mar] = Tue, Wed, Thu, Fri = 4.
    assert cal.working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 4
    # (Fri 6 Mar, Mon 9 Mar] = Mon only; Sat 7 and Sun 8 do not count.
    assert cal.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert cal.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0


def test_working_days_between_is_negative_when_the_end_is_earlier(cal):
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1


def test_working_days_between_skips_tet_2027(cal):
    # (Mon 1 Feb 2027, Mon 15 Feb 2027]: Tue 2, Wed 3, [Thu 4 – Wed 10 Tết], Thu 11, Fri 12,
    # [Sat 13, Sun 14], Mon 15 = 5 working days.
    assert cal.working_days_between(date(2027, 2, 1), date(2027, 2, 15)) == 5
