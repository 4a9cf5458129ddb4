"""Notices are Django templates, one per kind and language: notifications/<lang>/<kind>.txt.

The first line of a rendered template is the subject; the rest is the text. A letter wraps the
notice in notifications/<lang>/letter.txt (letterhead, addressee, date, signature block).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    with translation.override(language):
        text = render_to_string(f"notifications/{language}/{kind}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip()[:300], body.strip() + "\n"


def render_letter(language: str, subject: str, body: str, context: dict[str, Any]) -> str:
    with translation.override(language):
        return (
            render_to_string(
                f"notifications/{language}/letter.txt",
                {**context, "subject": subject, "body": body, "today": timezone.localdate()},
            ).strip()
            + "\n"
        )
