import os

import dj_database_url

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"

# Unit tests run on an in-memory SQLite unless TEST_DATABASE_URL points at a real PostgreSQL.
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["TEST_DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# `make test-replica`: a streaming replica of that PostgreSQL (tests/integration/test_replica_postgres.py).
# A test mirror keeps the replica's host and port and takes the test database's name, which the replica
# receives from the primary by physical replication: nothing is created or dropped on it.
if os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REPLICA_DATABASE_URL"):
    DATABASES["reports"] = reports_database(os.environ["TEST_REPLICA_DATABASE_URL"])  # noqa: F405

# Tasks published by the outbox hook go to an in-process queue that nothing reads; tests call the relay
# and the scan directly (tests/integration/test_redis_broker.py runs a real worker on Redis).
CELERY_BROKER_URL = "memory://"
