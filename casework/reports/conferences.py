"""Dialogue conferences per commune for a year (Law on Local Government Organisation 2025 Art. 43).

One row per active commune in the reader's scope (a commune that held none still owes one):
* ``required``: conferences a year under the rule in force on 1 January (or on the day it took effect
  within the year); ``None`` before any rule;
* ``held``: conferences held (``held_on`` in the year);
* ``announced_on_time``: of those, announced on or before their notice deadline;
* ``results_on_time``: of those, with results published on or before their results deadline;
* ``results_pending``: held, results not yet published;
* ``voter_requests``: held at the request of voters;
* ``held_as_required``: ``held >= required``.
One grouped query over the communes with their conferences; no personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q

from ..choices import AuthorityLevel, ConferenceReason, ConferenceStatus
from ..models import Unit
from ..rules import policy
from .scope import Scope

CONFERENCE_COUNTS = ("held", "announced_on_time", "results_on_time", "results_pending", "voter_requests")


def _required(year: int) -> int | None:
    for on in (date(year, 1, 1), date(year, 12, 31)):
        try:
            return policy.legal_value("dialogue.commune.per_year", on)
        except policy.RuleNotFound:
            continue
    return None


def conference_compliance(*, year: int, scope: Scope, within: Unit | None = None) -> dict[str, Any]:
    held = Q(
        conferences__status=ConferenceStatus.HELD,
        conferences__held_on__gte=date(year, 1, 1),
        conferences__held_on__lte=date(year, 12, 31),
    )
    units = Unit.objects.filter(
        scope.q("path"),
        is_active=True,
        level__authority_level=AuthorityLevel.COMMUNE,
        level__is_agency=False,
    )
    if within is not None:
        units = units.filter(path__startswith=within.path)
    rows = list(
        units.values("pk", "code", "name")
        .annotate(
            held=Count("conferences", filter=held),
            announced_on_time=Count(
                "conferences", filter=held & Q(conferences__announced_on__lte=F("conferences__notice_due_on"))
            ),
            results_on_time=Count(
                "conferences",
                filter=held & Q(conferences__results_published_on__lte=F("conferences__results_due_on")),
            ),
            results_pending=Count(
                "conferences", filter=held & Q(conferences__results_published_on__isnull=True)
            ),
            voter_requests=Count(
                "conferences", filter=held & Q(conferences__reason=ConferenceReason.VOTER_REQUEST)
            ),
        )
        .order_by("name")
    )
    required = _required(year)
    out = []
    for r in rows:
        out.append(
            {
                "unit": r["pk"],
                "unit_code": r["code"],
                "unit_name": r["name"],
                "required": required,
                **{m: r[m] for m in CONFERENCE_COUNTS},
                "held_as_required": None if required is None else r["held"] >= required,
            }
        )
    totals = {m: sum(r[m] for r in out) for m in CONFERENCE_COUNTS}
    totals["communes"] = len(out)
    totals["communes_held_as_required"] = sum(1 for r in out if r["held_as_required"])
    return {"year": year, "within": within.pk if within else None, "rows": out, "totals": totals}
