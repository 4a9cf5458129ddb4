"""The working calendar is kept per process and read again when the CalendarDay table changes, whoever
changed it: this process (save/delete signals) or another one (the stamp: row count, latest updated_at).
Changes "from another process" are made here with writes that send no signal (bulk_create, update,
raw SQL), so only the stamp can notice them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.choices import CalendarDayKind, DeadlineKind
from casework.models import CalendarDay, Case
from casework.rules import calendar as calendar_module
from casework.rules.calendar import WorkingCalendar, stamp_columns, stamp_of
from tests.factories import act, register
from workflows.clocks import set_calendar_exception

pytestmark = [pytest.mark.django_db, pytest.mark.sql]

STORM = date(2026, 3, 11)  # a Wednesday


@pytest.fixture(autouse=True)
def fresh_process_calendar():
    """Each test starts as a fresh process would: the calendar a previous test left is not trusted (its
    rows were rolled back, and the signal-less writes below could repeat its stamp under a frozen clock)."""
    calendar_module.forget_calendar()


def another_process_adds(day: date, kind: str = CalendarDayKind.DAY_OFF) -> None:
    CalendarDay.objects.bulk_create([CalendarDay(date=day, kind=kind, reason="Bão")])


def test_the_calendar_is_read_once_and_then_only_its_stamp_is_asked_for(django_assert_num_queries):
    CalendarDay.objects.create(date=STORM, kind=CalendarDayKind.DAY_OFF, reason="Bão")
    first = WorkingCalendar.load()
    with django_assert_num_queries(1):  # the stamp; no row is read again
        again = WorkingCalendar.load()
    assert again is first
    assert not again.is_working_day(STORM)


def test_a_day_added_by_another_process_is_seen_by_the_next_load():
    assert WorkingCalendar.load().is_working_day(STORM)
    another_process_adds(STORM)
    assert not WorkingCalendar.load().is_working_day(STORM)


def test_a_day_changed_by_another_process_is_seen_by_the_next_load():
    CalendarDay.objects.create(date=STORM, kind=CalendarDayKind.DAY_OFF, reason="Bão")
    assert not WorkingCalendar.load().is_working_day(STORM)
    # What another process's save writes (auto_now moves updated_at), without this process's signal.
    CalendarDay.objects.filter(date=STORM).update(
        kind=CalendarDayKind.WORKING_DAY, updated_at=timezone.now() + timedelta(seconds=1)
    )
    assert WorkingCalendar.load().is_working_day(STORM)


def test_a_day_removed_by_another_process_is_seen_by_the_next_load():
    CalendarDay.objects.create(date=STORM, kind=CalendarDayKind.DAY_OFF, reason="Bão")
    assert not WorkingCalendar.load().is_working_day(STORM)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CalendarDay._meta.db_table}")
    assert WorkingCalendar.load().is_working_day(STORM)


def test_a_change_made_here_within_one_clock_tick_is_seen(frozen_today):
    frozen_today(date(2026, 3, 5))  # the clock stands still: updated_at cannot tell the two saves apart
    CalendarDay.objects.create(date=STORM, kind=CalendarDayKind.DAY_OFF, reason="Bão")
    assert not WorkingCalendar.load().is_working_day(STORM)
    row = CalendarDay.objects.get(date=STORM)
    row.kind = CalendarDayKind.WORKING_DAY
    row.save()
    assert WorkingCalendar.load().is_working_day(STORM)


def test_the_stamp_read_with_the_case_lock_is_the_one_asked_for_alone(org, frozen_today):
    frozen_today(date(2026, 3, 5))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 4))
    CalendarDay.objects.create(date=STORM, kind=CalendarDayKind.DAY_OFF, reason="Bão")
    locked = Case.objects.annotate(**stamp_columns()).get(pk=case.pk)
    # Equal, so a transition and a page share the process's one calendar instead of reading it in turn.
    assert stamp_of(locked) == calendar_module._stamp()
    assert stamp_of(locked)[0] == 1


def _resolution_due(case) -> date:
    return case.deadlines.get(kind=DeadlineKind.RESOLUTION).due_date


def test_a_transition_after_a_calendar_change_counts_the_new_day(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    cases = []
    for _ in range(3):
        case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
        cases.append(act(case, "review", org.reception, on=date(2026, 3, 17)))
    first_due = _resolution_due(act(cases[0], "accept", org.head, on=date(2026, 3, 18)))

    # Another process declares the due day a day off: the next acceptance's clock ends after it.
    another_process_adds(first_due)
    second_due = _resolution_due(act(cases[1], "accept", org.head, on=date(2026, 3, 18)))
    assert second_due > first_due

    # And this process makes it a working day again: the next one ends on it.
    set_calendar_exception(day=first_due, kind=CalendarDayKind.WORKING_DAY, reason="Làm bù", actor=org.head)
    assert _resolution_due(act(cases[2], "accept", org.head, on=date(2026, 3, 18))) == first_due
