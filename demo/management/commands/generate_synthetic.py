"""Generate a synthetic dataset for demos and benchmarks: a province / department / commune tree with
staff, and cases spread over the years with realistic kind, state and outcome mixes, their deadlines
and ledgers, the audit trail, the reception book and dialogues.

    manage.py generate_synthetic --units 1000 --cases 1000000 --years 5 --seed 1

Everything is marked synthetic: unit codes and usernames start with ``syn-``, party names with
"(syn)", case summaries with "[SYN]". Nothing goes through the transition service (far too slow for
a million cases); instead each case's life is simulated with the same rules and written in bulk, so
the rows are what the service would have written:

* states follow the machines (received → under review → transferred / guided / filed / rejected /
  accepted → verifying → awaiting approval → decided → closed, with suspension, withdrawal and
  appeal), every step dated no earlier than the one before and never after ``--until``;
* deadlines come from casework.rules.policy (the rule in force on the day the clock started, remote-area
  and several-location variants, extension caps) and are computed by casework.rules.periods.compute_due
  on the working calendar, pauses included; statuses, completion dates and ledger entries match what
  the service does at each step (intake clocks met at classification, resolution met at the
  decision, cancelled on withdrawal, appeal window met on appeal or cancelled on closure);
* a transfer opens a linked case at the competent unit (without the denouncer's identity), an appeal
  opens a round-2 case at the parent unit; reference and book numbers are gap-free per unit and year
  and follow the order of receipt; the reference counters are left where the service continues;
* no outbox message is written: synthetic cases must never notify anyone.

On PostgreSQL rows go in with COPY (in transactions of --batch cases); elsewhere with bulk_create in
batches of 5,000. The command refuses to run twice into the same database (``syn-`` units exist).
It reads casework.rules.policy / workflows.deadlines: it is an entry point that nothing imports, so the
casework -> workflows dependency it adds is confined to this command.
"""

from __future__ import annotations

import bisect
import heapq
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from operator import itemgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from casework.choices import (
    AuthorityLevel,
    CaseKind,
    Channel,
    DeadlineKind,
    DeadlineStatus,
    DialogueKind,
    ExtensionReason,
    FileReason,
    PartyRole,
    ReceptionKind,
    RejectReason,
    Role,
    VisitOutcome,
)
from casework.choices import CaseState as S
from casework.models import (
    Case,
    CaseEvent,
    CaseParty,
    Deadline,
    DeadlineEntry,
    Dialogue,
    Membership,
    Party,
    ReferenceCounter,
    Unit,
    UnitLevel,
    Visit,
)
from casework.text import fold

PREFIX = "syn-"
User = get_user_model()
E = DeadlineEntry.Kind

# --- Mixes ----------------------------------------------------------------------------------------

KIND_MIX = [
    (CaseKind.COMPLAINT, 35),
    (CaseKind.DENUNCIATION, 12),
    (CaseKind.RECOMMENDATION, 30),
    (CaseKind.REFLECTION, 23),
]
CHANNEL_MIX = [
    (Channel.IN_PERSON, 35),
    (Channel.POST, 33),
    (Channel.ONLINE, 17),
    (Channel.PHONE, 2),
    (Channel.FORWARDED, 13),
]
# What classification decides, per kind (weights). Transfers only where another unit exists.
INTAKE_MIX = {
    CaseKind.COMPLAINT: [
        ("transfer", 8),
        ("guide", 7),
        ("file", 6),
        ("reject", 6),
        ("withdraw", 1),
        ("accept", 72),
    ],
    CaseKind.DENUNCIATION: [
        ("transfer", 12),
        ("guide", 3),
        ("file", 15),
        ("reject", 5),
        ("withdraw", 1),
        ("accept", 64),
    ],
    CaseKind.RECOMMENDATION: [("transfer", 10), ("guide", 8), ("file", 5), ("withdraw", 1), ("accept", 76)],
    CaseKind.REFLECTION: [("transfer", 10), ("guide", 8), ("file", 5), ("withdraw", 1), ("accept", 76)],
}
OUTCOME_MIX = {
    CaseKind.COMPLAINT: [("right", 14), ("partly_right", 21), ("wrong", 65)],
    CaseKind.DENUNCIATION: [("true", 18), ("partly_true", 27), ("untrue", 55)],
    CaseKind.RECOMMENDATION: [("answered", 1)],
    CaseKind.REFLECTION: [("answered", 1)],
}
SUMMARIES = {
    CaseKind.COMPLAINT: [
        "Khiếu nại quyết định thu hồi đất",
        "Khiếu nại về bồi thường, hỗ trợ, tái định cư",
        "Khiếu nại quyết định xử phạt vi phạm hành chính",
        "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất",
        "Khiếu nại quyết định kỷ luật cán bộ",
    ],
    CaseKind.DENUNCIATION: [
        "Tố cáo cán bộ địa chính nhũng nhiễu",
        "Tố cáo sai phạm trong quản lý đất công",
        "Tố cáo vi phạm trong đấu thầu",
        "Tố cáo lạm dụng chức vụ, quyền hạn",
    ],
    CaseKind.RECOMMENDATION: [
        "Kiến nghị sửa chữa đường giao thông nông thôn",
        "Kiến nghị giải quyết ô nhiễm môi trường",
        "Kiến nghị về chế độ chính sách người có công",
    ],
    CaseKind.REFLECTION: [
        "Phản ánh tình trạng lấn chiếm vỉa hè",
        "Phản ánh tiếng ồn từ cơ sở sản xuất",
        "Phản ánh thái độ phục vụ của cán bộ một cửa",
    ],
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
]
FILE_REASONS = [r for r in FileReason.values if r != FileReason.ANONYMOUS]
REJECT_REASONS = [RejectReason.NOT_AFFECTED, RejectReason.LIMITATION_EXPIRED, RejectReason.COURT_SEIZED]


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


# --- Progress -------------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr, redrawn at most twice a second."""

    def __init__(self, total: int, stream, enabled: bool = True, width: int = 30):
        self.total, self.stream, self.enabled, self.width = max(total, 1), stream, enabled, width
        self.started = self.last = time.monotonic()

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < 0.5):
            return
        self.last = now
        share = min(done / self.total, 1)
        elapsed = now - self.started
        eta = elapsed / share - elapsed if share > 0 else 0
        bar = "#" * int(share * self.width) + "." * (self.width - int(share * self.width))
        self.stream.write(
            f"\r[{bar}] {share * 100:5.1f}% {done:,}/{self.total:,} {extra} "
            f"{elapsed:6.0f}s elapsed, ~{eta:5.0f}s left "
        )
        self.stream.flush()

    def finish(self, done: int, extra: str = "") -> None:
        self.update(done, extra, force=True)
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# --- Writing rows ---------------------------------------------------------------------------------


class Table:
    """Rows of one model with ids assigned here, so that related rows can point at them."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.attname for f in self.fields]
        self.json_columns = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.defaults = {}
        now = timezone.now()
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:
                self.defaults[f.attname] = f.get_default()
        self._getter = itemgetter(*self.columns)
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def new_id(self) -> int:
        pk, self.next_id = self.next_id, self.next_id + 1
        return pk

    def add(self, values: dict[str, Any]) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        row = self.defaults.copy()
        row.update(values)
        self.rows.append(self._getter(row))
        return values["id"]


class Writer:
    """COPY on PostgreSQL, bulk_create (5,000 a statement) elsewhere."""

    def __init__(self, tables: list[Table], batch_size: int):
        self.tables = tables
        self.batch_size = batch_size
        self.copy = connection.vendor == "postgresql"

    def flush(self) -> None:
        with transaction.atomic():
            if self.copy:
                with connection.cursor() as cursor:
                    # Losing the last batches in a crash is harmless here; waiting for each flush is not.
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for table in self.tables:  # in dependency order
                if table.rows:
                    self._write(table)
                    table.written += len(table.rows)
                    table.rows = []

    def _write(self, table: Table) -> None:
        if self.copy:
            json_idx = [i for i, c in enumerate(table.columns) if c in table.json_columns]
            columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
            sql = f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in table.rows:
                    if json_idx:
                        row = list(row)
                        for i in json_idx:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
        else:
            objs = [table.model(**dict(zip(table.columns, row, strict=True))) for row in table.rows]
            table.model.objects.bulk_create(objs, batch_size=self.batch_size)


# --- The simulation -------------------------------------------------------------------------------


@dataclass
class UnitInfo:
    id: int
    code: str
    name: str
    level: str  # province | department | commune
    parent: int | None
    remote: bool
    province: int  # index of its province
    head: int = 0
    handlers: list[int] = field(default_factory=list)
    reception: int = 0


@dataclass
class Clock:
    """One deadline of a case while it is being simulated."""

    kind: str
    rule: Any
    start: date
    extension: int = 0
    status: str = DeadlineStatus.RUNNING
    completed_on: date | None = None
    pauses: list[tuple[date, date | None, str]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    due: date | None = None


class Stop(Exception):
    """The next step of a case would happen after --until: the case stays where it is."""


class Generator:
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
    ):
        from casework.rules import periods, policy
        from casework.rules.calendar import WorkingCalendar

        self.policy, self.compute_due, self.Pause = policy, periods.compute_due, periods.Pause
        self.calendar = WorkingCalendar.load()
        self.tz = timezone.get_default_timezone()
        self.n_units, self.n_cases, self.years = units, cases, years
        self.rng = random.Random(seed)
        self.until, self.batch, self.audit = until, batch, audit
        self.start = until - timedelta(days=365 * years)
        self.progress, self.stdout = progress, stdout
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
        self.writer = Writer(list(self.tables.values()), batch_size=5000)
        self.counters: dict[tuple[int, int, str], int] = defaultdict(int)
        self.heap: list[tuple[date, int, dict]] = []
        self.heap_seq = 0
        self.emitted = 0
        self.party_seq = 0

    # --- Rules and calendar -------------------------------------------------------------------

    @cache  # noqa: B019  (one generator per run; the cache dies with it)
    def _due_plain(self, start: date, days: int, day_type: str) -> date:
        return self.compute_due(
            start=start, days=days, day_type=day_type, pauses=[], calendar=self.calendar
        ).due_date

    def due_of(self, clock: Clock) -> date | None:
        days = clock.rule.days + clock.extension
        if not clock.pauses:
            return self._due_plain(clock.start, days, clock.rule.day_type)
        pauses = [self.Pause(s, e, r) for s, e, r in clock.pauses]
        return self.compute_due(
            start=clock.start, days=days, day_type=clock.rule.day_type, pauses=pauses, calendar=self.calendar
        ).due_date

    @cache  # noqa: B019
    def rule(self, deadline: str, kind: str, on: date, round_: int | None, remote: bool, several: bool):
        facts = {"round": round_, "remote": remote, "several_locations": several}
        if not self.policy.has_rule(deadline=deadline, kind=kind, on=on, facts=facts):
            return None
        return self.policy.deadline_rule(deadline=deadline, kind=kind, on=on, facts=facts)

    @cache  # noqa: B019
    def group_min(self, day: date) -> int:
        """People that make a group visit (Decree 124/2020), under the rule in force on `day`."""
        try:
            return self.policy.legal_value("group.min_people", day)
        except self.policy.RuleNotFound:  # before the decree: its first row, the threshold in practice
            rows = [p for p in self.policy.LEGAL_PARAMETERS if p.code == "group.min_people"]
            return min(rows, key=lambda p: p.effective_from).value

    def working(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def next_working(self, day: date) -> date:
        return day if self.working(day) else self.calendar.next_working_day(day)

    def at(self, day: date) -> datetime:
        """A local office-hours timestamp on `day`."""
        minute = int(self.rng.random() * 540)
        return datetime(day.year, day.month, day.day, 7 + minute // 60, minute % 60, tzinfo=self.tz)

    # --- Units and staff -----------------------------------------------------------------------

    def build_tree(self) -> None:
        rng = self.rng
        levels = {
            "province": UnitLevel.objects.get_or_create(
                code="province",
                defaults={"name": "Tỉnh", "rank": 1, "authority_level": AuthorityLevel.PROVINCE},
            )[0],
            "department": UnitLevel.objects.get_or_create(
                code="department",
                defaults={
                    "name": "Sở, ngành",
                    "rank": 2,
                    "authority_level": AuthorityLevel.PROVINCE,
                    "is_agency": True,
                },
            )[0],
            "commune": UnitLevel.objects.get_or_create(
                code="commune",
                defaults={"name": "Xã, phường", "rank": 3, "authority_level": AuthorityLevel.COMMUNE},
            )[0],
        }
        n_prov = max(1, self.n_units // 120)
        share = [self.n_units // n_prov + (1 if i < self.n_units % n_prov else 0) for i in range(n_prov)]
        next_unit = (Unit.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.units: list[UnitInfo] = []
        for p in range(n_prov):
            pid = next_unit
            next_unit += 1
            self.units.append(
                UnitInfo(
                    pid,
                    f"{PREFIX}p{p + 1:02d}",
                    f"UBND tỉnh Tổng Hợp {p + 1} (syn)",
                    "province",
                    None,
                    False,
                    p,
                )
            )
            rest = max(share[p] - 1, 0)
            n_dept = max(1, round(rest * 0.12)) if rest >= 2 else 0
            for d in range(n_dept):
                self.units.append(
                    UnitInfo(
                        next_unit,
                        f"{PREFIX}p{p + 1:02d}-s{d + 1:03d}",
                        f"Sở {d + 1} tỉnh {p + 1} (syn)",
                        "department",
                        pid,
                        False,
                        p,
                    )
                )
                next_unit += 1
            for c in range(rest - n_dept):
                self.units.append(
                    UnitInfo(
                        next_unit,
                        f"{PREFIX}p{p + 1:02d}-x{c + 1:04d}",
                        f"UBND xã {c + 1} tỉnh {p + 1} (syn)",
                        "commune",
                        pid,
                        rng.random() < 0.15,
                        p,
                    )
                )
                next_unit += 1
        self.by_id = {u.id: u for u in self.units}

        # Staff: a head, two handlers and a reception officer per unit; a monitor per province.
        password = make_password(None)
        users, roles = [], []
        for u in self.units:
            for suffix, role in (
                ("head", Role.UNIT_HEAD),
                ("handler1", Role.HANDLER),
                ("handler2", Role.HANDLER),
                ("reception", Role.RECEPTION_OFFICER),
            ):
                users.append(
                    User(
                        username=f"{u.code}-{suffix}",
                        password=password,
                        is_staff=True,
                        first_name=rng.choice(GIVEN),
                        last_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}",
                    )
                )
                roles.append((u, role, suffix))
            if u.level == "province":
                users.append(User(username=f"{u.code}-monitor", password=password, is_staff=True))
                roles.append((u, Role.MONITOR, "monitor"))
        created = User.objects.bulk_create(users, batch_size=2000)
        if any(user.pk is None for user in created):  # backends without RETURNING
            by_name = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "pk"))
            for user in created:
                user.pk = by_name[user.username]
        groups = {r: Group.objects.get_or_create(name=r)[0] for r in Role.values}
        memberships, group_links = [], []
        for user, (u, role, suffix) in zip(created, roles, strict=True):
            if suffix == "head":
                u.head = user.pk
            elif suffix.startswith("handler"):
                u.handlers.append(user.pk)
            elif suffix == "reception":
                u.reception = user.pk
            memberships.append(Membership(user_id=user.pk, unit_id=u.id, role=role))
            group_links.append(User.groups.through(user_id=user.pk, group_id=groups[role].pk))

        unit_rows = []
        paths: dict[int, str] = {}
        for u in self.units:  # parents come before their children
            paths[u.id] = f"{paths[u.parent] if u.parent else '/'}{u.id}/"
            unit_rows.append(
                Unit(
                    id=u.id,
                    code=u.code,
                    name=u.name,
                    level=levels[u.level],
                    parent_id=u.parent,
                    path=paths[u.id],
                    depth=paths[u.id].count("/") - 2,
                    is_remote=u.remote,
                    head_id=u.head,
                    address=f"{u.name}, Việt Nam",
                )
            )
        with transaction.atomic():
            Unit.objects.bulk_create(unit_rows, batch_size=2000)
            Membership.objects.bulk_create(memberships, batch_size=5000)
            User.groups.through.objects.bulk_create(group_links, batch_size=5000, ignore_conflicts=True)

        # Where cases arrive: communes most, with a skewed spread; provinces and departments less.
        weights = []
        for u in self.units:
            base = {"province": 4.0, "department": 1.5, "commune": 1.0}[u.level]
            weights.append(base * rng.lognormvariate(0, 0.6))
        total, acc = sum(weights), 0.0
        self.cum_weights = []
        for w in weights:
            acc += w / total
            self.cum_weights.append(acc)
        self.province_units: dict[int, list[UnitInfo]] = defaultdict(list)
        for u in self.units:
            self.province_units[u.province].append(u)

    def random_unit(self) -> UnitInfo:
        i = bisect.bisect_left(self.cum_weights, self.rng.random() * self.cum_weights[-1])
        return self.units[min(i, len(self.units) - 1)]

    # --- Rows -------------------------------------------------------------------------------------

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
                "search_name": fold(name),  # rows bypass Party.save()
                "id_number": ident,
                "address": address,
                "phone": "" if anonymous else f"09{rng.randrange(10**8):08d}",
                "created_at": self.now,
            }
        )

    def number(self, unit: int, year: int, series: str) -> int:
        key = (unit, year, series)
        self.counters[key] += 1
        return self.counters[key]

    # --- One case's life ---------------------------------------------------------------------------

    def simulate(self, spec: dict) -> None:
        """Run one case from receipt to wherever it is on --until, and write its rows."""
        rng, until = self.rng, self.until
        unit: UnitInfo = spec["unit"]
        kind, d0 = spec["kind"], spec["received_at"]
        round_ = spec.get("round") or (1 if kind == CaseKind.COMPLAINT else None)
        several = kind == CaseKind.DENUNCIATION and rng.random() < 0.1
        case_id = self.tables[Case].new_id()
        c: dict[str, Any] = {
            "id": case_id,
            "unit_id": unit.id,
            "kind": kind,
            "round": round_,
            "channel": spec["channel"],
            "received_at": d0,
            "summary": "[SYN] " + rng.choice(SUMMARIES[kind]),
            "several_locations": several,
            "registered_by_id": unit.reception,
            "first_round_case_id": spec.get("first_round"),
            "transferred_from_id": spec.get("transferred_from"),
            "respondent_unit_id": spec.get(
                "respondent_unit", unit.id if kind == CaseKind.COMPLAINT else None
            ),
            "decision_known_at": d0 - timedelta(days=rng.randrange(3, 80))
            if kind == CaseKind.COMPLAINT and round_ == 1
            else None,
            "intake_flags": [],
        }
        state = S.RECEIVED
        events: list[tuple] = [(d0, "register", "", S.RECEIVED, unit.reception, {})]
        clocks: dict[str, Clock] = {}
        last = d0

        def step(day: date, action: str, to: str, actor: int | None, changes: dict | None = None) -> None:
            nonlocal state, last
            if day > until:
                raise Stop
            day = max(day, last)
            events.append((day, action, state, to, actor, {"state": [state, to], **(changes or {})}))
            state, last = to, day

        def start_clock(kind_: str, on: date) -> None:
            rule = self.rule(kind_, kind, on, round_, unit.remote, several)
            if rule is None:
                return
            clock = Clock(kind_, rule, on)
            clock.entries.append({"kind": E.START, "on": on, "days": rule.days})
            clock.due = self.due_of(clock)
            clocks[kind_] = clock

        def complete(kinds, on: date, entry=E.COMPLETE) -> None:
            for k in kinds:
                clock = clocks.get(k)
                if clock and clock.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED):
                    clock.status, clock.completed_on = DeadlineStatus.MET, on
                    clock.entries.append({"kind": entry, "on": on})

        def cancel_open(on: date, reason: str) -> None:
            for clock in clocks.values():
                if clock.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED):
                    clock.status, clock.completed_on = DeadlineStatus.CANCELLED, on
                    clock.entries.append({"kind": E.CANCEL, "on": on, "reason": reason})

        start_clock(DeadlineKind.PROCESSING, d0)
        start_clock(DeadlineKind.ACCEPTANCE, d0)
        head, reception = unit.head, unit.reception
        derived: list[dict] = []
        try:
            # Intake ---------------------------------------------------------------------------
            review = d0 + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
            step(review, "review", S.UNDER_REVIEW, reception)
            late = rng.random() < 0.05
            classified = review + timedelta(days=rng.randint(8, 25) if late else rng.randint(1, 7))
            mix = INTAKE_MIX[kind]
            if spec.get("no_transfer") or len(self.province_units[unit.province]) < 2:
                mix = [(a, w) for a, w in mix if a != "transfer"]
            if round_ == 2:
                mix = [("reject", 10), ("accept", 90)]
            decision = pick(rng, mix)
            if spec.get("anonymous"):
                decision = "file"  # an anonymous denunciation is filed, never accepted (LTC Art. 25)
            if decision == "withdraw":
                step(classified, "withdraw", S.WITHDRAWN, reception, {"closed_at": [None, str(classified)]})
                c["closed_at"] = classified
                cancel_open(classified, "withdrawn")
                raise Stop
            if decision == "transfer":
                target = rng.choice([u for u in self.province_units[unit.province] if u.id != unit.id])
                step(classified, "transfer", S.TRANSFERRED, reception)
                complete([DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE], classified, E.TRANSFER)
                derived.append(
                    {
                        "unit": target,
                        "kind": kind,
                        "received_at": classified,
                        "round": round_,
                        "channel": Channel.TRANSFERRED_IN,
                        "transferred_from": case_id,
                        "no_transfer": True,
                        "strip_identity": kind == CaseKind.DENUNCIATION,
                    }
                )
                raise Stop
            if decision in ("guide", "file"):
                if decision == "guide":
                    c["guidance"] = "Hướng dẫn công dân gửi đơn đến cơ quan có thẩm quyền (syn)"
                    step(classified, "guide", S.GUIDED, reception)
                else:
                    reason = FileReason.ANONYMOUS if spec.get("anonymous") else rng.choice(FILE_REASONS)
                    c["reason_code"] = reason
                    step(classified, "file", S.FILED, reception)
                complete([DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE], classified)
                raise Stop
            if decision == "reject":
                c["reason_code"] = rng.choice(REJECT_REASONS)
                step(classified, "reject", S.REJECTED, head)
                complete([DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE], classified)
                cancel_open(classified, "rejected")
                raise Stop

            # Acceptance and resolution ----------------------------------------------------------
            step(classified, "accept", S.ACCEPTED, head, {"accepted_at": [None, str(classified)]})
            accepted = c["accepted_at"] = classified
            complete([DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE], accepted)
            start_clock(DeadlineKind.RESOLUTION, accepted)
            res = clocks.get(DeadlineKind.RESOLUTION)  # None before the rule existed (petitions < 11/2021)
            handler = rng.choice(unit.handlers)
            verify = accepted + timedelta(days=rng.randint(1, 6))
            step(verify, "start_verification", S.VERIFYING, head, {"handler": [None, handler]})
            c["handler_id"] = handler

            # Extensions (decided before the due date, within the rule's caps).
            extensions = []
            if kind == CaseKind.COMPLAINT and rng.random() < 0.06:
                extensions = [ExtensionReason.COMPLEX]
            elif kind == CaseKind.DENUNCIATION:
                roll = rng.random()
                extensions = [ExtensionReason.COMPLEX] if roll < 0.10 else []
                extensions = [ExtensionReason.VERY_COMPLEX] * 2 if roll > 0.97 else extensions
            for reason in extensions if res is not None else ():
                cap = res.rule.extensions.get(reason)
                if cap is None or res.due is None:
                    break
                on = max(res.due - timedelta(days=rng.randint(1, 8)), last)
                if on > res.due:  # an extension is decided before the deadline passes
                    break
                step(on, "extend", state, head)
                before = res.due
                res.extension += cap.days
                res.due = self.due_of(res)
                res.entries.append(
                    {
                        "kind": E.EXTEND,
                        "on": on,
                        "days": cap.days,
                        "reason": reason,
                        "due_before": before,
                        "due_after": res.due,
                    }
                )

            # Suspension: the clock stops from the decision to the resumption.
            petition = kind in (CaseKind.RECOMMENDATION, CaseKind.REFLECTION)
            if res is not None and not petition and rng.random() < 0.02:
                on = last + timedelta(days=rng.randint(1, 15))
                step(on, "suspend", S.SUSPENDED, head)
                c["suspended_from"] = S.VERIFYING
                res.entries.append(
                    {
                        "kind": E.PAUSE,
                        "on": on,
                        "reason": "suspension",
                        "note": "Chờ kết quả giám định (syn)",
                        "due_before": res.due,
                    }
                )
                res.status, res.pauses = DeadlineStatus.PAUSED, [(on, None, "suspension")]
                res.due = None
                back = on + timedelta(days=rng.randint(10, 60))
                step(back, "resume", S.VERIFYING, head)
                c["suspended_from"] = ""
                res.pauses = [(on, back, "suspension")]
                res.status = DeadlineStatus.RUNNING
                res.due = self.due_of(res)
                res.entries.append({"kind": E.RESUME, "on": back, "due_after": res.due})

            # When the decision comes: mostly in time, some late.
            due = res.due if res is not None else accepted + timedelta(days=30)
            if rng.random() < 0.86:
                span = max((due - last).days, 1)
                decide_on = last + timedelta(days=max(1, int(span * rng.uniform(0.35, 1.0))))
                decide_on = min(decide_on, due)
            else:
                decide_on = due + timedelta(days=rng.randint(1, 45))
            decide_on = self.next_working(decide_on) if decide_on < due else decide_on

            # Withdrawal, or a first-round complaint taken up a level once its deadline lapsed.
            if rng.random() < {CaseKind.COMPLAINT: 0.05, CaseKind.DENUNCIATION: 0.03}.get(kind, 0.02):
                on = last + timedelta(days=rng.randint(1, max((decide_on - last).days, 1)))
                step(on, "withdraw", S.WITHDRAWN, reception, {"closed_at": [None, str(on)]})
                c["closed_at"] = on
                cancel_open(on, "withdrawn")
                raise Stop
            parent = self.by_id.get(unit.parent) if unit.parent else None
            if (
                kind == CaseKind.COMPLAINT
                and round_ == 1
                and decide_on > due
                and parent
                and rng.random() < 0.1
            ):
                on = due + timedelta(days=rng.randint(1, min(20, (decide_on - due).days)))
                step(on, "appeal", S.APPEALED, reception)
                cancel_open(on, "appealed")
                derived.append(self._appeal_spec(unit, parent, on, case_id, spec))
                raise Stop

            outcome = pick(rng, OUTCOME_MIX[kind])
            submit = max(last, decide_on - timedelta(days=rng.randint(0, 5)))
            needs_dialogue = kind == CaseKind.COMPLAINT and (round_ == 2 or rng.random() < 0.2)
            if kind == CaseKind.COMPLAINT:
                c["claim_differs"] = needs_dialogue and round_ == 1
            if needs_dialogue:
                held = max(last, submit - timedelta(days=rng.randint(1, 5)))
                if held > until:
                    raise Stop
                self._case_dialogue(unit, case_id, held)
            step(submit, "submit_for_approval", S.AWAITING_APPROVAL, handler, {"outcome": ["", outcome]})
            c["outcome"], c["outcome_summary"] = outcome, "Kết luận nội dung (syn)"
            step(decide_on, "approve", S.DECIDED, head, {"decided_at": [None, str(decide_on)]})
            c["decided_at"], c["decision_number"] = decide_on, f"{rng.randrange(1, 999)}/QĐ-SYN"
            complete([DeadlineKind.RESOLUTION], decide_on)

            # After the decision ----------------------------------------------------------------
            if kind == CaseKind.COMPLAINT and round_ == 1:
                start_clock(DeadlineKind.APPEAL_WINDOW, decide_on)
                window = clocks[DeadlineKind.APPEAL_WINDOW]
                if parent and rng.random() < 0.12:
                    on = decide_on + timedelta(days=rng.randint(1, (window.due - decide_on).days))
                    step(on, "appeal", S.APPEALED, reception)
                    complete([DeadlineKind.APPEAL_WINDOW], on)
                    derived.append(self._appeal_spec(unit, parent, on, case_id, spec))
                    raise Stop
                close_on = window.due + timedelta(days=rng.randint(1, 5))
                step(close_on, "close", S.CLOSED, None, {"closed_at": [None, str(close_on)]})
                c["closed_at"] = close_on
                cancel_open(close_on, "closed")
                raise Stop
            if kind == CaseKind.DENUNCIATION or round_ == 2:
                on = decide_on + timedelta(days=rng.randint(1, 10))
                step(on, "publish", S.DECIDED, head, {"published_at": [None, str(on)]})
                c["published_at"] = on
            close_on = last + timedelta(days=rng.randint(1, 15))
            step(close_on, "close", S.CLOSED, head, {"closed_at": [None, str(close_on)]})
            c["closed_at"] = close_on
            cancel_open(close_on, "closed")
        except Stop:
            pass

        self._write_case(c, spec, unit, state, events, clocks)
        for d in derived:
            if not d.get("strip_identity"):
                d["party"] = spec["party"]  # the same person follows the matter
            self.heap_seq += 1
            heapq.heappush(self.heap, (d["received_at"], self.heap_seq, d))

    def _appeal_spec(self, unit: UnitInfo, parent: UnitInfo, on: date, case_id: int, spec: dict) -> dict:
        return {
            "unit": parent,
            "kind": CaseKind.COMPLAINT,
            "received_at": on,
            "round": 2,
            "channel": Channel.FORWARDED,
            "first_round": case_id,
            "respondent_unit": unit.id,
            "no_transfer": True,
        }

    def _case_dialogue(self, unit: UnitInfo, case_id: int, held: date) -> None:
        dialogue = self.tables[Dialogue].add(
            {
                "kind": DialogueKind.CASE,
                "unit_id": unit.id,
                "chair_id": unit.head,
                "held_at": self.at(held),
                "place": "Trụ sở UBND (syn)",
                "participants": "Các bên (syn)",
                "minutes": "Biên bản đối thoại (syn)",
                "recorded_by_id": unit.handlers[0],
                "created_at": self.at(held),
            }
        )
        self.tables[Dialogue.cases.through].add({"dialogue_id": dialogue, "case_id": case_id})

    def _write_case(self, c, spec, unit: UnitInfo, state, events, clocks) -> None:
        rng = self.rng
        d0 = c["received_at"]
        year = d0.year
        seq = self.number(unit.id, year, "case")
        created = self.at(d0)
        c.update(
            year=year,
            sequence=seq,
            reference=f"{unit.code.upper()}/{year}/{seq:05d}",
            state=state,
            version=len(events),
            created_at=created,
            updated_at=self.at(events[-1][0]) if len(events) > 1 else created,
        )
        self.tables[Case].add(c)
        case_id = c["id"]

        # Petitioner: the same person follows the matter through transfers and appeals, except that a
        # denouncer's identity never travels with a transfer.
        party = spec.get("party")
        if spec.get("strip_identity"):
            party = None
        elif party is None:
            party = self.new_party(anonymous=bool(spec.get("anonymous")), province=unit.province)
        if party is not None:
            self.tables[CaseParty].add(
                {
                    "case_id": case_id,
                    "party_id": party,
                    "role": PartyRole.PETITIONER,
                    "confidential": c["kind"] == CaseKind.DENUNCIATION,
                }
            )
        spec["party"] = party

        for clock in clocks.values():
            deadline = self.tables[Deadline].add(
                {
                    "case_id": case_id,
                    "kind": clock.kind,
                    "rule_code": clock.rule.code,
                    "basis": clock.rule.citation,
                    "day_type": clock.rule.day_type,
                    "start_date": clock.start,
                    "base_days": clock.rule.days,
                    "extension_days": clock.extension,
                    "due_date": clock.due,
                    "status": clock.status,
                    "completed_on": clock.completed_on,
                    "reminder_working_days": clock.rule.reminder_working_days,
                }
            )
            if self.audit:
                for entry in clock.entries:
                    self.tables[DeadlineEntry].add(
                        {"deadline_id": deadline, "created_at": self.at(entry["on"]), **entry}
                    )
        if self.audit:
            for day, action, from_state, to_state, actor, changes in events:
                self.tables[CaseEvent].add(
                    {
                        "case_id": case_id,
                        "actor_id": actor,
                        "at": self.at(day),
                        "action": action,
                        "from_state": from_state,
                        "to_state": to_state,
                        "effective_date": day,
                        "changes": changes,
                    }
                )

        # A case raised at the desk is a line of the reception book.
        if c["channel"] == Channel.IN_PERSON:
            group = self.group_min(d0)
            people = rng.randint(group, 3 * group) if rng.random() < 0.03 else 1
            head_day = (d0, unit.id) in self.head_day_set
            self.add_visit(
                unit,
                d0,
                people=people,
                by_head=head_day,
                outcome=VisitOutcome.CASES_OPENED,
                party=party,
                case_id=case_id,
            )
            if rng.random() < 0.4:  # someone else at the desk the same day, sent elsewhere
                self.add_visit(unit, d0, people=1, by_head=head_day, outcome=VisitOutcome.GUIDED)

    def add_visit(
        self,
        unit: UnitInfo,
        day: date,
        *,
        people: int,
        by_head: bool,
        outcome: str,
        party: int | None = None,
        case_id: int | None = None,
    ) -> None:
        rng = self.rng
        visited = self.at(day)
        guidance = "" if outcome == VisitOutcome.CASES_OPENED else "Hướng dẫn công dân (syn)"
        refusal = ""
        if outcome == VisitOutcome.GUIDED and rng.random() < 0.05:
            outcome, refusal, guidance = VisitOutcome.REFUSED, "threatening", ""
        visit = self.tables[Visit].add(
            {
                "unit_id": unit.id,
                "year": day.year,
                "book_number": self.number(unit.id, day.year, "visit"),
                "officer_id": unit.reception,
                "visited_at": visited,
                "reception_kind": ReceptionKind.PERIODIC if by_head else ReceptionKind.REGULAR,
                "received_by_head": by_head,
                "visitor_count": people,
                "is_group": people >= self.group_min(day),
                "summary": "[SYN] Công dân trình bày nội dung",
                "outcome": outcome,
                "refusal_reason": refusal,
                "guidance": guidance,
                "created_at": visited,
            }
        )
        if party is None:
            party = self.new_party(province=unit.province)
        self.tables[Visit.visitors.through].add({"visit_id": visit, "party_id": party})
        if case_id is not None:
            self.tables[Visit.cases.through].add({"visit_id": visit, "case_id": case_id})

    # --- Reception schedule and dialogues -----------------------------------------------------------

    def plan_head_days(self) -> list[tuple[date, UnitInfo]]:
        """Days each head receives citizens in person: the legal number per month, met by most."""
        from casework.reports.reception import head_reception_days_per_month

        rng = self.rng
        level_code = {
            "province": (AuthorityLevel.PROVINCE, False),
            "department": (AuthorityLevel.PROVINCE, True),
            "commune": (AuthorityLevel.COMMUNE, False),
        }
        diligence = {u.id: min(1.2, max(0.3, rng.gauss(0.9, 0.2))) for u in self.units}
        plan = []
        month = date(self.start.year, self.start.month, 1)
        while month <= self.until:
            nxt = (month + timedelta(days=32)).replace(day=1)
            days = [month + timedelta(days=i) for i in range((nxt - month).days)]
            working = [d for d in days if self.start <= d <= self.until and self.working(d)]
            for u in self.units:
                required = head_reception_days_per_month(*level_code[u.level], month) or 0
                held = min(len(working), max(0, round(required * diligence[u.id] + rng.uniform(-0.6, 0.6))))
                for d in rng.sample(working, held) if held else []:
                    plan.append((d, u))
            month = nxt
        plan.sort(key=lambda p: (p[0], p[1].id))
        self.head_day_set = {(d, u.id) for d, u in plan}
        return plan

    def periodic_dialogues(self) -> None:
        rng = self.rng
        for u in self.units:
            if u.level != "commune":
                continue
            for year in range(self.start.year, self.until.year + 1):
                if rng.random() < 0.8:
                    day = date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if self.start <= day <= self.until:
                        self.tables[Dialogue].add(
                            {
                                "kind": DialogueKind.PERIODIC,
                                "unit_id": u.id,
                                "chair_id": u.head,
                                "held_at": self.at(day),
                                "place": "Hội trường UBND xã (syn)",
                                "participants": "Đại diện cử tri (syn)",
                                "minutes": "Biên bản đối thoại (syn)",
                                "recorded_by_id": u.head,
                                "created_at": self.at(day),
                            }
                        )

    # --- Main loop -------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        self.now = timezone.now()
        self.build_tree()
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
                        "unit": self.random_unit(),
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
        self.finish()
        elapsed = time.monotonic() - started
        return {"elapsed": elapsed, "rows": {t.model._meta.db_table: t.written for t in self.tables.values()}}

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
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")


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
        parser.add_argument("--batch", type=int, default=20_000, help="Cases per transaction.")
        parser.add_argument(
            "--no-audit", action="store_true", help="Skip the audit trail and deadline ledgers."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["units"] < 1 or options["cases"] < 0 or options["years"] < 1:
            raise CommandError("--units and --years must be at least 1.")
        if Unit.objects.filter(code__startswith=PREFIX).exists():
            raise CommandError(f"Synthetic units ({PREFIX}*) already exist: use a fresh database.")
        until = options["until"] or timezone.localdate()
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
        )
        result = generator.run()
        rows, cases = result["rows"], result["rows"][Case._meta.db_table]
        self.stdout.write(
            f"Synthetic data: {len(generator.units):,} units, {cases:,} cases up to {until} "
            f"in {result['elapsed']:.1f}s ({connection.vendor})."
        )
        for table, n in rows.items():
            self.stdout.write(f"  {table}: {n:,} rows")
