"""Working-day calendar, and the source of every day off and make-up working day (DOMAIN.md §3).

Four layers, the later one winning:
1. weekends and the statutory holidays of the `holidays` package (Labor Code Art. 112), with the
   weekend days it knows were worked in exchange for a bridging day off;
2. the government's swaps, shipped as data with their decision (`casework.rules.holidays`);
3. holidays the package lists before the law does (24/11 from 2026): counted as working days
   until confirmed;
4. the deployment's own rows (`CalendarDay`): days an administrator entered, overrode or confirmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import holidays as holidays_lib
from django.db.models import Count, Max, Subquery, Value
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casework.choices import CalendarDayKind, CalendarSource
from casework.models import CalendarDay

from .holidays import DECREED_DAYS, UNCONFIRMED_PACKAGE_HOLIDAYS

PACKAGE_REFERENCE = f"holidays {holidays_lib.__version__}"


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


@lru_cache(maxsize=64)
def _unconfirmed_package_days(year: int) -> dict[date, str | Promise]:
    """Package holidays of `year` that are not law yet, with the note saying why (by English name)."""
    found = {}
    for day, name in _public_holidays(year, "en_US").items():
        for prefix, note in UNCONFIRMED_PACKAGE_HOLIDAYS.items():
            if name.startswith(prefix):
                found[day] = note  # lazy: translated when read, not when cached
    return found


class Override(NamedTuple):
    """A `CalendarDay` row as the calendar needs it."""

    kind: str
    reason: str
    source: str = CalendarSource.ADMINISTRATOR
    reference: str = ""
    confirmed_by: str = ""
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class DayStatus:
    """Why a day counts the way it does, and on what source a person can check."""

    day: date
    working: bool
    kind: str | None  # what the source says (CalendarDayKind); None for an ordinary weekday or weekend
    name: str
    source: str | None  # CalendarSource; None for an ordinary weekday or weekend
    reference: str = ""
    confirmed: bool = True
    confirmed_by: str = ""
    confirmed_at: datetime | None = None
    note: str = ""

    @property
    def pending(self) -> bool:
        """Listed by a source but not counted until an administrator confirms it."""
        return not self.confirmed


class WorkingCalendar:
    """A snapshot of the calendar. `WorkingCalendar.load()` returns the current one: the deployment's
    rows are read once per process and read again only when the table has changed (see `_current`)."""

    def __init__(self, exceptions: dict[date, tuple] | None = None):
        self.exceptions = {d: Override(*value) for d, value in (exceptions or {}).items()}
        # The snapshot never changes, so each day's answer is computed once: a list page counts the
        # same days for every row (working days left, explanations), the scan for every clock.
        self._working: dict[date, bool] = {}
        self._why: dict[tuple[date, str | None], str] = {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        pin = _pinned.get()
        if pin is None:
            return _current()
        if pin.calendar is None:
            pin.calendar = _current(pin.stamp)
        return pin.calendar

    @classmethod
    def read(cls) -> WorkingCalendar:
        """The deployment's rows, read now (one query)."""
        rows = CalendarDay.objects.select_related("confirmed_by")
        return cls(
            {
                d.date: Override(
                    d.kind,
                    d.reason,
                    d.source,
                    d.decision_reference,
                    d.confirmed_by.get_username() if d.confirmed_by else "",
                    d.confirmed_at,
                )
                for d in rows
            }
        )

    @staticmethod
    def _language() -> str:
        return "vi" if (get_language() or "vi").startswith("vi") else "en_US"

    def public_holiday(self, day: date) -> str | None:
        return _public_holidays(day.year, self._language()).get(day)

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: date) -> bool:
        override = self.exceptions.get(day)
        if override is not None:
            return override.kind == CalendarDayKind.WORKING_DAY
        decreed = DECREED_DAYS.get(day)
        if decreed is not None:
            return decreed.kind == CalendarDayKind.WORKING_DAY
        if day in _makeup_saturdays(day.year):
            return True
        if day.weekday() >= 5:
            return False
        return self.public_holiday(day) is None or day in _unconfirmed_package_days(day.year)

    def why_not_working(self, day: date) -> str:
        """A short human reason why `day` is not a working day."""
        # Asked for every weekend day a period passes over, for every clock of a list page.
        key = (day, get_language())
        known = self._why.get(key)
        if known is None:
            known = self._why[key] = self._why_not_working(day)
        return known

    def _why_not_working(self, day: date) -> str:
        status = self.status(day)
        if not status.working and status.kind == CalendarDayKind.DAY_OFF and status.confirmed:
            return status.name
        return _("Saturday") if day.weekday() == 5 else _("Sunday")

    def status(self, day: date) -> DayStatus:
        """How `day` counts, and the source that says so."""
        override = self.exceptions.get(day)
        if override is not None:
            return DayStatus(
                day=day,
                working=override.kind == CalendarDayKind.WORKING_DAY,
                kind=override.kind,
                name=override.reason,
                source=override.source,
                reference=override.reference,
                confirmed_by=override.confirmed_by,
                confirmed_at=override.confirmed_at,
            )
        decreed = DECREED_DAYS.get(day)
        if decreed is not None:
            return DayStatus(
                day=day,
                working=decreed.kind == CalendarDayKind.WORKING_DAY,
                kind=decreed.kind,
                name=str(decreed.name),
                source=CalendarSource.DECISION,
                reference=decreed.decision.reference(),
            )
        if day in _makeup_saturdays(day.year):
            return DayStatus(
                day=day,
                working=True,
                kind=CalendarDayKind.WORKING_DAY,
                name=_("Make-up working day"),
                source=CalendarSource.PACKAGE,
                reference=PACKAGE_REFERENCE,
            )
        holiday = self.public_holiday(day)
        weekend = day.weekday() >= 5
        if holiday is not None:
            note = _unconfirmed_package_days(day.year).get(day)
            return DayStatus(
                day=day,
                working=note is not None and not weekend,
                kind=CalendarDayKind.DAY_OFF,
                name=holiday,
                source=CalendarSource.PACKAGE,
                reference=PACKAGE_REFERENCE,
                confirmed=note is None,
                note=str(note) if note is not None else "",
            )
        return DayStatus(day=day, working=not weekend, kind=None, name="", source=None)

    def year_review(self, year: int) -> list[DayStatus]:
        """Every day of `year` a source lists as a day off or a make-up working day, in date order."""
        days = set(_public_holidays(year, "en_US")) | _makeup_saturdays(year)
        days |= {d for d in DECREED_DAYS if d.year == year}
        days |= {d for d in self.exceptions if d.year == year}
        return [s for s in (self.status(d) for d in sorted(days)) if s.kind is not None]

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


# --- The process-wide calendar ------------------------------------------------------------------
# Reading every CalendarDay row for each deadline computed costs a query and object building per call.
# The calendar is kept per process with the stamp of the table it was read under: the row count and
# the latest `updated_at` (auto_now, so every save moves it; a delete changes the count). Each load()
# asks the database for the stamp (one aggregate row) and reads the rows again only if it changed, so a
# change made by another process, committed or rolled back, is seen by the next load(). Saves and
# deletes in this process also drop the cache at once (signals, connected in casework.apps), which
# covers two changes within one clock tick (tests freeze the clock).

_cache: tuple[tuple, WorkingCalendar] | None = None


@dataclass
class _Pin:
    stamp: tuple | None
    calendar: WorkingCalendar | None = None


_pinned: ContextVar[_Pin | None] = ContextVar("pinned_calendar", default=None)


def _stamp() -> tuple:
    row = CalendarDay.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return row["n"], row["changed"]


def stamp_columns() -> dict[str, Subquery]:
    """The stamp as two scalar subqueries, to annotate a query that is made anyway (the transition's row
    lock) instead of asking for it separately; read it back with `stamp_of`."""
    rows = CalendarDay.objects.order_by().annotate(one=Value(1)).values("one")  # no GROUP BY: whole table
    return {
        "calendar_rows": Subquery(rows.annotate(n=Count("id")).values("n")),
        "calendar_changed": Subquery(rows.annotate(changed=Max("updated_at")).values("changed")),
    }


def stamp_of(row) -> tuple:
    return row.calendar_rows, row.calendar_changed


def _current(stamp: tuple | None = None) -> WorkingCalendar:
    global _cache
    if stamp is None:
        stamp = _stamp()
    cached = _cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = WorkingCalendar.read()
    _cache = (stamp, calendar)
    return calendar


def forget_calendar(*args, **kwargs) -> None:
    """Drop the process's calendar (a CalendarDay row was saved or deleted here)."""
    global _cache
    _cache = None


@contextmanager
def one_calendar(stamp: tuple | None = None) -> Iterator[None]:
    """Within the block every load() returns one calendar: the one current at `stamp` (from
    `stamp_columns`), or at the stamp the first load() asks for. A whole transition then costs no
    calendar query at all, or one. Only for blocks that do not change the calendar themselves."""
    token = _pinned.set(_Pin(stamp))
    try:
        yield
    finally:
        _pinned.reset(token)
