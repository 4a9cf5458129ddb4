"""Presentation helpers for the workspace: names of people, dates as dd/mm/yyyy, due-date lights."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import choices as casework_choices
from casework.models import Visit
from casework.text import person_name

from .. import privacy

register = template.Library()

# A deadline this many working days away or fewer shows amber (issue: handler's worklist).
DUE_SOON_DAYS = 3


@register.filter
def person(user) -> str:
    """A staff member's full name, never their login."""
    return person_name(user) if user else "—"


@register.filter
def dmy(value) -> str:
    if not value:
        return "—"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.simple_tag
def due_light(due: date | None, today: date, calendar) -> str:
    """ "overdue", "soon" (≤ 3 working days left) or "ok": the traffic light of a due date."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    return "soon" if calendar.working_days_between(today, due) <= DUE_SOON_DAYS else "ok"


@register.simple_tag
def due_text(due: date | None, today: date) -> str:
    if due is None:
        return _("no running deadline")
    days = (due - today).days
    if days < 0:
        return _("%(n)d days overdue") % {"n": -days}
    if days == 0:
        return _("due today")
    return _("%(n)d days left") % {"n": days}


@register.simple_tag(takes_context=True)
def shown(context, text: str, owner) -> str:
    """Free text of a case or a visit as this reader may see it: a denouncer's identity replaced for
    anyone the law does not entitle to it (workspace.privacy)."""
    user = context["request"].user
    if isinstance(owner, Visit):
        return privacy.visit_text(text, owner, user)
    return privacy.case_text(text, owner, user)


@register.simple_tag
def choice_label(enumeration: str, code: str) -> str:
    """The reader's-language label of a stored code, e.g. {% choice_label "CaseKind" row.kind %}."""
    choices = getattr(casework_choices, enumeration)
    return str(choices(code).label) if code in choices.values else code
