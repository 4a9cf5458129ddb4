"""The workspace's one door to the confidentiality rules: every free text, name and identity a page
shows passes through here, and here only to casework's confidentiality module."""

from __future__ import annotations

from casework.access import can_see_denouncer
from casework.models import Case, Visit
from casework.selectors import visitors_masked_for

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
