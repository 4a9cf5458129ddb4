"""Report endpoints (GET /api/v1/reports/...): resolution rates, outcomes, reception activity and the
overdue audit, as JSON or as CSV / XLSX downloads (``?format=csv|xlsx``, ``lang=vi|en``).

The views only parse parameters and pick the output; the figures come from casework.reports. Monitors,
unit heads and administrators read them over the subtrees of their units; `within` outside those is a
404, like a unit that does not exist. No report carries a denouncer's (or anyone's) identity.
"""

from __future__ import annotations

import json
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import exports, reports
from casework.choices import AuthorityLevel, CaseKind, DeadlineKind
from casework.replica import reading_reports
from casework.reports.statistics import to_xlsx as statistics_xlsx

from .exceptions import ErrorSerializer, ValidationErrorSerializer
from .schema import ApiAutoSchema
from .serializers.strict import QueryIntegerField

LANGS = (("vi", "Tiếng Việt"), ("en", "English"))
EXPORT_FORMATS = ("csv", "xlsx")


# --- Renderers: only for content negotiation of ?format=csv|xlsx; the view writes the file ----------


class _ExportRenderer(BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Reached only if a view returned data instead of a file; errors are switched to JSON below.
        return json.dumps(data, default=str).encode()


class CSVRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_ExportRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class ReportSchema(ApiAutoSchema):
    """Errors of a download request are JSON too (see ReportView.finalize_response)."""

    def _error_statuses(self) -> dict[str, object]:
        # Bad parameters are a 400; a `within` outside the user's units is a 404.
        return {**super()._error_statuses(), "400": ValidationErrorSerializer, "404": ErrorSerializer}

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        if str(status_code).startswith(("4", "5")):
            media_types = ["application/json"]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


class ReadsReports(permissions.BasePermission):
    message = gettext_lazy("Only monitors, unit heads and administrators read reports.")

    def has_permission(self, request, view) -> bool:
        return reports.Scope.for_user(request.user) is not None


# --- Parameters ----------------------------------------------------------------------------------


def _years_pattern(first: int, last: int) -> str:
    """A regular expression for the four-digit years first..last (first >= 1000, last <= 9999)."""
    parts = []
    year = first
    while year <= last:
        # The largest aligned block (10, 100 or 1000 years) that starts at `year` and fits.
        for size in (1000, 100, 10, 1):
            if year % size == 0 and year + size - 1 <= last:
                break
        digits = len(str(size)) - 1
        parts.append(str(year)[: 4 - digits] + "[0-9]" * digits)
        year += size
    return "(" + "|".join(parts) + ")"


class ReportDateField(serializers.DateField):
    """A date in the years reports can compute with; the schema says which (a pattern on the year)."""

    def __init__(self, *, first_year: int = reports.MIN_YEAR, **kwargs):
        super().__init__(**kwargs)
        self.first_year = first_year
        years = _years_pattern(first_year, reports.MAX_YEAR)
        extend_schema_field(
            {"type": "string", "format": "date", "pattern": f"^{years}-[0-9]{{2}}-[0-9]{{2}}$"}
        )(self)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not self.first_year <= parsed.year <= reports.MAX_YEAR:
            raise ValidationError(
                _("Dates run from %(lo)d to %(hi)d.") % {"lo": self.first_year, "hi": reports.MAX_YEAR},
                code="invalid_period",
            )
        return parsed


class PeriodField(serializers.CharField):
    """`period`: the schema publishes the expression parse_period reads."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        extend_schema_field({"type": "string", "pattern": reports.PERIOD_PATTERN})(self)


def _period(attrs: dict, *, cutoff: bool, default=None):
    """The period a report asks for: `period` (with or without the Circular 01/2024 cut-off) or both
    dates, never both ways; with neither, `default` if the report has one."""
    given = [k for k in ("date_from", "date_to") if k in attrs]
    if "period" in attrs:
        if given:
            raise ValidationError(
                {"period": [_("Give either a period or dates, not both.")]}, code="period_conflict"
            )
        try:
            return reports.parse_period(attrs["period"], cutoff=cutoff)
        except reports.ReportError as error:
            raise ValidationError({"period": [error.message]}, code=error.code) from None
    if not given and default is not None:
        return default
    if len(given) != 2:
        raise ValidationError(
            {"date_from": [_("Give date_from and date_to, or a period.")]}, code="period_required"
        )
    if attrs["date_from"] > attrs["date_to"]:
        raise ValidationError({"date_to": [_("The end date is before the start date.")]}, code="date_order")
    try:
        return reports.custom_period(attrs["date_from"], attrs["date_to"])
    except reports.ReportError as error:
        raise ValidationError({error.field: [error.message]}, code=error.code) from None


class PeriodQuerySerializer(serializers.Serializer):
    date_from = ReportDateField(required=False, help_text="First day of the period (included).")
    date_to = ReportDateField(required=False, help_text="Last day of the period (included).")
    period = PeriodField(
        required=False,
        help_text="Instead of the dates: YYYY, YYYY-6M, YYYY-9M, YYYY-Q1..Q4 or YYYY-MM.",
    )
    cutoff = serializers.BooleanField(
        default=True,
        help_text="With `period`: the Circular 01/2024 cut-off (15th of the previous month to the 14th) "
        "or plain calendar boundaries.",
    )
    group_by = serializers.ChoiceField(choices=reports.GROUP_CHOICES, default=reports.GROUP_BY_LEVEL)
    within = QueryIntegerField(
        required=False, min_value=1, help_text="Restrict to this unit's subtree (a unit id)."
    )
    lang = serializers.ChoiceField(choices=LANGS, default="vi", help_text="Headers of CSV / XLSX files.")

    def validate(self, attrs):
        attrs["period_obj"] = _period(attrs, cutoff=attrs["cutoff"])
        return attrs


class KindQuerySerializer(PeriodQuerySerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)


class ResolutionQuerySerializer(KindQuerySerializer):
    compare = serializers.BooleanField(
        default=True, help_text="Add the same period a year earlier (received, resolved, rate)."
    )


class OverdueQuerySerializer(serializers.Serializer):
    as_of = ReportDateField(required=False, help_text="Default: today.")

    within = QueryIntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    limit = QueryIntegerField(required=False, min_value=1, max_value=5000, default=500)
    offset = QueryIntegerField(required=False, min_value=0, default=0)
    lang = serializers.ChoiceField(choices=LANGS, default="vi")


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description="json (default), or a CSV / XLSX download of the same rows with a totals line.",
)


# --- Response shapes (for the schema) ------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    label = serializers.CharField()


class GroupFieldsSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=AuthorityLevel.choices, allow_null=True, help_text="Null in the totals."
    )
    unit = serializers.IntegerField(required=False, help_text="With group_by=unit: the row's unit id.")
    unit_code = serializers.CharField(required=False)
    unit_name = serializers.CharField(required=False)
    includes_subtree = serializers.BooleanField(
        required=False, help_text="False for the anchor unit's own cases; true for a child and its subtree."
    )


class ComparisonSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True)


class ResolutionRowSerializer(GroupFieldsSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, allow_null=True)
    received = serializers.IntegerField()
    carried_over = serializers.IntegerField()
    newly_accepted = serializers.IntegerField()
    in_competence = serializers.IntegerField(help_text="carried_over + newly_accepted")
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="In progress with the resolution due date before date_to.")
    resolution_rate = serializers.FloatField(allow_null=True, help_text="resolved / in_competence × 100")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="resolved_on_time / resolved × 100")
    previous_year = ComparisonSerializer(required=False)
    change = ComparisonSerializer(required=False, help_text="The rate in percentage points.")


class ResolutionReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer(required=False)
    group_by = serializers.ChoiceField(choices=reports.GROUP_CHOICES)
    within = serializers.IntegerField(allow_null=True)
    rows = ResolutionRowSerializer(many=True)
    totals = ResolutionRowSerializer()
    figures_as_of = serializers.DateTimeField(
        allow_null=True,
        help_text="When the figures come from the report summaries (refreshed every few minutes): the "
        "time up to which they count changes; null when computed from the cases directly.",
    )


class OutcomeSharesSerializer(serializers.Serializer):
    right = serializers.FloatField(allow_null=True)
    partly_right = serializers.FloatField(allow_null=True)
    wrong = serializers.FloatField(allow_null=True)
    true = serializers.FloatField(allow_null=True)
    partly_true = serializers.FloatField(allow_null=True)
    untrue = serializers.FloatField(allow_null=True)
    answered = serializers.FloatField(allow_null=True)
    withdrawn = serializers.FloatField(allow_null=True)


class OutcomeRowSerializer(GroupFieldsSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, allow_null=True)
    resolved = serializers.IntegerField()
    right = serializers.IntegerField()
    partly_right = serializers.IntegerField()
    wrong = serializers.IntegerField()
    true = serializers.IntegerField()
    partly_true = serializers.IntegerField()
    untrue = serializers.IntegerField()
    answered = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    shares = OutcomeSharesSerializer(help_text="Each count / resolved × 100, one decimal.")


class OutcomeReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.ChoiceField(choices=reports.GROUP_CHOICES)
    within = serializers.IntegerField(allow_null=True)
    rows = OutcomeRowSerializer(many=True)
    totals = OutcomeRowSerializer()


class ReceptionRowSerializer(GroupFieldsSerializer):
    visits = serializers.IntegerField()
    visitors = serializers.IntegerField()
    group_visits = serializers.IntegerField()
    cases_opened = serializers.IntegerField()
    head_days_held = serializers.IntegerField()
    head_days_required = serializers.FloatField(allow_null=True)
    head_reception_compliance = serializers.FloatField(
        allow_null=True, help_text="head_days_held / head_days_required × 100"
    )
    dialogues_held = serializers.IntegerField()
    dialogues_required = serializers.FloatField(allow_null=True)


class ReceptionReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.ChoiceField(choices=reports.GROUP_CHOICES)
    within = serializers.IntegerField(allow_null=True)
    rows = ReceptionRowSerializer(many=True)
    totals = ReceptionRowSerializer()


class OverdueRowSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    reference = serializers.CharField()
    unit = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    level = serializers.ChoiceField(choices=AuthorityLevel.choices)
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    state = serializers.CharField()
    deadline_kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_date = serializers.DateField()
    days_overdue = serializers.IntegerField()
    working_days_overdue = serializers.IntegerField()
    handler = serializers.CharField()
    unit_head = serializers.CharField()
    age_bucket = serializers.ChoiceField(choices=[b[0] for b in reports.AGE_BUCKETS])


class OverdueSummarySerializer(serializers.Serializer):
    deadlines = serializers.IntegerField()
    cases = serializers.IntegerField()
    buckets = serializers.DictField(child=serializers.IntegerField())


class OverdueReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    within = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(help_text="All overdue deadlines; `rows` is the requested slice.")
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    rows = OverdueRowSerializer(many=True)
    totals = OverdueSummarySerializer()


# --- Views ---------------------------------------------------------------------------------------


class ReportView(APIView):
    """Common plumbing: parameters, scope, and the choice between JSON and a file."""

    permission_classes = [permissions.IsAuthenticated, ReadsReports]
    schema = ReportSchema()
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]
    query_serializer: type[serializers.Serializer] = PeriodQuerySerializer
    report_name = ""

    def params(self, request) -> dict:
        # A plain dict: DRF reads a missing boolean in a QueryDict as false, ignoring its default.
        serializer = self.query_serializer(data=request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def scope_and_within(self, request, params: dict):
        scope = reports.Scope.for_user(request.user)
        within = None
        if params.get("within") is not None:
            try:
                within = reports.resolve_within(scope, params["within"])
            except reports.ReportError as error:
                raise NotFound(error.message) from None
        return scope, within

    def build(self, request, params: dict) -> reports.Report:
        raise NotImplementedError

    def get(self, request):
        params = self.params(request)
        # The user is authenticated by now (on the primary); the figures may come from a replica.
        with reading_reports():
            try:
                report = self.build(request, params)
            except reports.ReportError as error:
                if error.code == "not_found":
                    raise NotFound(error.message) from None
                raise ValidationError({error.field: [error.message]}, code=error.code) from None
            export = request.accepted_renderer.format
            if export in EXPORT_FORMATS:
                return self.download(report, export, params.get("lang", "vi"))
            return Response(report.as_dict())

    def download(self, report: reports.Report, export: str, lang: str) -> HttpResponse:
        if export == "csv":
            body, content_type = exports.to_csv(self.report_name, report, lang), "text/csv; charset=utf-8"
        else:
            body, content_type = exports.to_xlsx(self.report_name, report, lang), XLSXRenderer.media_type
        response = HttpResponse(body, content_type=content_type)
        name = exports.filename(self.report_name, report, export)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors of a download request are still JSON with their `code`.
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and renderer is not None and renderer.format in EXPORT_FORMATS:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _report_schema(query: type[serializers.Serializer], body: type[serializers.Serializer], summary: str):
    file_description = "The same rows and a totals line as a file (format=csv or xlsx)."
    return extend_schema(
        tags=["reports"],
        summary=summary,
        parameters=[query, FORMAT_PARAMETER],
        responses={
            (200, "application/json"): body,
            (200, CSVRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description=file_description),
            (200, XLSXRenderer.media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description=file_description
            ),
        },
    )


class ResolutionRatesView(ReportView):
    """Resolution and on-time rates per authority level or unit (DOMAIN.md §12; definitions in
    casework.reports)."""

    query_serializer = ResolutionQuerySerializer
    report_name = "resolution"

    @_report_schema(ResolutionQuerySerializer, ResolutionReportSerializer, "Resolution and on-time rates")
    def get(self, request):
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        return reports.resolution_rates(
            period=params["period_obj"],
            scope=scope,
            group_by=params["group_by"],
            within=within,
            kind=params.get("kind"),
            compare=params["compare"],
        )


class OutcomesView(ReportView):
    query_serializer = KindQuerySerializer
    report_name = "outcomes"

    @_report_schema(KindQuerySerializer, OutcomeReportSerializer, "Outcomes of the resolved cases")
    def get(self, request):
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        return reports.outcomes(
            period=params["period_obj"],
            scope=scope,
            group_by=params["group_by"],
            within=within,
            kind=params.get("kind"),
        )


class ReceptionView(ReportView):
    query_serializer = PeriodQuerySerializer
    report_name = "reception"

    @_report_schema(PeriodQuerySerializer, ReceptionReportSerializer, "Reception activity and compliance")
    def get(self, request):
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        return reports.reception_activity(
            period=params["period_obj"], scope=scope, group_by=params["group_by"], within=within
        )


class OverdueView(ReportView):
    query_serializer = OverdueQuerySerializer
    report_name = "overdue"

    @_report_schema(OverdueQuerySerializer, OverdueReportSerializer, "Overdue audit")
    def get(self, request):
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        as_of: date = params.get("as_of") or timezone.localdate()
        export = request.accepted_renderer.format in EXPORT_FORMATS
        return reports.overdue_audit(
            scope=scope,
            as_of=as_of,
            within=within,
            kind=params.get("kind"),
            # A file holds every row; JSON pages with limit / offset.
            limit=None if export else params["limit"],
            offset=0 if export else params["offset"],
        )


# --- Statistics forms of Circular 01/2024/TT-TTCP ------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    date_from = ReportDateField(required=False, help_text="First day of the period (included).")
    date_to = ReportDateField(required=False, help_text="Last day of the period (included).")
    period = PeriodField(
        required=False,
        help_text="Instead of the dates: YYYY, YYYY-6M, YYYY-9M, YYYY-Q1..Q4 or YYYY-MM, with the "
        "Circular 01/2024 cut-off (15th to 14th). Default: the reporting month that ended last "
        "(15th of the month before last to the 14th of last month), or the current one from the 15th.",
    )
    within = QueryIntegerField(
        required=False, min_value=1, help_text="Restrict to this unit's subtree (a unit id)."
    )

    def validate(self, attrs):
        attrs["period_obj"] = _period(attrs, cutoff=True, default=_last_reporting_month(timezone.localdate()))
        return attrs


def _last_reporting_month(today: date) -> reports.Period:
    """The latest Circular 01/2024 reporting month (15th–14th) that has ended by `today`."""
    year, month = (today.year, today.month) if today.day > 14 else (today.year, today.month - 1)
    if month == 0:
        year, month = year - 1, 12
    return reports.cutoff_month(year, month)


class StatisticsColumnSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The column's number in the form (row of numbers).")
    key = serializers.CharField(help_text="The key of this column in each row's `cells`.")
    header = serializers.ListField(child=serializers.CharField(), help_text="Header path, top to bottom.")
    collected = serializers.BooleanField(help_text="False: the system does not hold this figure yet (0).")


CELLS_HELP = (
    "Column key -> value: a whole number for counts; money (million VND) and land (m²) columns may "
    "carry decimals."
)


class StatisticsRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AuthorityLevel.choices)
    unit = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    includes_subtree = serializers.BooleanField()
    cells = serializers.DictField(child=serializers.FloatField(), help_text=CELLS_HELP)


class StatisticsTotalsSerializer(serializers.Serializer):
    cells = serializers.DictField(child=serializers.FloatField(), help_text=CELLS_HELP)


class StatisticsFormSerializer(serializers.Serializer):
    form = serializers.ChoiceField(choices=reports.FORM_CODES)
    number = serializers.CharField()
    title = serializers.CharField()
    period = PeriodSerializer()
    group_by = serializers.CharField()
    within = serializers.IntegerField(allow_null=True)
    columns = StatisticsColumnSerializer(many=True)
    rows = StatisticsRowSerializer(many=True)
    totals = StatisticsTotalsSerializer()


class StatisticsFormView(ReportView):
    """A statistics form of Circular 01/2024/TT-TTCP (Biểu 01/TCD, 01–04/XLD, 01–03/KQGQ) for the
    reader's subtree: one row per unit (children rolled up) plus totals, as JSON or as an XLSX in the
    appendix layout. Columns the system does not hold yet are 0 and flagged `collected: false`."""

    query_serializer = StatisticsQuerySerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, XLSXRenderer]

    @extend_schema(
        tags=["reports"],
        summary="Statistics form of Circular 01/2024/TT-TTCP",
        parameters=[
            StatisticsQuerySerializer,
            OpenApiParameter("form", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(reports.FORM_CODES)),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "xlsx"],
                description="json (default) or the XLSX form.",
            ),
        ],
        responses={
            (200, "application/json"): StatisticsFormSerializer,
            (200, XLSXRenderer.media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The form in the appendix layout."
            ),
        },
    )
    def get(self, request, form: str):
        if form not in reports.FORM_CODES:
            raise ValidationError(
                {"form": [_("Must be one of: %(c)s.") % {"c": ", ".join(reports.FORM_CODES)}]},
                code="unknown_form",
            )
        self.form = form
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        return reports.statistics_form(
            form=self.form, period=params["period_obj"], scope=scope, within=within
        )

    def download(self, report, export, lang):
        unit_line = report.within.name if report.within else _statistics_unit_line(report)
        body = statistics_xlsx(report, unit_line)
        response = HttpResponse(body, content_type=XLSXRenderer.media_type)
        p = report.period
        name = f"bieu-{report.extra['form']}-{p.date_from:%Y%m%d}-{p.date_to:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _statistics_unit_line(report) -> str:
    """The reporting unit(s) when no `within` was given: the rows' anchor, or every root."""
    own = [r["unit_name"] for r in report.rows if not r.get("includes_subtree")]
    return own[0] if own else ", ".join(r["unit_name"] for r in report.rows)


# --- Citizens' satisfaction (issue 15) ------------------------------------------------------------


class SatisfactionRowSerializer(GroupFieldsSerializer):
    ratings = serializers.IntegerField()
    very_satisfied = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    not_satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(
        allow_null=True, help_text="(very_satisfied + satisfied) / ratings × 100"
    )
    late = serializers.IntegerField(help_text="Ratings finding the time later than the legal limit.")
    contacts = serializers.IntegerField(help_text="Contacts needed, summed.")
    average_contacts = serializers.FloatField(allow_null=True)
    attitude_poor = serializers.IntegerField()
    answer_unclear = serializers.IntegerField()


class SatisfactionReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.ChoiceField(choices=reports.GROUP_CHOICES)
    within = serializers.IntegerField(allow_null=True)
    rows = SatisfactionRowSerializer(many=True)
    totals = SatisfactionRowSerializer()


class SatisfactionView(ReportView):
    """The citizens' ratings of the service given in the period, per authority level or unit."""

    query_serializer = PeriodQuerySerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    report_name = "satisfaction"

    @extend_schema(
        tags=["reports"],
        summary="Citizens' satisfaction with the service",
        parameters=[PeriodQuerySerializer],
        responses={200: SatisfactionReportSerializer},
    )
    def get(self, request):
        return super().get(request)

    def build(self, request, params):
        scope, within = self.scope_and_within(request, params)
        return reports.satisfaction(
            period=params["period_obj"], scope=scope, group_by=params["group_by"], within=within
        )
