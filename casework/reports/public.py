"""The published figures of a unit's area (issue 15): what units print in their reports, for anyone.

Per authority level of the resolver inside the unit's subtree, for one period: cases received, within
competence, resolved, resolved on time, the resolution and on-time rates, and the citizens'
satisfaction (ratings given in the period) — each rate also as the sentence units publish ("62 of
77 resolved, 80.5%"). Built from the same selectors as the staff reports (resolution_rates,
satisfaction), so the public and the monitors read the same numbers; they read no party data, and
the answer carries no case, reference or person at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Unit
from .periods import Period, rate
from .resolution import SOURCE_AUTO, resolution_rates
from .satisfaction import satisfaction
from .scope import GROUP_BY_LEVEL, LEVEL_ORDER, Scope

PUBLIC_FIGURES = (
    "received",
    "in_competence",
    "resolved",
    "resolved_on_time",
    "resolution_rate",
    "on_time_rate",
)
PUBLIC_SATISFACTION = ("ratings", "very_satisfied", "satisfied", "not_satisfied", "satisfaction_rate")


def _pct(value: float | None) -> str:
    # In the reader's number format: "80,5%" in Vietnamese, "80.5%" in English.
    return "—" if value is None else f"{number_format(value, 1)}%"


def phrases(row: dict[str, Any]) -> dict[str, str]:
    """The sentences a unit publishes for one row, in the active language."""
    out = {
        "resolved": _("%(n)d of %(d)d resolved, %(r)s")
        % {"n": row["resolved"], "d": row["in_competence"], "r": _pct(row["resolution_rate"])},
        "on_time": _("%(n)d of %(d)d on time, %(r)s")
        % {"n": row["resolved_on_time"], "d": row["resolved"], "r": _pct(row["on_time_rate"])},
    }
    if "ratings" in row:
        out["satisfaction"] = _("%(n)d of %(d)d satisfied, %(r)s") % {
            "n": row["very_satisfied"] + row["satisfied"],
            "d": row["ratings"],
            "r": _pct(row["satisfaction_rate"]),
        }
    return out


def public_figures(*, unit: Unit, period: Period, source: str = SOURCE_AUTO) -> dict[str, Any]:
    """The published figures of `unit`'s subtree for `period`, per authority level and in total.

    From the report summaries once built (`source`, see resolution_rates): `figures_as_of` then says
    until when they count changes to the cases, which the page shows; None when read from the cases."""
    scope = Scope.all()
    resolution = resolution_rates(
        period=period, scope=scope, group_by=GROUP_BY_LEVEL, within=unit, compare=False, source=source
    )
    ratings = satisfaction(period=period, scope=scope, group_by=GROUP_BY_LEVEL, within=unit)
    levels: dict[str, dict[str, Any]] = {}
    for row in resolution.rows:  # one row per level and kind: summed per level
        level = levels.setdefault(
            row["level"], {"level": row["level"], **dict.fromkeys(PUBLIC_FIGURES[:4], 0)}
        )
        for m in PUBLIC_FIGURES[:4]:
            level[m] += row[m]
    by_level_ratings = {r["level"]: r for r in ratings.rows}
    for code in by_level_ratings:
        levels.setdefault(code, {"level": code, **dict.fromkeys(PUBLIC_FIGURES[:4], 0)})
    rows = []
    for code in sorted(levels, key=lambda c: LEVEL_ORDER.get(c, 99)):
        row = levels[code]
        _rates(row)
        r = by_level_ratings.get(code)
        row.update({m: r[m] if r else (None if m == "satisfaction_rate" else 0) for m in PUBLIC_SATISFACTION})
        row["phrases"] = phrases(row)
        rows.append(row)
    totals = {m: resolution.totals[m] for m in PUBLIC_FIGURES}
    totals.update({m: ratings.totals[m] for m in PUBLIC_SATISFACTION})
    totals["phrases"] = phrases(totals)
    return {
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "period": period.as_dict(),
        "levels": rows,
        "totals": totals,
        "figures_as_of": resolution.extra["figures_as_of"],
    }


def _rates(row: dict[str, Any]) -> None:
    row["resolution_rate"] = rate(row["resolved"], row["in_competence"])
    row["on_time_rate"] = rate(row["resolved_on_time"], row["resolved"])


def cached_public_figures(*, unit: Unit, period: Period) -> dict[str, Any]:
    """`public_figures`, kept for PUBLIC_FIGURES_CACHE_SECONDS (default 300) per unit, period and
    language: the figures are the same for every visitor, and a province's page read by many people
    need not aggregate its cases for each. 0 turns the cache off."""
    seconds = int(getattr(settings, "PUBLIC_FIGURES_CACHE_SECONDS", 300))
    if seconds <= 0:
        return public_figures(unit=unit, period=period)
    key = f"public-figures:{unit.pk}:{period.date_from}:{period.date_to}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = public_figures(unit=unit, period=period)
        cache.set(key, figures, seconds)
    return figures
