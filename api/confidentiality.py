"""Sealing a denouncer's identity in API responses (DOMAIN.md §9; LTC Art. 47).

Who may see it is decided by casework.access.can_see_denouncer; this module applies that answer to
what goes out: masked values for everyone else, and an AccessLog row for every unmasked read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.access import can_see_denouncer, visible_cases, visible_party_links, visible_units
from casework.models import AccessLog, Case, CaseParty, Party, Visit

MASK = "***"
IDENTITY_FIELDS = ("full_name", "id_number", "address", "phone", "email")


def mask(value: str) -> str:
    return MASK if value else ""


class Disclosures:
    """Unmasked reads collected while one response is serialized; written once the response is ready."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int | None, int], None] = {}

    def add(self, case: Case | None, party: Party) -> None:
        self.seen[(case.pk if case else None, party.pk)] = None

    def write(self, *, user, detail: str) -> None:
        if not self.seen:
            return
        AccessLog.objects.bulk_create(
            AccessLog(
                user=user,
                kind=AccessLog.Kind.UNMASKED_READ,
                case_id=case_id,
                party_id=party_id,
                channel="api",
                detail=detail[:300],
            )
            for case_id, party_id in self.seen
        )
        self.seen.clear()


def party_view(party: Party, *, masked: bool) -> dict[str, Any]:
    data = {f: getattr(party, f) for f in IDENTITY_FIELDS}
    if masked:
        data = {f: mask(v) for f, v in data.items()}
    return {"id": None if masked else party.pk, "kind": party.kind, **data, "masked": masked}


def secrets_of(case: Case, user) -> list[str]:
    """Identity strings of the case's denouncers that `user` may not see (to scrub free text)."""
    if can_see_denouncer(user, case):
        return []
    values: list[str] = []
    for link in case.case_parties.all():
        if link.confidential:
            values.extend(v for f in IDENTITY_FIELDS if len(v := getattr(link.party, f).strip()) >= 3)
    return sorted(set(values), key=len, reverse=True)


def scrub(value: Any, secrets: list[str]) -> Any:
    """Replace any sealed identity string found anywhere in a JSON-like value."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def sealed_links(user) -> QuerySet[CaseParty]:
    return CaseParty.objects.exclude(visible_party_links(user))


def visible_people(user) -> QuerySet[Party]:
    """People the user may look up: linked openly to a case they can see, a visitor in their reception
    books who is not a sealed denouncer of a case opened at that visit, or a denouncer they may see."""
    cases = visible_cases(user).values("pk")
    open_links = CaseParty.objects.filter(visible_party_links(user), case__in=cases).values("party_id")
    through = Visit.visitors.through
    sealed_at_visit = sealed_links(user).filter(
        party_id=OuterRef("party_id"), case__visits=OuterRef("visit_id")
    )
    visitors = (
        through.objects.filter(visit__unit__in=visible_units(user))
        .exclude(Exists(sealed_at_visit))
        .values("party_id")
    )
    return Party.objects.filter(Q(pk__in=open_links) | Q(pk__in=visitors))
