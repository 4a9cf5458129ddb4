"""Deadline clocks, the writing side: start, pause, resume, extend, complete, cancel, and recompute
after a calendar change. Each mutation adds a ledger entry; the counting itself is
`casework.rules.periods` (pure) and the explanation `casework.rules.explain`.
"""

from __future__ import annotations

from datetime import date

from django.db import connections, router, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import prepared
from casework.choices import Action, AuditStep, CalendarDayKind, CalendarSource, DeadlineStatus
from casework.models import CalendarDay, Case, CaseEvent, Deadline, DeadlineEntry
from casework.prepared import PreparedQuery
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import format_day
from casework.rules.periods import (
    OPEN_STATUSES,
    case_facts,
    computation_for,
    compute_due,
    current_entries,
    extension_room,
    pauses_of,
)
from casework.text import has_visible_text

from .clock_effects import effects_of
from .errors import RuleViolation


def _refresh_due(deadline: Deadline, calendar: WorkingCalendar | None = None) -> None:
    deadline.due_date = computation_for(deadline, calendar).due_date


def _add_entry(deadline: Deadline, kind: str, on: date, **fields) -> DeadlineEntry:
    return DeadlineEntry.objects.create(deadline=deadline, kind=kind, on=on, **fields)


# The columns a (re)start sets; restarting a kind the case already has overwrites that row in place.
_START_FIELDS = (
    "rule_code",
    "basis",
    "day_type",
    "start_date",
    "base_days",
    "extension_days",
    "due_date",
    "status",
    "completed_on",
    "reminder_working_days",
)


# What every (re)started clock has: written into the held statement rather than passed with it.
_START_CONSTANTS = {"extension_days": 0, "status": str(DeadlineStatus.RUNNING), "completed_on": None}


def _start_values(case: Case, kinds, on: date, *, constants: bool = True) -> list[dict]:
    """The columns of the clocks of `kinds` (re)started on `on`, where a rule in force then governs
    them. The due date is computed before the write: a clock just (re)started has no pause, so it is
    the rule's days counted from `on`."""
    facts = case_facts(case)
    rows = []
    for kind in kinds:
        if not policy.has_rule(deadline=kind, kind=case.kind, on=on, facts=facts):
            continue
        rule = policy.deadline_rule(deadline=kind, kind=case.kind, on=on, facts=facts)
        counted = compute_due(
            start=on, days=rule.days, day_type=rule.day_type, pauses=[], calendar=WorkingCalendar.load()
        )
        rows.append(
            {
                "case_id": case.pk,
                "kind": kind,
                "rule_code": rule.code,
                "basis": rule.citation,
                "day_type": rule.day_type,
                "start_date": on,
                "base_days": rule.days,
                "due_date": counted.due_date,
                "reminder_working_days": rule.reminder_working_days,
                **(_START_CONSTANTS if constants else {}),
            }
        )
    return rows


def _start(case: Case, kinds, on: date, note: str, ledger: list[DeadlineEntry]) -> list[Deadline]:
    """(Re)start the clocks of `kinds` that a rule in force on `on` governs, in one upsert (INSERT ... ON
    CONFLICT (case, kind) DO UPDATE, no savepoint, no read-back), and queue their START entries."""
    rows = [Deadline(case=case, **values) for values in _start_values(case, kinds, on)]
    if rows:
        prepared.insert(rows, unique_fields=("case", "kind"), update_fields=_START_FIELDS)
        if any(d.pk is None for d in rows):  # a backend that returns no ids from an upsert (SQLite < 3.35)
            ids = dict(
                Deadline.objects.filter(case=case, kind__in=[d.kind for d in rows]).values_list("kind", "pk")
            )
            for deadline in rows:
                deadline.pk = ids[deadline.kind]
    ledger += [
        DeadlineEntry(deadline=d, kind=DeadlineEntry.Kind.START, on=on, days=d.base_days, note=note)
        for d in rows
    ]
    return rows


def start_deadline(*, case: Case, kind: str, on: date, note: str = "") -> Deadline | None:
    """Start (or restart) the clock of `kind` under the rule in force on `on`; None if no rule applies."""
    ledger: list[DeadlineEntry] = []
    started = _start(case, [kind], on, note, ledger)
    DeadlineEntry.objects.bulk_create(ledger)
    return started[0] if started else None


def _open_deadlines(case: Case, kinds=None):
    qs = Deadline.objects.filter(case=case, status__in=OPEN_STATUSES)
    return qs.filter(kind__in=kinds) if kinds else qs


# Every transition with an effect on the clocks reads them: compiled once per connection (prepared.py).
_OPEN_CLOCKS = PreparedQuery(
    lambda case_id: Deadline.objects.filter(case_id=case_id, status__in=OPEN_STATUSES).order_by("id")
)


def _close(clocks: list[Deadline], status: str, on: date, entry: DeadlineEntry, ledger: list) -> None:
    """Complete or cancel `clocks` (one UPDATE), each with a copy of `entry` in its ledger."""
    for deadline in clocks:
        ledger.append(
            DeadlineEntry(deadline=deadline, kind=entry.kind, on=on, reason=entry.reason, note=entry.note)
        )
        deadline.status, deadline.completed_on = status, on
    if clocks:
        prepared.update_rows(Deadline, [d.pk for d in clocks], status=status, completed_on=on)


_complete_sqls: dict[tuple, str] = {}


def _complete_sql(connection, case: Case, kinds, on: date, *, inline: bool = False) -> tuple[str, list]:
    """UPDATE ... RETURNING id meeting the case's open clocks of `kinds` on `on`. `inline`: the kinds
    and statuses (the code's constants) written into the statement, quoted by the driver, so that it
    has the same text on every call and two parameters (a part of a longer statement, HeldWrites)."""
    qn = connection.ops.quote_name
    table, kinds, statuses = (
        qn(Deadline._meta.db_table),
        [str(k) for k in kinds],
        sorted(map(str, OPEN_STATUSES)),
    )
    completed_on = Deadline._meta.get_field("completed_on").get_db_prep_save(on, connection=connection)
    if not inline:
        sql = (
            f"UPDATE {table} SET {qn('status')} = %s, {qn('completed_on')} = %s "
            f"WHERE {qn('case_id')} = %s AND {qn('kind')} IN ({', '.join(['%s'] * len(kinds))}) "
            f"AND {qn('status')} IN ({', '.join(['%s'] * len(statuses))}) RETURNING {qn('id')}"
        )
        return sql, [str(DeadlineStatus.MET), completed_on, case.pk, *kinds, *statuses]
    key = (connection.alias, tuple(kinds))
    sql = _complete_sqls.get(key)
    if sql is None:

        def literals(values) -> str:
            return connection.ops.compose_sql(", ".join(["%s"] * len(values)), values)

        sql = _complete_sqls[key] = (
            f"UPDATE {table} SET {qn('status')} = {literals([str(DeadlineStatus.MET)])}, "
            f"{qn('completed_on')} = %s WHERE {qn('case_id')} = %s AND {qn('kind')} IN ({literals(kinds)}) "
            f"AND {qn('status')} IN ({literals(statuses)}) RETURNING {qn('id')}"
        )
    return sql, [completed_on, case.pk]


def _complete_returning(case: Case, kinds, on: date, entry_kind: str, ledger: list) -> bool:
    """Meet the case's open clocks of `kinds` in one UPDATE ... RETURNING (what `_OPEN_CLOCKS` then
    `_close` do in two statements), each with a ledger entry, in the clocks' order; False if the
    database cannot return rows from an UPDATE (then nothing was done)."""
    connection = connections[router.db_for_write(Deadline)]
    if (
        connection.vendor not in ("postgresql", "sqlite")
        or not connection.features.can_return_rows_from_bulk_insert
    ):
        return False
    sql, params = _complete_sql(connection, case, kinds, on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        met = sorted(row[0] for row in cursor.fetchall())
    ledger += [DeadlineEntry(deadline_id=pk, kind=entry_kind, on=on) for pk in met]
    return True


_start_orders: dict[tuple, str] = {}


def _hold(held: prepared.HeldWrites, case: Case, effects, on: date) -> None:
    """What `apply_effects` writes for completions and starts alone (of different kinds), held for the
    transition's closing statement: the clocks met (UPDATE ... RETURNING) and their ledger entries in
    the clocks' order, the clocks (re)started (upsert ... RETURNING) and their START entries in the
    order of `effects.start`. The same rows and values as the statements apply_effects runs itself."""
    connection = held.connection
    qn = connection.ops.quote_name
    if effects.complete:
        met = held.add(*_complete_sql(connection, case, effects.complete, on, inline=True))
        held.add(
            *prepared.select_insert(
                connection,
                DeadlineEntry,
                met,
                {"deadline_id": "id"},
                {"on": on},
                constants={"kind": str(effects.ledger_entry)},
                order=qn("id"),
            )
        )
    rows = _start_values(case, effects.start, on, constants=False) if effects.start else []
    if rows:
        started = held.add(
            *prepared.values_insert(
                connection,
                Deadline,
                rows,
                constants=_START_CONSTANTS,
                unique_fields=("case", "kind"),
                update_fields=_START_FIELDS,
                returning=("id", "kind", "base_days"),
            )
        )
        # The order of `rows` (the order of effects.start), written into the statement: kinds are the
        # code's constants.
        kinds = tuple(str(r["kind"]) for r in rows)
        order = _start_orders.get((connection.alias, kinds))
        if order is None:
            order = _start_orders[(connection.alias, kinds)] = connection.ops.compose_sql(
                f"array_position(%s::text[], {qn('kind')})", [list(kinds)]
            )
        held.add(
            *prepared.select_insert(
                connection,
                DeadlineEntry,
                started,
                {"deadline_id": "id", "days": "base_days"},
                {"on": on},
                constants={"kind": str(DeadlineEntry.Kind.START), "note": ""},
                order=order,
            )
        )


PAUSE_REASON_CODE = "suspension"


def _pause(clocks: list[Deadline], on: date, reason: str, ledger: list[DeadlineEntry]) -> None:
    running = [d for d in clocks if d.status == DeadlineStatus.RUNNING]
    for deadline in running:
        # The suspension decision's wording (up to 200 characters) goes in the note; `reason` is a short code.
        ledger.append(
            DeadlineEntry(
                deadline=deadline,
                kind=DeadlineEntry.Kind.PAUSE,
                on=on,
                reason=PAUSE_REASON_CODE,
                note=reason,
                due_before=deadline.due_date,
            )
        )
        deadline.status, deadline.due_date = DeadlineStatus.PAUSED, None
    if running:
        Deadline.objects.filter(pk__in=[d.pk for d in running]).update(
            status=DeadlineStatus.PAUSED, due_date=None
        )


def _resume(clocks: list[Deadline], on: date, ledger: list[DeadlineEntry]) -> None:
    for deadline in (d for d in clocks if d.status == DeadlineStatus.PAUSED):
        entry = DeadlineEntry(deadline=deadline, kind=DeadlineEntry.Kind.RESUME, on=on)
        # Counted over the ledger as stored plus this entry, which closes the pause.
        deadline.status = DeadlineStatus.RUNNING
        deadline.due_date = compute_due(
            start=deadline.start_date,
            days=deadline.base_days + deadline.extension_days,
            day_type=deadline.day_type,
            pauses=pauses_of([*current_entries(deadline), entry]),
            calendar=WorkingCalendar.load(),
        ).due_date
        entry.due_after = deadline.due_date
        ledger.append(entry)
        deadline.save(update_fields=["status", "due_date"])


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
    aside: they take their days and reason from `extend_deadline`). `note` is a pause's wording.

    The open clocks are read once and each kind of change is one statement: an UPDATE per new status,
    one upsert for the clocks started, one INSERT for all the ledger entries, in the order the effects
    apply (complete, cancel, pause, resume, start), so each clock's ledger reads as before."""
    effects = effects_of(action)
    held = prepared.held_writes(Deadline)
    if (
        held is not None
        and not (effects.cancel_open or effects.pause or effects.resume)
        and not set(effects.complete) & set(effects.start)  # one statement must not write a row twice
    ):
        _hold(held, case, effects, on)
        return
    ledger: list[DeadlineEntry] = []
    clocks: list[Deadline] = []
    only_complete = effects.complete and not (effects.cancel_open or effects.pause or effects.resume)
    # Only completions: no later effect needs the open clocks, so they are met without being read.
    if not (only_complete and _complete_returning(case, effects.complete, on, effects.ledger_entry, ledger)):
        if effects.complete or effects.cancel_open or effects.pause or effects.resume:
            clocks = _OPEN_CLOCKS.fetch(case.pk)
            if effects.resume:
                prefetch_related_objects(clocks, "entries")  # the pauses the due date skips
        if effects.complete:
            done = [d for d in clocks if d.kind in effects.complete]
            _close(done, DeadlineStatus.MET, on, DeadlineEntry(kind=effects.ledger_entry), ledger)
    if effects.cancel_open:
        still_open = [d for d in clocks if d.status in OPEN_STATUSES]
        entry = DeadlineEntry(kind=DeadlineEntry.Kind.CANCEL, reason=effects.cancel_open)
        _close(still_open, DeadlineStatus.CANCELLED, on, entry, ledger)
    if effects.pause:
        _pause(clocks, on, note, ledger)
    if effects.resume:
        _resume(clocks, on, ledger)
    if effects.start:
        _start(case, effects.start, on, "", ledger)
    prepared.insert(ledger)


# --- Calendar changes ---------------------------------------------------------------------------


def _recompute_affected(day: date, description: str, actor) -> int:
    """Recompute every running clock whose counting window contains `day`; record each change."""
    calendar = WorkingCalendar.load()
    affected = Deadline.objects.filter(
        status=DeadlineStatus.RUNNING, start_date__lt=day, due_date__gte=day
    ).select_related("case", "case__unit")
    changed = 0
    moved: list[int] = []
    for deadline in affected:
        before = deadline.due_date
        _refresh_due(deadline, calendar)
        if deadline.due_date == before:
            continue
        changed += 1
        moved.append(deadline.case_id)
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
    if moved:  # the report summaries' refresh picks up cases by their change time
        Case.objects.filter(pk__in=moved).update(updated_at=timezone.now())
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
    if not has_visible_text(reason):  # spaces or zero-width characters alone are no reason
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
