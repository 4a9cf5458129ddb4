from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from casework.models import OutboxMessage
from notifications import channels, relay
from notifications.models import Channel, Kind, Letter, Notification, NotificationPreference
from tests.factories import act, petitioner, register

pytestmark = [pytest.mark.django_db, pytest.mark.sql]


def deliveries(kind, channel=None):
    qs = Notification.objects.filter(kind=kind)
    return qs.filter(channel=channel) if channel else qs


def test_acceptance_notice_is_emailed_to_a_petitioner_with_an_email(accepted_complaint, run_relay):
    case = accepted_complaint(email="dan@example.vn")

    run_relay()

    assert [m.to for m in mail.outbox] == [["dan@example.vn"]]
    assert case.reference in mail.outbox[0].subject
    assert "X-Delivery-Key" in mail.outbox[0].extra_headers
    notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
    assert (notice.channel, notice.status) == (Channel.EMAIL, Notification.Status.SENT)
    assert notice.handed_off_at is not None
    assert OutboxMessage.objects.get(topic="case.accept").status == OutboxMessage.Status.SENT


def test_acceptance_notice_becomes_a_printable_letter_without_an_email(accepted_complaint, run_relay):
    case = accepted_complaint()

    run_relay()

    assert mail.outbox == []
    letter = Letter.objects.get()
    assert letter.case == case
    assert letter.addressee_name == "Nguyễn Văn 1"
    assert case.reference in letter.text
    assert "06/04/2026" in letter.text  # resolution deadline: 30 days from 5/3, Saturday 4/4 -> Monday 6/4
    assert "UBND XÃ A" in letter.text  # the letterhead
    assert deliveries(Kind.ACCEPTANCE_NOTICE, Channel.LETTER).get().status == Notification.Status.SENT


def test_notices_use_the_configured_language(accepted_complaint, run_relay, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "LANGUAGE": "vi"}
    accepted_complaint(email="dan@example.vn")

    run_relay()

    assert mail.outbox[0].subject.startswith("Thông báo thụ lý đơn khiếu nại")
    assert "Kính gửi Ông/Bà Nguyễn Văn 1" in mail.outbox[0].body


def test_refusal_notice_states_the_reason(org, frozen_today, run_relay, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "LANGUAGE": "vi"}
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[petitioner()])
    case = act(case, "review", org.reception)
    act(case, "reject", org.head, reason="limitation_expired")

    run_relay()

    letter = Letter.objects.get()
    assert "không được thụ lý" in letter.text
    assert "hết thời hiệu khiếu nại mà không có lý do chính đáng" in letter.text


def test_group_notice_goes_to_one_representative(org, frozen_today, run_relay):
    frozen_today(date(2026, 3, 20))
    people = [petitioner(i, email=f"p{i}@example.vn") for i in range(1, 7)]
    people[1]["is_representative"] = True
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=people)
    case = act(case, "review", org.reception)
    act(case, "accept", org.head)

    run_relay()

    assert [m.to for m in mail.outbox] == [["p2@example.vn"]]


def test_assignment_and_submission_reach_the_handler_and_the_head(accepted_complaint, org, run_relay):
    case = accepted_complaint()
    case = act(case, "start_verification", org.head, handler=org.handler.pk)
    act(case, "submit_for_approval", org.handler, outcome="partly_right", summary="Đúng một phần")

    run_relay()

    assigned = deliveries(Kind.ASSIGNED)
    assert {(n.recipient, n.channel) for n in assigned} == {
        (org.handler, Channel.IN_APP),
        (org.handler, Channel.EMAIL),
    }
    submitted = deliveries(Kind.SUBMITTED_FOR_APPROVAL, Channel.IN_APP)
    assert [n.recipient for n in submitted] == [org.head]
    assert {tuple(m.to) for m in mail.outbox} >= {(org.handler.email,), (org.head.email,)}


def test_staff_preference_chooses_language_and_turns_email_off(accepted_complaint, org, run_relay, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "LANGUAGE": "vi"}
    NotificationPreference.objects.create(user=org.handler, language="en", email_enabled=False)
    case = accepted_complaint()
    act(case, "start_verification", org.head, handler=org.handler.pk)

    run_relay()

    notice = deliveries(Kind.ASSIGNED).get()
    assert notice.channel == Channel.IN_APP
    assert notice.subject.startswith(f"[{case.reference}] You have been assigned")


def test_relay_run_twice_sends_nothing_twice(accepted_complaint, run_relay):
    accepted_complaint(email="dan@example.vn")
    message = OutboxMessage.objects.get(topic="case.accept")

    run_relay()
    # A redelivered task, or a second relay that read the message before the first marked it sent.
    relay.expand(message)
    run_relay()

    assert len(mail.outbox) == 1
    assert deliveries(Kind.ACCEPTANCE_NOTICE).count() == 1


class CrashAfterSend(channels.EmailChannel):
    """Sends, then dies before the relay can mark the delivery sent — the first time only."""

    def __init__(self):
        self.calls = 0

    def send(self, notification):
        self.calls += 1
        super().send(notification)
        if self.calls == 1:
            raise ConnectionResetError("worker lost after the mail server accepted the message")


def test_relay_that_crashes_after_sending_does_not_send_twice(accepted_complaint, run_relay, monkeypatch):
    crashing = CrashAfterSend()
    monkeypatch.setitem(channels.REGISTRY, Channel.EMAIL, crashing)
    accepted_complaint(email="dan@example.vn")

    run_relay()
    notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
    assert notice.status == Notification.Status.PENDING
    assert "ConnectionResetError" in notice.last_error

    with time_machine.travel(notice.next_attempt_at + timedelta(seconds=1), tick=False):
        run_relay()

    assert crashing.calls == 2  # the retry did run the channel...
    assert len(mail.outbox) == 1  # ...which found the hand-off and sent nothing
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT


class Refusing(channels.EmailChannel):
    def send(self, notification):
        raise ConnectionRefusedError("mail server down")


def test_failed_delivery_backs_off_exponentially_then_shows_the_error(
    accepted_complaint, run_relay, monkeypatch, settings
):
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "MAX_ATTEMPTS": 3,
        "RETRY_BACKOFF_SECONDS": 60,
        "RETRY_BACKOFF_MAX_SECONDS": 3600,
    }
    monkeypatch.setitem(channels.REGISTRY, Channel.EMAIL, Refusing())
    accepted_complaint(email="dan@example.vn")

    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_relay()
        for _attempt in range(2):
            notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
            waits.append(round((notice.next_attempt_at - timezone.now()).total_seconds()))
            run_relay()  # not due yet: nothing happens
            assert deliveries(Kind.ACCEPTANCE_NOTICE).get().attempts == notice.attempts
            clock.move_to(notice.next_attempt_at + timedelta(seconds=1))
            run_relay()

    notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
    assert waits == [60, 120]
    assert (notice.status, notice.attempts) == (Notification.Status.FAILED, 3)
    assert notice.last_error == "ConnectionRefusedError: mail server down"
    assert mail.outbox == []

    monkeypatch.setitem(channels.REGISTRY, Channel.EMAIL, channels.EmailChannel())
    assert relay.requeue(Notification.objects.all()) == 1
    run_relay()
    assert len(mail.outbox) == 1


def test_delivery_left_sending_by_a_dead_worker_is_settled_without_resending(
    accepted_complaint, run_relay, settings
):
    accepted_complaint(email="dan@example.vn")
    relay.fan_out(relay.RelayResult(), 10)
    notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
    # The worker claimed it and died: once without the mail server's acceptance, once with it.
    Notification.objects.filter(pk=notice.pk).update(status="sending", claimed_at=timezone.now())
    lease = timedelta(seconds=settings.NOTIFICATIONS["SENDING_LEASE_SECONDS"] + 1)

    with time_machine.travel(timezone.now() + lease, tick=False):
        result = run_relay()

    notice.refresh_from_db()
    assert result.settled == 1
    assert notice.status == Notification.Status.FAILED
    assert "not resent automatically" in notice.last_error
    assert mail.outbox == []


def test_delivery_handed_off_before_the_worker_died_is_marked_sent(accepted_complaint, run_relay, settings):
    accepted_complaint(email="dan@example.vn")
    relay.fan_out(relay.RelayResult(), 10)
    notice = deliveries(Kind.ACCEPTANCE_NOTICE).get()
    Notification.objects.filter(pk=notice.pk).update(
        status="sending", claimed_at=timezone.now(), handed_off_at=timezone.now()
    )
    lease = timedelta(seconds=settings.NOTIFICATIONS["SENDING_LEASE_SECONDS"] + 1)

    with time_machine.travel(timezone.now() + lease, tick=False):
        run_relay()

    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert mail.outbox == []


def test_bad_message_is_recorded_and_does_not_block_the_others(accepted_complaint, run_relay, monkeypatch):
    from notifications import planning

    accepted_complaint(email="dan@example.vn")

    def broken(pc):
        raise KeyError("missing")

    monkeypatch.setitem(planning.PLANNERS, "case.review", broken)
    result = run_relay()

    review = OutboxMessage.objects.get(topic="case.review")
    assert (review.status, review.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "KeyError" in review.last_error
    assert result.message_failures == 1
    assert len(mail.outbox) == 1  # the acceptance notice went out all the same


def test_denouncer_identity_never_reaches_staff_notifications(denunciation, org, run_relay, frozen_today):
    case = act(denunciation, "review", org.reception, on=date(2026, 3, 3))
    case = act(case, "accept", org.head, on=date(2026, 3, 4))
    case = act(case, "start_verification", org.head, handler=org.handler.pk)
    act(case, "submit_for_approval", org.handler, outcome="true", summary="Tố cáo đúng")

    run_relay()

    staff = Notification.objects.filter(recipient__isnull=False)
    assert staff.count() >= 4
    secrets = ("Bí Mật", "ngõ Kín", "001099777777", "bimat@example.vn")
    for notice in staff:
        assert not any(s in notice.subject + notice.body + notice.address for s in secrets), notice.kind
    staff_mail = [m for m in mail.outbox if m.to != ["bimat@example.vn"]]
    assert staff_mail and not any(s in m.subject + m.body for m in staff_mail for s in secrets)
    to_denouncer = Notification.objects.get(party__isnull=False)
    assert to_denouncer.kind == Kind.ACCEPTANCE_NOTICE
    assert to_denouncer.confidential


def test_transition_without_subscribers_is_relayed_with_no_delivery(org, frozen_today, run_relay):
    frozen_today(date(2026, 3, 20))
    register(org.commune, org.reception, received_at=date(2026, 3, 2))

    result = run_relay()

    assert result.messages == 1 and result.deliveries_created == 0
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
