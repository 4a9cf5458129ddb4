"""Dialogue sessions (minutes and agreed points scrubbed by casework.confidentiality)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from casework.choices import DialogueKind
from casework.confidentiality import DIALOGUE_FREE_TEXT, Secrets, secrets_for_cases
from casework.models import Case, Dialogue, Unit

from . import strict
from .common import RecentDateTimeField, ScopedFieldsMixin, ScrubbedTextMixin

User = get_user_model()


class DialogueSerializer(ScrubbedTextMixin, serializers.ModelSerializer):
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

    scrubbed_fields = DIALOGUE_FREE_TEXT

    def secrets(self, dialogue: Dialogue) -> Secrets:
        return secrets_for_cases(dialogue.cases.all(), self.context["request"].user)

    def get_cases(self, dialogue: Dialogue) -> list[int]:
        return [c.pk for c in dialogue.cases.all()]


class DialogueCreateSerializer(ScopedFieldsMixin, serializers.Serializer):
    # casework.services.record_dialogue: a case dialogue (the default kind) names at least one case; a
    # valid reason for absence only for a complainant who did not attend (who attends by default).
    request_schema_rules = {
        "allOf": [
            {
                "anyOf": [
                    {
                        "properties": {
                            "kind": {"enum": [k for k in DialogueKind.values if k != DialogueKind.CASE]}
                        },
                        "required": ["kind"],
                    },
                    {"properties": {"cases": {"minItems": 1}}, "required": ["cases"]},
                ]
            },
            {
                "anyOf": [
                    {"properties": {"absence_with_valid_reason": {"enum": [False]}}},
                    {
                        "properties": {"complainant_attended": {"enum": [False]}},
                        "required": ["complainant_attended"],
                    },
                ]
            },
        ]
    }

    unit = strict.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=DialogueKind.choices, required=False, default=DialogueKind.CASE)
    chair = strict.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="User id of the chair; defaults to the user recording it.",
    )
    held_at = RecentDateTimeField()
    place = strict.CharField(max_length=200)
    participants = strict.CharField(max_length=20000, required=False, allow_blank=True, default="")
    minutes = strict.CharField(max_length=20000, required=False, allow_blank=True, default="")
    agreed_points = strict.CharField(max_length=20000, required=False, allow_blank=True, default="")
    cases = strict.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), many=True, required=False, default=list
    )
    complainant_attended = serializers.BooleanField(required=False, default=True)
    absence_with_valid_reason = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        return self._scope(super().get_fields())
