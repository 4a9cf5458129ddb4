"""Who hears about an outbox message, on which channel, and with what facts.

Each topic has a planner returning `Planned` deliveries. Staff notices carry only the case's
reference, kind, unit and deadline — never a petitioner's name — so a denouncer's identity reaches
nobody through them. Notices to citizens go to the petitioner alone (or, for a group, to its first
representative: Decree 124/2020 Art. 6); one to a denouncer is marked confidential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.choices import Action, CaseKind, DeadlineKind, PartyRole, Role, Topic
from casework.models import Case, CaseParty, DialogueConference, Membership, OutboxMessage, Party, Unit
from casework.rules import policy
from casework.text import person_name

from .models import Channel, Kind, Language, NotificationPreference

User = get_user_model()


@dataclass
class Planned:
    kind: str
    channel: str
    language: str
    context: dict[str, Any]
    recipient: Any = None
    party: Party | None = None
    address: str = ""
    confidential: bool = False
    unit: Unit | None = None

    @property
    def recipient_key(self) -> str:
        return f"u{self.recipient.pk}" if self.recipient is not None else f"p{self.party.pk}"


@dataclass
class _Staff:
    user: Any
    language: str
    email: bool


@dataclass
class PlanContext:
    """What every planner may need, loaded once per message."""

    message: OutboxMessage
    case: Case | None
    payload: dict[str, Any] = field(default_factory=dict)


def conf(name: str) -> Any:
    return settings.NOTIFICATIONS[name]


def default_language() -> str:
    code = conf("LANGUAGE") or settings.LANGUAGE_CODE
    return Language.VIETNAMESE if code.lower().startswith("vi") else Language.ENGLISH


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- Recipients -----------------------------------------------------------------------------------


def _staff(users) -> list[_Staff]:
    users = [u for u in users if u is not None and u.is_active]
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    seen, out = set(), []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        pref = prefs.get(user.pk)
        language = (pref.language if pref and pref.language else "") or default_language()
        email = bool(user.email) and conf("STAFF_EMAIL") and (pref is None or pref.email_enabled)
        out.append(_Staff(user, language, email))
    return out


def unit_heads(unit: Unit) -> list:
    ids = set(Membership.objects.filter(unit=unit, role=Role.UNIT_HEAD).values_list("user_id", flat=True))
    if unit.head_id:
        ids.add(unit.head_id)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def monitors_above(unit: Unit) -> list:
    """The monitors of the parent unit (those who oversee this unit); at the top, the unit's own."""
    overseer = unit.parent if unit.parent_id else unit
    ids = Membership.objects.filter(unit=overseer, role=Role.MONITOR).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(ids)).order_by("pk"))


def citizen_addressees(case: Case) -> list[CaseParty]:
    links = list(case.case_parties.select_related("party").order_by("id"))
    representatives = [cp for cp in links if cp.role == PartyRole.REPRESENTATIVE]
    if representatives:
        return representatives[:1]
    return [cp for cp in links if cp.role == PartyRole.PETITIONER and cp.party.full_name.strip()]


# --- Facts ----------------------------------------------------------------------------------------


def case_facts(case: Case) -> dict[str, Any]:
    """Staff-facing facts about a case: nothing that names a petitioner."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "round": case.round,
        "state": case.state,
        "unit": case.unit.name,
        "received_at": case.received_at,
        "link": f"{conf('SITE_URL').rstrip('/')}/admin/casework/case/{case.pk}/change/",
    }


def _resolution_due(case: Case) -> date | None:
    deadline = case.deadlines.filter(kind=DeadlineKind.RESOLUTION).first()
    return deadline.due_date if deadline else None


def _staff_deliveries(people: list[_Staff], kind: str, context: dict[str, Any]) -> list[Planned]:
    planned = []
    for person in people:
        ctx = {**context, "recipient_name": person_name(person.user)}
        planned.append(Planned(kind, Channel.IN_APP, person.language, ctx, recipient=person.user))
        if person.email:
            planned.append(
                Planned(
                    kind,
                    Channel.EMAIL,
                    person.language,
                    ctx,
                    recipient=person.user,
                    address=person.user.email,
                )
            )
    return planned


def _citizen_deliveries(case: Case, kind: str, context: dict[str, Any]) -> list[Planned]:
    planned = []
    language = default_language()
    for link in citizen_addressees(case):
        party = link.party
        confidential = link.confidential or case.kind == CaseKind.DENUNCIATION
        ctx = {
            **context,
            "addressee": {"name": party.full_name, "address": party.address},
            "unit": {"name": case.unit.name, "address": case.unit.address},
        }
        if party.email:
            planned.append(
                Planned(
                    kind,
                    Channel.EMAIL,
                    language,
                    ctx,
                    party=party,
                    address=party.email,
                    confidential=confidential,
                )
            )
        else:
            planned.append(
                Planned(
                    kind,
                    Channel.LETTER,
                    language,
                    ctx,
                    party=party,
                    address=party.address,
                    confidential=confidential,
                )
            )
    return planned


# --- Planners per topic ---------------------------------------------------------------------------


def _acceptance(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = {
        "case": case_facts(case),
        "accepted_at": case.accepted_at,
        "resolution_due": _resolution_due(case),
    }
    return _citizen_deliveries(case, Kind.ACCEPTANCE_NOTICE, context)


def _refusal(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = {
        "case": case_facts(case),
        "reason": case.reason_code,
        "on": _parse_date(pc.payload.get("effective_date")),
    }
    return _citizen_deliveries(case, Kind.REFUSAL_NOTICE, context)


def _decision(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = {
        "case": case_facts(case),
        "decision_number": case.decision_number,
        "decided_at": case.decided_at,
        "outcome": case.outcome,
    }
    return _citizen_deliveries(case, Kind.DECISION_NOTICE, context)


def _receipt(pc: PlanContext) -> list[Planned]:
    """The receipt of an online submission: by e-mail only, to the address typed on the form (a letter
    would go to an address nobody checked); for a denunciation marked confidential."""
    case = pc.case
    context = {
        "case": case_facts(case),
        "lookup_code": pc.payload.get("lookup_code", ""),
        "follow_url": f"{conf('SITE_URL').rstrip('/')}/cong-dan/theo-doi/",
    }
    return [p for p in _citizen_deliveries(case, Kind.RECEIPT, context) if p.channel == Channel.EMAIL]


def _assigned(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = {"case": case_facts(case), "resolution_due": _resolution_due(case)}
    return _staff_deliveries(_staff([case.handler]), Kind.ASSIGNED, context)


def _submitted(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = {"case": case_facts(case), "outcome": case.outcome, "resolution_due": _resolution_due(case)}
    return _staff_deliveries(_staff(unit_heads(case.unit)), Kind.SUBMITTED_FOR_APPROVAL, context)


def _returned(pc: PlanContext) -> list[Planned]:
    case = pc.case
    event = case.events.filter(action=Action.RETURN_FOR_REVISION).order_by("-at", "-id").first()
    context = {"case": case_facts(case), "note": event.note if event else ""}
    return _staff_deliveries(_staff([case.handler]), Kind.RETURNED_FOR_REVISION, context)


def _deadline_context(pc: PlanContext) -> dict[str, Any]:
    p = pc.payload
    return {
        "case": case_facts(pc.case),
        "deadline": {
            "kind": p.get("deadline_kind"),
            "due_date": _parse_date(p.get("due_date")),
            "working_days_left": p.get("working_days_left"),
            "working_days_overdue": p.get("working_days_overdue"),
            "basis": p.get("basis", ""),
        },
    }


def _reminder(pc: PlanContext) -> list[Planned]:
    case = pc.case
    people = [case.handler] if case.handler_id else unit_heads(case.unit)
    return _staff_deliveries(_staff(people), Kind.REMINDER, _deadline_context(pc))


def _overdue(pc: PlanContext) -> list[Planned]:
    case = pc.case
    people = ([case.handler] if case.handler_id else []) + unit_heads(case.unit)
    return _staff_deliveries(_staff(people), Kind.OVERDUE, _deadline_context(pc))


def _escalation(pc: PlanContext) -> list[Planned]:
    case = pc.case
    context = _deadline_context(pc)
    context["handler"] = person_name(case.handler) if case.handler_id else ""
    return _staff_deliveries(_staff(monitors_above(case.unit)), Kind.ESCALATION, context)


def _digest(pc: PlanContext) -> list[Planned]:
    p = pc.payload
    unit = Unit.objects.get(pk=p["unit_id"])
    items = [{**item, "due_date": _parse_date(item.get("due_date"))} for item in p.get("items", [])]
    context = {
        "unit": {"name": unit.name},
        "on": _parse_date(p.get("date")),
        "overdue": [i for i in items if i.get("overdue")],
        "due_soon": [i for i in items if not i.get("overdue")],
        "overdue_count": p.get("overdue_count", 0),
        "due_soon_count": p.get("due_soon_count", 0),
        "left_out": p.get("left_out", 0),
        "site_url": conf("SITE_URL").rstrip("/"),
    }
    planned = _staff_deliveries(_staff(unit_heads(unit)), Kind.DIGEST, context)
    for delivery in planned:
        delivery.unit = unit
    return planned


def _conference(pc: PlanContext) -> list[Planned]:
    """A dialogue conference's notice or results clock, to the commune's heads (no personal data)."""
    p = pc.payload
    conference = DialogueConference.objects.select_related("unit").get(pk=p["conference_id"])
    context = {
        "conference": {
            "id": conference.pk,
            "unit": conference.unit.name,
            "starts_at": conference.starts_at,
            "held_on": conference.held_on,
            "link": f"{conf('SITE_URL').rstrip('/')}/conferences/{conference.pk}/",
        },
        "clock": "notice" if p.get("clock") == "notice_due_on" else "results",
        # The legal number the notice quotes, from the rule in force on the conference's day.
        "days": policy.legal_value(
            "dialogue.commune.notice_days_before"
            if p.get("clock") == "notice_due_on"
            else "dialogue.commune.results_days_after",
            conference.held_on or timezone.localtime(conference.starts_at).date(),
        ),
        "overdue": p.get("alert") != "reminder",
        "due_date": _parse_date(p.get("due_date")),
        "working_days_left": p.get("working_days_left"),
        "working_days_overdue": p.get("working_days_overdue"),
    }
    planned = _staff_deliveries(_staff(unit_heads(conference.unit)), Kind.CONFERENCE_DEADLINE, context)
    for delivery in planned:
        delivery.unit = conference.unit
    return planned


PLANNERS: dict[Topic, Callable[[PlanContext], list[Planned]]] = {
    Topic.CASE_ACCEPT: _acceptance,
    Topic.CASE_REJECT: _refusal,
    Topic.CASE_APPROVE: _decision,
    Topic.INTAKE_RECEIPT: _receipt,
    Topic.CASE_START_VERIFICATION: _assigned,
    Topic.CASE_SUBMIT_FOR_APPROVAL: _submitted,
    Topic.CASE_RETURN_FOR_REVISION: _returned,
    Topic.DEADLINE_REMINDER: _reminder,
    Topic.DEADLINE_OVERDUE: _overdue,
    Topic.DEADLINE_ESCALATION: _escalation,
    Topic.DIGEST_DAILY: _digest,
    Topic.CONFERENCE_NOTICE: _conference,
    Topic.CONFERENCE_RESULTS: _conference,
}

# Topics that deliberately plan no delivery (as before the enumeration existed): the step is recorded in
# the case's history and no notice template exists for it. Every Topic is in exactly one of the two
# tables (tests/notifications/test_topics.py), so a new topic cannot be forgotten silently.
IGNORED_TOPICS = frozenset(
    {
        Topic.CASE_REGISTER,
        Topic.CASE_REVIEW,
        Topic.CASE_TRANSFER,
        Topic.CASE_GUIDE,
        Topic.CASE_FILE,
        Topic.CASE_PUBLISH,
        Topic.CASE_EXTEND,
        Topic.CASE_SUSPEND,
        Topic.CASE_RESUME,
        Topic.CASE_WITHDRAW,
        Topic.CASE_AWAIT_CITIZEN,
        Topic.CASE_CITIZEN_RESPONDED,
        Topic.CASE_APPEAL,
        Topic.CASE_CLOSE,
        Topic.CASE_RECORD_IMPLEMENTATION,
    }
)


def plan(message: OutboxMessage) -> list[Planned]:
    """The deliveries a message calls for; an empty list for topics nobody needs to hear about."""
    planner = PLANNERS.get(message.topic)
    if planner is None:
        return []
    case = None
    if message.case_id:
        case = Case.objects.select_related("unit", "handler").get(pk=message.case_id)
    return planner(PlanContext(message=message, case=case, payload=message.payload or {}))
