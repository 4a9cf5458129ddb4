"""Deadline clocks, the writing side: start, pause, resume, extend, complete, cancel, and recompute
after a calendar change. Each mutation adds a ledger entry; the counting itself is
`casework.rules.periods` (pure) and the explanation `casework.rules.explain`.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.choices import Action, AuditStep, CalendarDayKind, CalendarSource, DeadlineStatus
from casework.models import CalendarDay, Case, CaseEvent, Deadline, DeadlineEntry
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import format_day
from casework.rules.periods import OPEN_STATUSES, case_facts, computation_for, extension_room

from .clock_effects import effects_of
from .errors import RuleViolation


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


def extend_deadline(*, case: Case, days: int, reason: str, on: date, note: str = "") -> Deadline:
    deadline = _open_deadlines(case, [effects_of(Action.EXTEND).extend]).first()
    if deadline is None:
        raise RuleViolation("no_running_deadline", _("There is no running resolution deadline to extend."))
    if deadline.due_date is not None and on > deadline.due_date:
        raise RuleViolation(
            "deadline_already_passed",
            _("An extension must be decided before the deadline (%(due)s) passes.")
            % {"due": format_day(deadline.due_date)},
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


def apply_effects(*, case: Case, action: str, on: date, note: str = "") -> None:
    """What `action` does to the case's clocks, as `workflows.clock_effects` declares it (extensions
    aside: they take their days and reason from `extend_deadline`). `note` is a pause's wording."""
    effects = effects_of(action)
    if effects.complete:
        complete_deadlines(case=case, kinds=list(effects.complete), on=on, ledger_entry=effects.ledger_entry)
    if effects.cancel_open:
        cancel_open_deadlines(case=case, on=on, reason=effects.cancel_open)
    if effects.pause:
        pause_deadlines(case=case, on=on, reason=note)
    if effects.resume:
        resume_deadlines(case=case, on=on)
    for kind in effects.start:
        start_deadline(case=case, kind=kind, on=on)


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
            "before": format_day(before),
            "after": format_day(deadline.due_date),
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
            action=AuditStep.DEADLINE_RECOMPUTED,
            from_state=deadline.case.state,
            to_state=deadline.case.state,
            note=note,
            changes={f"deadlines.{deadline.kind}.due_date": [str(before), str(deadline.due_date)]},
        )
    return changed


@transaction.atomic
def set_calendar_exception(
    *,
    day: date,
    kind: str,
    reason: str,
    actor,
    source: str = CalendarSource.ADMINISTRATOR,
    decision_reference: str = "",
) -> int:
    """Add or change an extra day off / make-up working day; returns how many deadlines moved. The
    administrator who enters a day vouches for it: the row is confirmed by them, now."""
    CalendarDay.objects.update_or_create(
        date=day,
        defaults={
            "kind": kind,
            "reason": reason[:200],
            "created_by": actor,
            "source": source,
            "decision_reference": decision_reference[:200],
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
        },
    )
    label = _("Day off") if kind == CalendarDayKind.DAY_OFF else _("Make-up working day")
    return _recompute_affected(day, f"{label} {format_day(day)} ({reason})", actor)


def confirm_calendar_day(*, day: date, actor) -> int:
    """The yearly review's "confirm": the deployment adopts what the day's source says (a statutory
    holiday, a government swap, a holiday not yet in law such as 24/11) as its own entry, keeping that
    source; a day listed but not counted until confirmed starts counting. Returns deadlines moved."""
    status = WorkingCalendar.load().status(day)
    if status.kind is None:
        raise RuleViolation(
            "not_a_calendar_day",
            _("%(day)s is an ordinary day: no source lists it, there is nothing to confirm.")
            % {"day": format_day(day)},
        )
    return set_calendar_exception(
        day=day,
        kind=status.kind,
        reason=status.name,
        actor=actor,
        source=status.source,
        decision_reference=status.reference,
    )


def override_calendar_day(*, day: date, kind: str, reason: str, actor, decision_reference: str = "") -> int:
    """The yearly review's "override": the administrator says how the day counts, on a decision they
    name or on their own authority. Returns deadlines moved."""
    if kind not in CalendarDayKind.values:
        raise RuleViolation("invalid_calendar_kind", _("Choose a day off or a working day."))
    if not reason.strip():
        raise RuleViolation("reason_required", _("Give the reason for the change."))
    reference = decision_reference.strip()
    return set_calendar_exception(
        day=day,
        kind=kind,
        reason=reason.strip(),
        actor=actor,
        source=CalendarSource.DECISION if reference else CalendarSource.ADMINISTRATOR,
        decision_reference=reference,
    )


@transaction.atomic
def remove_calendar_exception(*, day: date, actor) -> int:
    deleted, _unused = CalendarDay.objects.filter(date=day).delete()
    if not deleted:
        return 0
    return _recompute_affected(
        day, _("Calendar exception on %(day)s removed") % {"day": format_day(day)}, actor
    )
