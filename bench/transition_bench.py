"""Benchmark of the transition service on PostgreSQL (not part of the unit suite).

`workflows.service.perform_action` for `accept` and `approve`, beside the same work written as one
hand-written raw-SQL transaction, in the same run:

1. Latency: service and raw SQL alternate, case by case, in one process (median and p95), and the
   statements one transition issues (CaptureQueriesContext; the acting user is fetched afresh, as in a
   request, so the membership lookup counts).
2. Throughput at 1, 2 and 4 worker processes (multiprocessing, each on its own connection with its own
   fixed set of cases, all at communes of the same level): transitions per second, for the service and
   for raw SQL, and the ratio 4 workers / 1 worker.
3. Lock waits: during each throughput run a separate connection samples pg_stat_activity for backends
   waiting on a lock (wait_event_type = 'Lock') and pg_locks for what they wait on. The workers never
   share a case, so every such wait is on something other than the case's own row.
4. Relay wake-ups: the files the transitions left in the file-system broker's queue (var/broker/queue;
   no worker runs during the benchmark).

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_perf_tx \
        .venv/bin/python bench/transition_bench.py

The database must hold synthetic data (manage.py generate_synthetic); the benchmark registers its own
cases (through the intake service) at a few synthetic communes and moves them along, so it can be run
again on the same database. Results go to bench/TRANSITION_RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from casework.choices import CaseKind, CaseState, Channel, DeadlineKind, Role  # noqa: E402
from casework.models import Case, Membership, OutboxMessage, Unit  # noqa: E402
from casework.rules import periods, policy  # noqa: E402
from casework.rules.calendar import WorkingCalendar  # noqa: E402
from notifications import wakeup  # noqa: E402
from workflows.intake import register_case  # noqa: E402
from workflows.intake.inputs import CaseInput, PetitionerInput  # noqa: E402
from workflows.service import perform_action  # noqa: E402

RESULTS = ROOT / "bench" / "TRANSITION_RESULTS.md"
TARGET_RATIO = 2.0  # service median / raw-SQL median
TARGET_STATEMENTS = 12
TARGET_SCALING = 2.5  # throughput at 4 workers / 1 worker, on 2 cores
TIMEOUT = 600  # seconds for a throughput run; reached only if something is broken
# SET statements each worker runs on its connection (--set), e.g. synchronous_commit = off to see what
# the commit's WAL flush costs the throughput.
SESSION_SETTINGS: list[str] = []

# Timings as in production: DEBUG off, so no statement is formatted and logged (CaptureQueriesContext
# turns logging on for the statement counts only).
settings.DEBUG = False


# --- Cases ------------------------------------------------------------------------------------------


class Crew:
    def __init__(self, unit: Unit):
        def who(role: str):
            return Membership.objects.filter(unit=unit, role=role).order_by("id").first().user

        self.unit = unit
        self.reception, self.head, self.handler = (
            who(Role.RECEPTION_OFFICER),
            who(Role.UNIT_HEAD),
            who(Role.HANDLER),
        )


def bench_units(count: int) -> list[Unit]:
    """Synthetic communes (one level row, shared) with a reception officer, a head and a handler."""
    units = []
    for unit in Unit.objects.filter(
        code__startswith="syn-", level__authority_level="commune", level__is_agency=False, is_remote=False
    ).order_by("id"):
        roles = set(Membership.objects.filter(unit=unit).values_list("role", flat=True))
        if {Role.RECEPTION_OFFICER, Role.UNIT_HEAD, Role.HANDLER} <= roles:
            units.append(unit)
        if len(units) == count:
            return units
    raise SystemExit("Not enough synthetic communes with staff: run manage.py generate_synthetic first.")


def new_cases(crews: list[Crew], n: int, today: date) -> list[int]:
    """`n` first-round complaints under review, spread over the crews' units."""
    ids = []
    for i in range(n):
        crew = crews[i % len(crews)]
        case = register_case(
            CaseInput(
                unit=crew.unit,
                kind=CaseKind.COMPLAINT,
                round=1,
                channel=Channel.POST,
                received_at=today,
                summary="Khiếu nại quyết định thu hồi đất (benchmark)",
                petitioners=[
                    PetitionerInput(full_name=f"Người thử {i}", id_number=f"0019{i:08d}", address="Thôn 1")
                ],
            ),
            actor=crew.reception,
        )
        case = perform_action(case_id=case.pk, action="review", actor=crew.reception, version=case.version)
        ids.append(case.pk)
    return ids


def to_awaiting_approval(ids: list[int], crews: dict[int, Crew]) -> None:
    for case in Case.objects.filter(pk__in=ids).select_related("unit"):
        crew = crews[case.unit_id]
        case = perform_action(
            case_id=case.pk,
            action="start_verification",
            actor=crew.head,
            version=case.version,
            params={"handler": crew.handler.pk},
        )
        perform_action(
            case_id=case.pk,
            action="submit_for_approval",
            actor=crew.handler,
            version=case.version,
            params={"outcome": "right", "summary": "Kết quả xác minh"},
        )


# --- The service ------------------------------------------------------------------------------------


PARAMS = {"accept": {}, "approve": {"decision_number": "15/QĐ-UBND"}}


_users: dict[int, object] = {}


def client_version(case_id: int) -> int:
    """The version the client holds: the same statement for both sides, so neither pays more for it (the
    ORM's values_list().get() cost ~0.9 ms of CPU more than this, none of it the service's work)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM casework_case WHERE id = %s", [case_id])
        return cursor.fetchone()[0]


def service(action: str, case_id: int, head_id: int) -> None:
    # The version the client holds (read as the raw-SQL side reads it), and the acting user as a
    # request has it: loaded by the authentication (not timed here), its memberships not read yet.
    version = client_version(case_id)
    if head_id not in _users:
        _users[head_id] = get_user_model().objects.get(pk=head_id)
    actor = _users[head_id]
    actor.__dict__.pop("_membership_cache", None)
    perform_action(case_id=case_id, action=action, actor=actor, version=version, params=PARAMS[action])


# --- The same work in raw SQL -----------------------------------------------------------------------

CALENDAR = WorkingCalendar()  # statutory calendar; the benchmark database has no CalendarDay rows

LOCK_SQL = """
SELECT c.state, c.version, c.unit_id, c.reference, c.kind, u.is_remote
  FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
 WHERE c.id = %s FOR UPDATE OF c
"""
COMPLETE_SQL = """
UPDATE casework_deadline SET status = 'met', completed_on = %s
 WHERE case_id = %s AND kind = ANY(%s) AND status IN ('running', 'paused') RETURNING id
"""
START_SQL = """
INSERT INTO casework_deadline (case_id, kind, rule_code, basis, day_type, start_date, base_days,
                               extension_days, due_date, status, completed_on, reminder_working_days)
VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, 'running', NULL, %s)
ON CONFLICT (case_id, kind) DO UPDATE SET
    rule_code = EXCLUDED.rule_code, basis = EXCLUDED.basis, day_type = EXCLUDED.day_type,
    start_date = EXCLUDED.start_date, base_days = EXCLUDED.base_days, extension_days = 0,
    due_date = EXCLUDED.due_date, status = 'running', completed_on = NULL,
    reminder_working_days = EXCLUDED.reminder_working_days
RETURNING id
"""
ENTRY_SQL = (
    'INSERT INTO casework_deadlineentry (deadline_id, kind, "on", days, reason, note, created_at) VALUES '
)
EVENT_SQL = """
INSERT INTO casework_caseevent (case_id, actor_id, at, action, from_state, to_state, effective_date, note,
                                changes)
VALUES (%s, %s, now(), %s, %s, %s, %s, '', %s)
"""
OUTBOX_SQL = """
INSERT INTO casework_outboxmessage (topic, case_id, payload, dedup_key, status, attempts, last_error,
                                   created_at)
VALUES (%s, %s, %s, %s, 'pending', 0, '', now())
"""
RAW = {
    # action: (from state, to state, clocks completed, clocks started, case columns set to today)
    "accept": (
        CaseState.UNDER_REVIEW,
        CaseState.ACCEPTED,
        [DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE],
        [DeadlineKind.RESOLUTION],
        "accepted_at",
    ),
    "approve": (
        CaseState.AWAITING_APPROVAL,
        CaseState.DECIDED,
        [DeadlineKind.RESOLUTION],
        [DeadlineKind.APPEAL_WINDOW, DeadlineKind.PUBLICATION],
        "decided_at",
    ),
}


def raw_sql(action: str, case_id: int, head_id: int) -> None:
    """Lock the case, check its state and version, complete and start its clocks with their ledger rows,
    update it, and insert the audit record and the outbox message: one transaction."""
    source, target, completed, started, date_column = RAW[action]
    today = timezone.localdate()
    expected = client_version(case_id)
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(LOCK_SQL, [case_id])
        state, version, unit_id, reference, kind, remote = cursor.fetchone()
        assert state == source and version == expected, (case_id, state, version)
        facts = {"round": 1, "remote": remote, "several_locations": False}
        cursor.execute(COMPLETE_SQL, [today, case_id, list(completed)])
        entries = [(row[0], "complete", 0) for row in cursor.fetchall()]
        for clock in started:
            if not policy.has_rule(deadline=clock, kind=kind, on=today, facts=facts):
                continue
            rule = policy.deadline_rule(deadline=clock, kind=kind, on=today, facts=facts)
            due = periods.compute_due(
                start=today, days=rule.days, day_type=rule.day_type, pauses=[], calendar=CALENDAR
            ).due_date
            cursor.execute(
                START_SQL,
                [
                    case_id,
                    clock,
                    rule.code,
                    rule.citation,
                    rule.day_type,
                    today,
                    rule.days,
                    due,
                    rule.reminder_working_days,
                ],
            )
            entries.append((cursor.fetchone()[0], "start", rule.days))
        values = ", ".join(["(%s, %s, %s, %s, '', '', now())"] * len(entries))
        cursor.execute(ENTRY_SQL + values, [v for d, k, n in entries for v in (d, k, today, n)])
        extra = ", decision_number = %s" if action == "approve" else ""
        cursor.execute(
            f"UPDATE casework_case SET state = %s, {date_column} = %s{extra}, version = version + 1, "
            "updated_at = now() WHERE id = %s",
            [target, today, *([PARAMS[action]["decision_number"]] if extra else []), case_id],
        )
        changes = {"state": [source, target], date_column: [None, today.isoformat()]}
        cursor.execute(EVENT_SQL, [case_id, head_id, action, source, target, today, json.dumps(changes)])
        payload = {
            "case_id": case_id,
            "reference": reference,
            "kind": kind,
            "unit_id": unit_id,
            "action": action,
            "from_state": source,
            "to_state": target,
            "actor_id": head_id,
            "effective_date": today.isoformat(),
            "version": version + 1,
        }
        cursor.execute(
            OUTBOX_SQL,
            [f"case.{action}", case_id, json.dumps(payload), f"case:{case_id}:v{version + 1}"],
        )


IMPLEMENTATIONS = {"service": service, "raw SQL": raw_sql}


# --- Measurements -----------------------------------------------------------------------------------


def statements(fn, *args) -> tuple[int, int]:
    """(all statements, of which transaction control: BEGIN, COMMIT, SAVEPOINT, RELEASE)."""
    # The wake-up after commit looks for a stale wake-up (two more statements) at most once per
    # STALE_CHECK_SECONDS in a process: housekeeping whose turn depends on the clock, not counted here
    # (as in the unit test of the statement count).
    wakeup._last_stale_check = time.monotonic()
    with CaptureQueriesContext(connection) as captured:
        fn(*args)
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    sqls = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    # service() reads the version and the user as the request would before calling perform_action.
    return len(sqls), sum(1 for s in sqls if s.startswith(control))


def latency(action: str, pools: dict[str, list[int]], heads: dict[int, int]) -> tuple[dict, dict]:
    """Service and raw SQL alternate case by case, so that both see the same load on the machine. Wall
    time, and this process's CPU time (what the Python side costs, whatever the load)."""
    times: dict[str, list[float]] = {name: [] for name in IMPLEMENTATIONS}
    cpu: dict[str, list[float]] = {name: [] for name in IMPLEMENTATIONS}
    for pair in zip(*(pools[name] for name in IMPLEMENTATIONS), strict=True):
        for name, case_id in zip(IMPLEMENTATIONS, pair, strict=True):
            started, cpu_started = time.perf_counter(), time.process_time()
            IMPLEMENTATIONS[name](action, case_id, heads[case_id])
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
    return times, cpu


def _worker(name, action, ids, heads, barrier, results) -> None:
    connections.close_all()  # never share the parent's connection
    settings.DEBUG = False
    fn = IMPLEMENTATIONS[name]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for setting in SESSION_SETTINGS:
            cursor.execute(f"SET {setting}")
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    barrier.wait(TIMEOUT)
    started, cpu_started, backend_started = time.perf_counter(), time.process_time(), process_cpu(backend)
    for case_id in ids:
        fn(action, case_id, heads[case_id])
    results.put(
        (
            started,
            time.perf_counter(),
            len(ids),
            time.process_time() - cpu_started,
            process_cpu(backend) - backend_started,
        )
    )
    connections.close_all()


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process on this machine has used so far, from /proc/<pid>/stat:
    how a worker reads its PostgreSQL backend's CPU (the server runs on the same machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class LockSampler(threading.Thread):
    """Counts backends waiting on a lock, on its own connection, until stopped.

    One statement per sample, every `interval` seconds. The sampler competes with the workers for
    the same two cores, so its own CPU (this thread's and its backend's) is measured and reported:
    one sample of pg_stat_activity and pg_locks costs about 2 ms of CPU, so the earlier sampler (three
    statements every 5 ms) took a large share of the machine, which the 4-worker runs, unlike the
    1-worker ones, had to give up. A lock wait like the one this benchmark was built to find (most
    backends waiting on a shared row) shows in every sample at any of these intervals."""

    def __init__(self, interval: float):
        super().__init__(daemon=True)
        self.interval = interval
        self.stop = threading.Event()
        self.samples: list[int] = []
        self.waited_on: Counter[str] = Counter()
        # What the workers' backends are doing, per sample and backend: running a statement on the
        # CPU ("active"), waiting for the client's next statement ("idle in transaction" / "idle":
        # the client's Python is the bottleneck), or active but waiting (wait_event_type: IO for the
        # WAL flush of a commit, LWLock, Lock, ...).
        self.doing: Counter[str] = Counter()
        self.cpu = 0.0  # seconds: this thread's and its backend's

    def run(self) -> None:
        try:
            thread_started = time.thread_time()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
                backend_started = process_cpu(backend)
                while not self.stop.is_set():
                    cursor.execute(
                        "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, l.locktype, "
                        "coalesce(l.relation::regclass::text, '') FROM pg_stat_activity a "
                        "LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted "
                        "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() "
                        "AND a.backend_type = 'client backend'"
                    )
                    seen, waiting = set(), 0
                    for pid, state, wait_type, wait_event, locktype, relation in cursor.fetchall():
                        if locktype:
                            self.waited_on[f"{locktype} {relation}".strip()] += 1
                        if pid in seen:
                            continue
                        seen.add(pid)
                        waiting += wait_type == "Lock"
                        if state == "active" and wait_type:
                            self.doing[f"waiting: {wait_type} {wait_event}"] += 1
                        else:
                            self.doing[state or "?"] += 1
                    self.samples.append(waiting)
                    self.stop.wait(self.interval)
                self.cpu = time.thread_time() - thread_started + process_cpu(backend) - backend_started
        finally:
            connections.close_all()


def throughput(
    name: str, action: str, chunks: list[list[int]], heads: dict[int, int], sample_every: float
) -> dict:
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(chunks) + 1), ctx.Queue()
    connections.close_all()
    workers = [
        ctx.Process(target=_worker, args=(name, action, ids, heads, barrier, results)) for ids in chunks
    ]
    for worker in workers:
        worker.start()
    sampler = LockSampler(sample_every)
    sampler.start()
    barrier.wait(TIMEOUT)
    busy_before = cpu_busy()
    runs = [results.get(timeout=TIMEOUT) for _ in workers]
    busy_after = cpu_busy()
    sampler.stop.set()
    for worker in workers:
        worker.join(TIMEOUT)
        assert worker.exitcode == 0, f"a {name} worker failed"
    sampler.join(TIMEOUT)
    elapsed = max(r[1] for r in runs) - min(r[0] for r in runs)
    samples = sampler.samples or [0]
    return {
        "transitions": sum(r[2] for r in runs),
        "per_second": sum(r[2] for r in runs) / elapsed,
        "waiting_max": max(samples),
        "waiting_mean": statistics.fmean(samples),
        "waiting_share": sum(1 for s in samples if s) / len(samples),
        "waited_on": dict(sampler.waited_on.most_common(4)),
        "doing": dict(sampler.doing),
        "machine_busy": (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]),
        "worker_cpu": sum(r[3] for r in runs) / elapsed,
        "backend_cpu": sum(r[4] for r in runs) / elapsed,
        # CPU milliseconds per transition: the worker processes' Python and their backends'.
        "cpu_per_transition": (
            1000 * sum(r[3] for r in runs) / sum(r[2] for r in runs),
            1000 * sum(r[4] for r in runs) / sum(r[2] for r in runs),
        ),
        "sampler_cpu": sampler.cpu / elapsed,
        "samples": len(sampler.samples),
    }


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all cores so far, from /proc/stat: the whole machine, other jobs too."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def commit_latency(samples: int = 100) -> tuple[float, float]:
    """Median time of COMMIT, ms, of a one-row write transaction at one connection: the WAL flush a
    transition waits for (synchronous_commit=on) when nothing else runs on this connection; and the
    same with synchronous_commit=off (no flush wait), for comparison."""
    medians = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id int PRIMARY KEY, n int NOT NULL)")
        cursor.execute("INSERT INTO bench_commit_probe VALUES (1, 0) ON CONFLICT DO NOTHING")
        for sync in ("on", "off"):
            cursor.execute(f"SET synchronous_commit = {sync}")
            times = []
            for _ in range(samples):
                cursor.execute("BEGIN")
                cursor.execute("UPDATE bench_commit_probe SET n = n + 1 WHERE id = 1")
                started = time.perf_counter()
                cursor.execute("COMMIT")
                times.append(time.perf_counter() - started)
            medians.append(statistics.median(times) * 1000)
        cursor.execute("RESET synchronous_commit")
        cursor.execute("DROP TABLE bench_commit_probe")
    return medians[0], medians[1]


def broker_files() -> int:
    queue = (
        Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_out", ""))
        if hasattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS")
        else None
    )
    return len(list(queue.glob("*"))) if queue and queue.is_dir() else -1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- Machine and results ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        shown = {}
        for name in ("shared_buffers", "synchronous_commit", "max_connections", "jit"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores (shared with other jobs)",
        "PostgreSQL": version + " (" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")",
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "Load average (1, 5, 15 min) when the run ended": " ".join(
            Path("/proc/loadavg").read_text().split()[:3]
        ),
        "Celery broker": settings.CELERY_BROKER_URL + " (no worker running)",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-cases", type=int, default=60, help="Cases timed one by one, per side.")
    parser.add_argument("--cases-per-worker", type=int, default=500)
    parser.add_argument(
        "--sample-every",
        type=float,
        default=50,
        help="Milliseconds between the lock sampler's samples during the throughput runs.",
    )
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--units", type=int, default=4, help="Communes the cases are spread over.")
    parser.add_argument("--label", default="", help="A line saying what code was measured.")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="A setting each throughput worker's session takes, e.g. 'synchronous_commit = off'.",
    )
    args = parser.parse_args()
    SESSION_SETTINGS[:] = args.set
    if connection.vendor != "postgresql":
        raise SystemExit("Run it on PostgreSQL: set DATABASE_URL.")
    worker_counts = [int(w) for w in args.workers.split(",")]
    today = timezone.localdate()
    crews = [Crew(u) for u in bench_units(args.units)]
    by_unit = {c.unit.pk: c for c in crews}

    per_run = args.cases_per_worker
    need = 2 * args.latency_cases + 2 * per_run * sum(worker_counts) + 2
    files_before, messages_before = broker_files(), OutboxMessage.objects.count()
    print(f"Registering and reviewing {need} cases at {len(crews)} communes ...", flush=True)
    started = time.perf_counter()
    ids = new_cases(crews, need, today)
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    heads = {
        case_id: by_unit[unit_id].head.pk
        for case_id, unit_id in Case.objects.filter(pk__in=ids).values_list("pk", "unit_id")
    }
    for crew in crews:  # the request's user is loaded by authentication, not counted here
        _users[crew.head.pk] = get_user_model().objects.get(pk=crew.head.pk)

    # Fixed slices of the pool, reused for both actions (approve follows accept on the same cases).
    count_ids, ids = ids[:2], ids[2:]
    pools = {
        name: ids[i * args.latency_cases : (i + 1) * args.latency_cases]
        for i, name in enumerate(IMPLEMENTATIONS)
    }
    ids = ids[2 * args.latency_cases :]
    chunks: dict[tuple[str, int], list[list[int]]] = {}
    for w in worker_counts:
        for name in IMPLEMENTATIONS:
            chunks[(name, w)] = [ids[i * per_run : (i + 1) * per_run] for i in range(w)]
            ids = ids[w * per_run :]

    commits = commit_latency()
    print(f"COMMIT median at one connection: {commits[0]:.2f} ms (synchronous_commit=off: {commits[1]:.2f})")
    report = {}
    for action in ("accept", "approve"):
        if action == "approve":
            print("Moving the cases to awaiting approval ...", flush=True)
            to_awaiting_approval(count_ids + [i for p in pools.values() for i in p], by_unit)
            to_awaiting_approval([i for c in chunks.values() for chunk in c for i in chunk], by_unit)
        counted = {
            "service": statements(service, action, count_ids[0], heads[count_ids[0]]),
            "raw SQL": statements(raw_sql, action, count_ids[1], heads[count_ids[1]]),
        }
        print(f"{action}: statements {counted}", flush=True)
        times, cpu = latency(action, pools, heads)
        for name, values in times.items():
            print(
                f"{action} {name}: median {statistics.median(values) * 1000:.1f} ms, "
                f"CPU {statistics.median(cpu[name]) * 1000:.1f} ms",
                flush=True,
            )
        scaling = {}
        for w in worker_counts:
            for name in IMPLEMENTATIONS:
                result = throughput(name, action, chunks[(name, w)], heads, args.sample_every / 1000)
                scaling[(name, w)] = result
                print(
                    f"{action} {name} x{w}: {result['per_second']:.1f}/s, CPU per transition "
                    f"{result['cpu_per_transition'][0]:.2f} + {result['cpu_per_transition'][1]:.2f} ms, "
                    f"sampler {result['sampler_cpu']:.2f} cores ({result['samples']} samples), waiting max "
                    f"{result['waiting_max']}, mean {result['waiting_mean']:.2f} {result['waited_on']}; "
                    f"machine busy {result['machine_busy']:.0%}, workers' CPU {result['worker_cpu']:.2f} "
                    f"cores; backends {result['doing']}",
                    flush=True,
                )
        report[action] = {"statements": counted, "times": times, "cpu": cpu, "scaling": scaling}
    files_after, written = broker_files(), OutboxMessage.objects.count() - messages_before
    write_results(args, machine(), report, worker_counts, files_before, files_after, written, commits)
    return 0


def write_results(args, info, report, worker_counts, files_before, files_after, commits, latency) -> None:
    lines = [
        "# Transition benchmark",
        "",
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh) by `bench/transition_bench.py`"
        + (f" — {args.label}" if args.label else "")
        + ".",
        "",
        "The service is `workflows.service.perform_action` as a request calls it (the client's version read "
        "first, the acting user with its memberships not yet read, the relay wake-up after commit); raw SQL "
        "is the same work as one "
        "hand-written transaction (lock the case, check state and version, complete and start the clocks "
        "with their ledger rows, update the case, insert the audit record and the outbox message). "
        "First-round complaints at "
        f"{args.units} communes (one level row), registered and reviewed by the benchmark. DEBUG off."
        + (f" Throughput workers' sessions: {'; '.join(args.set)}." if args.set else ""),
        "",
        f"Targets: service ≤ {TARGET_RATIO:.0f}× raw SQL, ≤ {TARGET_STATEMENTS} statements, 4 workers ≥ "
        f"{TARGET_SCALING}× one worker (on 2 cores), no backend waiting on a lock other than its case's.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Latency, one process",
        "",
        f"{args.latency_cases} transitions per side, service and raw SQL alternating case by case.",
        "",
        "| Action | Service median (ms) | Service p95 (ms) | Raw SQL median (ms) | Raw SQL p95 (ms) | Ratio "
        "| Python CPU, service / raw SQL (ms) | Statements, service (of which BEGIN/COMMIT) "
        "| Statements, raw SQL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for action, data in report.items():
        s, r = data["times"]["service"], data["times"]["raw SQL"]
        sc_, rc_ = data["cpu"]["service"], data["cpu"]["raw SQL"]
        (sn, sc), (rn, rc) = data["statements"]["service"], data["statements"]["raw SQL"]
        lines.append(
            f"| {action} | {statistics.median(s) * 1000:.1f} | {percentile(s, 0.95) * 1000:.1f} | "
            f"{statistics.median(r) * 1000:.1f} | {percentile(r, 0.95) * 1000:.1f} | "
            f"{statistics.median(s) / statistics.median(r):.2f} | "
            f"{statistics.median(sc_) * 1000:.1f} / {statistics.median(rc_) * 1000:.1f} | "
            f"{sn} ({sc}) | {rn} ({rc}) |"
        )
    lines += [
        "",
        "Both counts include the read of the case's version a client does before acting (one statement); "
        "the service's also includes its relay wake-up after commit.",
        "",
        "## Throughput",
        "",
        f"Each worker process, on its own connection, performs the action on its own {args.cases_per_worker} "
        "cases as fast as it can; transitions/s over the whole run. Lock waits: backends with "
        f"wait_event_type = 'Lock', sampled every {args.sample_every:g} ms from another connection "
        "(what they wait on, from pg_locks: `transactionid` is a wait for another transaction's row "
        "lock, `tuple <table>` names the table).",
        "",
        "| Action | Side | "
        + " | ".join(f"{w} worker{'s' if w > 1 else ''} (/s)" for w in worker_counts)
        + f" | {worker_counts[-1]} / {worker_counts[0]} | Waiting on a lock: max, mean, share of samples "
        "| Waited on (samples) |",
        "|---|---|" + "---:|" * (len(worker_counts) + 1) + "---|---|",
    ]
    for action, data in report.items():
        for name in IMPLEMENTATIONS:
            runs = [data["scaling"][(name, w)] for w in worker_counts]
            waits = [r for r in runs]
            lines.append(
                f"| {action} | {name} | "
                + " | ".join(f"{r['per_second']:.0f}" for r in runs)
                + f" | {runs[-1]['per_second'] / runs[0]['per_second']:.2f}× | "
                + f"{max(r['waiting_max'] for r in waits)}, "
                + f"{max(r['waiting_mean'] for r in waits):.2f}, "
                + f"{max(r['waiting_share'] for r in waits):.0%} | "
                + (
                    "; ".join(
                        f"{k}: {v}"
                        for k, v in sum((Counter(r["waited_on"]) for r in waits), Counter()).most_common(3)
                    )
                    or "—"
                )
                + " |"
            )
    lines += [
        "",
        "### What limits the throughput",
        "",
        "During each run: the share of the machine's CPU in use (all cores, /proc/stat: other jobs "
        "included), the CPU the worker processes used (cores' worth, i.e. CPU seconds per second), and "
        "what this database's backends were doing in the samples: `idle in transaction` / `idle` = "
        "waiting for the client's next statement (the client's Python), `active` = running a "
        "statement, `waiting: <type> <event>` = active but waiting (IO WALSync/WALWrite: the commit's "
        "WAL flush; Lock: a lock). CPU per transition: the worker processes' own (Python) and their "
        "PostgreSQL backends' (/proc/<pid>/stat), over the transitions done. The sampler's CPU is its "
        "thread's and its backend's, in cores: the machine's share the measurement itself took. "
        "Ceiling: what the machine's cores allow at that CPU per transition if nothing else ran, "
        f"{os.cpu_count()} cores ÷ (worker + backend CPU per transition).",
        "",
        f"COMMIT of a one-row write at one connection, median: {latency[0]:.2f} ms "
        f"(with synchronous_commit=off: {latency[1]:.2f} ms).",
        "",
        "| Action | Side | Workers | Machine CPU busy | Workers' CPU (cores) | Backends' CPU (cores) "
        "| CPU per transition, worker + backend (ms) | Ceiling (/s) | Sampler's CPU (cores) "
        "| Backends: share of samples |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for action, data in report.items():
        for name in IMPLEMENTATIONS:
            for w in worker_counts:
                r = data["scaling"][(name, w)]
                total = sum(r["doing"].values()) or 1
                doing = ", ".join(
                    f"{k} {v / total:.0%}" for k, v in sorted(r["doing"].items(), key=lambda kv: -kv[1])
                )
                python_ms, backend_ms = r["cpu_per_transition"]
                lines.append(
                    f"| {action} | {name} | {w} | {r['machine_busy']:.0%} | {r['worker_cpu']:.2f} | "
                    f"{r['backend_cpu']:.2f} | {python_ms:.2f} + {backend_ms:.2f} | "
                    f"{os.cpu_count() * 1000 / (python_ms + backend_ms):.0f} | {r['sampler_cpu']:.2f} | "
                    f"{doing or '—'} |"
                )
    lines += [
        "",
        "## Relay wake-ups",
        "",
        "Message files in the file-system broker's queue (var/broker/queue, no worker): "
        f"{files_before} before the run, {files_after} after it; meanwhile {commits} commits wrote outbox "
        "messages (registrations and transitions, each its own transaction).",
        "",
    ]
    args.output.write_text("\n".join(lines))
    print(f"Written to {args.output}")


if __name__ == "__main__":
    sys.exit(main())
