"""Reference numbers: one gap-free sequence per unit, year and series (cases, reception book)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from casework.models import ReferenceCounter, Unit


def next_number(*, unit: Unit, year: int, series: str) -> int:
    """Gap-free sequence per unit, year and series; the counter row is locked until commit."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                    unit=unit, year=year, series=series
                )
            break
        except IntegrityError:  # a concurrent first intake of the year created the row
            continue
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    return counter.last_number
