import pytest
from rest_framework.test import APIClient

from notifications.models import Channel, Kind, Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def notify(user, subject, channel=Channel.IN_APP, status=Notification.Status.SENT):
    return Notification.objects.create(
        key=f"test:{user.pk}:{subject}:{channel}",
        kind=Kind.REMINDER,
        channel=channel,
        status=status,
        recipient=user,
        language="en",
        subject=subject,
        body=f"{subject} body",
    )


def items(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def inbox(org):
    mine = [notify(org.handler, "first"), notify(org.handler, "second")]
    notify(org.handler, "an email copy", channel=Channel.EMAIL)
    notify(org.head, "the head's")
    return mine


def test_user_lists_only_their_own_in_app_notifications(org, inbox):
    response = client_for(org.handler).get(URL)

    assert response.status_code == 200
    assert [n["subject"] for n in items(response)] == ["second", "first"]
    assert items(response)[0]["is_read"] is False


def test_unread_filter_and_mark_one_read(org, inbox):
    client = client_for(org.handler)
    first = inbox[0]

    response = client.post(f"{URL}{first.pk}/read/")

    assert response.status_code == 200 and response.json()["is_read"] is True
    assert [n["subject"] for n in items(client.get(URL, {"unread": "true"}))] == ["second"]
    assert len(items(client.get(URL))) == 2


def test_mark_all_read(org, inbox):
    client = client_for(org.handler)

    response = client.post(f"{URL}read-all/")

    assert response.json() == {"marked": 2}
    assert items(client.get(URL, {"unread": "true"})) == []
    assert Notification.objects.get(subject="the head's").read_at is None


def test_someone_elses_notification_is_not_found(org, inbox):
    theirs = Notification.objects.get(subject="the head's")
    client = client_for(org.handler)

    assert client.post(f"{URL}{theirs.pk}/read/").status_code == 404
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_callers_are_refused(inbox):
    assert APIClient().get(URL).status_code in (401, 403)
