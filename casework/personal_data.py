"""A data subject's request (Law 91/2025/QH15 on Personal Data Protection, Decree 356/2025/NĐ-CP):
everything held about a person, as one JSON document an administrator hands over.

`person_data(parties, user=..., channel=...)` gathers, for one or more Party records of the same
human being (intake keeps each paper's identity as written, so one person may have several records):
the identity and its audited corrections, the cases they are a party to (their role, the case's
course, deadlines and decisions), the visits they came to, the dialogues on their cases, what was sent
to them (sections other apps register: notifications) and the access log entries about them.

Third parties stay out: on each case, visit and dialogue, the identity of every other person (a
co-petitioner, a sealed denouncer) is scrubbed from the free text with the same matcher as every
other surface (casework.confidentiality), so an answer never reveals a denouncer to anyone. A person
named only in free text (e.g. the official a denunciation is about) is no Party and is not found here.

The export is itself a disclosure: one AccessLog row (kind "export") per person record and per case
read, written through casework.confidentiality.record_disclosure in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .confidentiality import IDENTITY_FIELDS, Identity, Secrets, record_disclosure
from .models import AccessLog, Case, CaseParty, Dialogue, Party, PartyCorrection, Visit

LEGAL_BASIS = _(
    "Processed to perform the agency's statutory duties under the Law on Citizen Reception "
    "(42/2013/QH13), the Law on Complaints (02/2011/QH13) and the Law on Denunciations (25/2018/QH14), "
    "as amended; provided under Law 91/2025/QH15 on Personal Data Protection and Decree 356/2025/NĐ-CP."
)
RETENTION = _(
    "Case files are records of the State: they are kept, not deleted, for the periods of the Law on "
    "Archives. A correction of your identity is made, and kept on record, at your request."
)

# Sections other apps add (notifications registers the notices sent to the person): key -> collector
# taking the Party records and returning a JSON-ready list.
Collector = Callable[[list[Party]], list[dict[str, Any]]]
_SECTIONS: dict[str, Collector] = {}


def register_section(key: str, collector: Collector) -> None:
    _SECTIONS[key] = collector


def _when(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.isoformat()


def _others(subjects: set[int], links: Iterable[CaseParty | Party]) -> Secrets:
    """The identities of everyone but the subject, to scrub from free text."""
    people = [getattr(link, "party", link) for link in links]
    return Secrets(Identity.of(p) for p in people if p.pk not in subjects)


def _identity(party: Party) -> dict[str, Any]:
    return {
        "record": party.pk,
        "kind": party.kind,
        **{f: getattr(party, f) for f in IDENTITY_FIELDS},
        "on_file_since": _when(party.created_at),
    }


def _correction(record: PartyCorrection) -> dict[str, Any]:
    return {
        "record": record.party_id,
        "at": _when(record.at),
        "by": record.actor.get_username() if record.actor else None,
        "changes": record.changes,
        "reason": record.reason,
    }


def _case(case: Case, subjects: set[int]) -> dict[str, Any]:
    secrets = _others(subjects, case.case_parties.all())
    mine = [link for link in case.case_parties.all() if link.party_id in subjects]
    return {
        "reference": case.reference,
        "unit": case.unit.name,
        "kind": case.kind,
        "kind_label": str(case.get_kind_display()),
        "round": case.round,
        "channel": case.channel,
        "received_at": _when(case.received_at),
        "your_role": sorted({link.role for link in mine}),
        "your_identity_sealed": any(link.confidential for link in mine),
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "summary": secrets.apply(case.summary),
        "respondent": secrets.apply(case.respondent),
        "guidance": secrets.apply(case.guidance),
        "outcome": case.outcome,
        "outcome_summary": secrets.apply(case.outcome_summary),
        "decision_number": case.decision_number,
        "accepted_at": _when(case.accepted_at),
        "decided_at": _when(case.decided_at),
        "published_at": _when(case.published_at),
        "closed_at": _when(case.closed_at),
        "deadlines": [
            {"kind": d.kind, "basis": d.basis, "due_date": _when(d.due_date), "status": d.status}
            for d in case.deadlines.all()
        ],
        "history": [
            {
                "at": _when(e.at),
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "effective_date": _when(e.effective_date),
            }
            for e in case.events.all()
        ],
    }


def _visit(visit: Visit, subjects: set[int]) -> dict[str, Any]:
    people = list(visit.visitors.all())
    for case in visit.cases.all():
        people += [link.party for link in case.case_parties.all()]
    secrets = _others(subjects, people)
    return {
        "unit": visit.unit.name,
        "book_number": f"{visit.book_number}/{visit.year}",
        "visited_at": _when(visit.visited_at),
        "reception_kind": visit.reception_kind,
        "visitor_count": visit.visitor_count,
        "summary": secrets.apply(visit.summary),
        "outcome": visit.outcome,
        "refusal_reason": visit.refusal_reason,
        "guidance": secrets.apply(visit.guidance),
        "cases": sorted(c.reference for c in visit.cases.all()),
    }


def _dialogue(dialogue: Dialogue, subjects: set[int]) -> dict[str, Any]:
    secrets = _others(subjects, [link for c in dialogue.cases.all() for link in c.case_parties.all()])
    return {
        "unit": dialogue.unit.name,
        "held_at": _when(dialogue.held_at),
        "place": secrets.apply(dialogue.place),
        "participants": secrets.apply(dialogue.participants),
        "minutes": secrets.apply(dialogue.minutes),
        "agreed_points": secrets.apply(dialogue.agreed_points),
        "complainant_attended": dialogue.complainant_attended,
        "cases": sorted(c.reference for c in dialogue.cases.all()),
    }


def _access(entry: AccessLog) -> dict[str, Any]:
    return {
        "record": entry.party_id,
        "at": _when(entry.at),
        "by": entry.user.get_username() if entry.user else None,
        "kind": entry.kind,
        "channel": entry.channel,
        "case": entry.case.reference if entry.case else None,
        "detail": entry.detail,
    }


@transaction.atomic
def person_data(parties: Iterable[Party], *, user, channel: str) -> dict[str, Any]:
    """Everything held about the person of `parties` (one or more records of the same human being),
    as a JSON-ready document; the export is logged as a disclosure by `user` through `channel`."""
    parties = sorted(parties, key=lambda p: p.pk)
    if not parties:
        raise ValueError("No person to export.")
    subjects = {p.pk for p in parties}
    people = Prefetch("case_parties", queryset=CaseParty.objects.select_related("party"))
    cases = list(
        Case.objects.filter(case_parties__party__in=subjects)
        .distinct()
        .select_related("unit")
        .prefetch_related(people, "deadlines", "events")
        .order_by("received_at", "pk")
    )
    visits = list(
        Visit.objects.filter(visitors__in=subjects)
        .distinct()
        .select_related("unit")
        .prefetch_related("visitors", Prefetch("cases", queryset=Case.objects.prefetch_related(people)))
        .order_by("visited_at", "pk")
    )
    dialogues = list(
        Dialogue.objects.filter(cases__in=[c.pk for c in cases])
        .distinct()
        .select_related("unit")
        .prefetch_related(Prefetch("cases", queryset=Case.objects.prefetch_related(people)))
        .order_by("held_at", "pk")
    )
    # The access log as it stood before this export (the export's own rows are written below).
    access = list(
        AccessLog.objects.filter(party__in=subjects).select_related("user", "case").order_by("at", "pk")
    )
    document: dict[str, Any] = {
        "generated_at": _when(timezone.now()),
        "legal_basis": str(LEGAL_BASIS),
        "retention": str(RETENTION),
        "person": [_identity(p) for p in parties],
        "corrections": [
            _correction(r)
            for r in PartyCorrection.objects.filter(party__in=subjects).select_related("actor").order_by("at")
        ],
        "cases": [_case(c, subjects) for c in cases],
        "visits": [_visit(v, subjects) for v in visits],
        "dialogues": [_dialogue(d, subjects) for d in dialogues],
    }
    for key, collector in _SECTIONS.items():
        document[key] = collector(parties)
    document["access_log"] = [_access(entry) for entry in access]

    reads = [(None, p) for p in parties]
    reads += [
        (case, link.party) for case in cases for link in case.case_parties.all() if link.party_id in subjects
    ]
    record_disclosure(
        user=user,
        kind=AccessLog.Kind.EXPORT,
        channel=channel,
        detail=f"personal data request: records {', '.join(str(pk) for pk in sorted(subjects))}",
        reads=reads,
    )
    return document
