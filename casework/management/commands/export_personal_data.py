"""Answer a data subject's request from the shell: everything held about a person, as JSON
(casework.personal_data), logged as a disclosure by the named user.

    manage.py export_personal_data --id-number 001090000123 --by admin
    manage.py export_personal_data --record 12 --record 40 --by admin --output /tmp/person.json

Every record with that ID number (intake keeps each paper's identity as written, so one person may
have several) or each record given; a sealed denouncer's own request is answered here too, since the
admin's people list never shows them. The file is written readable by its owner only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from casework.models import Party
from casework.personal_data import person_data


class Command(BaseCommand):
    help = "Export everything held about a person (a data subject's request) as a JSON file, logged."

    def add_arguments(self, parser):
        parser.add_argument(
            "--record", type=int, action="append", default=[], help="a person record (Party id)"
        )
        parser.add_argument("--id-number", default="", help="every record with this ID number")
        parser.add_argument("--by", required=True, help="username of the administrator answering the request")
        parser.add_argument("--output", type=Path, help="default: var/personal-data/<records>-<time>.json")

    def handle(self, *args, record: list[int], id_number: str, by: str, output: Path | None, **options):
        try:
            user = get_user_model().objects.get(username=by, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {by!r}.") from None
        parties = list(Party.objects.filter(pk__in=record))
        if id_number.strip():
            parties += Party.objects.filter(id_number=id_number.strip()).exclude(pk__in=record)
        missing = set(record) - {p.pk for p in parties}
        if missing or not parties:
            raise CommandError(f"No such person record: {sorted(missing) or id_number or '(none given)'}")
        document = person_data(parties, user=user, channel="command")
        if output is None:
            ids = "-".join(str(p.pk) for p in sorted(parties, key=lambda p: p.pk))[:100]
            output = settings.VAR_DIR / "personal-data" / f"{ids}-{timezone.localtime():%Y%m%d-%H%M%S}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
        self.stdout.write(
            f"{output}: {len(parties)} record(s), {len(document['cases'])} case(s), "
            f"{len(document['visits'])} visit(s); the export is in the access log."
        )
