"""Back up the database and the uploaded files into one archive (casework.backups).

    manage.py backup                      # var/backups/tiepdan-<database>-<YYYYmmdd-HHMMSS>.tar
    manage.py backup --output /srv/backups/tiepdan.tar

PostgreSQL is dumped with pg_dump (custom format) as DATABASE_OWNER_URL's role if set, else
DATABASE_URL's; SQLite is copied with its online backup, safe while the server runs.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc, or a SQLite copy) and the uploaded files into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive to write (default: under var/backups/)")

    def handle(self, *args, output: Path | None, **options):
        try:
            source = backups.Target.of(settings.DATABASE_OWNER_URL or settings.DATABASES["default"])
            if output is None:
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                output = settings.VAR_DIR / "backups" / f"tiepdan-{Path(source.name).stem}-{stamp}.tar"
            manifest = backups.create(output, source=source, media_root=Path(settings.MEDIA_ROOT))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = output.stat().st_size
        self.stdout.write(
            f"{output} ({size / 1e6:.1f} MB): {manifest['engine']} database {manifest['database']}, "
            f"{manifest['media_files']} uploaded files."
        )
