"""Services of the notifications app: the inbox of in-app notifications, letters printed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import Channel, Letter, Notification


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own in-app notifications, newest first."""
    qs = Notification.objects.filter(
        recipient=user, channel=Channel.IN_APP, status=Notification.Status.SENT
    ).select_related("case")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; Notification.DoesNotExist if it is not theirs."""
    notification = inbox(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, user) -> int:
    return inbox(user, unread_only=True).order_by().update(read_at=timezone.now())


def mark_letters_printed(*, letters: QuerySet[Letter], user) -> int:
    return letters.filter(printed_at__isnull=True).update(printed_at=timezone.now(), printed_by=user)
