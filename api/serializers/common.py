"""Pieces every resource's serializers share: id bounds, dates, intake flags, deadlines, the scoping of
related-object fields to the user's reach, and the per-request context."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.access import visible_cases
from casework.confidentiality import Disclosures, Secrets
from casework.models import AccessLog, Deadline
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar, one_calendar
from casework.rules.explain import SnapshotMemo, explanation, explanation_key
from casework.rules.periods import working_days_left

from . import strict

# Ids accepted in request bodies: beyond these the database column cannot hold them anyway.
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1


FROM_1970_01_02 = (
    "^(1970-(01-(0[2-9]|[1-3][0-9])|(0[2-9]|1[0-2])-[0-9]{2})"  # 1970 from 2 January
    "|(197[1-9]|19[89][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2})T"  # 1971 on
)


class RecentDateTimeField(serializers.DateTimeField):
    """A date-time from 1970 on. Earlier local times in Asia/Ho_Chi_Minh carry a local-mean-time offset
    (+07:06:30) that RFC 3339 cannot express, and nothing this system records happened then."""

    EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The schema says "from 1970-01-02 on" as written: a UTC offset (at most a day) cannot take such a
        # time before EARLIEST; of 1 January 1970 it cannot tell.
        extend_schema_field({"type": "string", "format": "date-time", "pattern": FROM_1970_01_02})(self)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed < self.EARLIEST:
            raise serializers.ValidationError(_("Must be on or after 1970-01-01."), code="too_early")
        return parsed


class IntakeFlagSerializer(serializers.Serializer):
    code = strict.CharField(help_text="e.g. possible_repeat, skipped_level, limitation_expired")
    message = strict.CharField()
    case_id = strict.IntegerField(required=False)
    reference = strict.CharField(required=False)
    state = strict.CharField(required=False)
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
        return explanation(deadline, self._calendar())

    def to_representation(self, deadline: Deadline) -> dict[str, Any]:
        # The fields written out directly: a list page has a few deadlines per row and DRF's generic
        # per-field walk cost more than the values themselves. The same output as the declared fields
        # (tests/api/test_case_rows_equivalence.py compares the two). A row is remembered per calendar
        # snapshot under everything it reads: explain()'s inputs (explanation_key: the language, which
        # the basis is translated into too, the clock's fields and its ledger), the due date and
        # today; clocks of cases received the same day under the same rule write alike.
        return self.row_for(deadline, get_language())

    def row_for(self, deadline: Deadline, language: str | None) -> dict[str, Any]:
        """to_representation in `language`, the active one (a case row looks it up once)."""
        calendar, today = self._calendar(), self._today()
        explained = explanation_key(deadline, language)
        key = (explained, deadline.due_date, today)
        return dict(_deadline_rows.get(calendar, key, lambda: self._row(deadline, explained)))

    def _row(self, deadline: Deadline, explained: tuple) -> dict[str, Any]:
        due, start = deadline.due_date, deadline.start_date
        return {
            "kind": deadline.kind,
            "due_date": due.isoformat() if due else None,
            "basis": self.get_basis(deadline),
            "day_type": deadline.day_type,
            "start_date": start.isoformat() if start else None,
            "base_days": deadline.base_days,
            "extension_days": deadline.extension_days,
            "status": deadline.status,
            "working_days_left": self.get_working_days_left(deadline),
            "overdue": self.get_overdue(deadline),
            "explanation": explanation(deadline, self._calendar(), explained),
        }

    def generic_representation(self, deadline: Deadline) -> dict[str, Any]:
        """DRF's own field-by-field representation, which to_representation must equal."""
        return dict(super().to_representation(deadline))


# DeadlineSerializer's rows, per calendar snapshot (a new snapshot starts afresh) and bounded.
_deadline_rows = SnapshotMemo(50_000)


def request_context(request, calendar_stamp: tuple | None = None) -> dict[str, Any]:
    """What the output serializers need; views compute it once per request. `calendar_stamp`: the
    calendar's stamp read with the rows (casework.rules.calendar.stamp_columns), which spares the
    query that asks for it."""
    if calendar_stamp is None:
        calendar = WorkingCalendar.load()
    else:
        with one_calendar(calendar_stamp):
            calendar = WorkingCalendar.load()
    return {
        "request": request,
        "calendar": calendar,
        "today": timezone.localdate(),
        "disclosures": getattr(request, "disclosures", None) or Disclosures(),
    }


class ScrubbedTextMixin:
    # Free-text fields of the representation as the requesting user may read them: a sealed
    # denouncer's identity is replaced wherever it is written (casework.confidentiality). A comment,
    # not a docstring: the OpenAPI description of every serializer would inherit it.

    scrubbed_fields: tuple[str, ...] = ()

    def secrets(self, instance) -> Secrets:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        secrets = self.secrets(instance)
        if secrets:
            for name in self.scrubbed_fields:
                data[name] = secrets.apply(data[name])
        return data


class ScopedFieldsMixin:
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


class AccessLogSerializer(serializers.ModelSerializer):
    username = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = ["id", "at", "user", "username", "kind", "case", "party", "channel", "detail"]
        read_only_fields = fields

    def get_username(self, row: AccessLog) -> str | None:
        return row.user.get_username() if row.user_id else None


class TokenRequestSerializer(serializers.Serializer):
    username = strict.CharField(max_length=150)
    password = strict.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = strict.CharField(help_text=str(_("Send as `Authorization: Token <token>`.")))
