"""The one place the rating endpoint proves a citizen holds a case: the reference and the receipt's
lookup code, checked by the follow-the-case service (workflows.citizen.follow), so both count wrong
codes against the same allowance and answer a wrong code and an unknown reference alike."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, Throttled

from casework.models import Case
from casework.security import client_ip
from workflows import citizen


def case_for_code(request, reference: str, code: str) -> Case:
    """The case `reference` if `code` is its lookup code; 404 `not_found` for a wrong code or an
    unknown reference, 429 `throttled` once the client or the reference has spent its guesses."""
    try:
        return citizen.follow(reference, code, client=client_ip(request))
    except citizen.TooManyAttempts as error:
        raise Throttled(detail=str(error)) from None
    except citizen.CaseNotFound as error:
        raise NotFound(str(error)) from None
