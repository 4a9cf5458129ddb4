"""Password guessing on POST /api/v1/auth/token/: the client is the socket peer unless a trusted proxy
forwarded the request, and failures are counted per client and per account."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from casework.security import client_ip

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _rate(settings):
    settings.API_LOGIN_THROTTLE_RATE = "5/minute"
    settings.AXES_ENABLED = False  # the throttle alone (lockouts are tested in test_lockout.py)


def _login(username: str, password: str, **meta):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **meta)


def test_rotating_x_forwarded_for_does_not_reset_the_login_throttle(org):
    for _attempt in range(5):
        assert _login("head", "wrong", HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 400
    assert _login("head", "wrong", HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 429

    for n in range(2, 14):
        response = _login("head", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert response.status_code == 429, n
        assert response.json()["code"] == "throttled"
    assert _login("head", "pw", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_guesses_at_one_account_are_throttled_whatever_address_they_come_from(org):
    for n in range(5):
        assert _login("head", "wrong", REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 400
    blocked = _login("head", "pw", REMOTE_ADDR="192.0.2.77")
    assert blocked.status_code == 429
    assert blocked.json()["wait"] > 0
    # Another account from a fresh address is not affected.
    assert _login("handler", "pw", REMOTE_ADDR="192.0.2.78").status_code == 200


def test_one_address_spraying_many_accounts_is_throttled(org):
    for name in ("head", "handler", "reception", "monitor", "p_head"):
        assert _login(name, "wrong", REMOTE_ADDR="198.51.100.7").status_code == 400
    assert _login("p_handler", "pw", REMOTE_ADDR="198.51.100.7").status_code == 429


def test_a_trusted_proxy_forwards_the_clients_address_and_throttling_follows_it(org, settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]
    for _attempt in range(5):
        response = _login("head", "wrong", REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert response.status_code == 400
    # The same client behind the proxy is throttled; a different client behind it is not.
    assert (
        _login("handler", "x", REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    )
    assert (
        _login("handler", "pw", REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # no proxy configured: the header is ignored
        (["10.0.0.0/8"], "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # the peer is not a trusted proxy
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # A client-written prefix is skipped: the right-most address no trusted proxy added wins.
        (["10.0.0.0/8"], "10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        (["10.0.0.0/8"], "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.2", "2001:db8::/32"], "2001:db8::1", "2001:db9::7", "2001:db9::7"),
    ],
)
def test_client_address_believes_x_forwarded_for_only_from_trusted_proxies(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
