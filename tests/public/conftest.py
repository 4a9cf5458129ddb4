import importlib

import pytest
from django.apps import apps
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_limits_and_private_storage(settings, tmp_path):
    # Abuse counters live in the cache, shared by every test in the process: each test starts at zero.
    cache.clear()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield
    cache.clear()


@pytest.fixture
def templates(db):
    # The document templates as their data migration seeds them (tests/documents/conftest.py).
    importlib.import_module("documents.migrations.0002_seed_templates").seed(apps)
