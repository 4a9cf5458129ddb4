"""The notifications inbox: every role reads the notices sent to them, marks them read, opens the case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import services
from notifications.models import Notification

PAGE_SIZE = 25


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(services.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workspace/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    try:
        notification = services.mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if request.POST.get("open") and notification.case_id:
        return redirect("workspace:case", case_id=notification.case_id)
    if request.htmx:
        return render(request, "workspace/partials/notification.html", {"notification": notification})
    return redirect("workspace:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    return redirect("workspace:inbox")
