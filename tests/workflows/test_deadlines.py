"""Deadline clocks on real cases: calendar exceptions, suspension, extensions, explanations, days left.

Counting (DOMAIN.md §3): the day of the triggering event is not counted; calendar-day periods end on
D+N, rolled to the next working day when that day is a weekend or holiday; working-day periods end on
the N-th working day after D. A suspension from day S lifted on day R stops the clock for S..R-1.

Reference calendar: March 2026 starts on a Sunday (Mon 2, Mon 9, Mon 16, Mon 23, Mon 30 Mar);
Tết 2026 = Mon 16 – Fri 20 Feb 2026; Tết 2027 = Thu 4 – Wed 10 Feb 2027; 26 Apr 2026 (Sun) is Hung
Kings' day, observed on Mon 27 Apr; 30 Apr (Thu) and 1 May 2026 (Fri) are public holidays.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from casework.choices import (
    CalendarDayKind,
    CaseKind,
    CaseState,
    DayType,
    DeadlineKind,
    DeadlineStatus,
    ExtensionReason,
)
from casework.models import CaseEvent, Deadline, DeadlineEntry
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import explain
from casework.rules.periods import Pause, compute_due, working_days_left
from tests.factories import act, register
from workflows.clocks import remove_calendar_exception, set_calendar_exception
from workflows.errors import RuleViolation, TransitionNotAllowed
from workflows.service import available_actions

COMPLEX, VERY_COMPLEX = ExtensionReason.COMPLEX, ExtensionReason.VERY_COMPLEX
OUTCOME = {CaseKind.COMPLAINT: "partly_right", CaseKind.DENUNCIATION: "partly_true"}


# --- Helpers ------------------------------------------------------------------------------------


def _accepted(org, *, on, kind=CaseKind.COMPLAINT, unit=None, round=None):
    """A case registered, reviewed and accepted on `on`: its resolution clock starts that day."""
    unit = unit or org.commune
    reception, head = (
        (org.remote_reception, org.remote_head) if unit == org.remote_commune else (org.reception, org.head)
    )
    case = register(unit, reception, kind=kind, received_at=on, round=round)
    case = act(case, "review", reception, on=on)
    return act(case, "accept", head, on=on)


def _denunciation(org, *, received, several_locations=False):
    return register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=received,
        several_locations=several_locations,
    )


def _clock(case, kind=DeadlineKind.RESOLUTION) -> Deadline:
    return Deadline.objects.get(case=case, kind=kind)


def _entries(case, kind=DeadlineKind.RESOLUTION, entry_kind=None):
    qs = DeadlineEntry.objects.filter(deadline__case=case, deadline__kind=kind)
    return list(qs.filter(kind=entry_kind) if entry_kind else qs)


def _refused(case, action, actor, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        act(case, action, actor, **kwargs)
    return refused.value


# --- Administrator calendar exceptions -----------------------------------------------------------


@pytest.fixture
def march_denunciation(org, frozen_today):
    """Received Thu 5 Mar 2026; acceptance = 7 working days:
    Fri 6 (1), [Sat 7, Sun 8], Mon 9 (2), Tue 10 (3), Wed 11 (4), Thu 12 (5), Fri 13 (6), [Sat 14, Sun 15],
    Mon 16 (7) -> due Mon 16 Mar 2026."""
    frozen_today(date(2026, 3, 6))
    case = _denunciation(org, received=date(2026, 3, 5))
    assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    return case


def test_extra_day_off_inside_a_working_day_window_moves_the_due_date_by_one_working_day(
    org, march_denunciation
):
    # Wed 11 Mar no longer counts:
    # ... Tue 10 (3), [Wed 11 off], Thu 12 (4), Fri 13 (5), Mon 16 (6), Tue 17 (7).
    moved = set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )
    assert moved == 1  # the processing clock (10 calendar days -> Sun 15 -> Mon 16) is not affected
    assert _clock(march_denunciation, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 17)
    assert _clock(march_denunciation, DeadlineKind.PROCESSING).due_date == date(2026, 3, 16)


def test_a_recomputed_clock_leaves_a_ledger_entry_and_a_case_event(org, march_denunciation):
    set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )
    [entry] = _entries(march_denunciation, DeadlineKind.ACCEPTANCE, DeadlineEntry.Kind.RECOMPUTE)
    assert (entry.on, entry.due_before, entry.due_after) == (
        date(2026, 3, 11),
        date(2026, 3, 16),
        date(2026, 3, 17),
    )
    [event] = CaseEvent.objects.filter(case=march_denunciation, action="deadline_recomputed")
    assert event.actor == org.head
    assert event.from_state == event.to_state == CaseState.RECEIVED
    assert event.changes == {"deadlines.acceptance.due_date": ["2026-03-16", "2026-03-17"]}


def test_make_up_working_saturday_shortens_a_working_day_window(org, march_denunciation):
    # Sat 7 Mar becomes a working day: Fri 6 (1), Sat 7 (2), Mon 9 (3), Tue 10 (4), Wed 11 (5),
    # Thu 12 (6), Fri 13 (7).
    moved = set_calendar_exception(
        day=date(2026, 3, 7), kind=CalendarDayKind.WORKING_DAY, reason="Make-up working day", actor=org.head
    )
    assert moved == 1
    assert _clock(march_denunciation, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 13)


def test_removing_the_exception_restores_the_due_date(org, march_denunciation):
    set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )
    assert remove_calendar_exception(day=date(2026, 3, 11), actor=org.head) == 1
    assert _clock(march_denunciation, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    recomputes = _entries(march_denunciation, DeadlineKind.ACCEPTANCE, DeadlineEntry.Kind.RECOMPUTE)
    assert [(e.due_before, e.due_after) for e in recomputes] == [
        (date(2026, 3, 16), date(2026, 3, 17)),
        (date(2026, 3, 17), date(2026, 3, 16)),
    ]


def test_removing_an_exception_that_does_not_exist_changes_nothing(org, march_denunciation):
    assert remove_calendar_exception(day=date(2026, 3, 11), actor=org.head) == 0
    assert not _entries(march_denunciation, DeadlineKind.ACCEPTANCE, DeadlineEntry.Kind.RECOMPUTE)


def test_day_off_after_the_due_date_changes_nothing(org, march_denunciation):
    moved = set_calendar_exception(
        day=date(2026, 3, 17), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )
    assert moved == 0
    assert _clock(march_denunciation, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    assert not DeadlineEntry.objects.filter(kind=DeadlineEntry.Kind.RECOMPUTE).exists()
    assert not CaseEvent.objects.filter(action="deadline_recomputed").exists()


def test_a_calendar_day_period_moves_only_when_its_last_day_stops_being_worked(org, frozen_today):
    frozen_today(date(2026, 3, 5))
    # Complaint received Wed 4 Mar 2026: acceptance 10 calendar days -> Sat 14 Mar -> Mon 16 Mar.
    case = register(org.commune, org.reception, received_at=date(2026, 3, 4))
    assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    # A day off in the middle does not shorten or lengthen a calendar-day period.
    set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )
    assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    # A day off on the rolled-to Monday pushes the end to Tuesday 17 Mar.
    set_calendar_exception(
        day=date(2026, 3, 16), kind=CalendarDayKind.DAY_OFF, reason="Flood", actor=org.head
    )
    assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 17)
    # Working Saturday 14 Mar: day 10 is now a working day, so there is no roll-forward at all.
    set_calendar_exception(
        day=date(2026, 3, 14), kind=CalendarDayKind.WORKING_DAY, reason="Make-up", actor=org.head
    )
    assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 14)


def test_each_affected_open_case_is_recomputed_and_finished_clocks_are_untouched(org, frozen_today):
    frozen_today(date(2026, 3, 6))
    first = _denunciation(org, received=date(2026, 3, 5))
    second = _denunciation(org, received=date(2026, 3, 5))
    # Accepted Fri 6 Mar: its acceptance clock is met;
    # resolution = 30 calendar days -> Sun 5 Apr -> Mon 6 Apr.
    accepted = _denunciation(org, received=date(2026, 3, 5))
    accepted = act(accepted, "review", org.reception, on=date(2026, 3, 6))
    accepted = act(accepted, "accept", org.head, on=date(2026, 3, 6))
    # Withdrawn Fri 6 Mar: its clocks are cancelled.
    withdrawn = act(
        _denunciation(org, received=date(2026, 3, 5)), "withdraw", org.reception, on=date(2026, 3, 6)
    )

    moved = set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm", actor=org.head
    )

    assert moved == 2
    for case in (first, second):
        assert _clock(case, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 17)
        assert CaseEvent.objects.filter(case=case, action="deadline_recomputed").count() == 1
    met = _clock(accepted, DeadlineKind.ACCEPTANCE)
    assert (met.status, met.due_date) == (DeadlineStatus.MET, date(2026, 3, 16))
    assert _clock(accepted).due_date == date(2026, 4, 6)
    assert _clock(withdrawn, DeadlineKind.ACCEPTANCE).status == DeadlineStatus.CANCELLED
    assert _clock(withdrawn, DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 16)
    for case in (accepted, withdrawn):
        assert not DeadlineEntry.objects.filter(
            deadline__case=case, kind=DeadlineEntry.Kind.RECOMPUTE
        ).exists()
        assert not CaseEvent.objects.filter(case=case, action="deadline_recomputed").exists()


def test_a_paused_clock_is_not_recomputed_but_counts_the_new_day_off_when_it_resumes(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    # Accepted Mon 2 Mar 2026: 30 calendar days -> Wed 1 Apr.
    case = _accepted(org, on=date(2026, 3, 2))
    case = act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Awaiting a court ruling")
    # Mon 13 Apr is declared a day off while the case is suspended: nothing to recompute yet.
    moved = set_calendar_exception(
        day=date(2026, 4, 13), kind=CalendarDayKind.DAY_OFF, reason="Provincial holiday", actor=org.head
    )
    assert moved == 0
    # Resumed Fri 20 Mar: 10 days paused (Tue 10 – Thu 19)
    # -> Sat 11 Apr -> Sun 12, Mon 13 (off) -> Tue 14 Apr.
    act(case, "resume", org.head, on=date(2026, 3, 20))
    assert _clock(case).due_date == date(2026, 4, 14)


# --- Suspension (tạm đình chỉ) ------------------------------------------------------------------


def test_suspending_a_case_pauses_its_resolution_clock(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = _accepted(org, on=date(2026, 3, 2))  # due Wed 1 Apr 2026
    case = act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Awaiting a court ruling")
    assert case.state == CaseState.SUSPENDED
    clock = _clock(case)
    assert (clock.status, clock.due_date) == (DeadlineStatus.PAUSED, None)
    [pause] = _entries(case, entry_kind=DeadlineEntry.Kind.PAUSE)
    assert (pause.on, pause.due_before) == (date(2026, 3, 10), date(2026, 4, 1))


def test_resuming_a_complaint_pushes_the_due_date_by_the_paused_days_then_rolls_forward(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = _accepted(org, on=date(2026, 3, 2))  # Mon 2 Mar + 30 = Wed 1 Apr 2026
    case = act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Awaiting a court ruling")
    case = act(case, "resume", org.head, on=date(2026, 3, 20))
    # Paused Tue 10 – Thu 19 Mar = 10 days: Wed 1 Apr + 10 = Sat 11 Apr -> Mon 13 Apr.
    assert case.state == CaseState.ACCEPTED
    clock = _clock(case)
    assert (clock.status, clock.due_date) == (DeadlineStatus.RUNNING, date(2026, 4, 13))
    [resume] = _entries(case, entry_kind=DeadlineEntry.Kind.RESUME)
    assert resume.due_after == date(2026, 4, 13)


def test_two_suspensions_of_a_denunciation_add_up(org, frozen_today):
    frozen_today(date(2026, 3, 10))
    # Accepted Mon 2 Feb 2026: + 26 = Sat 28 Feb, + 4 = Wed 4 Mar 2026 (Tết does not stop calendar days).
    case = _accepted(org, on=date(2026, 2, 2), kind=CaseKind.DENUNCIATION)
    assert _clock(case).due_date == date(2026, 3, 4)
    case = act(case, "start_verification", org.head, on=date(2026, 2, 3), handler=org.handler.pk)
    case = act(case, "suspend", org.head, on=date(2026, 2, 5), reason="Force majeure")
    case = act(case, "resume", org.head, on=date(2026, 2, 12))
    # First pause Thu 5 – Wed 11 Feb = 7 days: Wed 4 Mar + 7 = Wed 11 Mar.
    assert case.state == CaseState.VERIFYING  # back where it was suspended
    assert _clock(case).due_date == date(2026, 3, 11)
    case = act(case, "suspend", org.head, on=date(2026, 3, 2), reason="Awaiting a related conclusion")
    case = act(case, "resume", org.head, on=date(2026, 3, 5))
    # Second pause Mon 2 – Wed 4 Mar = 3 days:
    # 30 + 7 + 3 = 40 days after Mon 2 Feb = Sat 14 Mar -> Mon 16 Mar.
    assert _clock(case).due_date == date(2026, 3, 16)


def test_a_suspension_reason_fits_the_ledger_and_is_kept_whole(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    reason = "Awaiting the ruling of the provincial People's Court on the related land dispute, case 12/2026"
    case = _accepted(org, on=date(2026, 3, 2))
    act(case, "suspend", org.head, on=date(2026, 3, 10), reason=reason)
    [pause] = _entries(case, entry_kind=DeadlineEntry.Kind.PAUSE)
    # The free-text reason is longer than the ledger's short reason code column allows on PostgreSQL.
    assert len(pause.reason) <= DeadlineEntry._meta.get_field("reason").max_length
    with translation.override("en"):
        assert reason in explain(_clock(case))


def test_a_pause_stops_a_working_day_count_for_the_working_days_it_covers():
    # Thu 5 Mar 2026 + 7 working days, paused Mon 9 – Tue 10 Mar (lifted Wed 11):
    # Fri 6 (1), [Sat 7, Sun 8], [Mon 9, Tue 10 paused], Wed 11 (2), Thu 12 (3), Fri 13 (4), Mon 16 (5),
    # Tue 17 (6), Wed 18 (7).
    result = compute_due(
        start=date(2026, 3, 5),
        days=7,
        day_type=DayType.WORKING,
        pauses=[Pause(date(2026, 3, 9), date(2026, 3, 11), "force majeure")],
        calendar=WorkingCalendar(),
    )
    assert result.due_date == date(2026, 3, 18)


def test_an_open_pause_leaves_no_due_date():
    result = compute_due(
        start=date(2026, 3, 2),
        days=30,
        day_type=DayType.CALENDAR,
        pauses=[Pause(date(2026, 3, 10), None, "force majeure")],
        calendar=WorkingCalendar(),
    )
    assert result.due_date is None


# --- Extensions ---------------------------------------------------------------------------------


@pytest.fixture
def complaint(org, frozen_today):
    """First-round complaint accepted Mon 2 Mar 2026: 30 calendar days -> Wed 1 Apr 2026."""
    frozen_today(date(2026, 4, 10))
    case = _accepted(org, on=date(2026, 3, 2), round=1)
    assert _clock(case).due_date == date(2026, 4, 1)
    return case


def test_a_first_round_complaint_may_be_extended_once_by_up_to_15_days(org, complaint):
    case = act(complaint, "extend", org.head, on=date(2026, 3, 23), days=15, reason=COMPLEX)
    # Mon 2 Mar + 45 = Thu 16 Apr 2026.
    clock = _clock(case)
    assert (clock.base_days, clock.extension_days, clock.due_date) == (30, 15, date(2026, 4, 16))
    [entry] = _entries(case, entry_kind=DeadlineEntry.Kind.EXTEND)
    assert (entry.days, entry.reason, entry.due_before, entry.due_after) == (
        15,
        COMPLEX,
        date(2026, 4, 1),
        date(2026, 4, 16),
    )
    violation = _refused(case, "extend", org.head, on=date(2026, 3, 24), days=1, reason=COMPLEX)
    assert violation.code == "extension_limit_reached"


def test_a_complaint_extension_longer_than_15_days_is_refused_and_nothing_is_written(org, complaint):
    violation = _refused(complaint, "extend", org.head, on=date(2026, 3, 23), days=16, reason=COMPLEX)
    assert violation.code == "extension_too_long"
    clock = _clock(complaint)
    assert (clock.extension_days, clock.due_date) == (0, date(2026, 4, 1))
    assert not _entries(complaint, entry_kind=DeadlineEntry.Kind.EXTEND)
    assert not complaint.events.filter(action="extend").exists()


def test_a_complaint_has_no_very_complex_extension(org, complaint):
    violation = _refused(complaint, "extend", org.head, on=date(2026, 3, 23), days=10, reason=VERY_COMPLEX)
    assert violation.code == "extension_not_allowed"


def test_an_extension_after_the_due_date_is_refused(org, complaint):
    # Due Wed 1 Apr; an extension decided on Thu 2 Apr comes too late.
    violation = _refused(complaint, "extend", org.head, on=date(2026, 4, 2), days=10, reason=COMPLEX)
    assert violation.code == "deadline_already_passed"


def test_a_remote_second_round_complaint_may_be_extended_by_at_most_10_days(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    # Accepted Mon 2 Mar 2026, 60 days: + 29 = Tue 31 Mar, + 30 = Thu 30 Apr, + 1 = Fri 1 May (Labour Day)
    # -> Sat 2, Sun 3 -> Mon 4 May 2026.
    case = _accepted(org, on=date(2026, 3, 2), unit=org.remote_commune, round=2)
    assert (_clock(case).rule_code, _clock(case).due_date) == (
        "complaint.r2.resolution.remote",
        date(2026, 5, 4),
    )
    violation = _refused(case, "extend", org.remote_head, on=date(2026, 3, 10), days=11, reason=COMPLEX)
    assert violation.code == "extension_too_long"
    act(case, "extend", org.remote_head, on=date(2026, 3, 10), days=10, reason=COMPLEX)
    # 70 days after Mon 2 Mar = Mon 11 May 2026.
    assert _clock(case).due_date == date(2026, 5, 11)


def test_a_complex_denunciation_gets_one_extension_of_up_to_30_days(org, frozen_today):
    frozen_today(date(2026, 4, 10))
    case = _accepted(org, on=date(2026, 3, 2), kind=CaseKind.DENUNCIATION)  # due Wed 1 Apr 2026
    assert _refused(case, "extend", org.head, on=date(2026, 4, 1), days=31, reason=COMPLEX).code == (
        "extension_too_long"
    )
    # Decided on the due date itself, which is still in time. 60 days after Mon 2 Mar = Fri 1 May (Labour
    # Day) -> Sat 2, Sun 3 -> Mon 4 May 2026.
    case = act(case, "extend", org.head, on=date(2026, 4, 1), days=30, reason=COMPLEX)
    assert _clock(case).due_date == date(2026, 5, 4)
    violation = _refused(case, "extend", org.head, on=date(2026, 4, 2), days=5, reason=COMPLEX)
    assert violation.code == "extension_limit_reached"


def test_a_very_complex_denunciation_gets_two_extensions_of_up_to_30_days_each(org, frozen_today):
    frozen_today(date(2026, 3, 10))
    # Accepted Mon 5 Jan 2026: + 26 = Sat 31 Jan, + 4 = Wed 4 Feb 2026.
    case = _accepted(org, on=date(2026, 1, 5), kind=CaseKind.DENUNCIATION)
    assert _clock(case).due_date == date(2026, 2, 4)
    assert _refused(case, "extend", org.head, on=date(2026, 2, 2), days=31, reason=VERY_COMPLEX).code == (
        "extension_too_long"
    )
    case = act(case, "extend", org.head, on=date(2026, 2, 2), days=30, reason=VERY_COMPLEX)
    # 60 days: + 26 = Sat 31 Jan, + 28 = Sat 28 Feb, + 6 = Fri 6 Mar 2026.
    assert _clock(case).due_date == date(2026, 3, 6)
    case = act(case, "extend", org.head, on=date(2026, 3, 2), days=30, reason=VERY_COMPLEX)
    # 90 days: Fri 6 Mar + 30 = Sun 5 Apr -> Mon 6 Apr 2026.
    clock = _clock(case)
    assert (clock.base_days + clock.extension_days, clock.due_date) == (90, date(2026, 4, 6))
    violation = _refused(case, "extend", org.head, on=date(2026, 3, 3), days=1, reason=VERY_COMPLEX)
    assert violation.code == "extension_limit_reached"


@pytest.mark.parametrize("kind", [CaseKind.RECOMMENDATION, CaseKind.REFLECTION])
def test_petitions_do_not_offer_extend(org, frozen_today, kind):
    frozen_today(date(2026, 3, 10))
    case = _accepted(org, on=date(2026, 3, 2), kind=kind)
    assert "extend" not in available_actions(case, org.head)
    with pytest.raises(TransitionNotAllowed):
        act(case, "extend", org.head, on=date(2026, 3, 3), days=5, reason=COMPLEX)
    assert _clock(case).extension_days == 0


def test_a_complaint_in_resolution_offers_extend_to_its_head(org, complaint):
    assert "extend" in available_actions(complaint, org.head)


# --- explain() ----------------------------------------------------------------------------------


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_explain_names_the_tet_days_skipped_by_a_working_day_count(org, frozen_today, en):
    frozen_today(date(2026, 3, 1))
    # Received Wed 11 Feb 2026, 7 working days: Thu 12 (1), Fri 13 (2), [Sat 14 – Sun 22], Mon 23 (3) …
    # Fri 27 Feb (7).
    case = _denunciation(org, received=date(2026, 2, 11))
    text = explain(_clock(case, DeadlineKind.ACCEPTANCE))
    assert "Acceptance: 7 working days from receipt on Wed 11/02/2026" in text
    assert "LTC Art. 24.1" in text
    assert "The day of the event is not counted (Civil Code 2015, Art. 147)" in text
    assert "Sat 14/02/2026 (Saturday); Sun 15/02/2026 (Sunday)" in text
    assert "Mon 16/02/2026 (Lunar New Year's Eve); Tue 17/02/2026 (Lunar New Year)" in text
    assert "Fri 20/02/2026 (Fourth Day of Lunar New Year); Sat 21/02/2026 (Saturday)" in text
    assert "Due on Fri 27/02/2026." in text
    assert "falls on" not in text  # a working-day count ends on a working day: no roll-forward


def test_explain_names_the_tet_2027_days_including_the_weekend_inside_it(org, frozen_today, en):
    frozen_today(date(2027, 3, 1))
    # Received Mon 1 Feb 2027: Tue 2 (1), Wed 3 (2), [Thu 4 – Wed 10 Tết], Thu 11 (3), Fri 12 (4),
    # [Sat 13, Sun 14], Mon 15 (5), Tue 16 (6), Wed 17 Feb 2027 (7).
    case = _denunciation(org, received=date(2027, 2, 1))
    text = explain(_clock(case, DeadlineKind.ACCEPTANCE))
    assert "Thu 04/02/2027 (29 of Lunar New Year)" in text
    assert "Sat 06/02/2027 (Lunar New Year); Sun 07/02/2027 (Second Day of Lunar New Year)" in text
    assert "Sat 13/02/2027 (Saturday)" in text
    assert "Due on Wed 17/02/2027." in text


def test_explain_shows_a_roll_forward_across_tet(org, frozen_today, en):
    frozen_today(date(2026, 3, 1))
    # Accepted Thu 15 Jan 2026: + 30 = Sat 14 Feb; the next working day is Mon 23 Feb 2026.
    case = _accepted(org, on=date(2026, 1, 15), kind=CaseKind.DENUNCIATION)
    text = explain(_clock(case))
    assert "Resolution: 30 calendar days from acceptance on Thu 15/01/2026" in text
    assert "LTC Art. 30" in text
    assert (
        "Day 30 falls on Sat 14/02/2026, not a working day (Saturday), so the period ends on the next "
        "working day (Civil Code 2015, Art. 148)."
    ) in text
    assert "Sun 15/02/2026 (Sunday); Mon 16/02/2026 (Lunar New Year's Eve)" in text
    assert "Sun 22/02/2026 (Sunday)" in text
    assert "Days not counted" not in text  # calendar days count weekends and holidays
    assert "Due on Mon 23/02/2026." in text


def test_explain_shows_pause_extension_and_holiday_roll_forward(org, frozen_today, en):
    frozen_today(date(2026, 3, 25))
    case = _accepted(org, on=date(2026, 3, 2), round=1)
    case = act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Awaiting a court ruling")
    case = act(case, "resume", org.head, on=date(2026, 3, 20))
    case = act(case, "extend", org.head, on=date(2026, 3, 23), days=15, reason=COMPLEX)
    # 30 + 15 = 45 counted days plus 10 paused (Tue 10 – Thu 19 Mar): Mon 2 Mar + 55 = Sun 26 Apr
    # (Hung Kings' day) -> Mon 27 Apr (observed) -> Tue 28 Apr 2026.
    clock = _clock(case)
    assert clock.due_date == date(2026, 4, 28)
    text = explain(clock)
    assert "LKN Art. 28" in text
    assert "Extended by 15 days on Mon 23/03/2026 (Complex)." in text
    assert (
        "Paused from Tue 10/03/2026 until Fri 20/03/2026 (Awaiting a court ruling): 10 days not counted."
        in text
    )
    assert "Day 45 falls on Sun 26/04/2026, not a working day (Hung Kings' Commemoration Day)" in text
    assert "Mon 27/04/2026 (Hung Kings' Commemoration Day (observed))" in text
    assert "Due on Tue 28/04/2026." in text


def test_explain_says_the_clock_is_stopped_while_suspended(org, frozen_today, en):
    frozen_today(date(2026, 3, 20))
    case = _accepted(org, on=date(2026, 3, 2))
    act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Force majeure")
    text = explain(_clock(case))
    assert "Paused since Tue 10/03/2026 (Force majeure): the clock is stopped until the case resumes." in text
    assert "Due on" not in text


def test_explain_names_an_administrator_day_off(org, march_denunciation, en):
    set_calendar_exception(
        day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF, reason="Storm Kalmaegi", actor=org.head
    )
    text = explain(_clock(march_denunciation, DeadlineKind.ACCEPTANCE))
    assert "Wed 11/03/2026 (Storm Kalmaegi)" in text
    assert "Due on Tue 17/03/2026." in text


def test_explain_says_when_a_deadline_was_met(org, complaint, en):
    case = act(complaint, "start_verification", org.head, on=date(2026, 3, 3), handler=org.handler.pk)
    case = act(
        case, "submit_for_approval", org.handler, on=date(2026, 3, 20), outcome="right", summary="Đúng"
    )
    case = act(case, "approve", org.head, on=date(2026, 3, 25), decision_number="05/QĐ")
    text = explain(_clock(case))
    assert "Met on Wed 25/03/2026." in text
    assert "Due on Wed 01/04/2026." in text


# --- Working days left --------------------------------------------------------------------------


@pytest.fixture
def due_friday_13_march(org, frozen_today):
    """Denunciation received Wed 4 Mar 2026: Thu 5 (1), Fri 6 (2), Mon 9 (3) … Thu 12 (6), Fri 13 Mar (7)."""
    frozen_today(date(2026, 3, 5))
    case = _denunciation(org, received=date(2026, 3, 4))
    clock = _clock(case, DeadlineKind.ACCEPTANCE)
    assert clock.due_date == date(2026, 3, 13)
    return clock


@pytest.mark.parametrize(
    "today, left",
    [
        (date(2026, 3, 9), 4),  # Mon 9: Tue 10, Wed 11, Thu 12, Fri 13
        (date(2026, 3, 7), 5),  # Sat 7: Mon 9 … Fri 13
        (date(2026, 3, 12), 1),
        (date(2026, 3, 13), 0),  # the due date itself
        (date(2026, 3, 14), -1),  # Saturday after a Friday due date: already overdue
        (date(2026, 3, 16), -1),  # Mon 16: one working day late
        (date(2026, 3, 18), -3),  # Mon 16, Tue 17, Wed 18
    ],
)
def test_working_days_left_counts_down_to_zero_on_the_due_date_then_goes_negative(
    due_friday_13_march, today, left
):
    assert working_days_left(due_friday_13_march, today) == left


def test_working_days_left_is_none_while_paused(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = _accepted(org, on=date(2026, 3, 2))
    act(case, "suspend", org.head, on=date(2026, 3, 10), reason="Force majeure")
    assert working_days_left(_clock(case), date(2026, 3, 11)) is None


def test_working_days_left_is_none_once_met(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = _accepted(org, on=date(2026, 3, 2))
    assert working_days_left(_clock(case, DeadlineKind.ACCEPTANCE), date(2026, 3, 3)) is None


# --- The overdue scan ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan text is SQLite's")
def test_the_running_deadline_scan_uses_the_partial_index(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    _accepted(org, on=date(2026, 3, 2))
    plan = Deadline.objects.filter(status=DeadlineStatus.RUNNING, due_date__lt=date(2026, 3, 20)).explain()
    assert "deadline_running_due_idx" in plan
