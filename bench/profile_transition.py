"""Where a transition's Python CPU goes: cProfile over `perform_action` for `accept` and `approve`.

Uses transition_bench's cases and its `service` call (the client's version read, the acting user with its
memberships not read yet, the relay wake-up after commit), on SQLite or PostgreSQL:

    DATABASE_URL=postgres://... .venv/bin/python bench/profile_transition.py [--no-profile]

Prints the median CPU per transition and the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import transition_bench as tb
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.models import Case


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--units", type=int, default=4)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative,tottime")
    parser.add_argument("--no-profile", action="store_true", help="Only the CPU times, without cProfile.")
    parser.add_argument("--callees", default="", help="Comma-separated patterns: print whom they call.")
    args = parser.parse_args()
    crews = [tb.Crew(u) for u in tb.bench_units(args.units)]
    by_unit = {c.unit.pk: c for c in crews}
    ids = tb.new_cases(crews, args.cases + 2, timezone.localdate())
    heads = {i: by_unit[u].head.pk for i, u in Case.objects.filter(pk__in=ids).values_list("pk", "unit_id")}
    for crew in crews:
        tb._users[crew.head.pk] = get_user_model().objects.get(pk=crew.head.pk)
    warm, ids = ids[:2], ids[2:]
    for action in ("accept", "approve"):
        if action == "approve":
            tb.to_awaiting_approval(warm + ids, by_unit)
        for case_id in warm:  # first calls load caches (calendar, translations, holidays)
            tb.service(action, case_id, heads[case_id])
        cpu = []
        profile = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        for case_id in ids:
            started = time.process_time()
            if not args.no_profile:
                profile.enable()
            tb.service(action, case_id, heads[case_id])
            if not args.no_profile:
                profile.disable()
            cpu.append(time.process_time() - started)
        label = "" if args.no_profile else " (profiled)"
        print(f"=== {action}: median CPU {statistics.median(cpu) * 1000:.2f} ms over {len(cpu)}{label}")
        if args.no_profile:
            continue
        stats = pstats.Stats(profile)
        for key in args.sort.split(","):
            stats.sort_stats(key).print_stats(args.top)
        if args.callees:
            for pattern in args.callees.split(","):
                stats.sort_stats("cumulative").print_callees(pattern)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
