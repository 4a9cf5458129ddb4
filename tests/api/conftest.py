"""Fixtures for the API suite: API clients authenticated by token for each role of the `org` fixture."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.choices import CaseKind, Role
from tests.factories import staff

TODAY = date(2026, 3, 20)

# A denouncer whose every identity string is distinctive, so a leak anywhere is found by a text scan.
DENOUNCER = {
    "full_name": "Trần Thị Bímật Zyxwv",
    "id_number": "079188777666",
    "address": "Số 77 ngõ Kínđáo, phường Qwerty",
    "phone": "0987654321",
}
DENOUNCER_STRINGS = tuple(DENOUNCER.values())


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The login throttle keeps its counts in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today(frozen_today):
    frozen_today(TODAY)
    return TODAY


@pytest.fixture
def administrator(org):
    return staff(org.province, Role.ADMINISTRATOR, "administrator")


@pytest.fixture
def client_for():
    """client_for(user) -> an APIClient sending that user's token."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def letter(org, **overrides) -> dict:
    """A POST /api/v1/cases/ body: a first-round complaint received by post at the commune."""
    body = {
        "unit": org.commune.pk,
        "kind": CaseKind.COMPLAINT,
        "round": 1,
        "channel": "post",
        "received_at": "2026-03-02",
        "summary": "Khiếu nại quyết định thu hồi đất số 15/QĐ-UBND",
        "petitioners": [
            {
                "full_name": "Lê Văn Khiếu",
                "id_number": "001090000111",
                "address": "Thôn 1",
                "phone": "0912000111",
            }
        ],
    }
    body.update(overrides)
    return body
