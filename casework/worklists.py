"""The work waiting for each person: the read side of the staff workspace's home pages.

Every list is a queryset filtered through the user's roles and unit scope (casework.access), with the
nearest running staff deadline annotated in SQL, so a page is a handful of indexed queries whatever
the number of cases. Nothing here decides a rule; "overdue" and "due soon" compare due dates the
deadline clocks already computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import DateField, Min, Prefetch, Q, QuerySet

from .access import is_system_admin, memberships
from .choices import STAFF_DEADLINES, TERMINAL_STATES, CaseState, DeadlineStatus, Role
from .models import Case, Unit, Visit
from .selectors import day_bounds

# Cases a head decides to accept or not: the letter is in, classification not yet finished.
BEFORE_ACCEPTANCE = (CaseState.RECEIVED, CaseState.UNDER_REVIEW)


def units_where(user, *roles: str) -> list[Unit]:
    """The units in which the user holds one of `roles` (exactly there, not below)."""
    return [m.unit for m in memberships(user) if m.role in roles]


def with_next_due(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `next_due`: the earliest due date among the case's running staff deadlines."""
    return queryset.annotate(
        next_due=Min(
            "deadlines__due_date",
            filter=Q(deadlines__status=DeadlineStatus.RUNNING, deadlines__kind__in=STAFF_DEADLINES),
            # Without it SQLite hands back the aggregate as text.
            output_field=DateField(),
        )
    )


# What a case row needs besides the case: its unit and handler, and its people, from which a
# denunciation's summary is scrubbed for the reader (one query per list, not per row).
ROW_RELATED = ("unit", "handler")
ROW_PREFETCH = ("case_parties__party",)


def _by_due(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return (
        with_next_due(queryset)
        .select_related(*ROW_RELATED)
        .prefetch_related(*ROW_PREFETCH)
        .order_by("next_due", "received_at", "pk")
    )


def open_cases() -> QuerySet[Case]:
    return Case.objects.exclude(state__in=TERMINAL_STATES)


# --- Reception officer ------------------------------------------------------------------------


def visits_on(user, day: date) -> QuerySet[Visit]:
    units = units_where(user, Role.RECEPTION_OFFICER, Role.UNIT_HEAD)
    start, end = day_bounds(day, day)
    return (
        Visit.objects.filter(unit__in=units, visited_at__gte=start, visited_at__lt=end)
        .select_related("unit", "officer")
        .prefetch_related(
            Prefetch(
                "cases", queryset=Case.objects.select_related(*ROW_RELATED).prefetch_related(*ROW_PREFETCH)
            )
        )
        .order_by("-visited_at")
    )


def registered_on(user, day: date) -> QuerySet[Case]:
    units = units_where(user, Role.RECEPTION_OFFICER, Role.UNIT_HEAD)
    start, end = day_bounds(day, day)
    return (
        with_next_due(Case.objects.filter(unit__in=units, created_at__gte=start, created_at__lt=end))
        .select_related(*ROW_RELATED)
        .prefetch_related(*ROW_PREFETCH)
        .order_by("-created_at")
    )


def awaiting_processing(user) -> QuerySet[Case]:
    """Letters in the user's desk units still waiting for the processing decision (DOMAIN.md §2)."""
    units = units_where(user, Role.RECEPTION_OFFICER, Role.UNIT_HEAD)
    return _by_due(Case.objects.filter(unit__in=units, state__in=BEFORE_ACCEPTANCE))


# --- Handler ------------------------------------------------------------------------------------


def assigned_to(user) -> QuerySet[Case]:
    """The user's open cases, nearest due date first."""
    return _by_due(open_cases().filter(handler=user))


# --- Unit head ----------------------------------------------------------------------------------


def awaiting_approval(user) -> QuerySet[Case]:
    units = units_where(user, Role.UNIT_HEAD)
    return _by_due(Case.objects.filter(unit__in=units, state=CaseState.AWAITING_APPROVAL))


def awaiting_acceptance(user) -> QuerySet[Case]:
    units = units_where(user, Role.UNIT_HEAD)
    return _by_due(Case.objects.filter(unit__in=units, state__in=BEFORE_ACCEPTANCE))


def overdue_in_units(user, today: date) -> QuerySet[Case]:
    """Open cases of the head's own units with a staff deadline past due."""
    units = units_where(user, Role.UNIT_HEAD)
    return _by_due(
        Case.objects.filter(
            unit__in=units,
            deadlines__status=DeadlineStatus.RUNNING,
            deadlines__kind__in=STAFF_DEADLINES,
            deadlines__due_date__lt=today,
        ).distinct()
    )


@dataclass(frozen=True)
class Roles:
    """Which home panels a user gets; a person may hold several roles."""

    reception: bool
    handler: bool
    head: bool
    monitor: bool
    administrator: bool

    @classmethod
    def of(cls, user) -> Roles:
        held = {m.role for m in memberships(user)}
        return cls(
            reception=Role.RECEPTION_OFFICER in held,
            handler=Role.HANDLER in held,
            head=Role.UNIT_HEAD in held,
            monitor=Role.MONITOR in held,
            administrator=Role.ADMINISTRATOR in held or is_system_admin(user),
        )
