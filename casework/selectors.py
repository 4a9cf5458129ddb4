"""Read-side queries of casework that more than one caller needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .access import can_see_denouncer
from .choices import CaseKind
from .models import AccessLog, Case, Unit, Visit


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
        .prefetch_related("visitors", Prefetch("cases", queryset=Case.objects.select_related("unit")))
        .order_by("year", "book_number")
    )


def visitors_masked_for(user, visit: Visit) -> bool:
    """A visit that opened a denunciation shows its visitors only to those who may see the denouncer."""
    return any(c.kind == CaseKind.DENUNCIATION and not can_see_denouncer(user, c) for c in visit.cases.all())


def log_personal_data_access(*, user, kind: str, channel: str, detail: str, case=None, party=None) -> None:
    AccessLog.objects.create(
        user=user, kind=kind, channel=channel, detail=detail[:300], case=case, party=party
    )
