"""Answers "why is this deadline due on this date?" in the reader's language, naming every day not counted."""

from __future__ import annotations

import weakref
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from casework.choices import DayType, DeadlineKind, DeadlineStatus, ExtensionReason
from casework.models import Deadline, DeadlineEntry

from . import policy
from .calendar import WorkingCalendar
from .periods import computation_for, current_entries, pauses_of


def format_day(day: date | None) -> str:
    return _format_day(day, get_language()) if day else "—"


@lru_cache(maxsize=4096)
def _format_day(day: date, language: str | None) -> str:
    # Django's date formatting is most of an explanation's cost, and a list formats the same few
    # hundred days again and again; the weekday's name depends on the language only.
    return formats.date_format(day, "D d/m/Y")


def _ranges(skipped: list[tuple[date, str]], language: str | None) -> list[str]:
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
        first = _format_day(days[0], language)
        span = first if len(days) == 1 else f"{first} – {_format_day(days[-1], language)}"
        parts.append(f"{span} ({reason})")
    return parts


START_EVENT_LABELS = {
    policy.StartEvent.RECEIVED: gettext_lazy("receipt"),
    policy.StartEvent.ACCEPTED: gettext_lazy("acceptance"),
    policy.StartEvent.DECIDED: gettext_lazy("the decision"),
}


@lru_cache(maxsize=16)
def _words(language: str | None) -> dict[str, Any]:
    # The fixed sentences and labels of an explanation in `language` (the active one when called): a
    # list page explains a few hundred clocks, and a gettext per sentence per clock was a large part of
    # the cost. The _() calls stay literal so the messages are still extracted from here.
    return {
        "head": _("%(kind)s: %(days)d %(unit)s from %(event)s on %(start)s — %(basis)s."),
        "day_of_event": _("The day of the event is not counted (Civil Code 2015, Art. 147)."),
        "working_days": _("working days"),
        "calendar_days": _("calendar days"),
        "extended": _("Extended by %(days)d days on %(on)s (%(reason)s)."),
        "paused_open": _("Paused since %(start)s (%(reason)s): the clock is stopped until the case resumes."),
        "paused": _("Paused from %(start)s until %(end)s (%(reason)s): %(n)d days not counted."),
        "not_counted": _("Days not counted: %(days)s."),
        "rolled": _(
            "Day %(n)d falls on %(day)s, not a working day (%(why)s), so the period ends on the next "
            "working day (Civil Code 2015, Art. 148)."
        ),
        "passed_over": _("Days passed over: %(days)s."),
        "met": _("Met on %(on)s."),
        "cancelled": _("No longer running since %(on)s."),
        "due": _("Due on %(due)s."),
        "events": {event: str(label) for event, label in START_EVENT_LABELS.items()},
        "kinds": {value: str(label) for value, label in DeadlineKind.choices},
        "extension_reasons": {value: str(label) for value, label in ExtensionReason.choices},
    }


def explain(deadline: Deadline, calendar: WorkingCalendar | None = None) -> str:
    """Answer "why is it due on this date?" in words, naming the days that were not counted."""
    calendar = calendar or WorkingCalendar.load()
    language = get_language()
    words = _words(language)

    def day(value: date | None) -> str:  # format_day, the language looked up once
        return _format_day(value, language) if value else "—"

    rule = policy.rule_by_code(deadline.rule_code, deadline.start_date)
    entries = current_entries(deadline)
    computation = computation_for(deadline, calendar)
    unit = words["working_days"] if deadline.day_type == DayType.WORKING else words["calendar_days"]
    lines = [
        words["head"]
        % {
            "kind": words["kinds"].get(deadline.kind, deadline.kind),
            "days": deadline.base_days,
            "unit": unit,
            "event": words["events"].get(rule.starts_on, rule.starts_on),
            "start": day(deadline.start_date),
            "basis": policy.translate_citation(deadline.basis),
        },
        words["day_of_event"],
    ]
    for entry in entries:
        if entry.kind == DeadlineEntry.Kind.EXTEND:
            reason = words["extension_reasons"].get(entry.reason, entry.reason)
            lines.append(words["extended"] % {"days": entry.days, "on": day(entry.on), "reason": reason})
    for pause in pauses_of(entries):
        if pause.end is None:
            lines.append(words["paused_open"] % {"start": day(pause.start), "reason": pause.reason})
        else:
            lines.append(
                words["paused"]
                % {
                    "start": day(pause.start),
                    "end": day(pause.end),
                    "reason": pause.reason,
                    "n": (pause.end - pause.start).days,
                }
            )
    not_counted = [(d, r) for d, r in computation.skipped if deadline.day_type == DayType.WORKING]
    if not_counted:
        lines.append(words["not_counted"] % {"days": "; ".join(_ranges(not_counted, language))})
    if computation.rolled_from:
        lines.append(
            words["rolled"]
            % {
                "n": deadline.base_days + deadline.extension_days,
                "day": day(computation.rolled_from),
                "why": calendar.why_not_working(computation.rolled_from),
            }
        )
        if len(computation.rolled_over) > 1:
            lines.append(
                words["passed_over"] % {"days": "; ".join(_ranges(computation.rolled_over, language))}
            )
    if deadline.status == DeadlineStatus.MET:
        lines.append(words["met"] % {"on": day(deadline.completed_on)})
    elif deadline.status == DeadlineStatus.CANCELLED:
        lines.append(words["cancelled"] % {"on": day(deadline.completed_on)})
    if computation.due_date:
        lines.append(words["due"] % {"due": day(computation.due_date)})
    return " ".join(lines)


# explanation()'s answers, per calendar snapshot (a new snapshot starts afresh) and bounded.
class SnapshotMemo:
    """Values remembered per calendar snapshot (a new snapshot starts afresh), at most `limit` of them
    per snapshot (all forgotten at once when full): for what depends on the calendar and a key holding
    everything else it reads."""

    def __init__(self, limit: int):
        self.limit = limit
        self._by_calendar: weakref.WeakKeyDictionary[WorkingCalendar, dict[tuple, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, calendar: WorkingCalendar, key: tuple, compute):
        memo = self._by_calendar.get(calendar)
        if memo is None:
            memo = self._by_calendar[calendar] = {}
        value = memo.get(key)
        if value is None:
            if len(memo) >= self.limit:
                memo.clear()
            value = memo[key] = compute()
        return value


_remembered = SnapshotMemo(50_000)


def ledger_of(deadline: Deadline) -> list[DeadlineEntry]:
    """`deadline.entries.all()`, read straight from the prefetched rows when they are there (a list
    page reads a few hundred ledgers, and each `.all()` builds a related manager)."""
    cache = deadline.__dict__.get("_prefetched_objects_cache")
    rows = cache.get("entries") if cache else None
    return rows if rows is not None else deadline.entries.all()


# The clock's and its ledger entries' fields explain() reads (besides the calendar and the language).
_CLOCK_FIELDS = (
    "kind",
    "rule_code",
    "basis",
    "day_type",
    "start_date",
    "base_days",
    "extension_days",
    "status",
    "completed_on",
)
_LEDGER_FIELDS = ("kind", "on", "days", "reason", "note")
_clock_values, _ledger_values = itemgetter(*_CLOCK_FIELDS), itemgetter(*_LEDGER_FIELDS)


def explanation_key(deadline: Deadline, language: str | None = None) -> tuple:
    """Everything explain() reads besides the calendar: the language (the active one, which a caller
    that has it passes), the clock's own fields and its whole ledger."""
    try:
        # Read from the instances' values in one go each (a list page keys a few hundred clocks).
        clock = _clock_values(deadline.__dict__)
        ledger = tuple(map(_ledger_values, map(vars, ledger_of(deadline))))
    except KeyError:  # a deferred field: read (and loaded) through the instance
        clock = tuple(getattr(deadline, name) for name in _CLOCK_FIELDS)
        ledger = tuple(tuple(getattr(e, name) for name in _LEDGER_FIELDS) for e in ledger_of(deadline))
    return (language or get_language(), clock, ledger)


def explanation(deadline: Deadline, calendar: WorkingCalendar, key: tuple | None = None) -> str:
    """`explain(deadline, calendar)`, remembered for the same inputs: a list explains every clock of
    every row, and clocks of cases received on the same day under the same rule read alike (so do the
    same clocks on the next request for the page). The key is everything explain() reads
    (explanation_key, which a caller that has it passes); the calendar is the snapshot's own."""
    if key is None:
        key = explanation_key(deadline)
    return _remembered.get(calendar, key, lambda: explain(deadline, calendar))
