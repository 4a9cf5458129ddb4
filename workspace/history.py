"""A case's audit trail as sentences staff read aloud: "Thủ trưởng Nguyễn Văn A thụ lý ngày 10/02/2026".

One sentence per audit record, keyed by its action code; the fields the step changed follow as
labelled values (field names, dates dd/mm/yyyy, choice labels, people by full name), never a raw code
or JSON. Free text goes through workspace.privacy, so a sealed denouncer's name never shows here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import is_system_admin
from casework.choices import CASE_REASON_LABELS, AuditStep, CaseState, Channel, Role
from casework.models import Case, CaseEvent, Unit
from casework.selectors import memberships_of
from casework.text import person_name

from . import privacy
from .templatetags.workspace import dmy

# "%(who)s" is the actor with their role word, "%(date)s" the date on the paper.
SENTENCES = {
    "register": gettext_lazy("%(who)s registered the case on %(date)s"),
    "review": gettext_lazy("%(who)s started the competence and eligibility review on %(date)s"),
    "transfer": gettext_lazy("%(who)s transferred the case to the competent unit on %(date)s"),
    "guide": gettext_lazy("%(who)s guided the citizen to the competent body on %(date)s"),
    "file": gettext_lazy("%(who)s filed the letter without processing on %(date)s"),
    "accept": gettext_lazy("%(who)s accepted the case for resolution on %(date)s"),
    "reject": gettext_lazy("%(who)s decided not to accept the case on %(date)s"),
    "start_verification": gettext_lazy("%(who)s assigned the verification on %(date)s"),
    "submit_for_approval": gettext_lazy("%(who)s submitted the draft conclusion for approval on %(date)s"),
    "return_for_revision": gettext_lazy("%(who)s returned the draft for revision on %(date)s"),
    "approve": gettext_lazy("%(who)s approved and signed the decision on %(date)s"),
    "publish": gettext_lazy("%(who)s recorded the publication of the decision on %(date)s"),
    "extend": gettext_lazy("%(who)s extended the resolution deadline on %(date)s"),
    "suspend": gettext_lazy("%(who)s suspended the resolution on %(date)s"),
    "resume": gettext_lazy("%(who)s resumed the resolution on %(date)s"),
    "withdraw": gettext_lazy("%(who)s recorded the citizen's withdrawal on %(date)s"),
    "await_citizen": gettext_lazy("%(who)s asked the citizen to supplement the file on %(date)s"),
    "citizen_responded": gettext_lazy("%(who)s recorded the citizen's supplement on %(date)s"),
    "appeal": gettext_lazy("%(who)s registered a second-round complaint on %(date)s"),
    "close": gettext_lazy("%(who)s closed the case on %(date)s"),
    "record_implementation": gettext_lazy("%(who)s recorded the implementation of the decision on %(date)s"),
    "dialogue_recorded": gettext_lazy("%(who)s recorded a dialogue on %(date)s"),
    "document_issued": gettext_lazy("%(who)s issued an official document on %(date)s"),
    "deadline_recomputed": gettext_lazy(
        "%(who)s recomputed the deadlines after a calendar change on %(date)s"
    ),
}
# An audit record of a kind this table does not know yet still reads as a sentence, not as its code.
FALLBACK_SENTENCE = gettext_lazy("%(who)s recorded a step on %(date)s")

# The role word before a name is the role's own label ("Thủ trưởng đơn vị Nguyễn Văn A").
ROLE_WORDS = dict(Role.choices)
SYSTEM = gettext_lazy("The system")
# An online submission registers itself: no staff member did it (workflows.intake.online).
ONLINE_CITIZEN = gettext_lazy("The citizen (online)")

_RECEPTION_STEPS = {
    "register",
    "review",
    "transfer",
    "guide",
    "file",
    "withdraw",
    "appeal",
    "await_citizen",
    "citizen_responded",
}
# Which of a person's roles a step was taken in, when they hold several.
_ROLE_PREFERENCE = {
    **dict.fromkeys(_RECEPTION_STEPS, (Role.RECEPTION_OFFICER, Role.UNIT_HEAD, Role.ADMINISTRATOR)),
    "submit_for_approval": (Role.HANDLER, Role.UNIT_HEAD, Role.ADMINISTRATOR),
    "dialogue_recorded": (Role.HANDLER, Role.UNIT_HEAD, Role.RECEPTION_OFFICER),
}
_DEFAULT_PREFERENCE = (Role.UNIT_HEAD, Role.ADMINISTRATOR, Role.HANDLER, Role.RECEPTION_OFFICER, Role.MONITOR)

# Changes the sentence or another part of the page already says, or that are not the case's fields.
_UNSHOWN = {"state", "version", "dialogue_id"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    sentence: str
    at: datetime
    state: str = ""  # the state the step led to, when it changed
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def _role_word(actor, action: str, case: Case, held: dict[int, list[tuple[int, str]]]) -> str:
    roles = held.get(actor.pk, [])
    here = {role for unit_id, role in roles if unit_id == case.unit_id}
    anywhere = here or {role for _unit, role in roles}
    for role in (*_ROLE_PREFERENCE.get(action, ()), *_DEFAULT_PREFERENCE):
        if role in anywhere:
            return str(ROLE_WORDS[role])
    return str(ROLE_WORDS[Role.ADMINISTRATOR]) if is_system_admin(actor) else ""


def _who(event: CaseEvent, case: Case, held) -> str:
    if event.actor is None:
        online = event.action == AuditStep.REGISTER and case.channel == Channel.ONLINE
        return str(ONLINE_CITIZEN if online else SYSTEM)
    word = _role_word(event.actor, event.action, case, held)
    name = person_name(event.actor)
    return f"{word} {name}" if word else name


def _day(event: CaseEvent) -> date:
    return event.effective_date or timezone.localtime(event.at).date()


def _case_field(name: str) -> models.Field | None:
    try:
        return Case._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    except FieldDoesNotExist:
        return None


class _Names:
    """People and units named by foreign keys in the changes, fetched in one query per model."""

    def __init__(self, events: list[CaseEvent]):
        wanted: dict[type, set[int]] = {}
        for event in events:
            for name, values in (event.changes or {}).items():
                f = _case_field(name)
                if f is not None and f.is_relation:
                    wanted.setdefault(f.related_model, set()).update(v for v in values if isinstance(v, int))
        self.users = {
            u.pk: person_name(u)
            for u in get_user_model().objects.filter(pk__in=wanted.get(get_user_model(), ()))
        }
        self.units = {u.pk: u.name for u in Unit.objects.filter(pk__in=wanted.get(Unit, ()))}
        self.cases = {c.pk: c.reference for c in Case.objects.filter(pk__in=wanted.get(Case, ()))}

    def of(self, model, pk: int) -> str:
        table = self.users if model is get_user_model() else self.units if model is Unit else self.cases
        return table.get(pk, "—")


def _value(name: str, f: models.Field, value: Any, secrets, names: _Names) -> str:
    if value in (None, "", [], {}):
        return "—"
    if name == "intake_flags":
        return "; ".join(secrets.apply(str(flag.get("message", ""))) for flag in value)
    if name == "reason_code":
        return str(CASE_REASON_LABELS.get(value, value))
    if name == "suspended_from":
        return str(dict(CaseState.choices).get(value, value))
    if f.is_relation:
        return names.of(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(f, models.DateField):
        try:
            return dmy(date.fromisoformat(str(value)[:10]))
        except ValueError:
            return str(value)
    return secrets.apply(str(value))


def _changes(event: CaseEvent, secrets, names: _Names) -> list[FieldChange]:
    shown = []
    for name, pair in (event.changes or {}).items():
        f = _case_field(name)
        if name in _UNSHOWN or f is None or not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        before, after = (_value(name, f, v, secrets, names) for v in pair)
        shown.append(FieldChange(capfirst(str(f.verbose_name)), before, after))
    return shown


def history(case: Case, user, secrets=None) -> list[HistoryEntry]:
    """The case's audit trail, oldest first, as this reader may read it (`secrets`: the page's
    privacy.case_secrets, when it already has them)."""
    secrets = secrets if secrets is not None else privacy.case_secrets(case, user)
    events = list(case.events.all())
    held = memberships_of(e.actor_id for e in events if e.actor_id)
    names = _Names(events)
    states = dict(CaseState.choices)
    entries = []
    for event in events:
        sentence = SENTENCES.get(event.action, FALLBACK_SENTENCE) % {
            "who": _who(event, case, held),
            "date": dmy(_day(event)),
        }
        moved = event.to_state and event.to_state != event.from_state
        entries.append(
            HistoryEntry(
                sentence=sentence,
                at=event.at,
                state=str(states.get(event.to_state, "")) if moved else "",
                note=secrets.apply(event.note),
                changes=_changes(event, secrets, names),
            )
        )
    return entries
