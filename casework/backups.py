"""Backups: the database and the uploaded files in one tar archive, restorable to a fresh database.

An archive holds `manifest.json` (format, engine, time, migrations applied, file count), the database
(`database.dump`, PostgreSQL's custom format from `pg_dump -Fc`; or `database.sqlite3`, a consistent
copy made with SQLite's online backup) and the files under MEDIA_ROOT as `media/...`. The dump is
already compressed, so the archive is a plain tar.

Restoring PostgreSQL runs `pg_restore --no-owner --no-acl --single-transaction` as the owner of the
tables into an empty database (or, with `clean`, over the objects of an existing one), then grants the
runtime role its privileges again (casework.dbroles), so the copy is as protected as the original:
the append-only triggers come back with the tables. Nothing is restored over a database that already
holds tables unless asked.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
POSTGRESQL = "postgresql"
SQLITE = "sqlite"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into, from a Django DATABASES entry or a URL."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def of(cls, url_or_settings: str | dict) -> Target:
        s = dj_database_url.parse(url_or_settings) if isinstance(url_or_settings, str) else url_or_settings
        engine = {"django.db.backends.postgresql": POSTGRESQL, "django.db.backends.sqlite3": SQLITE}.get(
            s["ENGINE"]
        )
        if engine is None:
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {s['ENGINE']}.")
        return cls(
            engine=engine,
            name=str(s["NAME"]),
            user=s.get("USER") or "",
            password=s.get("PASSWORD") or "",
            host=s.get("HOST") or "",
            port=str(s.get("PORT") or ""),
        )

    def libpq_env(self) -> dict[str, str]:
        # Credentials through the environment, never on a command line other users can read.
        env = {**os.environ, "PGDATABASE": self.name}
        for key, value in (("PGUSER", self.user), ("PGPASSWORD", self.password)):
            if value:
                env[key] = value
        env["PGHOST"] = self.host or "127.0.0.1"
        env["PGPORT"] = self.port or "5432"
        return env

    def connect(self):
        import psycopg

        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or "127.0.0.1",
            port=self.port or "5432",
        )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _migrations(alias: str) -> dict[str, str]:
    """The last migration applied per app: what code the backup belongs with."""
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():  # a database built from the models (the test suite)
        return {}
    last: dict[str, str] = {}
    for app, name in sorted(recorder.applied_migrations()):
        last[app] = name
    return last


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def create(output: Path, *, source: Target, media_root: Path, alias: str = "default") -> dict:
    """Write a backup archive of `source` (reached through Django's `alias` for SQLite) and of the
    files under `media_root` to `output`; returns the manifest."""
    output.parent.mkdir(parents=True, exist_ok=True)
    files = _media_files(media_root)
    manifest = {
        "format": FORMAT,
        "engine": source.engine,
        "database": Path(source.name).name if source.engine == SQLITE else source.name,
        "created_at": timezone.now().isoformat(),
        "migrations": _migrations(alias),
        "media_files": len(files),
    }
    with tempfile.TemporaryDirectory() as work:
        if source.engine == POSTGRESQL:
            dump = Path(work) / "database.dump"
            _run([_tool("pg_dump"), "--format=custom", f"--file={dump}"], source.libpq_env())
        else:
            dump = Path(work) / "database.sqlite3"
            connection = connections[alias]
            connection.ensure_connection()
            with sqlite3.connect(dump) as copy:
                connection.connection.backup(copy)  # consistent even while others write (WAL)
            copy.close()
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.replace(output)  # a crash mid-way never leaves a truncated archive under the real name
    return manifest


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
        except KeyError:
            raise BackupError(f"{archive} is not a backup made by `manage.py backup`.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def _pg_has_tables(target: Target) -> bool:
    with target.connect() as connection:
        return bool(
            connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        )


def restore(
    archive: Path, *, target: Target, media_root: Path, clean: bool = False, runtime: Target | None = None
) -> dict:
    """Restore `archive` into `target` (connected as the owner of the tables) and its files into
    `media_root`; then, when the application uses another role (`runtime`), grant it its privileges."""
    manifest = read_manifest(archive)
    if manifest["engine"] != target.engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database, the target is {target.engine}."
        )
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
        if target.engine == POSTGRESQL:
            _restore_postgresql(Path(work) / "database.dump", target, clean=clean, runtime=runtime)
        else:
            _restore_sqlite(Path(work) / "database.sqlite3", target, clean=clean)
        media = Path(work) / "media"
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest


def _restore_postgresql(dump: Path, target: Target, *, clean: bool, runtime: Target | None) -> None:
    if not clean and _pg_has_tables(target):
        raise BackupError(
            f"Database {target.name} already holds tables: restore into a fresh database, or pass --clean "
            "to replace what the backup contains."
        )
    args = [_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={target.name}", str(dump)], target.libpq_env())
    if runtime is not None and runtime.user and runtime.user != target.user:
        from .dbroles import setup_runtime_role

        with target.connect() as connection, connection.cursor() as cursor:
            setup_runtime_role(cursor, runtime.user, runtime.password)


def _restore_sqlite(copy: Path, target: Target, *, clean: bool) -> None:
    if target.name in ("", ":memory:"):
        raise BackupError("Restore needs a SQLite database file, not an in-memory database.")
    path = Path(target.name)
    if path.exists() and path.stat().st_size and not clean:
        raise BackupError(f"{path} exists: pass --clean to replace it (stop the server and worker first).")
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(copy) as source, sqlite3.connect(path) as destination:
        source.backup(destination)
    source.close()
    destination.close()
