"""The generator: the shared state of one run (random source, rules, tables, numbering) and its main
loop over the days, interleaving new cases, cases derived from earlier ones (transfers in, appeals)
and the heads' reception days; the rows go out in batches and the counters are left where the
service continues."""

from __future__ import annotations

import heapq
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection
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
from .lives import Lives
from .mixes import CHANNEL_MIX, FAMILY, GIVEN, KIND_MIX, MIDDLE, pick
from .reception import Reception
from .tree import Tree, UnitInfo
from .writer import Table, Writer


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
    ):
        self.rules = Rules()
        self.tz = timezone.get_default_timezone()
        self.n_units, self.n_cases, self.years = units, cases, years
        self.rng = random.Random(seed)
        self.until, self.batch, self.audit = until, batch, audit
        self.start = until - timedelta(days=365 * years)
        self.progress, self.stdout = progress, stdout
        self.tree = Tree(self.rng, units)
        self.tables = {
            m: Table(m)
            for m in (
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
        }
        self.writer = Writer(list(self.tables.values()), batch_size=5000, copy=copy)
        self.counters: dict[tuple[int, int, str], int] = defaultdict(int)
        self.heap: list[tuple[date, int, dict]] = []
        self.heap_seq = 0
        self.emitted = 0
        self.party_seq = 0
        self.day_text: dict[date, tuple[str, str]] = {}
        self.folded: dict[str, str] = {}  # a few thousand distinct names

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
        minute = int(self.rng.random() * 540)
        prefix = self.day_text.get(day)
        if prefix is None:
            offset = datetime(day.year, day.month, day.day, 12, tzinfo=self.tz).isoformat()[-6:]
            prefix = self.day_text[day] = (day.isoformat(), offset)
        return f"{prefix[0]} {7 + minute // 60:02d}:{minute % 60:02d}:00{prefix[1]}"

    def new_party(self, *, anonymous: bool = False, province: int = 0) -> int:
        rng = self.rng
        self.party_seq += 1
        if anonymous:
            name = address = ident = ""
        else:
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} (syn)"
            ident = f"S{self.party_seq:011d}"
            address = f"Thôn {rng.randrange(1, 20)}, tỉnh {province + 1} (syn)"
        return self.tables[Party].add(
            {
                "full_name": name,
                "search_name": self.fold(name),  # rows bypass Party.save()
                "id_number": ident,
                "address": address,
                "phone": "" if anonymous else f"09{rng.randrange(10**8):08d}",
                "created_at": self.now,
            }
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
        started = time.monotonic()
        with self.writer.session():
            self.generate()
            self.writer.wait()
            self.finish()
        if connection.vendor == "postgresql":  # fresh statistics for the planner
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        return {"elapsed": elapsed, "rows": {t.db_table: t.written for t in self.tables.values()}}

    def generate(self) -> None:
        self.now = timezone.now()
        self.tree.build()
        head_days = self.plan_head_days()
        rng = self.rng
        span = (self.until - self.start).days
        dates = []
        while len(dates) < self.n_cases:
            d = self.start + timedelta(days=rng.randrange(span + 1))
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
                for _ in range(rng.randint(1, 3)):
                    self.add_visit(
                        u, d, people=rng.choice((1, 1, 1, 2, 3)), by_head=True, outcome=VisitOutcome.GUIDED
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
                        "unit": self.tree.random_unit(),
                        "kind": kind,
                        "received_at": day,
                        "channel": pick(rng, CHANNEL_MIX),
                        "anonymous": kind == CaseKind.DENUNCIATION and rng.random() < 0.08,
                    }
                )
            if since_flush >= self.batch:
                self.writer.flush()
                since_flush = 0
            self.progress.update(i + 1, "cases")
        while self.heap and self.heap[0][0] <= self.until:
            emit(heapq.heappop(self.heap)[2])
        head_visits_until(self.until)
        self.periodic_dialogues()
        self.writer.flush()
        self.progress.finish(len(dates), "cases")

    def finish(self) -> None:
        counters = [
            ReferenceCounter(unit_id=unit, year=year, series=series, last_number=n)
            for (unit, year, series), n in self.counters.items()
        ]
        ReferenceCounter.objects.bulk_create(counters, batch_size=5000)
        models_ = [t.model for t in self.tables.values()] + [Unit]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
