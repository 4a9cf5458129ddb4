"""Days off and make-up working days."""

from __future__ import annotations

from rest_framework import serializers

from casework.choices import CalendarDayKind
from casework.models import CalendarDay

from . import strict


class CalendarDaySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CalendarDayKind.choices)
    reason = strict.CharField(max_length=200)

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "reason", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        # Uniqueness is not a validation error here: posting an existing date changes it.
        extra_kwargs = {"date": {"validators": []}}


class CalendarChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarDayKind.choices, required=False)
    reason = strict.CharField(required=False)
    deadlines_moved = strict.IntegerField(help_text="Running deadlines whose due date changed.")
