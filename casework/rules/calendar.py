"""Working-day calendar: weekends, Vietnamese public holidays (the `holidays` package) and the days off
and make-up working days an administrator enters as the government announces them."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_lib
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casework.choices import CalendarDayKind
from casework.models import CalendarDay


@lru_cache(maxsize=64)
def _public_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays_lib.country_holidays("VN", years=year, language=language))


@lru_cache(maxsize=64)
def _makeup_saturdays(year: int) -> frozenset[date]:
    """Weekend days the government made working days in exchange for a bridging day off (e.g. Sat
    22/08/2026 for Mon 31/08/2026); the `holidays` package lists the day off as a holiday, so the
    swapped Saturday must count as worked or the year would lose a working day."""
    vn = holidays_lib.country_holidays("VN", years=year)
    return frozenset(d for d in vn.weekend_workdays if d.year == year)


class WorkingCalendar:
    """A snapshot of the calendar. Build one per computation with `WorkingCalendar.load()`; the
    administrator's exceptions are a handful of rows, loaded in one query."""

    def __init__(self, exceptions: dict[date, tuple[str, str]] | None = None):
        self.exceptions = exceptions or {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        return cls({d.date: (d.kind, d.reason) for d in CalendarDay.objects.all()})

    @staticmethod
    def _language() -> str:
        return "vi" if (get_language() or "vi").startswith("vi") else "en_US"

    def public_holiday(self, day: date) -> str | None:
        return _public_holidays(day.year, self._language()).get(day)

    def is_working_day(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception[0] == CalendarDayKind.WORKING_DAY
        if day in _makeup_saturdays(day.year):
            return True
        return day.weekday() < 5 and self.public_holiday(day) is None

    def why_not_working(self, day: date) -> str:
        """A short human reason why `day` is not a working day."""
        exception = self.exceptions.get(day)
        if exception is not None and exception[0] == CalendarDayKind.DAY_OFF:
            return exception[1]
        holiday = self.public_holiday(day)
        if holiday:
            return holiday
        return _("Saturday") if day.weekday() == 5 else _("Sunday")

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end], negative when end is before start."""
        if end == start:
            return 0
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        count, day = 0, lo
        while day < hi:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count
