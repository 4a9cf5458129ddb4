"""The generator: the shared state of one run (rules, tree, tables) and its main loop, one province at
a time (provinces are independent: transfers and appeals stay within one), over the days,
interleaving new cases, cases derived from earlier ones (transfers in, appeals) and the heads'
reception days; the rows go out in batches and the counters are left where the service continues.

Each province draws from its own random source (seeded by the run's seed and the province) and takes
every n-th id of each table (n the number of provinces), so the same seed gives the same rows whether
the provinces are generated one after the other or in parallel worker processes (`--workers`, on
PostgreSQL: each worker COPYs through its own connection; see `parallel`)."""

from __future__ import annotations

import gc
import heapq
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from casework.choices import CaseKind, VisitOutcome
from casework.models import (
    Case,
    CaseEvent,
    CaseParty,
    Deadline,
    DeadlineEntry,
    Dialogue,
    Party,
    ReferenceCounter,
    Unit,
    Visit,
)
from casework.text import fold

from .engine import Rules
from .lives import MINUTES, Lives
from .mixes import CHANNEL_MIX, FAMILY, GIVEN, KIND_MIX, MIDDLE, choice, pick, randint, randrange
from .reception import Reception
from .tree import Tree, UnitInfo
from .writer import Table, Writer, first_id

MODELS = (
    Party,
    Case,
    CaseParty,
    Deadline,
    DeadlineEntry,
    CaseEvent,
    Visit,
    Visit.visitors.through,
    Visit.cases.through,
    Dialogue,
    Dialogue.cases.through,
)
# The columns the case row may be given (`Lives.simulate`): the others are constant text in its line.
ONLY = {
    Case: frozenset(
        [
            "unit_id",
            "kind",
            "round",
            "channel",
            "received_at",
            "summary",
            "several_locations",
            "registered_by_id",
            "first_round_case_id",
            "transferred_from_id",
            "respondent_unit_id",
            "decision_known_at",
            "intake_flags",
            "closed_at",
            "guidance",
            "reason_code",
            "accepted_at",
            "handler_id",
            "suspended_from",
            "claim_differs",
            "outcome",
            "outcome_summary",
            "decided_at",
            "decision_number",
            "published_at",
            "year",
            "sequence",
            "reference",
            "state",
            "version",
            "created_at",
            "updated_at",
        ]
    )
}


class Generator(Lives, Reception):
    def __init__(
        self,
        *,
        units: int,
        cases: int,
        years: int,
        seed: int,
        until: date,
        batch: int,
        audit: bool,
        progress,
        stdout,
        copy: bool | None = None,  # COPY (the default on PostgreSQL) or bulk_create
        workers: int = 1,
    ):
        self.rules = Rules()
        self.tz = timezone.get_default_timezone()
        self.n_units, self.n_cases, self.years, self.seed = units, cases, years, seed
        self.rng = random.Random(seed)  # the tree's; each province has its own
        self.until, self.batch, self.audit = until, batch, audit
        self.start = until - timedelta(days=365 * years)
        self.progress, self.stdout = progress, stdout
        self.tree = Tree(self.rng, units)
        self.starts = {m: first_id(m) for m in MODELS}
        self.writer = Writer([], batch_size=5000, copy=copy)
        self.tables = {m: Table(m, self.starts[m], text=self.writer.copy) for m in MODELS}  # per province
        self.writer.tables = list(self.tables.values())
        # Worker processes commit on their own connections: only outside a transaction.
        self.workers = workers if self.writer.copy and not connection.in_atomic_block else 1
        self.written: dict[str, int] = defaultdict(int)
        self.counters: dict[tuple[int, int, str], int] = defaultdict(int)
        self.all_counters: dict[tuple[int, int, str], int] = {}
        self.done = 0  # cases of the provinces already generated
        self.day_text: dict[date, tuple[str, str]] = {}
        self.month_working: dict[date, list[date]] = {}  # a month's working days in the run's range
        self.folded: dict[str, str] = {}  # a few thousand distinct names
        self.phases: dict[str, float] = {}  # seconds per phase of the run, in order (`phase`)
        self._phase_mark = time.monotonic()
        self.worker_times: list[tuple[float, float]] = []  # (wall, CPU) seconds of each worker process

    def phase(self, name: str) -> None:
        """Close the phase `name` (wall seconds since the previous one): the command prints them."""
        now = time.monotonic()
        self.phases[name] = self.phases.get(name, 0.0) + now - self._phase_mark
        self._phase_mark = now

    @property
    def units(self) -> list[UnitInfo]:
        return self.tree.units

    def working(self, day: date) -> bool:
        return self.rules.calendar.is_working_day(day)

    def next_working(self, day: date) -> date:
        return day if self.working(day) else self.rules.calendar.next_working_day(day)

    def at(self, day: date) -> str:
        """A local office-hours timestamp on `day`, as ISO 8601 text with its UTC offset: both backends
        read it as the aware datetime, and building datetimes cost more than the rest of a row."""
        prefix = self.day_text.get(day) or self.day_prefix(day)
        return prefix[0] + MINUTES[int(self.rng.random() * 540)] + prefix[1]

    def day_prefix(self, day: date) -> tuple[str, str]:
        """`at`'s text around the minute, once per day (hot loops inline `at` with it)."""
        offset = datetime(day.year, day.month, day.day, 12, tzinfo=self.tz).isoformat()[-6:]
        prefix = self.day_text[day] = (day.isoformat(), offset)
        return prefix

    def adders(self) -> None:
        """The hot rows' adders (`Table.adder`), for this province's tables. Their trusted columns hold
        the generator's own text (names, states, codes, JSON it writes), which COPY takes as it is."""
        t = self.tables
        self.add_party = t[Party].adder(
            "full_name",
            "search_name",
            "id_number",
            "address",
            "phone",
            "created_at",
            with_id=True,
            trusted=("full_name", "search_name", "id_number", "address", "phone"),
        )
        self.add_case_party = t[CaseParty].adder("case_id", "party_id", "confidential")
        self.add_deadline = t[Deadline].adder(
            "case_id",
            "kind",
            "rule_code",
            "basis",
            "day_type",
            "start_date",
            "base_days",
            "extension_days",
            "due_date",
            "status",
            "completed_on",
            "reminder_working_days",
            trusted=("kind", "rule_code", "day_type", "status"),
        )
        self.add_entry = t[DeadlineEntry].adder(
            "deadline_id",
            "kind",
            "on",
            "days",
            "reason",
            "note",
            "due_before",
            "due_after",
            "created_at",
            trusted=("kind", "reason"),
        )
        self.add_event = t[CaseEvent].adder(
            "case_id",
            "actor_id",
            "at",
            "action",
            "from_state",
            "to_state",
            "effective_date",
            "changes",
            trusted=("action", "from_state", "to_state", "changes"),
        )
        self.add_visit_row = t[Visit].adder(
            "unit_id",
            "year",
            "book_number",
            "officer_id",
            "visited_at",
            "reception_kind",
            "received_by_head",
            "visitor_count",
            "is_group",
            "outcome",
            "refusal_reason",
            "guidance",
            "created_at",
            trusted=("reception_kind", "outcome", "refusal_reason", "guidance"),
            constants={"summary": "[SYN] Công dân trình bày nội dung"},
        )
        self.add_visitor = t[Visit.visitors.through].adder("visit_id", "party_id")
        self.add_visit_case = t[Visit.cases.through].adder("visit_id", "case_id")

    def new_party(self, *, anonymous: bool = False, province: int = 0) -> int:
        rng = self.rng
        pk = self.tables[Party].new_id()
        if anonymous:
            return self.add_party(pk, "", "", "", "", "", self.now_text)
        name = f"{choice(rng, FAMILY)} {choice(rng, MIDDLE)} {choice(rng, GIVEN)} (syn)"
        address = f"Thôn {randrange(rng, 1, 20)}, tỉnh {province + 1} (syn)"
        # search_name: rows bypass Party.save()
        return self.add_party(
            pk, name, self.fold(name), f"S{pk:011d}", address, f"09{randrange(rng, 10**8):08d}", self.now_text
        )

    def fold(self, name: str) -> str:
        folded = self.folded.get(name)
        if folded is None:
            folded = self.folded[name] = fold(name)
        return folded

    def number(self, unit: int, year: int, series: str) -> int:
        key = (unit, year, series)
        self.counters[key] += 1
        return self.counters[key]

    # --- Main loop -------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = self._phase_mark = time.monotonic()
        # A case allocates a few hundred short-lived objects and keeps none in a cycle: the cyclic
        # collector's default pass every 700 allocations cost ~7 % of the generation's CPU. Rarer
        # passes, over what `prepare` leaves frozen (the tree, rules and calendar), cost ~2 %.
        threshold = gc.get_threshold()
        gc.set_threshold(50_000, 20, 100)
        try:
            if self.workers > 1:
                from .parallel import run_parallel

                run_parallel(self)
            else:
                with self.writer.session():
                    self.prepare()
                    for p in self.tree.provinces:
                        self.generate_province(p)
                    self.writer.wait()
                    self.write_counters()
                    self.reset_sequences()
                self.phase("generate, write and re-create keys and indexes")
                self.progress.finish(self.done, "cases")
                if connection.vendor == "postgresql":  # fresh statistics for the planner (the workers'
                    with connection.cursor() as cursor:  # run analyzes the tables side by side)
                        cursor.execute("ANALYZE")
                    self.phase("analyze")
        finally:
            gc.set_threshold(*threshold)
            gc.unfreeze()
        elapsed = time.monotonic() - started
        tables = [m._meta.db_table for m in MODELS]
        return {
            "elapsed": elapsed,
            "rows": {t: self.written[t] for t in tables},
            "phases": self.phases,
            "workers": self.worker_times,
        }

    def prepare(self) -> None:
        """The tree and what every province shares (in the caller's transaction)."""
        self.now = timezone.now()
        self.now_text = self.now.isoformat()
        self.tree.build()
        self.shares = self.tree.shares(self.n_cases)
        # Out of the collector's passes (and, in forked workers, their pages stay shared).
        gc.freeze()

    def generate_province(self, province: int) -> None:
        """All the rows of one province, handed to the writer in batches."""
        rng = self.rng = random.Random(f"synthetic:{self.seed}:{province}")
        n_prov = len(self.tree.provinces)
        self.tables = {
            m: Table(
                m, self.starts[m], stride=n_prov, offset=province, text=self.writer.copy, only=ONLY.get(m)
            )
            for m in MODELS
        }
        self.writer.tables = list(self.tables.values())
        self.adders()
        self.counters = defaultdict(int)
        self.heap: list[tuple[date, int, dict]] = []
        self.heap_seq = 0
        self.emitted = 0
        head_days = self.plan_head_days(self.tree.province_units[province])
        span = (self.until - self.start).days
        dates = []
        while len(dates) < self.shares[province]:
            d = self.start + timedelta(days=int(rng.random() * (span + 1)))
            if self.working(d) or rng.random() < 0.1:  # letters and visits come on working days
                dates.append(d)
        dates.sort()

        hd = 0
        since_flush = 0

        def emit(spec: dict) -> None:
            nonlocal since_flush
            self.simulate(spec)
            self.emitted += 1
            since_flush += 1

        def head_visits_until(day: date) -> None:
            nonlocal hd
            while hd < len(head_days) and head_days[hd][0] <= day:
                d, u = head_days[hd]
                for _ in range(randint(rng, 1, 3)):
                    self.add_visit(
                        u, d, people=choice(rng, (1, 1, 1, 2, 3)), by_head=True, outcome=VisitOutcome.GUIDED
                    )
                hd += 1

        for i, day in enumerate(dates):
            while self.heap and self.heap[0][0] <= day:
                emit(heapq.heappop(self.heap)[2])
            head_visits_until(day)
            # Derived cases (transfers in, appeals) count toward the total: keep pace with the plan.
            if self.emitted <= i:
                kind = pick(rng, KIND_MIX)
                emit(
                    {
                        "unit": self.tree.random_unit(province, rng),
                        "kind": kind,
                        "received_at": day,
                        "channel": pick(rng, CHANNEL_MIX),
                        "anonymous": kind == CaseKind.DENUNCIATION and rng.random() < 0.08,
                    }
                )
            if since_flush >= self.batch:
                self.flush()
                since_flush = 0
            self.progress.update(self.done + i + 1, "cases")
        while self.heap and self.heap[0][0] <= self.until:
            emit(heapq.heappop(self.heap)[2])
        head_visits_until(self.until)
        self.periodic_dialogues(self.tree.province_units[province])
        self.flush()
        self.done += len(dates)
        self.all_counters.update(self.counters)  # units belong to one province each

    def flush(self) -> None:
        for t in self.tables.values():
            self.written[t.db_table] += len(t.rows)
        self.writer.flush()

    def write_counters(self) -> None:
        counters = [
            ReferenceCounter(unit_id=unit, year=year, series=series, last_number=n)
            for (unit, year, series), n in sorted(self.all_counters.items())
        ]
        ReferenceCounter.objects.bulk_create(counters, batch_size=5000)

    def reset_sequences(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [*MODELS, Unit]):
                cursor.execute(sql)
