"""Deadline clocks: start, pause, resume, extend, complete, recompute, and explain.

Counting follows the Civil Code 2015 Arts. 147–148 (DOMAIN.md §3): the day of the triggering event
is not counted; N calendar days end at the end of day D+N, moved to the next working day when that
day is a weekend or holiday; N working days end on the N-th working day after D. Days while a case
is suspended do not count: a pause that starts on day S and is lifted on day R stops the clock for
S..R-1, and counting resumes on R.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.choices import CalendarDayKind, DayType, DeadlineKind, DeadlineStatus, ExtensionReason
from casework.models import CalendarDay, Case, CaseEvent, Deadline, DeadlineEntry

from . import policy
from .calendar import WorkingCalendar
from .errors import RuleViolation

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


def case_facts(case: Case) -> dict:
    return {"round": case.round, "remote": case.unit.is_remote, "several_locations": case.several_locations}


def _current_entries(deadline: Deadline) -> list[DeadlineEntry]:
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
        pauses=pauses_of(_current_entries(deadline)),
        calendar=calendar or WorkingCalendar.load(),
    )


def _refresh_due(deadline: Deadline, calendar: WorkingCalendar | None = None) -> None:
    deadline.due_date = computation_for(deadline, calendar).due_date


def _add_entry(deadline: Deadline, kind: str, on: date, **fields) -> DeadlineEntry:
    return DeadlineEntry.objects.create(deadline=deadline, kind=kind, on=on, **fields)


def start_deadline(*, case: Case, kind: str, on: date, note: str = "") -> Deadline | None:
    """Start (or restart) the clock of `kind` under the rule in force on `on`; None if no rule applies."""
    facts = case_facts(case)
    if not policy.has_rule(deadline=kind, kind=case.kind, on=on, facts=facts):
        return None
    rule = policy.deadline_rule(deadline=kind, kind=case.kind, on=on, facts=facts)
    deadline, _created = Deadline.objects.update_or_create(
        case=case,
        kind=kind,
        defaults={
            "rule_code": rule.code,
            "basis": rule.citation,
            "day_type": rule.day_type,
            "start_date": on,
            "base_days": rule.days,
            "extension_days": 0,
            "status": DeadlineStatus.RUNNING,
            "completed_on": None,
            "reminder_working_days": rule.reminder_working_days,
        },
    )
    _add_entry(deadline, DeadlineEntry.Kind.START, on, days=rule.days, note=note)
    _refresh_due(deadline)
    deadline.save(update_fields=["due_date"])
    return deadline


def _open_deadlines(case: Case, kinds=None):
    qs = Deadline.objects.filter(case=case, status__in=OPEN_STATUSES)
    return qs.filter(kind__in=kinds) if kinds else qs


def complete_deadlines(
    *, case: Case, kinds: list[str], on: date, ledger_entry: str = DeadlineEntry.Kind.COMPLETE
) -> None:
    for deadline in _open_deadlines(case, kinds):
        _add_entry(deadline, ledger_entry, on)
        deadline.status, deadline.completed_on = DeadlineStatus.MET, on
        deadline.save(update_fields=["status", "completed_on"])


def cancel_open_deadlines(
    *, case: Case, on: date, reason: str, kind: str = DeadlineEntry.Kind.CANCEL
) -> None:
    for deadline in _open_deadlines(case):
        _add_entry(deadline, kind, on, reason=reason)
        deadline.status, deadline.completed_on = DeadlineStatus.CANCELLED, on
        deadline.save(update_fields=["status", "completed_on"])


PAUSE_REASON_CODE = "suspension"


def pause_deadlines(*, case: Case, on: date, reason: str) -> None:
    for deadline in _open_deadlines(case).filter(status=DeadlineStatus.RUNNING):
        # The suspension decision's wording (up to 200 characters) goes in the note; `reason` is a short code.
        _add_entry(
            deadline,
            DeadlineEntry.Kind.PAUSE,
            on,
            reason=PAUSE_REASON_CODE,
            note=reason,
            due_before=deadline.due_date,
        )
        deadline.status, deadline.due_date = DeadlineStatus.PAUSED, None
        deadline.save(update_fields=["status", "due_date"])


def resume_deadlines(*, case: Case, on: date) -> None:
    for deadline in _open_deadlines(case).filter(status=DeadlineStatus.PAUSED):
        entry = _add_entry(deadline, DeadlineEntry.Kind.RESUME, on)
        deadline.status = DeadlineStatus.RUNNING
        _refresh_due(deadline)
        deadline.save(update_fields=["status", "due_date"])
        entry.due_after = deadline.due_date
        DeadlineEntry.objects.filter(pk=entry.pk).update(due_after=deadline.due_date)


def extension_room(deadline: Deadline, reason: str) -> tuple[int, int]:
    """(extensions still allowed for `reason`, most days per extension) under the deadline's rule."""
    rule = policy.rule_by_code(deadline.rule_code, deadline.start_date)
    cap = rule.extensions.get(reason)
    if cap is None:
        return 0, 0
    used = sum(1 for e in _current_entries(deadline) if e.kind == DeadlineEntry.Kind.EXTEND)
    return max(cap.times - used, 0), cap.days


def extend_deadline(*, case: Case, days: int, reason: str, on: date, note: str = "") -> Deadline:
    deadline = _open_deadlines(case, [DeadlineKind.RESOLUTION]).first()
    if deadline is None:
        raise RuleViolation("no_running_deadline", _("There is no running resolution deadline to extend."))
    if deadline.due_date is not None and on > deadline.due_date:
        raise RuleViolation(
            "deadline_already_passed",
            _("An extension must be decided before the deadline (%(due)s) passes.")
            % {"due": _fmt(deadline.due_date)},
        )
    remaining, max_days = extension_room(deadline, reason)
    basis = policy.translate_citation(deadline.basis)
    if max_days == 0:
        raise RuleViolation(
            "extension_not_allowed",
            _("The rule %(rule)s allows no extension for this reason.") % {"rule": basis},
        )
    if remaining == 0:
        raise RuleViolation(
            "extension_limit_reached",
            _("No further extension is allowed (%(basis)s).") % {"basis": basis},
        )
    if days > max_days:
        raise RuleViolation(
            "extension_too_long",
            _("An extension may add at most %(n)d days (%(basis)s).") % {"n": max_days, "basis": basis},
        )
    before = deadline.due_date
    deadline.extension_days += days
    _refresh_due(deadline)
    deadline.save(update_fields=["extension_days", "due_date"])
    _add_entry(
        deadline,
        DeadlineEntry.Kind.EXTEND,
        on,
        days=days,
        reason=reason,
        note=note,
        due_before=before,
        due_after=deadline.due_date,
    )
    return deadline


# --- Calendar changes ---------------------------------------------------------------------------


def _recompute_affected(day: date, description: str, actor) -> int:
    """Recompute every running clock whose counting window contains `day`; record each change."""
    calendar = WorkingCalendar.load()
    affected = Deadline.objects.filter(
        status=DeadlineStatus.RUNNING, start_date__lt=day, due_date__gte=day
    ).select_related("case", "case__unit")
    changed = 0
    for deadline in affected:
        before = deadline.due_date
        _refresh_due(deadline, calendar)
        if deadline.due_date == before:
            continue
        changed += 1
        deadline.save(update_fields=["due_date"])
        note = _("%(change)s: %(kind)s deadline moved from %(before)s to %(after)s.") % {
            "change": description,
            "kind": deadline.get_kind_display(),
            "before": _fmt(before),
            "after": _fmt(deadline.due_date),
        }
        _add_entry(
            deadline,
            DeadlineEntry.Kind.RECOMPUTE,
            day,
            note=note,
            due_before=before,
            due_after=deadline.due_date,
        )
        CaseEvent.objects.create(
            case=deadline.case,
            actor=actor,
            action="deadline_recomputed",
            from_state=deadline.case.state,
            to_state=deadline.case.state,
            note=note,
            changes={f"deadlines.{deadline.kind}.due_date": [str(before), str(deadline.due_date)]},
        )
    return changed


@transaction.atomic
def set_calendar_exception(*, day: date, kind: str, reason: str, actor) -> int:
    """Add or change an extra day off / make-up working day; returns how many deadlines moved."""
    CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "reason": reason, "created_by": actor}
    )
    label = _("Day off") if kind == CalendarDayKind.DAY_OFF else _("Make-up working day")
    return _recompute_affected(day, f"{label} {_fmt(day)} ({reason})", actor)


@transaction.atomic
def remove_calendar_exception(*, day: date, actor) -> int:
    deleted, _unused = CalendarDay.objects.filter(date=day).delete()
    if not deleted:
        return 0
    return _recompute_affected(day, _("Calendar exception on %(day)s removed") % {"day": _fmt(day)}, actor)


# --- Explanations -------------------------------------------------------------------------------


def _fmt(day: date | None) -> str:
    return formats.date_format(day, "D d/m/Y") if day else "—"


def _ranges(skipped: list[tuple[date, str]]) -> list[str]:
    """Group consecutive skipped days with the same reason: "Mon 16/02/2026 – Fri 20/02/2026 (Tết)"."""
    runs: list[tuple[list[date], str]] = []
    for day, reason in skipped:
        # Only days that follow each other form a run: two Sundays a week apart stay separate.
        if runs and runs[-1][1] == reason and runs[-1][0][-1] + timedelta(days=1) == day:
            runs[-1][0].append(day)
        else:
            runs.append(([day], reason))
    parts = []
    for days, reason in runs:
        span = _fmt(days[0]) if len(days) == 1 else f"{_fmt(days[0])} – {_fmt(days[-1])}"
        parts.append(f"{span} ({reason})")
    return parts


START_EVENT_LABELS = {
    policy.StartEvent.RECEIVED: gettext_lazy("receipt"),
    policy.StartEvent.ACCEPTED: gettext_lazy("acceptance"),
    policy.StartEvent.DECIDED: gettext_lazy("the decision"),
}


def explain(deadline: Deadline, calendar: WorkingCalendar | None = None) -> str:
    """Answer "why is it due on this date?" in words, naming the days that were not counted."""
    calendar = calendar or WorkingCalendar.load()
    rule = policy.rule_by_code(deadline.rule_code, deadline.start_date)
    entries = _current_entries(deadline)
    computation = computation_for(deadline, calendar)
    unit = _("working days") if deadline.day_type == DayType.WORKING else _("calendar days")
    lines = [
        _("%(kind)s: %(days)d %(unit)s from %(event)s on %(start)s — %(basis)s.")
        % {
            "kind": deadline.get_kind_display(),
            "days": deadline.base_days,
            "unit": unit,
            "event": START_EVENT_LABELS.get(rule.starts_on, rule.starts_on),
            "start": _fmt(deadline.start_date),
            "basis": policy.translate_citation(deadline.basis),
        },
        _("The day of the event is not counted (Civil Code 2015, Art. 147)."),
    ]
    for entry in entries:
        if entry.kind == DeadlineEntry.Kind.EXTEND:
            reason = (
                ExtensionReason(entry.reason).label
                if entry.reason in ExtensionReason.values
                else entry.reason
            )
            lines.append(
                _("Extended by %(days)d days on %(on)s (%(reason)s).")
                % {"days": entry.days, "on": _fmt(entry.on), "reason": reason}
            )
    for pause in pauses_of(entries):
        if pause.end is None:
            lines.append(
                _("Paused since %(start)s (%(reason)s): the clock is stopped until the case resumes.")
                % {"start": _fmt(pause.start), "reason": pause.reason}
            )
        else:
            lines.append(
                _("Paused from %(start)s until %(end)s (%(reason)s): %(n)d days not counted.")
                % {
                    "start": _fmt(pause.start),
                    "end": _fmt(pause.end),
                    "reason": pause.reason,
                    "n": (pause.end - pause.start).days,
                }
            )
    not_counted = [(d, r) for d, r in computation.skipped if deadline.day_type == DayType.WORKING]
    if not_counted:
        lines.append(_("Days not counted: %(days)s.") % {"days": "; ".join(_ranges(not_counted))})
    if computation.rolled_from:
        lines.append(
            _(
                "Day %(n)d falls on %(day)s, not a working day (%(why)s), so the period ends on the next "
                "working day (Civil Code 2015, Art. 148)."
            )
            % {
                "n": deadline.base_days + deadline.extension_days,
                "day": _fmt(computation.rolled_from),
                "why": calendar.why_not_working(computation.rolled_from),
            }
        )
        if len(computation.rolled_over) > 1:
            lines.append(
                _("Days passed over: %(days)s.") % {"days": "; ".join(_ranges(computation.rolled_over))}
            )
    if deadline.status == DeadlineStatus.MET:
        lines.append(_("Met on %(on)s.") % {"on": _fmt(deadline.completed_on)})
    elif deadline.status == DeadlineStatus.CANCELLED:
        lines.append(_("No longer running since %(on)s.") % {"on": _fmt(deadline.completed_on)})
    if computation.due_date:
        lines.append(_("Due on %(due)s.") % {"due": _fmt(computation.due_date)})
    return " ".join(lines)


def working_days_left(deadline: Deadline, today: date, calendar: WorkingCalendar | None = None) -> int | None:
    """Working days from today to the due date (negative when overdue); None while paused or done."""
    if deadline.status != DeadlineStatus.RUNNING or deadline.due_date is None:
        return None
    left = (calendar or WorkingCalendar.load()).working_days_between(today, deadline.due_date)
    # On a weekend right after the due date no working day has passed yet, but the case is overdue.
    return min(left, -1) if today > deadline.due_date else left
