"""The citizen's rating of the service on their case (issue 15).

A petitioner rates a case once it is decided or closed, after proving with the case's lookup code
that it is theirs (the caller checks the code; this module never sees it). The scale is the state's
three-level service-quality index (very satisfied / satisfied / not satisfied) with the indicators
that fit this work: the time taken against the legal limit, the contacts needed, the staff's attitude
and the clarity of the answer, and a free comment. One rating per case: the database refuses a second
(a OneToOne), so two submissions racing each other leave one row and one `already_rated` answer.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import CaseState, Quality, Satisfaction, Timeliness
from .models import Case, ServiceRating
from .services import ServiceError
from .text import text_errors

RATEABLE_STATES = frozenset({CaseState.DECIDED, CaseState.CLOSED})
MAX_CONTACTS = 99
MAX_COMMENT = 2000


class RatingRefused(ServiceError):
    """The case cannot be rated (not yet decided, or already rated): `code` says which."""

    def __init__(self, code: str, message: str):
        super().__init__({"case": [message]})
        self.code = code


def may_rate(case: Case) -> bool:
    """Whether the case can be rated now (decided or closed, not yet rated)."""
    return case.state in RATEABLE_STATES and not ServiceRating.objects.filter(case=case).exists()


@transaction.atomic
def rate_case(
    *,
    case: Case,
    satisfaction: str,
    timeliness: str,
    contacts: int,
    staff_attitude: str,
    answer_clarity: str,
    comment: str = "",
) -> ServiceRating:
    """Record the petitioner's rating of `case`; ServiceError (field errors) or RatingRefused."""
    errors: dict[str, list[str]] = {}
    for name, value, choices in (
        ("satisfaction", satisfaction, Satisfaction),
        ("timeliness", timeliness, Timeliness),
        ("staff_attitude", staff_attitude, Quality),
        ("answer_clarity", answer_clarity, Quality),
    ):
        if value not in choices.values:
            errors[name] = [_("Must be one of: %(c)s.") % {"c": ", ".join(choices.values)}]
    if not isinstance(contacts, int) or isinstance(contacts, bool) or not 1 <= contacts <= MAX_CONTACTS:
        errors["contacts"] = [_("A whole number from 1 to %(n)d.") % {"n": MAX_CONTACTS}]
    comment = (comment or "").strip()
    codes: dict[str, list[str]] = {}
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]
    text_errors(errors, {"comment": comment}, codes=codes)
    if errors:
        raise ServiceError(errors, codes)
    # The state read under the row lock: a case being closed or reopened meanwhile is seen as it ends.
    state = Case.objects.select_for_update().values_list("state", flat=True).get(pk=case.pk)
    if state not in RATEABLE_STATES:
        raise RatingRefused("not_rateable", _("A case can be rated once it is decided or closed."))
    try:
        with transaction.atomic():
            return ServiceRating.objects.create(
                case=case,
                satisfaction=satisfaction,
                timeliness=timeliness,
                contacts=contacts,
                staff_attitude=staff_attitude,
                answer_clarity=answer_clarity,
                comment=comment,
            )
    except IntegrityError:
        raise RatingRefused("already_rated", _("This case has already been rated.")) from None
