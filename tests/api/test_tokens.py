"""API tokens live for settings.API_TOKEN_MAX_AGE_HOURS, and a password change or a deactivation
revokes them at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

TOKEN_URL = "/api/v1/auth/token/"


def _token(username: str = "head", password: str = "pw") -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200
    return response.json()["token"]


def _me(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/")


def _age(token: str, hours: float) -> None:
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(hours=hours))


@pytest.fixture(autouse=True)
def _lifetime(settings):
    settings.API_TOKEN_MAX_AGE_HOURS = 24


def test_a_token_older_than_its_lifetime_is_refused_with_token_expired(org):
    token = _token()
    _age(token, 25)
    response = _me(token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert not Token.objects.filter(key=token).exists()


def test_a_token_within_its_lifetime_works(org):
    token = _token()
    _age(token, 23)
    assert _me(token).status_code == 200


def test_signing_in_again_after_expiry_issues_a_new_token(org):
    old = _token()
    _age(old, 30)
    new = _token()
    assert new != old and _me(new).status_code == 200


def test_signing_in_again_within_the_lifetime_returns_the_same_token(org):
    assert _token() == _token()


def test_a_lifetime_of_zero_means_tokens_do_not_expire(org, settings):
    settings.API_TOKEN_MAX_AGE_HOURS = 0
    token = _token()
    _age(token, 24 * 365)
    assert _me(token).status_code == 200


def test_an_expired_token_is_refused_as_an_open311_api_key_too(org):
    token = _token()
    _age(token, 25)
    response = APIClient().post("/open311/v2/requests.json", {"api_key": token}, format="json")
    assert response.status_code == 401


def test_changing_the_password_revokes_the_token(org):
    token = _token()
    org.head.set_password("a-new-password-42")
    org.head.save()
    assert _me(token).status_code == 401
    assert not Token.objects.filter(user=org.head).exists()
    assert _me(_token(password="a-new-password-42")).status_code == 200


def test_changing_the_password_through_the_admin_form_revokes_the_token(org):
    from django.contrib.auth.forms import SetPasswordForm

    token = _token()
    form = SetPasswordForm(org.head, {"new_password1": "An0ther-Secret!", "new_password2": "An0ther-Secret!"})
    assert form.is_valid(), form.errors
    form.save()
    assert _me(token).status_code == 401


def test_deactivating_the_user_revokes_the_token(org):
    token = _token()
    org.head.is_active = False
    org.head.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=token).exists()


def test_saving_the_user_otherwise_keeps_the_token(org):
    token = _token()
    org.head.first_name = "Bình"
    org.head.save()
    org.head.save(update_fields=["last_login"])
    assert _me(token).status_code == 200
