"""Report periods and the small arithmetic every report shares (casework.reports).

A period is ``date_from .. date_to``, both days included. Helpers build calendar periods (month,
quarter, 6 months, 9 months, year) and the reporting periods of Circular 01/2024/TT-TTCP, whose data
run from the 15th of the month before the period's first month to the 14th of its last month: Q1 is
15/12 of the prior year – 14/03, 6M 15/12 – 14/06, 9M 15/12 – 14/09, the year 15/12 – 14/12; a
cut-off quarter Q2 is 15/03 – 14/06, a cut-off month is 15/(m-1) – 14/m. Any other range works too.
``Period.previous_year()`` is the same period a year earlier (29 February becomes the 28th).
"""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

# Periods outside these years are input errors (and would overflow date arithmetic a year away).
MIN_YEAR, MAX_YEAR = 1901, 2999
# What parse_period reads, ASCII digits only (int() would also read other scripts' digits): a year after
# MIN_YEAR (a cut-off year starts in December of the one before), then nothing, -3M/-6M/-9M/-12M, -Q1..-Q4
# or a month; any case, surrounding spaces ignored. The API's schema publishes the same expression.
PERIOD_PATTERN = r"^\s*(190[2-9]|19[1-9][0-9]|2[0-9]{3})(-(3|6|9|12)[Mm]|-[Qq][1-4]|-(0?[1-9]|1[0-2]))?\s*$"


class ReportError(ValueError):
    """Invalid report parameters; `field` names the offending input."""

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> date:
    return date(year, month, pycalendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    label: str = ""
    comparison: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ReportError("date_from", _("The start date is after the end date."))
        for name in ("date_from", "date_to"):
            # A year earlier than MIN_YEAR only as the previous-year comparison of a period in MIN_YEAR.
            if not MIN_YEAR - self.comparison <= getattr(self, name).year <= MAX_YEAR:
                raise ReportError(
                    name,
                    _("Dates run from %(lo)d to %(hi)d.") % {"lo": MIN_YEAR, "hi": MAX_YEAR},
                    "invalid_period",
                )

    def previous_year(self) -> Period:
        label = _("%(label)s, a year earlier") % {"label": self.label} if self.label else ""
        date_to = _shift_year(self.date_to, -1)
        if self.date_to == _month_end(self.date_to.year, self.date_to.month):
            date_to = _month_end(date_to.year, date_to.month)  # February of a leap year ends on the 29th
        return Period(_shift_year(self.date_from, -1), date_to, label, comparison=True)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def month_shares(self) -> list[tuple[date, Decimal]]:
        """(first day of the period inside each month, share of that month inside the period)."""
        shares = []
        year, month = self.date_from.year, self.date_from.month
        while date(year, month, 1) <= self.date_to:
            first, last = date(year, month, 1), _month_end(year, month)
            lo, hi = max(first, self.date_from), min(last, self.date_to)
            shares.append((lo, Decimal((hi - lo).days + 1) / Decimal(last.day)))
            year, month = _add_months(year, month, 1)
        return shares

    def as_dict(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "date_to": self.date_to, "label": self.label}


def custom_period(date_from: date, date_to: date) -> Period:
    return Period(date_from, date_to, f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}")


def calendar_month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month), f"{month:02d}/{year}")


def calendar_quarter(year: int, quarter: int) -> Period:
    _check_quarter(quarter)
    first = 3 * quarter - 2
    return Period(date(year, first, 1), _month_end(year, first + 2), f"Q{quarter}/{year}")


def calendar_months(year: int, months: int) -> Period:
    """The first `months` months of the year: 6 → first half, 9 → nine months, 12 → the year."""
    _check_months(months)
    return Period(date(year, 1, 1), _month_end(year, months), _months_label(year, months))


def cutoff_month(year: int, month: int) -> Period:
    """Circular 01/2024 month: 15th of the previous month to the 14th of `month`."""
    py, pm = _add_months(year, month, -1)
    return Period(date(py, pm, 15), date(year, month, 14), f"{month:02d}/{year} (15–14)")


def cutoff_quarter(year: int, quarter: int) -> Period:
    """Circular 01/2024 quarter: Q1 15/12 (prior year) – 14/03, Q2 15/03 – 14/06, ..."""
    _check_quarter(quarter)
    first = 3 * quarter - 2
    py, pm = _add_months(year, first, -1)
    return Period(date(py, pm, 15), date(year, first + 2, 14), f"Q{quarter}/{year} (15–14)")


def cutoff_months(year: int, months: int) -> Period:
    """Circular 01/2024 cumulative period: 15/12 of the prior year to the 14th of the last month
    (3 → Q1, 6 → 6M, 9 → 9M, 12 → the year)."""
    _check_months(months)
    return Period(date(year - 1, 12, 15), date(year, months, 14), _months_label(year, months) + " (15–14)")


def _check_quarter(quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ReportError("period", _("A quarter is 1 to 4."))


def _check_months(months: int) -> None:
    if months not in (3, 6, 9, 12):
        raise ReportError("period", _("A cumulative period is 3, 6, 9 or 12 months."))


def _months_label(year: int, months: int) -> str:
    return str(year) if months == 12 else f"{months}M/{year}"


def parse_period(spec: str, *, cutoff: bool = True) -> Period:
    """ "2025" (year), "2025-6M", "2025-9M", "2025-Q2", "2025-03" (month); `cutoff` picks the
    Circular 01/2024 cut-off (15th–14th) or plain calendar boundaries."""
    if not re.fullmatch(PERIOD_PATTERN, spec or ""):
        raise ReportError(
            "period", _("Use YYYY, YYYY-6M, YYYY-9M, YYYY-Q1..Q4 or YYYY-MM."), code="invalid_period"
        )
    spec = spec.strip().upper()
    try:
        year_part, _sep, rest = spec.partition("-")
        year = int(year_part)
        if not MIN_YEAR < year <= MAX_YEAR:
            raise ValueError
        if not rest:
            return cutoff_months(year, 12) if cutoff else calendar_months(year, 12)
        if rest.endswith("M"):
            months = int(rest[:-1])
            return cutoff_months(year, months) if cutoff else calendar_months(year, months)
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            return cutoff_quarter(year, quarter) if cutoff else calendar_quarter(year, quarter)
        month = int(rest)
        if not 1 <= month <= 12:
            raise ValueError
        return cutoff_month(year, month) if cutoff else calendar_month(year, month)
    except ValueError:
        raise ReportError(
            "period", _("Use YYYY, YYYY-6M, YYYY-9M, YYYY-Q1..Q4 or YYYY-MM."), code="invalid_period"
        ) from None


def rate(numerator: int, denominator: int) -> float | None:
    """Percentage with one decimal, rounded half-up; None when there is nothing to divide by."""
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)
