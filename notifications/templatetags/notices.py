"""Template filters for notices, in the language being rendered (notifications.rendering activates the
recipient's language): `{{ code|label:"case_kind" }}` and `{{ deadline.basis|citation }}`."""

from django import template

from casework.choices import NOTICE, CaseKind, DeadlineKind, Outcome, RejectReason
from casework.choices import label as code_label
from casework.rules.policy import translate_citation

register = template.Library()

# The enumeration a notice template means by each group name.
GROUPS = {
    "case_kind": CaseKind,
    "deadline_kind": DeadlineKind,
    "reason": RejectReason,
    "outcome": Outcome,
}


@register.filter
def label(code, group):
    """The code as a notice words it in a sentence (casework.choices.PHRASES), in the active language."""
    return code_label(GROUPS[group], code, context=NOTICE)


@register.filter
def citation(text):
    """A stored legal citation in the language being rendered."""
    return translate_citation(text or "")
