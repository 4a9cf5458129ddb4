"""Template helpers for the admin pages of the monitoring reports."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can_see_dashboard(context) -> bool:
    """True for monitors, unit heads and administrators (who see the monitoring dashboard)."""
    from backoffice.dashboard import can_see_dashboard as allowed

    request = context.get("request")
    return allowed(getattr(request, "user", None))
