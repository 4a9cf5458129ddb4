"""Notices name codes in the recipient's language, whatever the interface language, with the words of
casework.choices (their notice phrases)."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from notifications.rendering import render


def _case(kind: str = "complaint") -> dict:
    return {
        "reference": "XA-A/2026/7",
        "kind": kind,
        "round": 1,
        "unit": "UBND xã A",
        "received_at": date(2026, 3, 2),
        "link": "http://x/7",
    }


def test_refusal_notice_in_vietnamese_while_the_interface_is_english():
    context = {
        "case": _case(),
        "reason": "no_capacity",
        "on": date(2026, 3, 9),
        "addressee": {"name": "Nguyễn Văn A", "address": "Xã A"},
        "unit": {"name": "UBND xã A", "address": "Xã A"},
    }
    with translation.override("en"):
        subject, body = render("refusal_notice", "vi", context)
    assert subject == "Thông báo không thụ lý đơn khiếu nại — hồ sơ XA-A/2026/7"
    assert (
        "Lý do: người khiếu nại không có năng lực hành vi dân sự đầy đủ "
        "mà không có người đại diện hợp pháp.\n" in body
    )


def test_reminder_in_english_while_the_interface_is_vietnamese():
    context = {
        "case": _case("denunciation"),
        "recipient_name": "head",
        "deadline": {
            "kind": "appeal_window",
            "due_date": date(2026, 4, 3),
            "working_days_left": 2,
            "basis": "",
        },
    }
    with translation.override("vi"):
        subject, body = render("reminder", "en", context)
    assert subject == "[XA-A/2026/7] Reminder: appeal window due on 03/04/2026"
    assert (
        "The appeal window deadline of case XA-A/2026/7 (denunciation, UBND xã A) ends on 03/04/2026" in body
    )


def test_decision_notice_names_the_outcome_in_a_vietnamese_sentence():
    context = {
        "case": _case(),
        "decision_number": "12/QĐ-UBND",
        "decided_at": date(2026, 4, 1),
        "outcome": "partly_right",
        "addressee": {"name": "Nguyễn Văn A", "address": "Xã A"},
        "unit": {"name": "UBND xã A", "address": "Xã A"},
    }
    subject, body = render("decision_notice", "vi", context)
    assert subject == "Thông báo kết quả giải quyết đơn khiếu nại — hồ sơ XA-A/2026/7"
    assert "Kết quả: đúng một phần.\n" in body
