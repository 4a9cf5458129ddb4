"""What each statement of the generator's restore costs: on a database holding generated data, the
written tables' keys and indexes are set aside (`Writer.set_aside`) and re-created one statement at a
time on one connection, in `Writer.restore_in_parallel`'s order (index builds, constraints made of
their indexes, keys added back NOT VALID, keys validated, tables analyzed), each timed in wall seconds
and in the CPU seconds of its backend (read from /proc: same machine as the server only). Prints the
totals per kind of statement and the costliest statements; the schema ends as it was.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/COPY_OF_A_GENERATED_DB \\
        .venv/bin/python bench/generator_restore_costs.py [--parallel-workers N] [--top 40]

Use a copy nobody else is using (CREATE DATABASE ... TEMPLATE ...): the tables are without their
indexes and keys while it runs, and a statement that fails leaves the rest undone (they are printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import transaction  # noqa: E402

from demo.synthetic.generator import MODELS  # noqa: E402
from demo.synthetic.writer import Table, Writer, connect  # noqa: E402

KINDS = ("CREATE", "USING INDEX", "NOT VALID", "VALIDATE", "ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallel-workers", type=int, default=None, help="max_parallel_maintenance_workers")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    writer = Writer([Table(m, 1) for m in MODELS], batch_size=5000, copy=True)
    with transaction.atomic():
        dropped = writer.set_aside()
    statements = [item.build or item.create for item in dropped if not item.key]
    statements += [s for item in dropped if item.attach for s in (item.attach, item.comment) if s]
    statements += [s for item in dropped if item.key for s in (f"{item.create} NOT VALID", item.comment) if s]
    statements += [f"ALTER TABLE {item.table} VALIDATE CONSTRAINT {item.key}" for item in dropped if item.key]
    statements += [f"ANALYZE {table}" for table in sorted({item.table for item in dropped})]
    raw = connect()
    raw.autocommit = True
    pid = raw.execute("SELECT pg_backend_pid()").fetchone()[0]
    raw.execute("SET maintenance_work_mem = '512MB'")  # as the generator's restore
    if args.parallel_workers is not None:
        raw.execute(f"SET max_parallel_maintenance_workers = {int(args.parallel_workers)}")
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    timed = []
    for i, sql in enumerate(statements):
        before, started = cpu(), time.monotonic()
        try:
            raw.execute(sql)
        except Exception:
            print("failed; still to run:\n" + ";\n".join(statements[i:]), file=sys.stderr)
            raise
        timed.append((time.monotonic() - started, cpu() - before, sql))
    print(f"all: {sum(t[0] for t in timed):.1f} s wall, {sum(t[1] for t in timed):.1f} s backend CPU")
    for kind in KINDS:
        part = [t for t in timed if kind in t[2] and not (kind == "CREATE" and "USING INDEX" in t[2])]
        print(
            f"  {kind}: {sum(t[0] for t in part):.1f} s wall, {sum(t[1] for t in part):.1f} s CPU, "
            f"{len(part)} statements"
        )
    print("costliest (wall s, CPU s):")
    for wall, used, sql in sorted(timed, reverse=True)[: args.top]:
        print(f"{wall:7.2f} {used:7.2f}  {sql[:140]}")


if __name__ == "__main__":
    main()
