from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from config.celery import app as celery_app
from notifications.models import Kind, Letter, Notification
from notifications.tasks import relay_outbox
from tests.factories import act
from workflows import tasks as workflow_tasks

pytestmark = pytest.mark.django_db


def test_beat_schedule_names_registered_tasks_and_follows_the_settings():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} <= set(celery_app.tasks)
    assert schedule["scan-deadlines"]["schedule"].total_seconds() == 60 * 60
    digest = schedule["daily-digest"]["schedule"]
    assert (digest.hour, digest.minute) == ({7}, {30})
    assert celery_app.conf.timezone == "Asia/Ho_Chi_Minh"


def test_tasks_run_the_scan_digest_and_relay(org, frozen_today):
    from tests.helpers import accepted_on

    accepted_on(org, frozen_today, date(2026, 1, 16))
    frozen_today(date(2026, 2, 11))

    assert workflow_tasks.scan_deadlines.apply().get()["alerts"] == 1
    assert workflow_tasks.daily_digest.apply().get() == 1
    result = relay_outbox.apply().get()

    assert result["messages"] >= 2
    assert Notification.objects.filter(kind=Kind.REMINDER).exists()
    assert Notification.objects.filter(kind=Kind.DIGEST).exists()


def test_admin_masks_a_denouncer_even_for_the_superuser(denunciation, org, run_relay, client):
    case = act(denunciation, "review", org.reception, on=date(2026, 3, 3))
    act(case, "accept", org.head, on=date(2026, 3, 4))
    run_relay()
    notice = Notification.objects.get(kind=Kind.ACCEPTANCE_NOTICE)
    admin = get_user_model().objects.create_superuser("root", "root@example.vn", "pw")
    client.force_login(admin)

    listing = client.get("/admin/notifications/notification/?status__exact=sent")
    detail = client.get(f"/admin/notifications/notification/{notice.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    for page in (listing, detail):
        text = page.content.decode()
        assert "bimat@example.vn" not in text and "Bí Mật" not in text
    assert "confidential" in listing.content.decode()


def test_the_resolver_sees_and_prints_the_letter_to_a_denouncer(org, frozen_today, run_relay, client):
    from tests.factories import petitioner, register

    frozen_today(date(2026, 3, 20))
    case = register(
        org.commune,
        org.reception,
        kind="denunciation",
        received_at=date(2026, 3, 2),
        petitioners=[petitioner(8, full_name="Phạm Văn Kín")],
    )
    case = act(case, "review", org.reception)
    act(case, "accept", org.head)
    run_relay()
    letter = Letter.objects.get()
    assert letter.confidential
    org.head.is_superuser = True  # the resolver, with rights to the admin screens of this app
    org.head.save()
    client.force_login(org.head)

    page = client.get(f"/admin/notifications/letter/{letter.pk}/change/")
    download = client.post(
        "/admin/notifications/letter/", {"action": "download", "_selected_action": [letter.pk]}
    )

    assert "Phạm Văn Kín" in page.content.decode()
    assert "Phạm Văn Kín" in download.content.decode()
