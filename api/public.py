"""The citizens' public API (no login), for the national portal and mobile apps; the pages under
/cong-dan/ call the same services.

- `POST /api/v1/public/submissions/` (JSON or multipart with `attachments`): register a recommendation,
  reflection, complaint or denunciation at a unit (workflows.intake.online). 201 with `reference` and
  `lookup_code`; the code is shown this once and stored only as a keyed hash.
- `GET /api/v1/public/cases/{reference}/?code=…`: the citizen's view of the case (workflows.citizen).
  A wrong code and an unknown reference get the same 404; wrong codes are limited (429).
- `GET /api/v1/public/cases/{reference}/documents/{id}/?format=pdf|docx&code=…`: a paper addressed
  to the citizen.
- `GET /api/v1/public/units/?q=…`: the unit picker (name and place).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import ratelimit
from casework.choices import CaseKind
from casework.models import Unit
from casework.security import client_ip
from documents.citizen import citizen_download, documents_for_citizen
from workflows import citizen
from workflows.errors import CaseNotFound, TooManyAttempts
from workflows.intake import PetitionerInput
from workflows.intake.online import OnlineSubmission, Upload, submit_online

from .exceptions import ErrorSerializer, ThrottledErrorSerializer
from .parsers import BoundedJSONParser
from .serializers import strict
from .serializers.people import PERSON_ID, PHONE


def conf(name: str):
    return settings.PUBLIC_SUBMISSIONS[name]


def max_body_bytes() -> int:
    # Every allowed file at its largest, plus the form's text fields and multipart framing.
    return conf("MAX_ATTACHMENTS") * conf("MAX_ATTACHMENT_BYTES") + conf("MAX_SUMMARY_CHARS") * 4 + 64 * 1024


class PublicView(APIView):
    # No authentication at all: no session means no CSRF check and nobody's staff rights apply here.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    throttle_classes: list = []


def _throttled(rate: str) -> Response:
    return Response(
        {
            "code": "throttled",
            "detail": _("Too many requests: try again later."),
            "wait": ratelimit.parse_rate(rate)[1],
        },
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


# --- Submissions ----------------------------------------------------------------------------------


class PublicSubmissionSerializer(serializers.Serializer):
    # workflows.intake.online: a complaint is never anonymous; a named complaint or denunciation gives a
    # name and an address; what a named sender gives is checked as at the desk (phone and ID number
    # formats, an e-mail address, no ID number without a name).
    request_schema_rules = {
        "allOf": [
            {"properties": {"attachments": {"maxItems": conf("MAX_ATTACHMENTS")}}},
            {
                "anyOf": [
                    {
                        "properties": {
                            "kind": {"enum": [k for k in CaseKind.values if k != CaseKind.COMPLAINT]}
                        }
                    },
                    {"properties": {"anonymous": {"enum": [False]}}},
                ]
            },
            {
                "anyOf": [
                    {
                        "properties": {
                            "kind": {"enum": [CaseKind.RECOMMENDATION.value, CaseKind.REFLECTION.value]}
                        }
                    },
                    {"properties": {"anonymous": {"enum": [True]}}, "required": ["anonymous"]},
                    {
                        "properties": {
                            "full_name": {"pattern": strict.VISIBLE},
                            "address": {"pattern": strict.VISIBLE},
                        },
                        "required": ["full_name", "address"],
                    },
                ]
            },
            {
                "anyOf": [
                    {"properties": {"anonymous": {"enum": [True]}}, "required": ["anonymous"]},
                    {
                        "properties": {
                            "phone": {"pattern": f"{strict.BLANK}|^{PHONE}$"},
                            "id_number": {"pattern": f"{strict.BLANK}|^({PERSON_ID})$"},
                            "email": {"anyOf": [{"pattern": strict.BLANK}, {"format": "email"}]},
                        },
                        "anyOf": [
                            {
                                "properties": {"full_name": {"pattern": strict.VISIBLE}},
                                "required": ["full_name"],
                            },
                            {"properties": {"id_number": {"pattern": strict.BLANK}}},
                        ],
                    },
                ]
            },
        ]
    }

    unit = serializers.IntegerField(help_text="Id of the receiving unit (GET /api/v1/public/units/?q=…).")
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    summary = serializers.CharField(max_length=10000, help_text="What the citizen asks or reports.")
    anonymous = serializers.BooleanField(
        default=False, help_text="Send without a name (not for complaints); no receipt can be e-mailed."
    )
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    respondent = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="The decision, act or person complained of or denounced.",
    )
    decision_known_at = strict.FormNullDateField(
        required=False, allow_null=True, default=None, help_text="Complaints: when you learned of it."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPEG, PNG or .docx (multipart only)."
    )


class PublicSubmissionJSONSerializer(PublicSubmissionSerializer):
    """The same submission sent as JSON, which carries no files: attachments come in a multipart form
    (a JSON value in `attachments` is refused as not a file)."""

    request_schema_rules = {
        "allOf": [
            {"properties": {"attachments": {"maxItems": 0}}},
            *PublicSubmissionSerializer.request_schema_rules["allOf"][1:],
        ]
    }


class PublicReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    lookup_code = serializers.CharField(help_text="Shown once; keep it to follow the case.")
    kind = serializers.CharField()
    unit = serializers.CharField()
    received_at = serializers.DateField()


def submission_from(data: dict, files: list, unit: Unit | None) -> OnlineSubmission:
    person = {k: data.get(k, "") for k in ("full_name", "id_number", "address", "phone", "email")}
    return OnlineSubmission(
        unit=unit,
        kind=data["kind"],
        summary=data["summary"],
        petitioner=PetitionerInput.from_dict(person),
        anonymous=bool(data.get("anonymous")),
        respondent=str(data.get("respondent") or "").strip(),
        decision_known_at=data.get("decision_known_at"),
        attachments=[
            Upload(name=f.name or "file", content_type=f.content_type or "", data=f.read()) for f in files
        ],
    )


class SubmissionView(PublicView):
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        operation_id="public_submission_create",
        summary="Send a petition, complaint or denunciation online (no login)",
        request={
            "application/json": PublicSubmissionJSONSerializer,
            "multipart/form-data": PublicSubmissionSerializer,
        },
        responses={201: PublicReceiptSerializer, 413: ErrorSerializer, 429: ThrottledErrorSerializer},
        tags=["public"],
    )
    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > max_body_bytes():
            return Response(
                {"code": "too_large", "detail": _("The request is too large.")},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        client = client_ip(request)
        if ratelimit.exhausted("submit", client, conf("SUBMIT_RATE")):
            return _throttled(conf("SUBMIT_RATE"))
        serializer = PublicSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = Unit.objects.filter(pk=data["unit"], is_active=True).first()
        files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        receipt = submit_online(submission_from(data, files, unit))
        ratelimit.record("submit", client, conf("SUBMIT_RATE"))
        case = receipt.case
        body = {
            "reference": case.reference,
            "lookup_code": receipt.lookup_code,
            "kind": case.kind,
            "unit": case.unit.name,
            "received_at": case.received_at,
        }
        return Response(PublicReceiptSerializer(body).data, status=status.HTTP_201_CREATED)


# --- Following a case -----------------------------------------------------------------------------


class CitizenDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    due_date = serializers.DateField()


class PublicUnitSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()


class PublicDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    title = serializers.CharField()
    issued_on = serializers.DateField()


class CitizenCaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    unit = PublicUnitSerializer()
    state = serializers.CharField()
    state_label = serializers.CharField(help_text="The state in plain words.")
    received_at = serializers.DateField()
    accepted_at = serializers.DateField(allow_null=True)
    decided_at = serializers.DateField(allow_null=True)
    closed_at = serializers.DateField(allow_null=True)
    deadline = CitizenDeadlineSerializer(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    outcome_label = serializers.CharField(allow_blank=True)
    documents = PublicDocumentSerializer(many=True)


CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="The receipt's lookup code."
)
REFERENCE_PARAMETER = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The case reference, e.g. UBND-X/2026/00012.",
)


def public_documents(case) -> list[dict]:
    return [
        {"id": d.pk, "symbol": d.symbol, "title": d.template.title, "issued_on": d.issued_on}
        for d in documents_for_citizen(case)
    ]


class CitizenCaseView(PublicView):
    @extend_schema(
        operation_id="public_case_retrieve",
        summary="Follow a case with its lookup code",
        parameters=[REFERENCE_PARAMETER, CODE_PARAMETER],
        responses={200: CitizenCaseSerializer, 404: ErrorSerializer, 429: ThrottledErrorSerializer},
        tags=["public"],
    )
    def get(self, request, reference: str):
        case = citizen.follow(reference, request.query_params.get("code", ""), client=client_ip(request))
        body = {**citizen.citizen_view(case), "documents": public_documents(case)}
        return Response(CitizenCaseSerializer(body).data)


class CitizenDocumentView(PublicView):
    @extend_schema(
        operation_id="public_case_document_download",
        summary="Download a paper addressed to the citizen",
        parameters=[
            REFERENCE_PARAMETER,
            CODE_PARAMETER,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["pdf", "docx"], default="pdf"),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: ErrorSerializer,
            429: ThrottledErrorSerializer,
        },
        tags=["public"],
    )
    def get(self, request, reference: str, document_id: int):
        case = citizen.follow(reference, request.query_params.get("code", ""), client=client_ip(request))
        found = citizen_download(case, document_id, request.query_params.get("format", "pdf"))
        if found is None:
            raise CaseNotFound(_("No such document."))
        content, filename, content_type = found
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- The unit picker ------------------------------------------------------------------------------


class PublicUnitChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    place = serializers.CharField(help_text="The units above it, nearest first.")
    address = serializers.CharField()


class UnitSearchView(PublicView):
    @extend_schema(
        operation_id="public_units_search",
        summary="Find the unit to write to, by name or place",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses={200: PublicUnitChoiceSerializer(many=True), 429: ThrottledErrorSerializer},
        tags=["public"],
    )
    def get(self, request):
        if not ratelimit.take("unit-search", client_ip(request), conf("SEARCH_RATE")):
            return _throttled(conf("SEARCH_RATE"))
        if "q" not in request.query_params:  # required, as the schema says (an empty one finds nothing)
            raise ValidationError({"q": [_("This field is required.")]}, code="required")
        units = citizen.search_units(request.query_params["q"][:100])
        return Response(PublicUnitChoiceSerializer(units, many=True).data)


__all__ = ["CitizenCaseView", "CitizenDocumentView", "SubmissionView", "TooManyAttempts", "UnitSearchView"]
