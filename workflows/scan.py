"""The periodic deadline scan: reminders before a deadline, overdue alerts, escalation of long-overdue
cases, the daily digest per unit, and closing first-round complaints whose appeal window lapsed.

Cost. Every query starts from Deadline(status="running", due_date <= X), which the partial index
`deadline_running_due_idx` serves: closed cases have no running clock, so they never enter the
index and the scan's cost does not grow with them.

Safety when run twice, or twice at once. An alert is an outbox message whose dedup_key is
"deadline:<deadline id>:<alert>:<due date>". The scan inserts with ON CONFLICT DO NOTHING on that
unique key, so the database, not a Python check, guarantees one alert per deadline, kind and due
date; a clock that is extended gets a new due date and so its own reminder.

Dates. A reminder fires on the N-th working day before the due date (N = the deadline's
`reminder_working_days`, from its policy rule); an overdue alert on the first working day after
it; an escalation on the E-th working day after it (E = NOTIFICATIONS["ESCALATE_AFTER_WORKING_DAYS"]).
Holidays and weekends are skipped by the working calendar, so none of these lands on a day off. A
scan that did not run on that day (server down) catches up on its next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.choices import (
    STAFF_DEADLINES,
    Action,
    CaseState,
    ConferenceStatus,
    DeadlineKind,
    DeadlineStatus,
    Topic,
)
from casework.models import Case, Deadline, DialogueConference, OutboxMessage
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar

from .batch import Closing, batchable, close_cases
from .errors import WorkflowError
from .service import perform_action

logger = logging.getLogger(__name__)

INSERT_BATCH = 500


class Alert:
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


# The outbox topic of each alert; its value is also the `alert` field of the payload.
ALERT_TOPICS = {
    Alert.REMINDER: Topic.DEADLINE_REMINDER,
    Alert.OVERDUE: Topic.DEADLINE_OVERDUE,
    Alert.ESCALATION: Topic.DEADLINE_ESCALATION,
}


@dataclass
class ScanResult:
    examined: int = 0
    alerts: int = 0
    conference_alerts: int = 0
    closed: int = 0
    close_failures: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Working-day arithmetic ---------------------------------------------------------------------


def add_working_days(calendar: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day after `day` (n = 0: `day` itself)."""
    for _i in range(n):
        day = calendar.next_working_day(day)
    return day


def subtract_working_days(calendar: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day before `day` (n = 0: `day` itself)."""
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def max_reminder_days() -> int:
    return max(policy.rule_by_code(r.code).reminder_working_days for r in policy.DEADLINE_RULES)


def running_due_by(horizon: date) -> QuerySet[Deadline]:
    """Running clocks due on or before `horizon` (served by the partial index on running due dates)."""
    return Deadline.objects.filter(status=DeadlineStatus.RUNNING, due_date__lte=horizon)


def staff_clocks_to_watch(today: date, calendar: WorkingCalendar) -> QuerySet[Deadline]:
    """The staff's running clocks that are overdue or close enough for a reminder, soonest first.

    The clocks alone, without their case: joined in SQL, PostgreSQL would hash the whole case table
    (closed cases included) to match a few hundred clocks. `with_cases` reads the cases by id."""
    horizon = add_working_days(calendar, today, max_reminder_days())
    return running_due_by(horizon).filter(kind__in=STAFF_DEADLINES).order_by("due_date", "id")


@dataclass(frozen=True)
class CaseRow:
    reference: str
    unit_id: int
    kind: str


def with_cases(clocks: QuerySet[Deadline]) -> Iterator[tuple[Deadline, CaseRow]]:
    """Each clock with what the alerts say of its case, the cases read by primary key per chunk."""
    for chunk in batched(clocks.iterator(chunk_size=INSERT_BATCH), INSERT_BATCH):
        rows = Case.objects.filter(pk__in={d.case_id for d in chunk}).values_list(
            "pk", "reference", "unit_id", "kind"
        )
        cases = {pk: CaseRow(reference, unit_id, kind) for pk, reference, unit_id, kind in rows}
        for deadline in chunk:
            yield deadline, cases[deadline.case_id]


def escalate_after() -> int:
    return int(settings.NOTIFICATIONS["ESCALATE_AFTER_WORKING_DAYS"])


@dataclass(frozen=True)
class DueAlert:
    kind: str
    fire_on: date
    working_days: int  # left before the due date (reminder) or past it (overdue, escalation)


def alerts_due(deadline: Deadline, today: date, calendar: WorkingCalendar) -> list[DueAlert]:
    """The alerts whose day has come for this clock (the dedup key keeps each to one message)."""
    return _alerts_for(deadline.due_date, deadline.reminder_working_days, today, calendar)


def _alerts_for(
    due: date, reminder_working_days: int, today: date, calendar: WorkingCalendar
) -> list[DueAlert]:
    alerts = []
    if today <= due:
        remind_on = subtract_working_days(calendar, due, reminder_working_days)
        if today >= remind_on:
            alerts.append(DueAlert(Alert.REMINDER, remind_on, calendar.working_days_between(today, due)))
        return alerts
    overdue = calendar.working_days_between(due, today)
    overdue_on = calendar.next_working_day(due)
    if today >= overdue_on:
        alerts.append(DueAlert(Alert.OVERDUE, overdue_on, overdue))
    escalate_on = add_working_days(calendar, due, escalate_after())
    if today >= escalate_on:
        alerts.append(DueAlert(Alert.ESCALATION, escalate_on, overdue))
    return alerts


def alert_key(deadline: Deadline, kind: str) -> str:
    return f"deadline:{deadline.pk}:{kind}:{deadline.due_date.isoformat()}"


def _insert(messages: list[OutboxMessage]) -> None:
    # ON CONFLICT DO NOTHING on dedup_key: a concurrent scan waits for ours and then inserts nothing.
    with transaction.atomic():
        for start in range(0, len(messages), INSERT_BATCH):
            OutboxMessage.objects.bulk_create(messages[start : start + INSERT_BATCH], ignore_conflicts=True)


# --- The scan -----------------------------------------------------------------------------------


def scan_deadlines(*, today: date | None = None) -> ScanResult:
    """Write the reminders, overdue alerts and escalations due today; close lapsed appeal windows."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    result = ScanResult()
    messages = []
    # Many clocks share a due date: the working-day arithmetic is done once per date and lead time.
    alerts_by_due: dict[tuple[date, int], list[DueAlert]] = {}
    for deadline, case in with_cases(staff_clocks_to_watch(today, calendar)):
        result.examined += 1
        key = (deadline.due_date, deadline.reminder_working_days)
        if key not in alerts_by_due:
            alerts_by_due[key] = _alerts_for(*key, today, calendar)
        for alert in alerts_by_due[key]:
            days_field = "working_days_left" if alert.kind == Alert.REMINDER else "working_days_overdue"
            messages.append(
                OutboxMessage(
                    topic=ALERT_TOPICS[alert.kind],
                    case_id=deadline.case_id,
                    dedup_key=alert_key(deadline, alert.kind),
                    payload={
                        "deadline_id": deadline.pk,
                        "case_id": deadline.case_id,
                        "reference": case.reference,
                        "unit_id": case.unit_id,
                        "deadline_kind": deadline.kind,
                        "due_date": deadline.due_date.isoformat(),
                        "alert": alert.kind,
                        "fire_on": alert.fire_on.isoformat(),
                        days_field: alert.working_days,
                        "basis": deadline.basis,
                    },
                )
            )
    _insert(messages)
    result.alerts = len(messages)
    result.conference_alerts = scan_conference_clocks(today=today, calendar=calendar)
    close_lapsed_appeal_windows(today=today, result=result)
    logger.info("Deadline scan %s: %s", today, result.as_dict())
    return result


# --- Dialogue conferences (casework.conferences) -----------------------------------------------

# Working days before a conference clock's last day that its reminder goes out.
CONFERENCE_REMINDER_WORKING_DAYS = 3
# The clocks: (topic, the date field, the partial-index condition of a clock still owed).
CONFERENCE_CLOCKS = (
    (
        Topic.CONFERENCE_NOTICE,
        "notice_due_on",
        {"status": ConferenceStatus.SCHEDULED, "announced_on__isnull": True},
    ),
    (
        Topic.CONFERENCE_RESULTS,
        "results_due_on",
        {"status": ConferenceStatus.HELD, "results_published_on__isnull": True},
    ),
)


def scan_conference_clocks(*, today: date, calendar: WorkingCalendar) -> int:
    """Reminders and overdue alerts for the conferences' two clocks (announce the notice; publish the
    results), to the commune's heads: the same working-day rules and dedup keys as the case clocks,
    each clock read from its partial index."""
    horizon = add_working_days(calendar, today, CONFERENCE_REMINDER_WORKING_DAYS)
    messages = []
    for topic, field, owed in CONFERENCE_CLOCKS:
        rows = DialogueConference.objects.filter(**owed, **{f"{field}__lte": horizon}).values_list(
            "pk", "unit_id", field, "starts_at", "held_on"
        )
        for pk, unit_id, due, starts_at, held_on in rows:
            for alert in _alerts_for(due, CONFERENCE_REMINDER_WORKING_DAYS, today, calendar):
                if alert.kind == Alert.ESCALATION:
                    continue  # the overdue alert reaches the heads; monitors read the yearly report
                days_field = "working_days_left" if alert.kind == Alert.REMINDER else "working_days_overdue"
                messages.append(
                    OutboxMessage(
                        topic=topic,
                        case=None,
                        dedup_key=f"conference:{pk}:{field}:{alert.kind}:{due.isoformat()}",
                        payload={
                            "conference_id": pk,
                            "unit_id": unit_id,
                            "clock": field,
                            "due_date": due.isoformat(),
                            "starts_at": timezone.localtime(starts_at).isoformat(),
                            "held_on": held_on.isoformat() if held_on else None,
                            "alert": alert.kind,
                            "fire_on": alert.fire_on.isoformat(),
                            days_field: alert.working_days,
                        },
                    )
                )
    _insert(messages)
    return len(messages)


def lapsed_appeal_windows(today: date) -> list[Closing]:
    """First-round complaints still decided whose appeal window ended before `today`, each with the
    date and note of its closing. Read from the running clocks (partial index), then the cases by id."""
    windows = dict(
        running_due_by(today - timedelta(days=1))
        .filter(kind=DeadlineKind.APPEAL_WINDOW)
        .values_list("case_id", "due_date")
    )
    decided = Case.objects.filter(pk__in=windows, state=CaseState.DECIDED).values_list("pk", flat=True)
    return [
        Closing(
            case_id=pk,
            effective_date=min(windows[pk] + timedelta(days=1), today),
            note=_("Appeal window lapsed on %(due)s without a second-round complaint.")
            % {"due": windows[pk].strftime("%d/%m/%Y")},
        )
        for pk in sorted(decided)
    ]


def close_lapsed_appeal_windows(*, today: date, result: ScanResult | None = None) -> ScanResult:
    """Close first-round complaints whose appeal window ended without a second-round complaint.
    The system actor (None) may only close; the guards of `close` still apply. Set-based, a batch of
    cases per transaction (workflows.batch), unless the close action does more than a batch can write."""
    result = result or ScanResult()
    closings = lapsed_appeal_windows(today)
    if batchable():
        outcome = close_cases(closings)
        for case_id, why in outcome.refused.items():
            # Changed meanwhile (an appeal registered, a concurrent scan): the next scan looks again.
            logger.info("Case %s not closed by the scan: %s", case_id, why)
        result.closed += len(outcome.closed)
        result.close_failures += len(outcome.refused)
        return result
    for closing in closings:
        try:
            version = Case.objects.values_list("version", flat=True).get(pk=closing.case_id)
            perform_action(
                case_id=closing.case_id,
                action=Action.CLOSE,
                actor=None,
                version=version,
                effective_date=closing.effective_date,
                note=closing.note,
            )
            result.closed += 1
        except WorkflowError as exc:
            logger.info("Case %s not closed by the scan: %s", closing.case_id, exc)
            result.close_failures += 1
    return result


# --- Daily digest -------------------------------------------------------------------------------


def build_daily_digests(*, today: date | None = None) -> int:
    """One digest message per unit with overdue or due-soon clocks, for the unit's heads."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    per_unit: dict[int, list[dict]] = defaultdict(list)
    for deadline, case in with_cases(staff_clocks_to_watch(today, calendar)):
        due = deadline.due_date
        overdue = due < today
        if not overdue and today < subtract_working_days(calendar, due, deadline.reminder_working_days):
            continue
        per_unit[case.unit_id].append(
            {
                "case_id": deadline.case_id,
                "reference": case.reference,
                "case_kind": case.kind,
                "deadline_kind": deadline.kind,
                "due_date": due.isoformat(),
                "overdue": overdue,
                "working_days": abs(calendar.working_days_between(today, due)),
            }
        )
    cap = int(settings.NOTIFICATIONS["DIGEST_MAX_ITEMS"])
    messages = []
    for unit_id, items in per_unit.items():
        overdue = [i for i in items if i["overdue"]]
        due_soon = [i for i in items if not i["overdue"]]
        shown = (overdue + due_soon)[:cap]
        messages.append(
            OutboxMessage(
                topic=Topic.DIGEST_DAILY,
                case=None,
                dedup_key=f"digest:{unit_id}:{today.isoformat()}",
                payload={
                    "unit_id": unit_id,
                    "date": today.isoformat(),
                    "overdue_count": len(overdue),
                    "due_soon_count": len(due_soon),
                    "items": shown,
                    "left_out": len(items) - len(shown),
                },
            )
        )
    _insert(messages)
    return len(messages)
