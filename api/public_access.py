"""The one place the rating endpoint proves a citizen holds a case: the reference and the lookup code
of the receipt, checked by the citizens' follow-the-case module (h15a's lookup-code check), so that
both answer a wrong code, an unknown reference and a throttled client the same way."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

from casework.models import Case


def case_for_code(request, reference: str, code: str) -> Case:
    """The case `reference` if `code` is its lookup code; 404 `not_found` otherwise (whichever part
    was wrong)."""
    from casework.public_access import verify_lookup_code  # provided by the follow-the-case work

    case = verify_lookup_code(reference, code)
    if case is None:
        raise NotFound(_("No case with this reference and code."))
    return case
