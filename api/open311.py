"""Open311 GeoReport v2 (`/open311/v2/`) mapped onto recommendations (kiến nghị) and reflections
(phản ánh), so city-reporting apps and the provincial portal can file and follow them.

- `GET services.json`: the two services, `recommendation` and `reflection` (public).
- `POST requests.json` (form or JSON): service_code, description, first_name, last_name, email,
  phone, address_string, optional lat/long, and `jurisdiction_id` (or `unit`) = the receiving unit's
  code. Registers a case with channel `online` through workflows.intake.register_case, acting as the
  authenticated integration user. Answers `[{"service_request_id", "service_notice", "account_id"}]`.
- `GET requests.json` / `GET requests/{id}.json`: status of requests. As GeoReport v2 has it, these
  reads are public (no api_key), like the reflections and answers Vietnamese city feedback portals
  publish: an anonymous caller sees every recommendation and reflection (never a complaint or a
  denunciation), with descriptions scrubbed of the petitioners' identity (`public_description`),
  rate-limited per client address (`OPEN311_PUBLIC_THROTTLE_RATE`). A deployment turns this off with
  `OPEN311_PUBLIC_READS=0`; reads then need a key again (401 without one). A caller with a key
  reads the requests of its own units, as before. Petitioners' personal data never appears in these
  answers.

Configuring an integration (one per portal or app):
1. Create a plain user for it (e.g. `portal-bot`, no staff or superuser flag) in the admin.
2. Give it the `reception_officer` role at each unit it files for (admin, or
   `casework.services.grant_role(user=..., unit=..., role="reception_officer")`). It may then file
   only there, and read only those units' requests, like any reception officer.
3. Create its API token: `manage.py drf_create_token portal-bot`.
4. The portal sends the token either as GeoReport's `api_key` parameter (query string or form field)
   or as the header `Authorization: Token <token>`. Revoke by deleting the token.
A portal that files for one unit only may omit `jurisdiction_id`.

service_request_id is the case id (a reference like "XA-A/2026/00012" contains "/" and cannot be a
path segment); the reference is returned as `service_notice`.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access import memberships, visible_cases
from casework.choices import TERMINAL_STATES, CaseKind, CaseState, Channel, DeadlineKind, DeadlineStatus
from casework.confidentiality import public_text, scrub
from casework.models import Case, Unit
from workflows.intake import CaseInput, PetitionerInput, register_case
from workflows.permissions import may_register

from .authentication import ExpiringTokenAuthentication
from .parsers import BoundedJSONParser
from .serializers import MAX_BIGINT, strict
from .throttling import ClientAnonRateThrottle

SERVICES = {
    CaseKind.RECOMMENDATION: (
        "Kiến nghị / Recommendation",
        "A proposal or recommendation to a state agency (Law on Citizen Reception).",
    ),
    CaseKind.REFLECTION: (
        "Phản ánh / Reflection",
        "Report a problem or give feedback about public administration or services.",
    ),
}
CLOSED_STATES = frozenset(TERMINAL_STATES | {CaseState.DECIDED})


class ApiKeyAuthentication(BaseAuthentication):
    """GeoReport's `api_key` parameter, holding the integration user's API token."""

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if key is None and request.method == "POST":
            data = request.data
            key = data.get("api_key") if hasattr(data, "get") else None
        if not key:
            return None
        return ExpiringTokenAuthentication().authenticate_credentials(str(key))

    def authenticate_header(self, request) -> str:
        return "Token"


def public_reads() -> bool:
    """Read at request time, so a deployment (or a test) can switch public reads off."""
    return bool(getattr(settings, "OPEN311_PUBLIC_READS", True))


class PublicReadOrAuthenticated(BasePermission):
    """GeoReport v2: reads are public when the deployment allows it; filing always needs a key."""

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return self.allows_anonymous(request.method)

    @staticmethod
    def allows_anonymous(method: str) -> bool:
        """Also read by the schema generator, which then marks the operation's credentials optional."""
        return method in ("GET", "HEAD", "OPTIONS") and public_reads()


class PublicReadThrottle(ClientAnonRateThrottle):
    """Anonymous reads per client address; callers with a key are not throttled here."""

    scope = "open311_public"

    def get_rate(self) -> str | None:
        return getattr(settings, "OPEN311_PUBLIC_THROTTLE_RATE", None)


# --- Shapes ---------------------------------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.ChoiceField(choices=list(SERVICES))
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField()
    service_name = serializers.CharField()
    service_code = serializers.ChoiceField(choices=list(SERVICES))
    description = serializers.CharField()
    agency_responsible = serializers.CharField()
    service_notice = serializers.CharField(help_text="The case reference.")
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(allow_null=True)


class ServiceRequestQuerySerializer(serializers.Serializer):
    service_request_id = serializers.RegexField(
        r"^[0-9]{1,18}(,[0-9]{1,18})*$", max_length=2000, required=False, help_text="Comma-separated ids."
    )
    service_code = serializers.ChoiceField(choices=list(SERVICES), required=False)
    status = serializers.RegexField(r"^(open|closed)(,(open|closed))*$", required=False)
    start_date = serializers.DateTimeField(required=False)
    end_date = serializers.DateTimeField(required=False)
    jurisdiction_id = serializers.CharField(max_length=40, required=False, help_text="Unit code.")


class ServiceRequestCreateSerializer(serializers.Serializer):
    service_code = serializers.ChoiceField(choices=list(SERVICES))
    description = serializers.CharField(max_length=20000)
    first_name = serializers.CharField(max_length=99, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=99, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address_string = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lat = strict.FormNullFloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    long = strict.FormNullFloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    jurisdiction_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Receiving unit code."
    )
    unit = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Same as jurisdiction_id."
    )
    api_key = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="API token.")


class ServiceRequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


# --- Mapping --------------------------------------------------------------------------------------


def _expected(case: Case):
    running = [d for d in case.deadlines.all() if d.status == DeadlineStatus.RUNNING and d.due_date]
    resolution = [d for d in running if d.kind == DeadlineKind.RESOLUTION]
    chosen = resolution or running
    if not chosen:
        return None
    due = min(d.due_date for d in chosen)
    return timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


def service_request(case: Case, user) -> dict:
    """A case as a GeoReport service request: no petitioner data, by construction, and a description
    scrubbed of any denouncer `user` may not see."""
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if case.state in CLOSED_STATES else "open",
        "status_notes": str(case.get_state_display()),
        "service_name": SERVICES[case.kind][0],
        "service_code": case.kind,
        # An anonymous reader (public reads) sees no party's identity; staff see what their role may.
        "description": (
            scrub(case.summary, case, user) if user.is_authenticated else public_text(case.summary, case)
        ),
        "agency_responsible": case.unit.name,
        "service_notice": case.reference,
        "requested_datetime": case.created_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": _expected(case),
    }


def _requests(user):
    """Recommendations and reflections `user` may read: their units' with a key, all of them for an
    anonymous reader (public reads; the view checks the setting). Never complaints or denunciations."""
    cases = visible_cases(user) if user is not None and user.is_authenticated else Case.objects.all()
    return (
        cases.filter(kind__in=list(SERVICES))
        .select_related("unit")
        .prefetch_related("deadlines", "case_parties__party")
        .order_by("-created_at", "-id")
    )


class Open311View(APIView):
    open311_errors = True
    renderer_classes = [JSONRenderer]
    authentication_classes = [ApiKeyAuthentication, ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [PublicReadOrAuthenticated]
    throttle_classes = [PublicReadThrottle]


class ServicesView(Open311View):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="open311_services", responses={200: ServiceSerializer(many=True)}, tags=["open311"]
    )
    def get(self, request):
        services = [
            {
                "service_code": code,
                "service_name": name,
                "description": description,
                "metadata": False,
                "type": "realtime",
                "keywords": code,
                "group": "petitions",
            }
            for code, (name, description) in SERVICES.items()
        ]
        return Response(ServiceSerializer(services, many=True).data)


class RequestsView(Open311View):
    not_found_statuses = True  # an unknown jurisdiction_id
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    MAX_RESULTS = 1000

    @extend_schema(
        operation_id="open311_requests_list",
        parameters=[ServiceRequestQuerySerializer],
        responses={200: ServiceRequestSerializer(many=True)},
        tags=["open311"],
    )
    def get(self, request):
        # A plain dict: from a QueryDict, DRF drops an empty optional value (`?start_date=`) unread.
        query = ServiceRequestQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        q = query.validated_data
        cases = _requests(request.user)
        if "service_request_id" in q:
            ids = [int(i) for i in q["service_request_id"].split(",") if int(i) <= MAX_BIGINT]
            cases = cases.filter(pk__in=ids)
        if "service_code" in q:
            cases = cases.filter(kind=q["service_code"])
        if "status" in q:
            wanted = set(q["status"].split(","))
            closed = Q(state__in=list(CLOSED_STATES))
            if wanted == {"open"}:
                cases = cases.exclude(closed)
            elif wanted == {"closed"}:
                cases = cases.filter(closed)
        if "start_date" in q:
            cases = cases.filter(created_at__gte=q["start_date"])
        if "end_date" in q:
            cases = cases.filter(created_at__lte=q["end_date"])
        if "jurisdiction_id" in q:
            cases = cases.filter(unit__code=q["jurisdiction_id"])
        rows = [service_request(c, request.user) for c in cases[: self.MAX_RESULTS]]
        return Response(ServiceRequestSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="open311_requests_create",
        description=(
            "GeoReport v2 service request, filed as a case with channel `online` by the integration user "
            "(a user with the reception_officer role at the receiving unit; its API token is sent as "
            "`api_key` or as `Authorization: Token <token>`). `jurisdiction_id` (or `unit`) is the unit code."
        ),
        request={
            "application/json": ServiceRequestCreateSerializer,
            "application/x-www-form-urlencoded": ServiceRequestCreateSerializer,
            "multipart/form-data": ServiceRequestCreateSerializer,
        },
        responses={201: ServiceRequestCreatedSerializer(many=True)},
        tags=["open311"],
    )
    def post(self, request):
        serializer = ServiceRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = self._receiving_unit(request.user, data["unit"] or data["jurisdiction_id"])
        summary = data["description"].strip()
        if data.get("lat") is not None and data.get("long") is not None:
            summary += "\n" + _("Location: %(lat).6f, %(long).6f") % {
                "lat": data["lat"],
                "long": data["long"],
            }
        person = {
            "full_name": " ".join(p for p in (data["last_name"].strip(), data["first_name"].strip()) if p),
            "address": data["address_string"],
            "phone": data["phone"],
            "email": data["email"],
        }
        case = register_case(
            CaseInput(
                unit=unit,
                kind=data["service_code"],
                channel=Channel.ONLINE,
                received_at=timezone.localdate(),
                summary=summary,
                petitioners=[PetitionerInput.from_dict(person)] if any(person.values()) else [],
            ),
            actor=request.user,
        )
        body = [{"service_request_id": str(case.pk), "service_notice": case.reference, "account_id": None}]
        return Response(ServiceRequestCreatedSerializer(body, many=True).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _receiving_unit(user, code: str) -> Unit:
        if code:
            unit = Unit.objects.filter(code=code, is_active=True).first()
            if unit is None:
                # GeoReport v2: "404 - jurisdiction_id provided was not found".
                raise NotFound("jurisdiction_id: " + _("No such unit."))
            return unit
        units = {m.unit_id: m.unit for m in memberships(user) if may_register(user, m.unit)}
        if len(units) != 1:
            raise ValidationError({"jurisdiction_id": [_("Give the code of the receiving unit.")]})
        return next(iter(units.values()))


class RequestDetailView(Open311View):
    @extend_schema(
        operation_id="open311_requests_retrieve",
        responses={200: ServiceRequestSerializer(many=True)},
        tags=["open311"],
    )
    def get(self, request, pk: int):
        case = _requests(request.user).filter(pk=pk).first() if pk <= MAX_BIGINT else None
        if case is None:
            raise NotFound(_("No such service request."))
        return Response(ServiceRequestSerializer([service_request(case, request.user)], many=True).data)


urlpatterns = [
    path("services.json", ServicesView.as_view(), name="open311-services"),
    path("requests.json", RequestsView.as_view(), name="open311-requests"),
    path("requests/<int:pk>.json", RequestDetailView.as_view(), name="open311-request"),
]
