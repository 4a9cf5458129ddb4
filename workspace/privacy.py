"""The workspace's one door to the confidentiality rules: every free text, name and identity a page
shows passes through here, and here only to casework's confidentiality module."""

from __future__ import annotations

from casework.access import can_see_denouncer
from casework.choices import CaseKind
from casework.models import AccessLog, Case, Party, Visit
from casework.selectors import log_personal_data_access, visitors_masked_for

MASK = "***"
CHANNEL = "workspace"
IDENTITY_FIELDS = ("full_name", "id_number", "address", "phone", "email")


def _secrets(case: Case, user) -> list[str]:
    if can_see_denouncer(user, case):
        return []
    values = {
        v
        for link in case.case_parties.all()
        if link.confidential
        for f in IDENTITY_FIELDS
        if len(v := getattr(link.party, f).strip()) >= 3
    }
    return sorted(values, key=len, reverse=True)


def case_text(text: str, case: Case, user) -> str:
    for secret in _secrets(case, user):
        text = text.replace(secret, MASK)
    return text


def visit_text(text: str, visit: Visit, user) -> str:
    for case in visit.cases.all():
        text = case_text(text, case, user)
    return text


def may_see_denouncer(user, case: Case) -> bool:
    return can_see_denouncer(user, case)


def visitors_hidden(user, visit: Visit) -> bool:
    return visitors_masked_for(user, visit)


def people_found(user, people: list) -> list:
    """People the desk lookup shows (casework.people.PersonOnFile): the selector already dropped
    anyone the user may not see; showing a sealed denouncer to someone entitled is logged."""
    for person in people:
        for case in person.sealed_cases:
            log_personal_data_access(
                user=user,
                kind=AccessLog.Kind.UNMASKED_READ,
                channel=CHANNEL,
                detail=f"desk lookup {case.reference}",
                case=case,
                party=person.party,
            )
    return people


def visit_visitors(user, visit: Visit) -> list[Party] | None:
    """The visitors of one visit as this reader may see them: None when they are sealed for the
    reader; otherwise the people, the read logged (unmasked when the visit raised a denunciation)."""
    if visitors_masked_for(user, visit):
        return None
    sealed = next((c for c in visit.cases.all() if c.kind == CaseKind.DENUNCIATION), None)
    people = list(visit.visitors.all())
    for party in people:
        log_personal_data_access(
            user=user,
            kind=AccessLog.Kind.UNMASKED_READ if sealed else AccessLog.Kind.PERSONAL_DATA_READ,
            channel=CHANNEL,
            detail=f"reception book {visit}",
            case=sealed,
            party=party,
        )
    return people


def visit_is_sealed(visit: Visit) -> bool:
    """A visit that raised a denunciation: lists never show its visitors, whoever reads them."""
    return any(c.kind == CaseKind.DENUNCIATION for c in visit.cases.all())
