"""The workspace's one door to the confidentiality rules: every free text, name and identity a page
shows passes through here, and here only to casework's confidentiality module."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import can_see_denouncer
from casework.models import AccessLog, Case, Visit
from casework.selectors import log_personal_data_access, visitors_masked_for

MASK = "***"
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
    """The case's people for this reader: a sealed denouncer masked unless the reader is the resolver
    or the registering officer. Every identity shown is logged (DOMAIN.md §9; Law 91/2025), a sealed
    one as an unmasked read."""
    clear = can_see_denouncer(user, case)
    views = []
    for link in case.case_parties.all():
        party, sealed = link.party, link.confidential and not clear
        if sealed:
            views.append(
                PartyView(
                    link.get_role_display(), party.get_kind_display(), True, True, str(SEALED), "", "", ""
                )
            )
            continue
        log_personal_data_access(
            user=user,
            kind=AccessLog.Kind.UNMASKED_READ if link.confidential else AccessLog.Kind.PERSONAL_DATA_READ,
            channel=channel,
            detail=f"case page {case.reference}",
            case=case,
            party=party,
        )
        views.append(
            PartyView(
                link.get_role_display(),
                party.get_kind_display(),
                link.confidential,
                False,
                party.full_name or _("(anonymous)"),
                party.id_number,
                party.address,
                party.phone,
            )
        )
    return views
