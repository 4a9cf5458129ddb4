"""What was sent to a person, for their data request (casework.personal_data): every notice
addressed to them, by email or as a printed letter, with its text."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casework.models import Party

from .models import Notification


def notices_to(parties: list[Party]) -> list[dict[str, Any]]:
    rows = (
        Notification.objects.filter(party__in=parties)
        .select_related("case", "letter")
        .order_by("created_at", "pk")
    )
    out = []
    for notice in rows:
        letter = getattr(notice, "letter", None)
        out.append(
            {
                "record": notice.party_id,
                "created_at": timezone.localtime(notice.created_at).isoformat(),
                "case": notice.case.reference if notice.case else None,
                "kind": notice.kind,
                "channel": notice.channel,
                "address": notice.address,
                "status": notice.status,
                "sent_at": timezone.localtime(notice.sent_at).isoformat() if notice.sent_at else None,
                "printed_at": (
                    timezone.localtime(letter.printed_at).isoformat()
                    if letter and letter.printed_at
                    else None
                ),
                "subject": notice.subject,
                "text": notice.body,
            }
        )
    return out
