"""Benchmark of the petitioner search on PostgreSQL (not part of the unit suite).

A province monitor looks cases up by a full name, by a common part of names typed without
diacritics, by an exact ID number, and by a name nobody has (casework.confidentiality.cases_naming, first page
of 50 newest cases). One warm-up, then the best of 5; results to bench/SEARCH_RESULTS.md. Target:
every search under 0.5 s.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_bench \
        .venv/bin/python bench/search_bench.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.run_bench import best_of, machine  # noqa: E402
from casework.access import visible_cases  # noqa: E402
from casework.choices import Role  # noqa: E402
from casework.confidentiality import cases_naming  # noqa: E402
from casework.models import Case, CaseParty, Membership, Party  # noqa: E402

TARGET_SECONDS = 0.5
RESULTS = ROOT / "bench" / "SEARCH_RESULTS.md"


def main() -> int:
    if connection.vendor != "postgresql" or Case.objects.count() < 1000:
        print("Run on PostgreSQL with synthetic data (manage.py generate_synthetic).", file=sys.stderr)
        return 2
    membership = (
        Membership.objects.filter(role=Role.MONITOR, unit__parent__isnull=True, unit__code__startswith="syn-")
        .select_related("user", "unit")
        .order_by("unit__code")
        .first()
    )
    user, province = membership.user, membership.unit
    # A petitioner of the province's cases, in the open (a denouncer would not match for a monitor).
    link = (
        CaseParty.objects.filter(case__unit__path__startswith=province.path, confidential=False)
        .exclude(party__id_number="")
        .select_related("party")
        .order_by("id")[1000]
    )
    searches = [
        ("a full name, as written", link.party.full_name),
        ("part of many names, no diacritics", "van hung"),
        ("an exact ID number", link.party.id_number),
        ("a name nobody has", "zzz khong ai"),
    ]
    rows = []
    for label, term in searches:
        seconds, found = best_of(
            lambda term=term: list(
                cases_naming(user, visible_cases(user), term).order_by("-received_at", "-id")[:50]
            )
        )
        rows.append((label, term, len(found), seconds))
        print(f"  {label} ({term!r}): {len(found)} cases, {seconds * 1000:.0f} ms")

    lines = [
        "# Petitioner search benchmark",
        "",
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh) by `bench/search_bench.py`: "
        f"the monitor of {province.code} (subtree of "
        f"{Case.objects.filter(unit__path__startswith=province.path).count():,} cases) searches "
        f"{Case.objects.count():,} cases and {Party.objects.count():,} people for the first page "
        f"(50 newest cases). Best of 5 after a warm-up. Target: under {TARGET_SECONDS} s each.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in machine().items()],
        "",
        "## Results",
        "",
        "| Search | Term | Cases found | Time (ms) | Target met |",
        "|---|---|---:|---:|:---:|",
        *[
            f"| {label} | `{term}` | {n} | {s * 1000:.0f} | {'yes' if s <= TARGET_SECONDS else 'NO'} |"
            for label, term, n, s in rows
        ],
        "",
        "People are found first through the trigram index on `search_name` (casework migration 0007) or "
        "the ID-number index, then their case links, then the cases within the user's units.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print(f"Written to {RESULTS}")
    return 0 if all(s <= TARGET_SECONDS for *_rest, s in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
