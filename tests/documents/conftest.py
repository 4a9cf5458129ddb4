"""The document templates as the data migration seeds them (the suite builds its tables from the models,
so the seed is applied here with the migration's own function and rows)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

seed_migration = importlib.import_module("documents.migrations.0002_seed_templates")


@pytest.fixture
def templates(db):
    seed_migration.seed(apps)
