"""Delivery channels. A channel either writes rows in our own database (in-app, letter), which the
relay does in one transaction with marking the delivery sent, or hands the notice to an outside
system (email), which no transaction can take back.

The email channel therefore records the hand-off on the delivery row the moment the mail server has
accepted the message, in its own statement, and checks that record before sending: an attempt that
died after the send (or a redelivered task) finds it and sends nothing. The Message-ID is derived
from the delivery key, so even a copy resent by hand is recognisable as the same message.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import Channel, Letter, Notification


class DeliveryChannel:
    #: True when the channel talks to the outside world and cannot be rolled back.
    external = False

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class InAppChannel(DeliveryChannel):
    """The row itself is the notification; it is listed at /api/v1/notifications/."""

    def send(self, notification: Notification) -> None:
        return None


class LetterChannel(DeliveryChannel):
    """A printable letter for a citizen without an email address; one Letter per delivery."""

    def send(self, notification: Notification) -> None:
        Letter.objects.get_or_create(
            notification=notification,
            defaults={
                "case_id": notification.case_id,
                "addressee_name": notification.party.full_name if notification.party_id else "",
                "addressee_address": notification.address,
                "confidential": notification.confidential,
                "language": notification.language,
                "subject": notification.subject,
                "text": notification.body,
            },
        )


def message_id_for(notification: Notification) -> str:
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "tiepdan.localhost"
    return f"<{digest}.{notification.pk}@{domain}>"


class EmailChannel(DeliveryChannel):
    external = True

    def already_handed_off(self, notification: Notification) -> bool:
        return Notification.objects.filter(pk=notification.pk, handed_off_at__isnull=False).exists()

    def send(self, notification: Notification) -> None:
        if self.already_handed_off(notification):
            return
        message_id = message_id_for(notification)
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
            headers={"Message-ID": message_id, "X-Delivery-Key": notification.key},
        ).send(fail_silently=False)
        # Its own statement, right after the server accepted the message: this is what a retry checks.
        Notification.objects.filter(pk=notification.pk).update(
            handed_off_at=timezone.now(), message_id=message_id
        )


REGISTRY: dict[str, DeliveryChannel] = {
    Channel.IN_APP: InAppChannel(),
    Channel.LETTER: LetterChannel(),
    Channel.EMAIL: EmailChannel(),
}


def channel_for(name: str) -> DeliveryChannel:
    return REGISTRY[name]
