"""What every workspace page shows in its header: the person, their roles and the counts of what waits."""

from __future__ import annotations

from django.utils import timezone

from casework import reports, worklists
from notifications import services as notifications


def navigation(request) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None or match.app_name != "workspace" or not request.user.is_authenticated:
        return {}
    user, today = request.user, timezone.localdate()
    roles = worklists.Roles.of(user)
    counts = {"unread": notifications.inbox(user, unread_only=True).count()}
    if roles.reception:
        counts["awaiting_processing"] = worklists.awaiting_processing(user).count()
    if roles.handler:
        counts["assigned_to_me"] = worklists.assigned_to(user).count()
    if roles.head:
        counts["awaiting_approval"] = worklists.awaiting_approval(user).count()
    scope = reports.Scope.for_user(user) if roles.monitor else None
    if scope is not None:
        counts["overdue_board"] = reports.overdue_buckets(scope=scope, as_of=today)["deadlines"]
    return {"nav_roles": roles, "nav_counts": counts}
