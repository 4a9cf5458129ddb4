"""Read-side queries of casework that more than one caller needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Case, Unit, Visit


def _day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return start, end


def reception_book(*, unit: Unit, date_from: date, date_to: date) -> QuerySet[Visit]:
    """The reception book of one unit for a date range, in book order, with everything a row shows."""
    start, end = _day_bounds(date_from, date_to)
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
