"""Staff endpoints for the communes' dialogue conferences with residents (casework.conferences):

* ``GET|POST /api/v1/conferences/`` list (units the user may see) / schedule;
* ``GET /api/v1/conferences/{id}/``;
* ``POST /api/v1/conferences/{id}/announce/``, ``/record/``, ``/publish/``, ``/cancel/``;
* ``GET /api/v1/reports/conferences/?year=…&within=…`` held / announced on time / results on time per
  commune (monitors, heads, administrators).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import conferences, reports
from casework.access import visible_cases, visible_units
from casework.choices import ConferenceFormat, ConferenceReason
from casework.models import Case, DialogueConference, Unit
from casework.replica import reading_reports

from .exceptions import ErrorSerializer, ValidationErrorSerializer
from .reports import ReadsReports
from .serializers import strict
from .serializers.strict import QueryIntegerField

TEXT = 20000


class ConferenceSerializer(serializers.ModelSerializer):
    cases = serializers.SerializerMethodField()
    # Not format `uri`: a conference held in person has no link, and the empty string is no URI.
    link = serializers.CharField(read_only=True, help_text="A web address; empty for one held in person.")
    announced_on_time = serializers.BooleanField(allow_null=True, read_only=True)
    results_on_time = serializers.BooleanField(allow_null=True, read_only=True)

    class Meta:
        model = DialogueConference
        fields = [
            "id",
            "unit",
            "status",
            "reason",
            "starts_at",
            "format",
            "place",
            "link",
            "topics",
            "notice_due_on",
            "announced_on",
            "announced_on_time",
            "held_on",
            "participant_count",
            "participants",
            "questions",
            "answers",
            "commitments",
            "cases",
            "results_due_on",
            "results",
            "results_published_on",
            "results_on_time",
            "created_at",
        ]
        read_only_fields = fields

    def get_cases(self, conference: DialogueConference) -> list[int]:
        return [c.pk for c in conference.cases.all()]


class WebLinkField(serializers.URLField):
    """A conference's link: the schema gives the shape of an ordinary web address, which Django's URL
    check accepts (format `uri` alone lets a generator send schemes and hosts it refuses)."""

    PATTERN = r"^https?://([a-z0-9]+\.)+[a-z]{2,6}(/[A-Za-z0-9._~%/-]*)?$"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        extend_schema_field(
            {"type": "string", "format": "uri", "maxLength": kwargs["max_length"], "pattern": self.PATTERN}
        )(self)


class ConferenceScheduleSerializer(serializers.Serializer):
    # casework.conferences._where: in person it has a place, online or over a social network a link.
    request_schema_rules = {
        "anyOf": [
            {
                "properties": {
                    "format": {"enum": [ConferenceFormat.IN_PERSON.value]},
                    "place": {"pattern": strict.VISIBLE},
                },
                "required": ["place"],
            },
            {
                "properties": {
                    "format": {
                        "enum": [f for f in ConferenceFormat.values if f != ConferenceFormat.IN_PERSON]
                    },
                    "link": {"minLength": 1},
                },
                "required": ["format", "link"],
            },
        ]
    }

    unit = strict.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    starts_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=ConferenceReason.choices, default=ConferenceReason.YEARLY)
    format = serializers.ChoiceField(choices=ConferenceFormat.choices, default=ConferenceFormat.IN_PERSON)
    place = strict.CharField(max_length=300, required=False, allow_blank=True, default="")
    link = WebLinkField(max_length=500, required=False, allow_blank=True, default="")
    topics = strict.CharField(max_length=TEXT)


class DayOnlySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day it went out (default: today).")


class ConferenceRecordSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    participant_count = strict.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    participants = strict.CharField(max_length=TEXT, required=False, allow_blank=True, default="")
    questions = strict.CharField(max_length=TEXT)
    answers = strict.CharField(max_length=TEXT, required=False, allow_blank=True, default="")
    commitments = strict.CharField(max_length=TEXT, required=False, allow_blank=True, default="")
    cases = strict.PrimaryKeyRelatedField(
        queryset=Case.objects.all(), many=True, required=False, default=list, help_text="Cases it produced."
    )


class ConferencePublishSerializer(DayOnlySerializer):
    results = strict.CharField(max_length=TEXT)


_ERRORS = {400: ValidationErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(tags=["conferences"]),
    retrieve=extend_schema(tags=["conferences"]),
    create=extend_schema(
        tags=["conferences"],
        summary="Schedule a dialogue conference",
        request=ConferenceScheduleSerializer,
        responses={201: ConferenceSerializer, **_ERRORS},
    ),
)
class ConferenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Dialogue conferences of the communes with their residents (LGO 2025 Art. 43)."""

    serializer_class = ConferenceSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    ordering = "-starts_at"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DialogueConference.objects.none()
        return (
            DialogueConference.objects.filter(unit__in=visible_units(self.request.user))
            .prefetch_related("cases")
            .order_by("-starts_at", "-id")
        )

    def _answer(self, conference: DialogueConference, code=status.HTTP_200_OK) -> Response:
        conference = self.get_queryset().get(pk=conference.pk)
        return Response(ConferenceSerializer(conference).data, status=code)

    def create(self, request, *args, **kwargs):
        body = ConferenceScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conference = conferences.schedule_conference(actor=request.user, **body.validated_data)
        return self._answer(conference, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["conferences"],
        summary="Announce (publish the notice)",
        request=DayOnlySerializer,
        responses={200: ConferenceSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        body = DayOnlySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conference = conferences.announce_conference(
            actor=request.user, conference=self.get_object(), on=body.validated_data.get("on")
        )
        return self._answer(conference)

    @extend_schema(
        tags=["conferences"],
        summary="Keep the record of a conference held",
        request=ConferenceRecordSerializer,
        responses={200: ConferenceSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        conference = self.get_object()
        body = ConferenceRecordSerializer(data=request.data)
        body.fields["cases"].child_relation.queryset = visible_cases(request.user)
        body.is_valid(raise_exception=True)
        conference = conferences.record_conference(
            actor=request.user, conference=conference, **body.validated_data
        )
        return self._answer(conference)

    @extend_schema(
        tags=["conferences"],
        summary="Publish the results",
        request=ConferencePublishSerializer,
        responses={200: ConferenceSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        body = ConferencePublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conference = conferences.publish_conference_results(
            actor=request.user,
            conference=self.get_object(),
            results=body.validated_data["results"],
            on=body.validated_data.get("on"),
        )
        return self._answer(conference)

    @extend_schema(
        tags=["conferences"],
        summary="Cancel a scheduled conference",
        request=None,
        responses={200: ConferenceSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        conference = conferences.cancel_conference(actor=request.user, conference=self.get_object())
        return self._answer(conference)


# --- Report --------------------------------------------------------------------------------------


class ConferenceReportQuery(serializers.Serializer):
    year = QueryIntegerField(min_value=reports.MIN_YEAR, max_value=reports.MAX_YEAR, required=False)
    within = QueryIntegerField(min_value=1, required=False)


class ConferenceRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    required = serializers.IntegerField(allow_null=True)
    held = serializers.IntegerField()
    announced_on_time = serializers.IntegerField()
    results_on_time = serializers.IntegerField()
    results_pending = serializers.IntegerField()
    voter_requests = serializers.IntegerField()
    held_as_required = serializers.BooleanField(allow_null=True)


class ConferenceTotalsSerializer(serializers.Serializer):
    held = serializers.IntegerField()
    announced_on_time = serializers.IntegerField()
    results_on_time = serializers.IntegerField()
    results_pending = serializers.IntegerField()
    voter_requests = serializers.IntegerField()
    communes = serializers.IntegerField()
    communes_held_as_required = serializers.IntegerField()


class ConferenceReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    within = serializers.IntegerField(allow_null=True)
    rows = ConferenceRowSerializer(many=True)
    totals = ConferenceTotalsSerializer()


class ConferenceReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadsReports]

    @extend_schema(
        tags=["reports"],
        summary="Dialogue conferences per commune for a year",
        parameters=[ConferenceReportQuery],
        responses={200: ConferenceReportSerializer, 400: ValidationErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        query = ConferenceReportQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        scope = reports.Scope.for_user(request.user)
        within = None
        if query.validated_data.get("within") is not None:
            try:
                within = reports.resolve_within(scope, query.validated_data["within"])
            except reports.ReportError as error:
                raise NotFound(error.message) from None
        year = query.validated_data.get("year") or timezone.localdate().year
        with reading_reports():
            data = reports.conference_compliance(year=year, scope=scope, within=within)
        return Response(data)
