"""Period counting (DOMAIN.md §3), pure: given a clock's start, length, day type and pauses, when is it due?

Counting follows the Civil Code 2015 Arts. 147–148: the day of the triggering event is not counted;
N calendar days end at the end of day D+N, moved to the next working day when that day is a weekend
or holiday; N working days end on the N-th working day after D. Days while a case is suspended do
not count: a pause that starts on day S and is lifted on day R stops the clock for S..R-1, and
counting resumes on R. Nothing here writes to the database; `workflows.clocks` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from casework.choices import DayType, DeadlineStatus
from casework.models import Case, Deadline, DeadlineEntry

from . import policy
from .calendar import WorkingCalendar

OPEN_STATUSES = (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None
    reason: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class DueComputation:
    due_date: date | None
    counted: int
    skipped: list[tuple[date, str]] = field(default_factory=list)
    rolled_from: date | None = None
    # The non-working days the roll-forward passed over, so explain() can name them (e.g. all of Tết).
    rolled_over: list[tuple[date, str]] = field(default_factory=list)


def compute_due(
    *, start: date, days: int, day_type: str, pauses: list[Pause], calendar: WorkingCalendar
) -> DueComputation:
    """Pure period arithmetic; `due_date` is None while an open pause stops the clock."""
    result = DueComputation(due_date=None, counted=0)
    day = start
    while result.counted < days:
        day += timedelta(days=1)
        pause = next((p for p in pauses if p.covers(day)), None)
        if pause is not None:
            if pause.end is None:
                return result
            result.skipped.append((day, _("suspended: %(reason)s") % {"reason": pause.reason}))
            continue
        if day_type == DayType.WORKING and not calendar.is_working_day(day):
            result.skipped.append((day, calendar.why_not_working(day)))
            continue
        result.counted += 1
    if day_type == DayType.CALENDAR and not calendar.is_working_day(day):
        result.rolled_from = day
        while not calendar.is_working_day(day) or any(p.covers(day) for p in pauses):
            pause = next((p for p in pauses if p.covers(day)), None)
            why = (
                _("suspended: %(reason)s") % {"reason": pause.reason}
                if pause is not None
                else calendar.why_not_working(day)
            )
            result.rolled_over.append((day, why))
            day += timedelta(days=1)
    result.due_date = day
    return result


def limitation_last_day(known_on: date, calendar: WorkingCalendar | None = None) -> date:
    """The last day to complain (LKN Art. 9): the limitation is a period like any other (Civil Code
    2015 Art. 149.1), so it counts calendar days from the day the complainant learned of the decision
    and a last day on a weekend or holiday rolls to the next working day (Art. 148.5)."""
    return compute_due(
        start=known_on,
        days=policy.legal_value("complaint.limitation_days", known_on),
        day_type=DayType.CALENDAR,
        pauses=[],
        calendar=calendar or WorkingCalendar.load(),
    ).due_date


def case_facts(case: Case) -> dict:
    return {"round": case.round, "remote": case.unit.is_remote, "several_locations": case.several_locations}


def current_entries(deadline: Deadline) -> list[DeadlineEntry]:
    """Ledger entries since the clock last (re)started."""
    entries = list(deadline.entries.all())
    last_start = max((i for i, e in enumerate(entries) if e.kind == DeadlineEntry.Kind.START), default=0)
    return entries[last_start:]


def pauses_of(entries: list[DeadlineEntry]) -> list[Pause]:
    pauses: list[Pause] = []
    open_pause: DeadlineEntry | None = None
    for entry in entries:
        if entry.kind == DeadlineEntry.Kind.PAUSE and open_pause is None:
            open_pause = entry
        elif entry.kind == DeadlineEntry.Kind.RESUME and open_pause is not None:
            pauses.append(Pause(open_pause.on, entry.on, open_pause.note or open_pause.reason))
            open_pause = None
    if open_pause is not None:
        pauses.append(Pause(open_pause.on, None, open_pause.note or open_pause.reason))
    return pauses


def computation_for(deadline: Deadline, calendar: WorkingCalendar | None = None) -> DueComputation:
    return compute_due(
        start=deadline.start_date,
        days=deadline.base_days + deadline.extension_days,
        day_type=deadline.day_type,
        pauses=pauses_of(current_entries(deadline)),
        calendar=calendar or WorkingCalendar.load(),
    )


def extension_room(deadline: Deadline, reason: str) -> tuple[int, int]:
    """(extensions still allowed for `reason`, most days per extension) under the deadline's rule."""
    rule = policy.rule_by_code(deadline.rule_code, deadline.start_date)
    cap = rule.extensions.get(reason)
    if cap is None:
        return 0, 0
    used = sum(1 for e in current_entries(deadline) if e.kind == DeadlineEntry.Kind.EXTEND)
    return max(cap.times - used, 0), cap.days


def working_days_left(deadline: Deadline, today: date, calendar: WorkingCalendar | None = None) -> int | None:
    """Working days from today to the due date (negative when overdue); None while paused or done."""
    if deadline.status != DeadlineStatus.RUNNING or deadline.due_date is None:
        return None
    left = (calendar or WorkingCalendar.load()).working_days_between(today, deadline.due_date)
    # On a weekend right after the due date no working day has passed yet, but the case is overdue.
    return min(left, -1) if today > deadline.due_date else left
