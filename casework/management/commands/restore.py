"""Restore an archive made by `manage.py backup` into a fresh database (casework.backups).

    createdb -O <owner> tiepdan                 # a fresh, empty database
    manage.py restore var/backups/tiepdan-....tar

Runs as the owner of the tables (DATABASE_OWNER_URL if set, else DATABASE_URL; --database-url to
restore elsewhere, e.g. into a scratch database to check a backup), then grants the application's
role (DATABASE_URL) its privileges again. Refuses a database that already holds tables unless
--clean. Stop web, worker and beat first when restoring over a database they use.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework import backups


class Command(BaseCommand):
    help = "Restore a backup archive (database and uploaded files) into a fresh database."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", default="", help="restore into this database instead")
        parser.add_argument(
            "--clean", action="store_true", help="replace the objects of a database that is not empty"
        )

    def handle(self, *args, archive: Path, database_url: str, clean: bool, **options):
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        default = settings.DATABASES["default"]
        try:
            target = backups.Target.of(database_url or settings.DATABASE_OWNER_URL or default)
            # The application's role keeps its least privileges on the copy, unless restoring elsewhere.
            runtime = None if database_url else backups.Target.of(default)
            manifest = backups.restore(
                archive, target=target, media_root=Path(settings.MEDIA_ROOT), clean=clean, runtime=runtime
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {manifest['engine']} backup of {manifest['created_at']} into {target.name} "
            f"({manifest['media_files']} uploaded files)."
        )
