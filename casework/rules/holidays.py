"""Government swaps of working days for 2025–2026, as data, each with the decision that made it, and the
holidays the `holidays` package lists before the law does (DOMAIN.md §3).

Every row was checked against press reports that quote the decision; what could not be checked is
said so, never guessed:
- 2025 (Văn bản 8726/VPCP-KGVX of 26/11/2024, the Prime Minister's approval of the Ministry of Labour,
  Invalids and Social Affairs' plan): 30/4–1/5 joined into five days off, 30/4 to 4/5/2025, by taking
  Friday 2/5 off. The reports name the five days; the Saturday worked in exchange (26/4/2025) is
  the holidays package's, not read in the decision's text. Tết (25/1–2/2/2025) and National Day
  (30/8–2/9/2025) needed no swap: the statutory days fall on weekdays next to weekends.
- New Year 2026 (Văn bản 12729/VPCP-KGVX of 25/12/2025, the Deputy Prime Minister's approval of the
  Ministry of Home Affairs' plan): Friday 2/1/2026 off, worked on Saturday 10/1/2026. The holidays
  package (0.109) has neither day.
- National Day 2026 (a Government Office letter conveying the Prime Minister's approval, reported
  on 13/10/2025; its number could not be verified): Monday 31/8/2026 off, worked on Saturday
  22/8/2026. Tết 2026 (14/2–22/2/2026) needed no swap.
- 30/4–1/5/2026 and Hùng Kings' day 2026: no swap found; the statutory days and the Monday 27/4/2026
  in lieu of Sunday 26/4 (Labor Code Art. 112.3) come from the package.

Vietnamese Culture Day (24/11): the package lists it as a public holiday from 2026, but as of
February 2026 it was only a Politburo policy (Resolution 80-NQ/TW) and a task for the Government to
amend Labor Code Art. 112 (Resolution 30/NQ-CP); Art. 112 in force does not list it. It is counted as a
working day until an administrator confirms it in the yearly review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.choices import CalendarDayKind


@dataclass(frozen=True)
class Decision:
    number: str  # empty when it could not be verified: never guessed
    issued: date | None
    issuer: str

    def reference(self) -> str:
        number = self.number or "số hiệu chưa xác minh"
        issued = f" ngày {self.issued:%d/%m/%Y}" if self.issued else ""
        return f"{number}{issued} ({self.issuer})"


@dataclass(frozen=True)
class DecreedDay:
    day: date
    kind: str
    name: str | Promise
    decision: Decision


VPCP_8726_2024 = Decision("8726/VPCP-KGVX", date(2024, 11, 26), "Văn phòng Chính phủ")
VPCP_12729_2025 = Decision("12729/VPCP-KGVX", date(2025, 12, 25), "Văn phòng Chính phủ")
VPCP_NATIONAL_DAY_2026 = Decision("", None, "Văn phòng Chính phủ, báo chí đưa tin 13/10/2025")

DECREED_DAYS: dict[date, DecreedDay] = {
    d.day: d
    for d in (
        DecreedDay(
            date(2025, 4, 26),
            CalendarDayKind.WORKING_DAY,
            _("Make-up working day for Friday 02/05/2025"),
            VPCP_8726_2024,
        ),
        DecreedDay(
            date(2025, 5, 2),
            CalendarDayKind.DAY_OFF,
            _("Day off swapped with Saturday 26/04/2025 (30/4–1/5 holidays)"),
            VPCP_8726_2024,
        ),
        DecreedDay(
            date(2026, 1, 2),
            CalendarDayKind.DAY_OFF,
            _("Day off swapped with Saturday 10/01/2026 (New Year)"),
            VPCP_12729_2025,
        ),
        DecreedDay(
            date(2026, 1, 10),
            CalendarDayKind.WORKING_DAY,
            _("Make-up working day for Friday 02/01/2026"),
            VPCP_12729_2025,
        ),
        DecreedDay(
            date(2026, 8, 22),
            CalendarDayKind.WORKING_DAY,
            _("Make-up working day for Monday 31/08/2026"),
            VPCP_NATIONAL_DAY_2026,
        ),
        DecreedDay(
            date(2026, 8, 31),
            CalendarDayKind.DAY_OFF,
            _("Day off swapped with Saturday 22/08/2026 (National Day)"),
            VPCP_NATIONAL_DAY_2026,
        ),
    )
}

# Package holidays (by their English name in the `holidays` package, "(observed)" days included) that
# are not law yet: listed in the review, counted as working days until an administrator confirms them.
UNCONFIRMED_PACKAGE_HOLIDAYS: dict[str, str | Promise] = {
    "Vietnam Cultural Day": _(
        "Not yet a public holiday in law: as of February 2026 the amendment to Labor Code Art. 112 "
        "was only proposed (Resolution 80-NQ/TW, Resolution 30/NQ-CP). Counted as a working day "
        "until an administrator confirms it."
    ),
}
