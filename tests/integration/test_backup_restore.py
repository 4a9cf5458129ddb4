"""`manage.py backup` and `manage.py restore` (casework.backups): back up, restore into a fresh
database, and find the same records, the same audit trail, the same uploaded files and a working
login. On PostgreSQL through pg_dump/pg_restore; on SQLite (the zero-setup default) a file copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from casework.confidentiality import record_disclosure
from casework.dbroles import APPEND_ONLY_TABLES
from casework.models import AccessLog, Case, CaseEvent, PartyCorrection
from casework.services import correct_party
from tests.factories import act, register

ROOT = Path(django_settings.BASE_DIR)
PASSWORD = "restored-login-7"
AUDIT_TABLES = APPEND_ONLY_TABLES


def some_history(org, frozen_today, media_root: Path) -> None:
    frozen_today(date(2026, 3, 10))
    for n in range(3):
        case = register(org.commune, org.reception, received_at=date(2026, 3, 2 + n))
        act(act(case, "review", org.reception), "accept", org.head)
    party = Case.objects.first().case_parties.get().party
    correct_party(party=party, actor=org.reception, changes={"phone": "0988000111"}, reason="CCCD gốc")
    record_disclosure(user=org.head, channel="test", detail="read", kind=AccessLog.Kind.PERSONAL_DATA_READ)
    org.head.set_password(PASSWORD)
    org.head.save()
    (media_root / "scans").mkdir(parents=True)
    (media_root / "scans" / "don-khieu-nai.pdf").write_bytes(b"%PDF-1.4 scanned letter")


def table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def append_only_triggers(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE '%_append_only' ORDER BY 1"
    )
    return cursor.fetchall()


def audit_digests(cursor) -> dict[str, str]:
    """Every row of the append-only tables, every column, in order: one digest per table."""
    digests = {}
    for table in AUDIT_TABLES:
        cursor.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t")
        digests[table] = cursor.fetchone()[0]
    return digests


@pytest.fixture
def fresh_database():
    """An empty database next to the test database (dropped afterwards), as a URL."""
    import psycopg
    from psycopg import sql

    s = connection.settings_dict
    name = f"{s['NAME']}_restored"[:63]
    server = dict(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"]
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgres://{s['USER']}:{s['PASSWORD']}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_to_a_fresh_database_with_the_same_records_and_a_working_login(
    org, frozen_today, tmp_path, settings, fresh_database
):
    import psycopg

    settings.MEDIA_ROOT = tmp_path / "media"
    some_history(org, frozen_today, settings.MEDIA_ROOT)
    archive = tmp_path / "backup.tar"
    call_command("backup", output=archive)
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["database.dump", "manifest.json", "media/scans/don-khieu-nai.pdf"]
        manifest = json.load(tar.extractfile("manifest.json"))
    assert (manifest["engine"], manifest["media_files"]) == ("postgresql", 1)

    url = fresh_database
    settings.MEDIA_ROOT = tmp_path / "elsewhere"  # the files come back from the archive, not the disk
    call_command("restore", str(archive), database_url=url)

    with connection.cursor() as cursor:
        original_counts, original_audit = table_counts(cursor), audit_digests(cursor)
        triggers = append_only_triggers(cursor)
    with psycopg.connect(url) as restored, restored.cursor() as cursor:
        assert table_counts(cursor) == original_counts
        assert audit_digests(cursor) == original_audit
        # The restored audit trail is protected as the original was.
        assert append_only_triggers(cursor) == triggers
        assert {table for table, _name in triggers} == set(AUDIT_TABLES)
    assert original_counts["casework_caseevent"] == CaseEvent.objects.count() == 9
    assert original_counts["casework_partycorrection"] == PartyCorrection.objects.count() == 1
    assert (settings.MEDIA_ROOT / "scans" / "don-khieu-nai.pdf").read_bytes() == b"%PDF-1.4 scanned letter"

    # A login on the restored database, in a process of its own, then a page behind it.
    login = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.test import Client\n"
            "client = Client()\n"
            # Through the sign-in form, as a person signs in (the lockout backend wants the request).
            f"response = client.post('/login/', {{'username': 'head', 'password': {PASSWORD!r}}})\n"
            "assert response.status_code == 302 and '/login/' not in response['Location'], 'login refused'\n"
            "print('home', client.get('/').status_code)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_DATABASE_URL": url,
            "ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert login.returncode == 0, login.stderr[-3000:]
    assert "home 200" in login.stdout

    with pytest.raises(CommandError, match="already holds tables"):
        call_command("restore", str(archive), database_url=url)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path of the same commands")
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_is_a_consistent_copy_that_restores_to_a_new_file(
    org, frozen_today, tmp_path, settings
):
    import sqlite3

    settings.MEDIA_ROOT = tmp_path / "media"
    some_history(org, frozen_today, settings.MEDIA_ROOT)
    archive = tmp_path / "backup.tar"
    call_command("backup", output=archive)
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["engine"] == "sqlite"

    target = tmp_path / "restored" / "db.sqlite3"
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    call_command("restore", str(archive), database_url=f"sqlite:///{target}")

    with sqlite3.connect(target) as restored:
        for table in AUDIT_TABLES:
            model = apps.get_model(*table.split("_", 1))
            assert restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == model.objects.count()
        rows = restored.execute("SELECT id, action, to_state FROM casework_caseevent ORDER BY id").fetchall()
    restored.close()
    assert rows == list(CaseEvent.objects.order_by("id").values_list("id", "action", "to_state"))
    assert (settings.MEDIA_ROOT / "scans" / "don-khieu-nai.pdf").exists()
    with pytest.raises(CommandError, match="pass --clean"):
        call_command("restore", str(archive), database_url=f"sqlite:///{target}")
