"""Fixtures for the API suite: API clients authenticated by token for each role of the `org` fixture."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.choices import Role
from tests.factories import staff

TODAY = date(2026, 3, 20)


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
