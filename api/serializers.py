"""Serializers: request shapes mapped onto the service inputs, and representations of the results.

No business rule lives here. Request serializers check types, lengths and that referenced objects
exist within the user's reach; the services (workflows.intake, workflows.service, casework.services)
decide everything else. Output serializers read what the view prefetched and mask what
casework.access says the user may not see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.access import can_see_denouncer, visible_cases
from casework.choices import (
    CalendarDayKind,
    CaseKind,
    Channel,
    DialogueKind,
    Outcome,
    PartyKind,
    PartyRole,
    ReceptionKind,
    RefusalReason,
    Role,
)
from casework.models import AccessLog, CalendarDay, Case, CaseEvent, Deadline, Dialogue, Party, Unit, Visit
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import explain
from casework.rules.periods import working_days_left
from workflows.actions import ACTION_PARAMS, Param
from workflows.intake import CaseInput, PetitionerInput, VisitInput
from workflows.service import available_actions

from .confidentiality import Disclosures, party_view, scrub, secrets_of

User = get_user_model()

# Ids accepted in request bodies: beyond these the database column cannot hold them anyway.
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1


class RecentDateTimeField(serializers.DateTimeField):
    """A date-time from 1970 on. Earlier local times in Asia/Ho_Chi_Minh carry a local-mean-time offset
    (+07:06:30) that RFC 3339 cannot express, and nothing this system records happened then."""

    EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed < self.EARLIEST:
            raise serializers.ValidationError(_("Must be on or after 1970-01-01."), code="too_early")
        return parsed


# --- Shared output pieces ------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A person as shown on a case or a visit; a sealed denouncer comes out masked ("***")."""

    id = serializers.IntegerField(allow_null=True, help_text="Null when masked.")
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    full_name = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    masked = serializers.BooleanField(help_text="True when the identity is sealed for the requesting user.")


class PetitionerSerializer(PersonSerializer):
    is_representative = serializers.BooleanField()
    confidential = serializers.BooleanField(help_text="A denouncer (identity protected by LTC Art. 47).")


class IntakeFlagSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. possible_repeat, skipped_level, limitation_expired")
    message = serializers.CharField()
    case_id = serializers.IntegerField(required=False)
    reference = serializers.CharField(required=False)
    state = serializers.CharField(required=False)
    similarity = serializers.FloatField(required=False)


class DeadlineSerializer(serializers.ModelSerializer):
    basis = serializers.SerializerMethodField(
        help_text="The article the deadline rests on, in the response's language."
    )
    working_days_left = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "kind",
            "due_date",
            "basis",
            "day_type",
            "start_date",
            "base_days",
            "extension_days",
            "status",
            "working_days_left",
            "overdue",
            "explanation",
        ]
        read_only_fields = fields

    def _calendar(self) -> WorkingCalendar:
        return self.context["calendar"]

    def _today(self):
        return self.context["today"]

    def get_basis(self, deadline: Deadline) -> str:
        return policy.translate_citation(deadline.basis)

    def get_working_days_left(self, deadline: Deadline) -> int | None:
        return working_days_left(deadline, self._today(), self._calendar())

    def get_overdue(self, deadline: Deadline) -> bool:
        return deadline.is_overdue(self._today())

    def get_explanation(self, deadline: Deadline) -> str:
        return explain(deadline, self._calendar())


def request_context(request) -> dict[str, Any]:
    """What the output serializers need; views compute it once per request."""
    return {
        "request": request,
        "calendar": WorkingCalendar.load(),
        "today": timezone.localdate(),
        "disclosures": getattr(request, "disclosures", None) or Disclosures(),
    }


# --- Cases ---------------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    deadlines = DeadlineSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    petitioners = serializers.SerializerMethodField()
    intake_flags = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()
    appeal_case = serializers.SerializerMethodField()
    # Read-only model fields lose allow_blank; declared so the schema admits "" (no outcome yet).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "round",
            "state",
            "unit",
            "handler",
            "channel",
            "received_at",
            "summary",
            "respondent_unit",
            "respondent",
            "decision_known_at",
            "limitation_excuse",
            "several_locations",
            "is_group",
            "reason_code",
            "guidance",
            "outcome",
            "outcome_summary",
            "claim_differs",
            "decision_number",
            "accepted_at",
            "decided_at",
            "published_at",
            "closed_at",
            "registered_by",
            "intake_flags",
            "deadlines",
            "version",
            "available_actions",
            "petitioners",
            "transferred_from",
            "transferred_to",
            "first_round_case",
            "appeal_case",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_available_actions(self, case: Case) -> list[str]:
        return available_actions(case, self._user())

    @extend_schema_field(PetitionerSerializer(many=True))
    def get_petitioners(self, case: Case) -> list[dict]:
        allowed = can_see_denouncer(self._user(), case)
        people: dict[int, dict] = {}
        for link in case.case_parties.all():
            entry = people.setdefault(
                link.party_id, {"party": link.party, "roles": set(), "confidential": False}
            )
            entry["roles"].add(link.role)
            entry["confidential"] |= link.confidential
        out = []
        for entry in people.values():
            masked = entry["confidential"] and not allowed
            if entry["confidential"] and allowed:
                self.context["disclosures"].add(case, entry["party"])
            out.append(
                {
                    **party_view(entry["party"], masked=masked),
                    "is_representative": PartyRole.REPRESENTATIVE in entry["roles"],
                    "confidential": entry["confidential"],
                }
            )
        return out

    @extend_schema_field(IntakeFlagSerializer(many=True))
    def get_intake_flags(self, case: Case) -> list[dict]:
        return scrub(case.intake_flags or [], secrets_of(case, self._user()))

    def get_transferred_to(self, case: Case) -> list[int]:
        return [c.pk for c in case.transfers.all()]

    def get_appeal_case(self, case: Case) -> int | None:
        appeals = list(case.appeal_cases.all())
        return appeals[0].pk if appeals else None


class CaseBriefSerializer(serializers.ModelSerializer):
    intake_flags = IntakeFlagSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "round", "state", "version", "intake_flags"]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "from_state",
            "to_state",
            "effective_date",
            "note",
            "changes",
        ]
        read_only_fields = fields

    def get_actor(self, event: CaseEvent) -> str | None:
        return event.actor.get_username() if event.actor_id else None

    def get_note(self, event: CaseEvent) -> str:
        return scrub(event.note, self.context["secrets"])

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {}},
            "description": "Changed fields as {field: [before, after]}.",
        }
    )
    def get_changes(self, event: CaseEvent) -> dict:
        return scrub(event.changes or {}, self.context["secrets"])


class PetitionerInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False, default=PartyKind.PERSON)
    is_representative = serializers.BooleanField(required=False, default=False)

    def to_petitioner(self, data: dict) -> PetitionerInput:
        return PetitionerInput.from_dict(data)


class _ScopedFieldsMixin:
    """Related-object fields resolve only within what the requesting user can see."""

    def _scope(self, fields):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name in ("first_round_case", "existing_cases", "cases"):
            field = fields.get(name)
            target = getattr(field, "child_relation", field)
            if isinstance(target, serializers.PrimaryKeyRelatedField) and user is not None:
                target.queryset = visible_cases(user)
        return fields


class CaseBodySerializer(_ScopedFieldsMixin, serializers.Serializer):
    """A case raised at the desk: the letter intake body minus `unit` and `received_at`."""

    kind = serializers.ChoiceField(choices=CaseKind.choices)
    round = serializers.IntegerField(
        min_value=1, max_value=2, required=False, allow_null=True, help_text="Complaints: 1 or 2."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.IN_PERSON)
    summary = serializers.CharField(max_length=20000)
    petitioners = PetitionerInputSerializer(many=True, required=False, default=list)
    first_round_case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(),
        required=False,
        allow_null=True,
        help_text="Round 2: the first-round case.",
    )
    respondent_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False, allow_null=True
    )
    respondent = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    decision_known_at = serializers.DateField(required=False, allow_null=True)
    limitation_excuse = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    several_locations = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        return self._scope(super().get_fields())

    @staticmethod
    def to_input(data: dict, *, unit: Unit, received_at) -> CaseInput:
        return CaseInput(
            unit=unit,
            kind=data["kind"],
            channel=data["channel"],
            received_at=received_at,
            summary=data["summary"],
            petitioners=[PetitionerInput.from_dict(p) for p in data.get("petitioners", [])],
            round=data.get("round"),
            first_round_case=data.get("first_round_case"),
            respondent_unit=data.get("respondent_unit"),
            respondent=data.get("respondent", ""),
            decision_known_at=data.get("decision_known_at"),
            limitation_excuse=data.get("limitation_excuse", ""),
            several_locations=data.get("several_locations", False),
        )


class CaseCreateSerializer(CaseBodySerializer):
    """Intake of a letter (POST /api/v1/cases/)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateField(help_text="The date the letter was received.")

    def to_case_input(self) -> CaseInput:
        data = self.validated_data
        return self.to_input(data, unit=data["unit"], received_at=data["received_at"])


# --- Actions -------------------------------------------------------------------------------------


def _param_field(param: Param) -> serializers.Field:
    common = {"required": param.required}
    if param.type == "text":
        return serializers.CharField(max_length=param.max_length, allow_blank=not param.required, **common)
    if param.type == "int":
        return serializers.IntegerField(min_value=1, max_value=32767, **common)
    if param.type == "bool":
        return serializers.BooleanField(**common)
    if param.type == "choice":
        return serializers.ChoiceField(choices=list(param.choices), **common)
    if param.type == "unit":
        return serializers.IntegerField(min_value=1, max_value=MAX_BIGINT, help_text="Unit id.", **common)
    return serializers.IntegerField(min_value=1, max_value=MAX_INT, help_text="User id.", **common)


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, help_text="The case version the user saw (optimistic locking)."
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    effective_date = serializers.DateField(
        required=False, allow_null=True, help_text="The date on the paper; deadlines count from it."
    )

    def split(self) -> tuple[int, str, Any, dict]:
        data = dict(self.validated_data)
        return data.pop("version"), data.pop("note", ""), data.pop("effective_date", None), data


def action_serializer(action: str) -> type[ActionSerializer]:
    """The request body of one action, built from workflows.actions.ACTION_PARAMS."""
    name = "".join(part.title() for part in action.split("_")) + "ActionSerializer"
    attrs = {p.name: _param_field(p) for p in ACTION_PARAMS[action]}
    attrs["__doc__"] = f"Body of the `{action}` action."
    attrs["Meta"] = type("Meta", (), {"ref_name": None})
    return type(name, (ActionSerializer,), attrs)


ACTION_SERIALIZERS = {action: action_serializer(action) for action in ACTION_PARAMS}


# --- Visits --------------------------------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    visitors = serializers.SerializerMethodField()
    cases = CaseBriefSerializer(many=True, read_only=True)
    officer = serializers.SerializerMethodField()
    refusal_reason = serializers.ChoiceField(choices=RefusalReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "unit",
            "year",
            "book_number",
            "officer",
            "visited_at",
            "reception_kind",
            "received_by_head",
            "visitor_count",
            "is_group",
            "summary",
            "previously_handled_by",
            "outcome",
            "refusal_reason",
            "guidance",
            "notes",
            "visitors",
            "cases",
            "created_at",
        ]
        read_only_fields = fields

    def get_officer(self, visit: Visit) -> str:
        return visit.officer.get_username()

    @extend_schema_field(PersonSerializer(many=True))
    def get_visitors(self, visit: Visit) -> list[dict]:
        user = self.context["request"].user
        # A visitor who is a denouncer of a case opened at this visit is sealed like on the case.
        sealing: dict[int, list[Case]] = {}
        for case in visit.cases.all():
            for link in case.case_parties.all():
                if link.confidential:
                    sealing.setdefault(link.party_id, []).append(case)
        out = []
        for party in visit.visitors.all():
            cases = sealing.get(party.pk, [])
            masked = any(not can_see_denouncer(user, c) for c in cases)
            if cases and not masked:
                self.context["disclosures"].add(cases[0], party)
            out.append(party_view(party, masked=masked))
        return out


class VisitCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    visited_at = RecentDateTimeField()
    summary = serializers.CharField(max_length=20000)
    visitors = PetitionerInputSerializer(many=True, help_text="People who came; they identify themselves.")
    cases = CaseBodySerializer(many=True, required=False, default=list, help_text="Cases opened at the desk.")
    existing_cases = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), many=True, required=False, default=list
    )
    refusal_reason = serializers.ChoiceField(
        choices=RefusalReason.choices, required=False, allow_blank=True, default=""
    )
    guidance = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    visitor_count = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    reception_kind = serializers.ChoiceField(
        choices=ReceptionKind.choices, required=False, default=ReceptionKind.REGULAR
    )
    received_by_head = serializers.BooleanField(required=False, default=False)
    previously_handled_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")

    def get_fields(self):
        return self._scope(super().get_fields())

    def to_visit_input(self) -> VisitInput:
        data = self.validated_data
        unit = data["unit"]
        visited_on = data["visited_at"].date()
        return VisitInput(
            unit=unit,
            visited_at=data["visited_at"],
            summary=data["summary"],
            visitors=[PetitionerInput.from_dict(v) for v in data["visitors"]],
            cases=[CaseBodySerializer.to_input(c, unit=unit, received_at=visited_on) for c in data["cases"]],
            visitor_count=data.get("visitor_count"),
            reception_kind=data["reception_kind"],
            received_by_head=data["received_by_head"],
            refusal_reason=data["refusal_reason"],
            guidance=data["guidance"],
            previously_handled_by=data["previously_handled_by"],
            existing_cases=list(data["existing_cases"]),
            notes=data["notes"],
        )


# --- Dialogues -----------------------------------------------------------------------------------


class DialogueSerializer(serializers.ModelSerializer):
    cases = serializers.SerializerMethodField()

    class Meta:
        model = Dialogue
        fields = [
            "id",
            "kind",
            "unit",
            "chair",
            "held_at",
            "place",
            "participants",
            "minutes",
            "agreed_points",
            "complainant_attended",
            "absence_with_valid_reason",
            "cases",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_cases(self, dialogue: Dialogue) -> list[int]:
        return [c.pk for c in dialogue.cases.all()]


class DialogueCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=DialogueKind.choices, required=False, default=DialogueKind.CASE)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="User id of the chair; defaults to the user recording it.",
    )
    held_at = RecentDateTimeField()
    place = serializers.CharField(max_length=200)
    participants = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    agreed_points = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    cases = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), many=True, required=False, default=list
    )
    complainant_attended = serializers.BooleanField(required=False, default=True)
    absence_with_valid_reason = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        return self._scope(super().get_fields())


# --- Reference data and the rest ------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    authority_level = serializers.CharField(source="level.authority_level", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "level",
            "authority_level",
            "parent",
            "path",
            "depth",
            "is_remote",
            "head",
            "is_active",
        ]
        read_only_fields = fields


class MembershipUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    units = MembershipUnitSerializer(many=True)


class PartySerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="Empty when unknown.")

    class Meta:
        model = Party
        fields = ["id", "kind", "full_name", "id_number", "address", "phone", "email", "created_at"]
        read_only_fields = fields


class CalendarDaySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CalendarDayKind.choices)
    reason = serializers.CharField(max_length=200)

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "reason", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        # Uniqueness is not a validation error here: posting an existing date changes it.
        extra_kwargs = {"date": {"validators": []}}


class CalendarChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarDayKind.choices, required=False)
    reason = serializers.CharField(required=False)
    deadlines_moved = serializers.IntegerField(help_text="Running deadlines whose due date changed.")


class AccessLogSerializer(serializers.ModelSerializer):
    username = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = ["id", "at", "user", "username", "kind", "case", "party", "channel", "detail"]
        read_only_fields = fields

    def get_username(self, row: AccessLog) -> str | None:
        return row.user.get_username() if row.user_id else None


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=str(_("Send as `Authorization: Token <token>`.")))
