"""Template filters for notices: `{{ code|label:"case_kind" }}` in the language being rendered."""

from django import template
from django.utils.translation import get_language

from notifications.labels import label as _label

register = template.Library()


@register.filter
def label(code, group):
    language = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return _label(language, group, code)
