"""Password guessing on the workspace and admin sign-in forms (and the API token endpoint): the fifth failure
for a login name from one address lock that pair out for the cool-off, even with the right password;
administrators see the lockout in the admin and unlock it."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from casework.choices import Role
from tests.factories import staff

WORKSPACE_LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.API_LOGIN_THROTTLE_RATE = None  # the lockout alone here (the throttle: test_login_abuse.py)


@pytest.fixture
def administrator(org):
    user = staff(org.province, Role.ADMINISTRATOR, "unit_admin")
    return user


def _sign_in(url: str, username: str, password: str, *, address: str = "192.0.2.10", language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address), client


@pytest.mark.parametrize("url", [WORKSPACE_LOGIN, ADMIN_LOGIN])
def test_thirty_wrong_passwords_then_the_right_one_is_refused(org, url):
    org.head.is_staff = True
    org.head.save(update_fields=["is_staff"])
    answers = [_sign_in(url, "head", f"guess-{n}")[0].status_code for n in range(30)]
    assert answers[:4] == [200] * 4  # the form again, with an error
    assert set(answers[4:]) == {429}  # the fifth failure locks

    response, client = _sign_in(url, "head", "pw")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_in_vietnamese(org):
    for n in range(5):
        _sign_in(WORKSPACE_LOGIN, "reception", f"x{n}", language="vi")
    response, _client = _sign_in(WORKSPACE_LOGIN, "reception", "pw", language="vi")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập bị tạm khoá" in page
    assert "Đăng nhập sai quá nhiều lần" in page


def test_a_lockout_binds_the_login_name_to_the_address_not_the_whole_office(org):
    for n in range(5):
        _sign_in(WORKSPACE_LOGIN, "reception", f"x{n}", address="203.0.113.1")
    assert _sign_in(WORKSPACE_LOGIN, "reception", "pw", address="203.0.113.1")[0].status_code == 429
    # A colleague behind the same address signs in; the same login from elsewhere too.
    assert _sign_in(WORKSPACE_LOGIN, "handler", "pw", address="203.0.113.1")[0].status_code == 302
    assert _sign_in(WORKSPACE_LOGIN, "reception", "pw", address="198.51.100.2")[0].status_code == 302


def test_rotating_x_forwarded_for_does_not_escape_the_lockout(org):
    client, wrong = Client(), {"username": "head", "password": "x"}
    for n in range(5):
        client.post(WORKSPACE_LOGIN, wrong, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")
    response = client.post(
        WORKSPACE_LOGIN, {"username": "head", "password": "pw"}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429


def test_the_api_token_endpoint_answers_a_lockout_as_json(org):
    client, url = APIClient(), "/api/v1/auth/token/"
    for n in range(4):
        assert client.post(url, {"username": "head", "password": f"x{n}"}).status_code == 400
    assert client.post(url, {"username": "head", "password": "x5"}).status_code == 429
    response = client.post(url, {"username": "head", "password": "pw"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and body["wait"] > 0


def test_administrators_see_the_lockout_in_the_admin_and_unlock_it(org, administrator):
    for n in range(5):
        _sign_in(WORKSPACE_LOGIN, "handler", f"x{n}")
    assert _sign_in(WORKSPACE_LOGIN, "handler", "pw")[0].status_code == 429

    admin = Client()
    admin.force_login(administrator)
    listing = admin.get("/admin/axes/accessattempt/", {"locked_now": "yes"})
    assert listing.status_code == 200
    assert "handler" in listing.content.decode()

    attempt = AccessAttempt.objects.get(username="handler")
    done = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert done.status_code == 200
    assert not AccessAttempt.objects.filter(username="handler").exists()
    assert _sign_in(WORKSPACE_LOGIN, "handler", "pw")[0].status_code == 302


def test_staff_without_the_administrator_role_cannot_unlock(org):
    org.monitor.is_staff = True
    org.monitor.save(update_fields=["is_staff"])
    for n in range(5):
        _sign_in(WORKSPACE_LOGIN, "handler", f"x{n}")
    client = Client()
    client.force_login(org.monitor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
