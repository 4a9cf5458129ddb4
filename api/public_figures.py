"""Public endpoints of issue 15 beside the citizens' pages (no login):

* ``GET /api/v1/public/statistics/?unit=…&date_from=…&date_to=…``: the published figures of a unit's
  area (casework.reports.public_figures) — no case, reference or person in the answer;
* ``POST /api/v1/public/cases/{reference}/rating/``: the petitioner rates a decided or closed case with
  its lookup code (casework.ratings).

Both are throttled per client address; a wrong code answers exactly as an unknown reference does.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import reports
from casework.choices import AuthorityLevel, Quality, Satisfaction, Timeliness
from casework.models import Unit
from casework.ratings import MAX_COMMENT, MAX_CONTACTS, RatingRefused, rate_case
from casework.replica import reading_reports
from casework.services import ServiceError

from . import public_access
from .exceptions import ErrorSerializer, ValidationErrorSerializer
from .reports import ReportDateField
from .serializers import strict
from .serializers.strict import QueryIntegerField
from .throttling import ClientAnonRateThrottle


class PublicThrottle(ClientAnonRateThrottle):
    """Anonymous calls per client address (the figures and the ratings)."""

    scope = "public_figures"

    def get_rate(self) -> str | None:
        return getattr(settings, "PUBLIC_FIGURES_THROTTLE_RATE", "60/minute")

    def allow_request(self, request, view) -> bool:
        return True if self.get_rate() is None else super().allow_request(request, view)


# --- Figures -------------------------------------------------------------------------------------


def default_period(today: date) -> reports.Period:
    """The year so far: what a unit's page shows before anyone picks dates."""
    return reports.custom_period(date(today.year, 1, 1), today)


class StatisticsQuerySerializer(serializers.Serializer):
    unit = QueryIntegerField(min_value=1, help_text="The unit whose area the figures cover (a unit id).")
    date_from = ReportDateField(required=False, help_text="First day (default: 1 January).")
    date_to = ReportDateField(required=False, help_text="Last day (default: today).")

    def validate(self, attrs):
        today = timezone.localdate()
        f = attrs.get("date_from") or date(today.year, 1, 1)
        t = attrs.get("date_to") or today
        if f > t:
            # Also with one date given and the other's default (which depends on today).
            raise ValidationError(
                {"date_to": [_("The end date is before the start date.")]}, code="date_order"
            )
        try:
            attrs["period_obj"] = reports.custom_period(f, t)
        except reports.ReportError as error:
            raise ValidationError({error.field: [error.message]}, code=error.code) from None
        return attrs


class PhrasesSerializer(serializers.Serializer):
    resolved = serializers.CharField(help_text='e.g. "62 of 77 resolved, 80.5%"')
    on_time = serializers.CharField()
    satisfaction = serializers.CharField()


class PublicFiguresRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AuthorityLevel.choices, required=False)
    received = serializers.IntegerField()
    in_competence = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField()
    very_satisfied = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    not_satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    phrases = PhrasesSerializer()


class FiguresUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class FiguresPeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    label = serializers.CharField()


class PublicFiguresSerializer(serializers.Serializer):
    unit = FiguresUnitSerializer()
    period = FiguresPeriodSerializer()
    levels = PublicFiguresRowSerializer(many=True)
    totals = PublicFiguresRowSerializer()
    figures_as_of = serializers.DateTimeField(
        allow_null=True,
        help_text="Until when the report summaries the figures were counted from had seen changes to "
        "the cases (they are refreshed every few minutes); null when counted from the cases directly.",
    )


def public_unit(unit_id) -> Unit:
    try:
        return Unit.objects.get(pk=int(unit_id), is_active=True)
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such unit.")) from None


class PublicStatisticsView(APIView):
    """Published figures of a unit's area per authority level: received, within competence, resolved,
    the resolution and on-time rates and the citizens' satisfaction, as units publish them."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(
        tags=["public"],
        summary="Published figures of a unit's area",
        parameters=[StatisticsQuerySerializer],
        responses={200: PublicFiguresSerializer, 400: ValidationErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        unit = public_unit(query.validated_data["unit"])
        with reading_reports():
            figures = reports.cached_public_figures(unit=unit, period=query.validated_data["period_obj"])
        return Response(figures)


# --- Rating --------------------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    code = strict.CharField(max_length=64, help_text="The lookup code on the citizen's receipt.")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    timeliness = serializers.ChoiceField(
        choices=Timeliness.choices, help_text="The time taken, against the legal limit."
    )
    contacts = strict.IntegerField(
        min_value=1, max_value=MAX_CONTACTS, help_text="Visits, calls or letters needed, the first included."
    )
    staff_attitude = serializers.ChoiceField(choices=Quality.choices)
    answer_clarity = serializers.ChoiceField(choices=Quality.choices)
    comment = strict.CharField(max_length=MAX_COMMENT, required=False, allow_blank=True, default="")


class RatingResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    rated_at = serializers.DateTimeField()


class PublicRatingView(APIView):
    """The petitioner rates the service on a decided or closed case, once, with the lookup code."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(
        tags=["public"],
        summary="Rate the service on a decided or closed case",
        # Described as the case page describes it: a plain string (slashes included).
        parameters=[
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The case reference, e.g. UBND-X/2026/00012.",
            )
        ],
        request=RatingSerializer,
        responses={
            201: RatingResultSerializer,
            400: ValidationErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request, reference: str):
        body = RatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = public_access.case_for_code(request, reference, data["code"])
        try:
            rating = rate_case(
                case=case,
                satisfaction=data["satisfaction"],
                timeliness=data["timeliness"],
                contacts=data["contacts"],
                staff_attitude=data["staff_attitude"],
                answer_clarity=data["answer_clarity"],
                comment=data["comment"],
            )
        except RatingRefused as error:
            return Response(
                {"code": error.code, "detail": error.errors["case"][0]}, status=status.HTTP_409_CONFLICT
            )
        except ServiceError as error:
            raise ValidationError(error.errors) from None
        return Response(
            {"reference": case.reference, "satisfaction": rating.satisfaction, "rated_at": rating.rated_at},
            status=status.HTTP_201_CREATED,
        )
