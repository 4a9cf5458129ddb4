"""Visits: the reception book's rows (visitors sealed and text scrubbed by casework.confidentiality)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.choices import ReceptionKind, RefusalReason
from casework.confidentiality import VISIT_FREE_TEXT, Secrets, secrets_for_cases, visitors_for
from casework.models import Case, Unit, Visit
from workflows.intake import PetitionerInput, VisitInput

from . import strict
from .cases import CaseBodySerializer, CaseBriefSerializer
from .common import RecentDateTimeField, ScopedFieldsMixin, ScrubbedTextMixin
from .people import PetitionerInputSerializer, PetitionerSerializer


class VisitSerializer(ScrubbedTextMixin, serializers.ModelSerializer):
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

    scrubbed_fields = VISIT_FREE_TEXT

    def secrets(self, visit: Visit) -> Secrets:
        return secrets_for_cases(visit.cases.all(), self.context["request"].user)

    @extend_schema_field(PetitionerSerializer(many=True))
    def get_visitors(self, visit: Visit) -> list[dict]:
        return visitors_for(visit, self.context["request"].user, self.context["disclosures"])


class VisitCreateSerializer(ScopedFieldsMixin, serializers.Serializer):
    # workflows.intake.visits: someone came; the visit has an outcome (cases opened, guidance given, an
    # existing case or a refusal), and a refused visit opens no case.
    request_schema_rules = {
        "allOf": [
            {"properties": {"visitors": {"minItems": 1, "maxItems": settings.INTAKE_MAX_PETITIONERS}}},
            {
                "anyOf": [
                    {"properties": {"refusal_reason": {"minLength": 1}}, "required": ["refusal_reason"]},
                    {"properties": {"cases": {"minItems": 1}}, "required": ["cases"]},
                    {"properties": {"guidance": {"pattern": strict.VISIBLE}}, "required": ["guidance"]},
                    {"properties": {"existing_cases": {"minItems": 1}}, "required": ["existing_cases"]},
                ]
            },
            {
                "not": {
                    "properties": {"refusal_reason": {"minLength": 1}, "cases": {"minItems": 1}},
                    "required": ["refusal_reason", "cases"],
                }
            },
        ]
    }

    unit = strict.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    visited_at = RecentDateTimeField()
    summary = strict.CharField(max_length=20000)
    visitors = PetitionerInputSerializer(many=True, help_text="People who came; they identify themselves.")
    cases = CaseBodySerializer(many=True, required=False, default=list, help_text="Cases opened at the desk.")
    existing_cases = strict.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), many=True, required=False, default=list
    )
    refusal_reason = serializers.ChoiceField(
        choices=RefusalReason.choices, required=False, allow_blank=True, default=""
    )
    guidance = strict.CharField(max_length=20000, required=False, allow_blank=True, default="")
    visitor_count = strict.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    reception_kind = serializers.ChoiceField(
        choices=ReceptionKind.choices, required=False, default=ReceptionKind.REGULAR
    )
    received_by_head = serializers.BooleanField(required=False, default=False)
    previously_handled_by = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = strict.CharField(max_length=20000, required=False, allow_blank=True, default="")

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
