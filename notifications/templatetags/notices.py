"""Template filters for notices, in the language being rendered: `{{ code|label:"case_kind" }}` and
`{{ deadline.basis|citation }}`."""

from django import template
from django.utils.translation import get_language

from casework.rules.policy import translate_citation
from notifications.labels import label as _label

register = template.Library()


@register.filter
def label(code, group):
    language = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return _label(language, group, code)


@register.filter
def citation(text):
    """A stored legal citation in the language being rendered."""
    return translate_citation(text or "")
