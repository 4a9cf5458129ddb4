"""The outcome figures of a decision or conclusion and of its implementation: what the KQGQ statistics
forms of Circular 01/2024 count (../shared/FORMS.md §4) and a case holds only from the action that
produces them (workflows.actions): money (million VND) and land (m²) to recover to the State or to
return to organisations and individuals, people proposed for administrative sanction, referral to the
investigating bodies, and what the implementation actually achieved.

They are nullable columns of the case, not a related row: PostgreSQL keeps a NULL in the row's null
bitmap (no storage for the cases that never carry figures), the transition service's snapshot and
diff audit them like every other case field, and the statistics forms sum them in the same grouped
query as their counts, without a join over the case table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    name: str  # the case field and the action parameter
    kind: str  # money | land | count | flag
    label: object


MONEY_DIGITS, MONEY_PLACES = 15, 3  # million VND to the thousand đồng
LAND_DIGITS, LAND_PLACES = 14, 2  # m² to the hundredth

# Proposed by the decision (complaint) or conclusion (denunciation): 01/KQGQ, 03/KQGQ and the
# "to collect / to return" columns of 02/KQGQ.
DECISION_FIGURES = (
    Figure("recover_money", "money", _("money to recover to the State (million VND)")),
    Figure("recover_land", "land", _("land to recover to the State (m²)")),
    Figure("return_org_money", "money", _("money to return to organisations (million VND)")),
    Figure("return_org_land", "land", _("land to return to organisations (m²)")),
    Figure("return_person_money", "money", _("money to return to individuals (million VND)")),
    Figure("return_person_land", "land", _("land to return to individuals (m²)")),
    Figure("return_orgs", "count", _("organisations whose rights are restored")),
    Figure("return_people", "count", _("individuals whose rights are restored")),
    Figure("sanction_people", "count", _("people proposed for administrative sanction")),
    Figure("sanction_officials", "count", _("of whom officials (proposed for sanction)")),
    Figure("referred_to_investigation", "flag", _("referred to the investigating bodies")),
    Figure("referred_people", "count", _("people referred to the investigating bodies")),
    Figure("referred_officials", "count", _("of whom officials (referred)")),
)

# Achieved by the implementation of the decision: the "collected / returned" columns of 02/KQGQ, its
# sanctions and prosecutions. Each record states the totals so far (not an increment).
IMPLEMENTATION_FIGURES = (
    Figure("recovered_money", "money", _("money recovered to the State (million VND)")),
    Figure("recovered_land", "land", _("land recovered to the State (m²)")),
    Figure("returned_org_money", "money", _("money returned to organisations (million VND)")),
    Figure("returned_org_land", "land", _("land returned to organisations (m²)")),
    Figure("returned_person_money", "money", _("money returned to individuals (million VND)")),
    Figure("returned_person_land", "land", _("land returned to individuals (m²)")),
    Figure("sanctioned_people", "count", _("people given an administrative sanction")),
    Figure("sanctioned_officials", "count", _("of whom officials (sanctioned)")),
    Figure("prosecuted", "flag", _("criminal proceedings instituted")),
    Figure("prosecuted_people", "count", _("people prosecuted")),
    Figure("prosecuted_officials", "count", _("of whom officials (prosecuted)")),
)

FIGURES = {f.name: f for f in (*DECISION_FIGURES, *IMPLEMENTATION_FIGURES)}

# "Of whom officials" never exceeds the people it is part of.
PART_OF = {
    "sanction_officials": "sanction_people",
    "referred_officials": "referred_people",
    "sanctioned_officials": "sanctioned_people",
    "prosecuted_officials": "prosecuted_people",
}
# People referred or prosecuted imply the case was: a count without its flag is a contradiction.
IMPLIES_FLAG = {
    "referred_people": "referred_to_investigation",
    "prosecuted_people": "prosecuted",
}


def stated(case) -> list[tuple[Figure, object]]:
    """The figures the case states (not NULL), in the order of the forms."""
    return [(f, getattr(case, f.name)) for f in FIGURES.values() if getattr(case, f.name) is not None]
