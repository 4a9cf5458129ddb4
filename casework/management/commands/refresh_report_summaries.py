"""Refresh the report summaries now (the beat task does it every few minutes): the units whose cases
changed since the last refresh, or all of them with --full (first build, or after a unit moved to
another authority level)."""

import time

from django.core.management.base import BaseCommand

from casework.reports import summary


class Command(BaseCommand):
    help = "Refresh the report summaries behind the resolution reports (--full rebuilds every unit)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every unit's rows.")

    def handle(self, *args, full: bool = False, **options):
        started = time.perf_counter()
        result = summary.refresh(full=full)
        self.stdout.write(
            f"Report summaries {'rebuilt' if result.full else 'refreshed'}: {result.units} units, "
            f"as of {result.as_of:%Y-%m-%d %H:%M:%S}, {time.perf_counter() - started:.1f} s."
        )
