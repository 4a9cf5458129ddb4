"""People on file, as the reception desk looks them up before a visit is saved.

A person is found by part of their name typed with or without diacritics ("nguyen van duc" finds
"Nguyễn Văn Đức") or by their exact ID number, and only through what the user may see: a case
link the user may read (casework.confidentiality.visible_party_links inside visible_cases), or a
visit in the user's units whose visitors are not sealed for them. So a denouncer is never found by
someone who may not see them, and the earlier visits and cases listed with a person are the ones the
user may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .access import visible_cases, visible_units
from .choices import TERMINAL_STATES, CaseKind
from .confidentiality import denouncer_visible, visible_party_links
from .models import Case, CaseParty, Party, Visit
from .text import fold

# A lookup is a hint list, not a register: the first few people, each with their recent history.
PEOPLE_LIMIT = 8
CASES_PER_PERSON = 10
VISITS_PER_PERSON = 5
# Fewer letters than this match half the province.
MIN_NAME_LENGTH = 2


@dataclass
class PersonOnFile:
    party: Party
    # Cases naming this person that the user may read, open ones first, newest first.
    cases: list[Case] = field(default_factory=list)
    # Earlier visits of this person in the user's units, newest first.
    visits: list[Visit] = field(default_factory=list)
    # Cases on which this person is a sealed denouncer that the user is entitled to see: showing the
    # person is an unmasked read of a confidential identity and must be logged.
    sealed_cases: list[Case] = field(default_factory=list)

    @property
    def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.state not in TERMINAL_STATES]


def readable_links(user) -> QuerySet[CaseParty]:
    """The case links whose person the user may see, on cases the user may read."""
    return CaseParty.objects.filter(visible_party_links(user), case__in=visible_cases(user))


def readable_visits(user) -> QuerySet[Visit]:
    """Visits in the user's units whose visitors are not sealed for the user: a visit that raised a
    denunciation names the denouncer among its visitors (casework.confidentiality.visitors_masked_for)."""
    sealed = Case.objects.filter(kind=CaseKind.DENUNCIATION).exclude(denouncer_visible(user))
    return Visit.objects.filter(unit__in=visible_units(user)).exclude(cases__in=sealed)


def known_people(user) -> QuerySet[Party]:
    """Every person the user may look up."""
    return Party.objects.filter(
        Q(pk__in=readable_links(user).values("party_id")) | Q(pk__in=readable_visits(user).values("visitors"))
    )


def find_people(user, text: str, *, limit: int = PEOPLE_LIMIT) -> list[PersonOnFile]:
    """People matching `text` (a name part without diacritics, or an exact ID number), each with the
    cases and earlier visits the user may read."""
    text = text.strip()
    folded = fold(text)
    if len(folded) < MIN_NAME_LENGTH:
        return []
    people = list(
        known_people(user)
        .filter(Q(search_name__contains=folded) | Q(id_number=text))
        .order_by("search_name", "pk")[:limit]
    )
    return _with_history(user, people)


def person_on_file(user, party_id: int) -> PersonOnFile | None:
    """One person the user may see, with their history; None when the user may not see them."""
    party = known_people(user).filter(pk=party_id).first()
    return _with_history(user, [party])[0] if party is not None else None


def person_with_id_number(id_number: str) -> Party | None:
    """The stored person holding this ID number, whoever may see them: the desk must not type over a
    stored identity, so it has to know one exists even when it may not show it."""
    id_number = id_number.strip()
    if not id_number:
        return None
    return Party.objects.filter(id_number=id_number).order_by("pk").first()


def _with_history(user, people: list[Party]) -> list[PersonOnFile]:
    found = {p.pk: PersonOnFile(party=p) for p in people}
    if not found:
        return []
    links = (
        readable_links(user)
        .filter(party_id__in=found)
        .select_related("case", "case__unit")
        .order_by("-case__received_at", "-case_id")
    )
    seen: set[tuple[int, int]] = set()
    for link in links:
        person = found[link.party_id]
        if link.confidential and link.case not in person.sealed_cases:
            person.sealed_cases.append(link.case)
        if (link.party_id, link.case_id) in seen:  # a petitioner who is also the representative
            continue
        seen.add((link.party_id, link.case_id))
        person.cases.append(link.case)
    for person in found.values():
        person.cases.sort(key=lambda c: c.state in TERMINAL_STATES)  # stable: open first, newest first
        del person.cases[CASES_PER_PERSON:]
    visits = list(
        readable_visits(user)
        .filter(visitors__in=found)
        .select_related("unit")
        .prefetch_related("cases")
        .order_by("-visited_at")
        .distinct()[: VISITS_PER_PERSON * len(found)]
    )
    through = Visit.visitors.through.objects.filter(visit__in=visits, party_id__in=found)
    visitors_of: dict[int, list[int]] = {}
    for visit_id, party_id in through.values_list("visit_id", "party_id"):
        visitors_of.setdefault(visit_id, []).append(party_id)
    for visit in visits:
        for party_id in visitors_of.get(visit.pk, []):
            if len(found[party_id].visits) < VISITS_PER_PERSON:
                found[party_id].visits.append(visit)
    return [found[p.pk] for p in people]
