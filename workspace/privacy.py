"""The workspace's one door to the confidentiality rules: every free text, name and identity a page
shows passes through here, and here only to casework's confidentiality module."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import confidentiality
from casework.choices import CaseKind, PartyRole
from casework.models import AccessLog, Case, Party, Visit

CHANNEL = "workspace"


def case_secrets(case: Case, user) -> confidentiality.Secrets:
    """What this reader may not read in the case's free text; build it once per page and `apply` it
    to each text (building it compiles the denouncer's identity into patterns)."""
    return confidentiality.secrets_for(case, user)


def case_text(text, case: Case, user):
    """Free text of a case (or a JSON-like value) with any denouncer the reader may not see replaced."""
    return confidentiality.scrub(text, case, user)


def visit_text(text, visit: Visit, user):
    """Free text of a visit, scrubbed of the denouncers of every case opened at it."""
    return confidentiality.scrub_for_cases(text, visit.cases.all(), user)


def _log(user, *, kind: str, detail: str, case=None, party=None) -> None:
    confidentiality.record_disclosure(
        user=user, channel=CHANNEL, detail=detail, reads=[(case, party)], kind=kind
    )


# What a reader without the right sees in place of a sealed denouncer's identity.
SEALED = gettext_lazy("Confidential (LTC Art. 47)")


@dataclass(frozen=True)
class PartyView:
    """A petitioner or representative as this reader may see them."""

    role: str
    kind: str
    denouncer: bool
    sealed: bool
    full_name: str
    id_number: str
    address: str
    phone: str


def petitioners(case: Case, user, *, channel: str = "workspace") -> list[PartyView]:
    """The case's people for this reader, masked as casework.confidentiality decides. Every identity
    shown is logged (DOMAIN.md §9; Law 91/2025), a sealed denouncer's as an unmasked read."""
    views = []
    reads: dict[str, list] = {AccessLog.Kind.UNMASKED_READ: [], AccessLog.Kind.PERSONAL_DATA_READ: []}
    for person in confidentiality.people_on_case(case, user):
        party = person.party
        roles = ", ".join(sorted(str(PartyRole(r).label) for r in person.roles))
        if person.masked:
            views.append(PartyView(roles, party.get_kind_display(), True, True, str(SEALED), "", "", ""))
            continue
        kind = AccessLog.Kind.UNMASKED_READ if person.confidential else AccessLog.Kind.PERSONAL_DATA_READ
        reads[kind].append((case, party))
        views.append(
            PartyView(
                roles,
                party.get_kind_display(),
                person.confidential,
                False,
                party.full_name or _("(anonymous)"),
                party.id_number,
                party.address,
                party.phone,
            )
        )
    for kind, rows in reads.items():
        if rows:
            confidentiality.record_disclosure(
                user=user, kind=kind, channel=channel, detail=f"case page {case.reference}", reads=rows
            )
    return views


def people_found(user, people: list) -> list:
    """People the desk lookup shows (casework.people.PersonOnFile): the selector already dropped
    anyone the user may not see; showing a sealed denouncer to someone entitled is logged."""
    for person in people:
        for case in person.sealed_cases:
            _log(
                user,
                kind=AccessLog.Kind.UNMASKED_READ,
                detail=f"desk lookup {case.reference}",
                case=case,
                party=person.party,
            )
    return people


def visit_visitors(user, visit: Visit) -> list[Party] | None:
    """The visitors of one visit as this reader may see them: None when they are sealed for the
    reader; otherwise the people, the read logged (unmasked when the visit raised a denunciation)."""
    if confidentiality.visitors_masked_for(user, visit):
        return None
    sealed = next((c for c in visit.cases.all() if c.kind == CaseKind.DENUNCIATION), None)
    people = list(visit.visitors.all())
    for party in people:
        _log(
            user,
            kind=AccessLog.Kind.UNMASKED_READ if sealed else AccessLog.Kind.PERSONAL_DATA_READ,
            detail=f"reception book {visit}",
            case=sealed,
            party=party,
        )
    return people


def visit_is_sealed(visit: Visit) -> bool:
    """A visit that raised a denunciation: lists never show its visitors, whoever reads them."""
    return any(c.kind == CaseKind.DENUNCIATION for c in visit.cases.all())
