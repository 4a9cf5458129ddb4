"""Each role's home: the work waiting for this person, nearest due date first, with counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from casework import reports, worklists
from casework.rules.calendar import WorkingCalendar

# Enough rows to see the day's work; the full lists are one click away.
HOME_ROWS = 15


@login_required
def home(request):
    user, today = request.user, timezone.localdate()
    roles = worklists.Roles.of(user)
    panels = []
    if roles.reception:
        panels += [
            ("visits_today", worklists.visits_on(user, today)),
            ("registered_today", worklists.registered_on(user, today)),
            ("awaiting_processing", worklists.awaiting_processing(user)),
        ]
    if roles.head:
        panels += [
            ("awaiting_approval", worklists.awaiting_approval(user)),
            ("awaiting_acceptance", worklists.awaiting_acceptance(user)),
            ("overdue_in_units", worklists.overdue_in_units(user, today)),
        ]
    if roles.handler:
        panels.append(("assigned_to_me", worklists.assigned_to(user)))
    shown = [{"name": name, "count": qs.count(), "rows": list(qs[:HOME_ROWS])} for name, qs in panels]
    scope = reports.Scope.for_user(user) if roles.monitor else None
    if scope is not None:
        overdue = reports.overdue_audit(scope=scope, as_of=today, limit=HOME_ROWS)
        shown.append({"name": "overdue_board", "count": overdue.extra["count"], "rows": overdue.rows})
    context = {"roles": roles, "today": today, "calendar": WorkingCalendar.load(), "panels": shown}
    return render(request, "workspace/home.html", context)
