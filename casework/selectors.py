"""Read-side queries of casework that more than one caller needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .access import visible_cases
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
