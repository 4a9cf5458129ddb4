"""manage.py generate_synthetic --units 1000 --cases 1000000 --years 5 --seed 1

A synthetic dataset for demos and benchmarks (see `demo.synthetic`). On PostgreSQL rows go in with COPY,
--batch cases at a time, with the written tables' keys, constraints and indexes re-created at the end
(the tables are locked meanwhile: run it on a database nobody is using), the provinces spread over
--workers processes (each its own connection; see `demo.synthetic.parallel`);
elsewhere with bulk_create, a transaction per --batch cases. The command refuses to run twice into
the same database (``syn-`` units exist).
"""

from __future__ import annotations

import os
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from casework.models import Case, Unit
from demo.synthetic import PREFIX, Generator, Progress


class Command(BaseCommand):
    help = "Generate a synthetic dataset (units prefixed syn-) for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--units", type=int, default=200, help="Units in all (provinces, departments, communes)."
        )
        parser.add_argument(
            "--cases", type=int, default=10_000, help="Cases in all (about; transfers and appeals included)."
        )
        parser.add_argument("--years", type=int, default=3, help="Years of history up to --until.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--until", type=date.fromisoformat, default=None, help="Last day (default: today)."
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=20_000,
            help="Cases per COPY round (PostgreSQL) or per transaction (elsewhere).",
        )
        parser.add_argument(
            "--no-audit", action="store_true", help="Skip the audit trail and deadline ledgers."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes generating provinces in parallel, each with its own connection (PostgreSQL; "
            "default: one a core). The rows are the same for the same seed whatever their number.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["units"] < 1 or options["cases"] < 0 or options["years"] < 1:
            raise CommandError("--units and --years must be at least 1.")
        until = options["until"] or timezone.localdate()
        if until > timezone.localdate():
            # The machines judge lapsed deadlines (appeal window, resolution) on today's date.
            raise CommandError("--until cannot be after today.")
        if Unit.objects.filter(code__startswith=PREFIX).exists():
            raise CommandError(f"Synthetic units ({PREFIX}*) already exist: use a fresh database.")
        generator = Generator(
            units=options["units"],
            cases=options["cases"],
            years=options["years"],
            seed=options["seed"],
            until=until,
            batch=options["batch"],
            audit=not options["no_audit"],
            progress=Progress(options["cases"], sys.stderr, enabled=not options["no_progress"]),
            stdout=self.stdout,
            workers=max(1, options["workers"]),
        )
        result = generator.run()
        rows, cases = result["rows"], result["rows"][Case._meta.db_table]
        self.stdout.write(
            f"Synthetic data: {len(generator.units):,} units, {cases:,} cases up to {until} "
            f"in {result['elapsed']:.1f}s ({connection.vendor})."
        )
        for table, n in rows.items():
            self.stdout.write(f"  {table}: {n:,} rows")
        if options["verbosity"] > 1:
            for phase, seconds in result["phases"].items():
                self.stdout.write(f"  {phase}: {seconds:.1f}s")
            for i, (wall, cpu) in enumerate(result["workers"], 1):
                self.stdout.write(f"  worker {i}: its provinces in {wall:.1f}s ({cpu:.1f}s CPU)")
