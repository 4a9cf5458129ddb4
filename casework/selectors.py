"""Read-side queries of casework that more than one caller needs."""

from __future__ import annotations

import weakref
from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import BooleanField, Expression, F, Prefetch, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .access import visible_cases
from .choices import DeadlineStatus
from .models import Case, CaseEvent, CaseParty, Deadline, Dialogue, Membership, Unit, Visit


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Aware datetimes bounding local days date_from..date_to, so timestamp filters use their index."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return start, end


def reception_book(*, unit: Unit, date_from: date, date_to: date) -> QuerySet[Visit]:
    """The reception book of one unit for a date range, in book order, with everything a row shows."""
    start, end = day_bounds(date_from, date_to)
    return (
        Visit.objects.filter(unit=unit, visited_at__gte=start, visited_at__lt=end)
        .select_related("officer")
        .prefetch_related(
            "visitors",
            # With the cases' people: the book's text is scrubbed of a sealed denouncer.
            Prefetch(
                "cases", queryset=Case.objects.select_related("unit").prefetch_related("case_parties__party")
            ),
        )
        .order_by("year", "book_number")
    )


def case_page(user, case_id: int) -> Case | None:
    """One case the user may see, with everything its page reads (parties, clocks and their ledgers,
    dialogues, audit trail, linked cases) in a fixed number of queries; None when out of reach."""
    return (
        visible_cases(user)
        .filter(pk=case_id)
        .select_related(
            "unit",
            "unit__level",
            "handler",
            "registered_by",
            "respondent_unit",
            "first_round_case__unit",
            "transferred_from__unit",
        )
        .prefetch_related(
            Prefetch(
                "case_parties", queryset=CaseParty.objects.select_related("party").order_by("role", "id")
            ),
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.order_by("start_date", "id").prefetch_related("entries"),
            ),
            Prefetch(
                "dialogues", queryset=Dialogue.objects.select_related("chair").order_by("held_at", "id")
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("appeal_cases", queryset=Case.objects.select_related("unit").order_by("pk")),
            Prefetch("transfers", queryset=Case.objects.select_related("unit").order_by("pk")),
        )
        .first()
    )


def memberships_of(user_ids) -> dict[int, list[tuple[int, str]]]:
    """(unit id, role) pairs of each of these users, in one query."""
    held: dict[int, list[tuple[int, str]]] = {}
    for user_id, unit_id, role in Membership.objects.filter(user_id__in=set(user_ids)).values_list(
        "user_id", "unit_id", "role"
    ):
        held.setdefault(user_id, []).append((unit_id, role))
    return held


# --- Cases by their running clocks --------------------------------------------------------------


class PkInSet(Expression):
    """`pk IN (subquery)`, written on PostgreSQL as `pk = ANY(ARRAY(subquery))`.

    Why: PostgreSQL plans `IN (subquery)` and `EXISTS` as a semi-join and, behind ORDER BY ... LIMIT,
    tends to walk the cases newest-first probing each one, because it cannot see that running clocks
    past due are rare (status and due date are estimated as independent). ARRAY(...) is an uncorrelated
    init-plan run once, through the partial index of running clocks, and the cases are then fetched by
    primary key: the cost follows the number of running clocks, never the closed cases."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, subquery: QuerySet | RawSQL):
        super().__init__()
        self.lhs = F("pk")
        # A RawSQL "SELECT ..." is written as "(SELECT ...)", as a Subquery is.
        self.rhs = subquery if isinstance(subquery, RawSQL) else Subquery(subquery)

    def get_source_expressions(self):
        return [self.lhs, self.rhs]

    def set_source_expressions(self, exprs):
        self.lhs, self.rhs = exprs

    def _compile(self, compiler):
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = compiler.compile(self.rhs)  # "(SELECT ...)"
        return lhs_sql, rhs_sql, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs_sql, rhs_sql, params = self._compile(compiler)
        return f"{lhs_sql} IN {rhs_sql}", params

    def as_postgresql(self, compiler, connection):
        lhs_sql, rhs_sql, params = self._compile(compiler)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", params


def running_clocks(*, due_before: date | None = None, due_by: date | None = None, kinds=None) -> QuerySet:
    """Running deadlines due before / on or before a date (the partial index `deadline_running_due_idx`)."""
    clocks = Deadline.objects.filter(status=DeadlineStatus.RUNNING)
    if due_before is not None:
        clocks = clocks.filter(due_date__lt=due_before)
    if due_by is not None:
        clocks = clocks.filter(due_date__lte=due_by)
    if kinds is not None:
        clocks = clocks.filter(kind__in=kinds)
    return clocks


def with_running_clock(queryset: QuerySet[Case], **clock_filters) -> QuerySet[Case]:
    """The cases of `queryset` with a running deadline matching `clock_filters` (see running_clocks),
    found from the running clocks rather than by checking every case."""
    return queryset.filter(PkInSet(running_clocks(**clock_filters).values("case_id")))


def overdue_cases(queryset: QuerySet[Case], today: date) -> QuerySet[Case]:
    """Cases with a running deadline whose due date has passed (Deadline.is_overdue, in SQL)."""
    return queryset.filter(PkInSet(_overdue_clocks(queryset.db, today)))


# Per connection: the running clocks' subquery of overdue_cases compiled (as it is written inside a
# case query) with a placeholder date, and where that date sits among its parameters. The subquery
# depends on nothing of the outer query (uncorrelated), so only the date changes; building and
# compiling it was a fifth of an `?overdue=true` list request's Python.
_overdue_sql: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER_DAY = date(1, 1, 3)


def _overdue_clocks(alias: str, today: date) -> RawSQL:
    connection = connections[alias]
    found = _overdue_sql.get(connection)
    if found is None:
        template = with_running_clock(Case.objects.using(alias), due_before=_PLACEHOLDER_DAY)
        compiler = template.query.get_compiler(using=alias)
        sql, params = compiler.compile(template.query.where.children[0].lhs.rhs)  # "(SELECT ...)"
        placeholder = connection.ops.adapt_datefield_value(_PLACEHOLDER_DAY)
        slots = [i for i, p in enumerate(params) if p == placeholder]
        if not (sql.startswith("(") and sql.endswith(")")) or len(slots) != 1:
            raise ValueError("The overdue clocks' subquery is not written as expected.")
        found = _overdue_sql[connection] = (sql[1:-1], list(params), slots[0])
    sql, params, slot = found
    params = list(params)
    params[slot] = connection.ops.adapt_datefield_value(today)
    return RawSQL(sql, params)
