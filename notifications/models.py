"""Deliveries: one row per (outbox message, recipient, channel), the printable letters, preferences.

An outbox message (casework.OutboxMessage) says what happened; the relay (notifications.relay) turns
it into Notification rows, one per recipient and channel, each with a unique `key`, so a message
relayed twice yields each delivery once. See relay.py for how a delivery is sent at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Case, OutboxMessage, Party, Unit


class Language(models.TextChoices):
    VIETNAMESE = "vi", _("Vietnamese")
    ENGLISH = "en", _("English")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Printed letter")


class Kind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice to the petitioner")
    REFUSAL_NOTICE = "refusal_notice", _("Refusal notice to the petitioner")
    DECISION_NOTICE = "decision_notice", _("Decision notice to the petitioner")
    ASSIGNED = "assigned", _("Case assigned for verification")
    SUBMITTED_FOR_APPROVAL = "submitted_for_approval", _("Draft submitted for approval")
    RETURNED_FOR_REVISION = "returned_for_revision", _("Draft returned for revision")
    REMINDER = "reminder", _("Deadline reminder")
    OVERDUE = "overdue", _("Overdue alert")
    ESCALATION = "escalation", _("Escalation of a long-overdue case")
    DIGEST = "digest", _("Daily digest")
    CONFERENCE_DEADLINE = "conference_deadline", _("Dialogue conference deadline")
    RECEIPT = "receipt", _("Receipt of an online submission")


CITIZEN_KINDS = frozenset({Kind.ACCEPTANCE_NOTICE, Kind.REFUSAL_NOTICE, Kind.DECISION_NOTICE, Kind.RECEIPT})


class Notification(models.Model):
    """One delivery of one notice to one recipient on one channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(
        _("delivery key"),
        max_length=200,
        unique=True,
        help_text=_("outbox message + recipient + channel; a delivery is created and sent once per key"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outbox = models.ForeignKey(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("outbox message"),
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("staff recipient"),
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("citizen recipient"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Addressed to a denouncer: the recipient's identity is masked (LTC Art. 47)."),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed for sending at"), null=True, blank=True, editable=False)
    # Set the moment the mail server accepted the message, before anything else can fail.
    handed_off_at = models.DateTimeField(_("handed to the mail server"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox: a user's in-app notifications, unread first.
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_inbox_idx"),
            # The relay's sweep reads only deliveries still to be made.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="notif_pending_due_idx"
            ),
            models.Index(fields=["status", "channel"], name="notif_status_idx"),
            models.Index(fields=["case", "kind"], name="notif_case_idx"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_channel_display()} #{self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Letter(models.Model):
    """A notice to a citizen without an email address: the rendered text, ready to print and post."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="letter", verbose_name=_("notification")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    addressee_name = models.CharField(_("addressee"), max_length=200, blank=True)
    addressee_address = models.CharField(_("address"), max_length=300, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text to print"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("printed by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["printed_at", "created_at"], name="letter_queue_idx")]
        verbose_name = _("letter")
        verbose_name_plural = _("letters to print")

    def __str__(self) -> str:
        return f"{self.subject} #{self.pk}"


class NotificationPreference(models.Model):
    """A staff member's choices: language of notices and whether to receive email copies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    email_enabled = models.BooleanField(_("email copies"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class RelayWakeup(models.Model):
    """The relay's one pending wake-up (a single row, notifications.wakeup): when the last wake-up was
    sent, or NULL when none waits for a worker. A commit sends one only when none is pending; the relay
    task clears it as it starts, before it reads the outbox."""

    requested_at = models.DateTimeField(_("wake-up sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("relay wake-up")
        verbose_name_plural = _("relay wake-ups")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.requested_at or '—'}"
