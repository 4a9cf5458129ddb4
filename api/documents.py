"""Official documents over the API.

- `GET  /api/v1/cases/{id}/documents/`: the case's documents and the templates that apply to it now.
- `POST /api/v1/cases/{id}/documents/` with `{"template": "<form code>", ...fields}`: issue one
  (documents.services.issue_document; its fields are listed per template by the GET).
- `GET/POST /api/v1/visits/{id}/documents/`: the same for a visit that produced no case (the
  refusal-to-receive notice of a refused visit; documents.services.issue_visit_document).
- `GET  /api/v1/documents/`: the register, scoped like cases; `GET /api/v1/documents/{id}/`.
- `GET  /api/v1/documents/{id}/download/?format=pdf|docx`: the paper, rendered from its stored content.
"""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from casework.access import visible_cases
from casework.models import Case, Visit
from casework.text import person_name
from documents import render
from documents.forms import COMMON_FIELDS, LAYOUTS
from documents.models import Document, DocumentTemplate
from documents.services import (
    DocumentNotFound,
    applicable_templates,
    field_specs,
    issue_document,
    issue_visit_document,
    may_issue,
    may_issue_for_visit,
    paper_for,
    visible_documents,
    visible_visits,
    visit_templates,
)

from .filters import IdFilter, TextFilter
from .serializers import strict

ID_REGEX = "[0-9]+"


class DocumentFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "longtext", "date", "integer", "boolean", "choice"])
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), help_text="Values of a `choice` field.")


class DocumentTemplateSerializer(serializers.ModelSerializer):
    may_issue = serializers.SerializerMethodField(help_text="Whether the requesting user may issue it.")
    fields = serializers.SerializerMethodField("fields_of", help_text="What is entered when issuing it.")

    class Meta:
        model = DocumentTemplate
        fields = [
            "code",
            "version",
            "form_number",
            "title",
            "legal_basis",
            "valid_from",
            "valid_to",
            "verification",
            "document_kind",
            "may_issue",
            "fields",
        ]
        read_only_fields = fields

    def get_may_issue(self, template: DocumentTemplate) -> bool:
        user = self.context["request"].user
        if "visit" in self.context:
            return may_issue_for_visit(user, self.context["visit"], template)
        return may_issue(user, self.context["case"], template)

    @extend_schema_field(DocumentFieldSerializer(many=True))
    def fields_of(self, template: DocumentTemplate) -> list[dict]:
        return [
            {
                "name": s.name,
                "label": str(s.label),
                "kind": s.kind,
                "required": s.required,
                "choices": [c for c, _label in s.choices],
            }
            for s in field_specs(template.code)
        ]


class DocumentSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True, allow_null=True)
    template = serializers.CharField(source="template.code", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    form_number = serializers.CharField(source="template.form_number", read_only=True)
    title = serializers.CharField(source="template.title", read_only=True)
    issued_by = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField(help_text="URLs of the PDF and the DOCX.")

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "case_reference",
            "visit",
            "unit",
            "template",
            "template_version",
            "form_number",
            "title",
            "document_kind",
            "year",
            "number",
            "symbol",
            "issued_on",
            "issued_by",
            "issued_at",
            "corrects",
            "downloads",
        ]
        read_only_fields = fields

    def get_issued_by(self, document: Document) -> str:
        return person_name(document.issued_by)

    @extend_schema_field(
        {"type": "object", "properties": {"pdf": {"type": "string"}, "docx": {"type": "string"}}}
    )
    def get_downloads(self, document: Document) -> dict[str, str]:
        request = self.context["request"]
        base = request.build_absolute_uri(f"/api/v1/documents/{document.pk}/download/")
        return {fmt: f"{base}?format={fmt}" for fmt in render.FORMATS}


class CaseDocumentsSerializer(serializers.Serializer):
    documents = DocumentSerializer(many=True)
    templates = DocumentTemplateSerializer(many=True, help_text="The templates that apply to the case now.")


class VisitDocumentsSerializer(serializers.Serializer):
    documents = DocumentSerializer(many=True)
    templates = DocumentTemplateSerializer(many=True, help_text="The templates that apply to the visit now.")


def _field(spec) -> serializers.Field:
    common = {"required": False, "help_text": str(spec.label)}
    if spec.kind == "date":
        return serializers.DateField(**common)
    if spec.kind == "integer":
        return serializers.IntegerField(min_value=1, max_value=10**9 - 1, **common)
    if spec.kind == "boolean":
        return serializers.BooleanField(**common)
    if spec.kind == "choice":
        return serializers.ChoiceField(choices=[c for c, _label in spec.choices], **common)
    return serializers.CharField(max_length=spec.max_length, allow_blank=True, **common)


def _issue_serializer() -> type[serializers.Serializer]:
    """The request body for the schema: the form code and every field some form takes (each form's own
    list, with what it requires, is in the GET answer; the service checks them per form)."""
    fields: dict[str, serializers.Field] = {
        "template": serializers.ChoiceField(choices=sorted(LAYOUTS), help_text="The form code.")
    }
    for spec in COMMON_FIELDS:
        fields[spec.name] = _field(spec)
    for layout in LAYOUTS.values():
        for spec in layout.fields:
            fields.setdefault(spec.name, _field(spec))
    # documents.services.clean_fields: each form takes its own fields only, and its required ones given
    # (not blank); one branch per form code.
    branches = []
    for code in sorted(LAYOUTS):
        specs = field_specs(code)
        required = [spec for spec in specs if spec.required]
        visible = {"pattern": strict.VISIBLE}  # a required text that is not blank
        branches.append(
            {
                "properties": {
                    "template": {"enum": [code]},
                    **{spec.name: {} for spec in specs if not spec.required},
                    **{spec.name: visible if spec.kind in ("text", "longtext") else {} for spec in required},
                },
                "required": ["template", *(spec.name for spec in required)],
                "additionalProperties": False,
            }
        )
    fields["request_schema_rules"] = {"anyOf": branches}
    return type("DocumentIssueSerializer", (serializers.Serializer,), fields)


DocumentIssueSerializer = _issue_serializer()


def _case_for(request, pk: int) -> Case:
    case = visible_cases(request.user).select_related("unit").filter(pk=pk).first()
    if case is None:
        raise DocumentNotFound(_("No such case."))
    return case


def _document_queryset(qs):
    return qs.select_related("case", "visit", "template", "issued_by").order_by("-issued_on", "-id")


def _issue_request(request) -> tuple[str, dict]:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Expected an object.")]})
    data = dict(request.data)
    code = data.pop("template", None)
    if not isinstance(code, str) or not code:
        raise ValidationError({"template": [_("This field is required.")]})
    return code, data


class CaseDocumentsView(GenericAPIView):
    # GET/POST /api/v1/cases/{id}/documents/ (a comment: a docstring would become the schema's text).

    queryset = Case.objects.all()  # the schema's path parameter; requests scope through visible_cases
    serializer_class = CaseDocumentsSerializer
    pagination_class = None
    filter_backends = []
    conflict_statuses = True

    @extend_schema(
        operation_id="cases_documents_list",
        summary="The case's documents and the templates that apply now",
        responses={200: CaseDocumentsSerializer},
        tags=["documents"],
    )
    def get(self, request, pk: int):
        case = _case_for(request, pk)
        context = {"request": request, "case": case}
        body = {
            "documents": _document_queryset(case.documents.all()),
            "templates": applicable_templates(case, timezone.localdate()),
        }
        return Response(CaseDocumentsSerializer(body, context=context).data)

    @extend_schema(
        operation_id="cases_documents_issue",
        summary="Issue a document for the case",
        description=(
            "`template` is a form code from the GET answer; the other fields are the form's (see its "
            "`fields`). Answers 201 with the document; 400 `invalid` / `unknown_template` with field "
            "errors; 403 when the user's role may not issue it; 409 `template_not_applicable` or "
            "`template_not_in_force`. Nothing is written and no number is used on an error."
        ),
        request=DocumentIssueSerializer,
        responses={201: DocumentSerializer},
        tags=["documents"],
    )
    def post(self, request, pk: int):
        code, data = _issue_request(request)
        document = issue_document(case_id=pk, template_code=code, actor=request.user, data=data)
        document = _document_queryset(Document.objects.filter(pk=document.pk)).get()
        return Response(
            DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class VisitDocumentsView(GenericAPIView):
    # GET/POST /api/v1/visits/{id}/documents/: a visit that produced no case (a refusal to receive).

    queryset = Visit.objects.all()  # the schema's path parameter; requests scope through visible_visits
    serializer_class = VisitDocumentsSerializer
    pagination_class = None
    filter_backends = []
    conflict_statuses = True

    @extend_schema(
        operation_id="visits_documents_list",
        summary="The visit's documents and the templates that apply to it now",
        responses={200: VisitDocumentsSerializer},
        tags=["documents"],
    )
    def get(self, request, pk: int):
        visit = visible_visits(request.user).select_related("unit").filter(pk=pk).first()
        if visit is None:
            raise DocumentNotFound(_("No such visit."))
        context = {"request": request, "visit": visit}
        body = {
            "documents": _document_queryset(visit.documents.all()),
            "templates": visit_templates(visit, timezone.localdate()),
        }
        return Response(VisitDocumentsSerializer(body, context=context).data)

    @extend_schema(
        operation_id="visits_documents_issue",
        summary="Issue a document for a visit that produced no case",
        description=(
            "The refusal-to-receive notice of a refused visit (its ground is the visit's "
            "`refusal_reason`). Answers like the case's documents: 201 with the document; 400 "
            "`invalid` / `unknown_template`; 403 for a role that may not issue it; 409 "
            "`template_not_applicable` (e.g. the visit was not refused) or `template_not_in_force`."
        ),
        request=DocumentIssueSerializer,
        responses={201: DocumentSerializer},
        tags=["documents"],
    )
    def post(self, request, pk: int):
        code, data = _issue_request(request)
        document = issue_visit_document(visit_id=pk, template_code=code, actor=request.user, data=data)
        document = _document_queryset(Document.objects.filter(pk=document.pk)).get()
        return Response(
            DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DocumentFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    visit = IdFilter(field_name="visit_id")
    unit = IdFilter(field_name="unit_id")
    year = IdFilter(max_value=9999)
    document_kind = TextFilter(max_length=8)
    template = TextFilter(field_name="template__code", max_length=64)

    class Meta:
        model = Document
        fields = ["case", "visit", "unit", "year", "document_kind", "template"]


class DownloadNegotiation(DefaultContentNegotiation):
    """`?format=` names the file format here, not a DRF renderer: errors are JSON whatever it says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = next(r for r in renderers if isinstance(r, JSONRenderer))
        return renderer, renderer.media_type


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=list(render.FORMATS), description="`pdf` (default) or `docx`."
)


@extend_schema_view(
    list=extend_schema(tags=["documents"], summary="The register of issued documents"),
    retrieve=extend_schema(tags=["documents"]),
    download=extend_schema(
        tags=["documents"],
        summary="The document as PDF or DOCX",
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, render.FORMATS[render.PDF]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, render.FORMATS[render.DOCX]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Issued documents of the cases within the user's units (the outgoing register), newest first."""

    # Also the documents of the visits in the user's units' reception books (a refused visit's notice,
    # which has no case): documents.services.visible_documents.

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    ordering_fields = ["issued_on", "id"]
    ordering = ("-issued_on", "-id")
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return _document_queryset(visible_documents(self.request.user))

    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        content_negotiation_class=DownloadNegotiation,
    )
    def download(self, request, pk=None):
        fmt = request.query_params.get("format", render.PDF)
        if fmt not in render.FORMATS:
            raise ValidationError({"format": [_("Choose pdf or docx.")]})
        document = self.get_object()
        rendition = paper_for(document, request.user, channel="api")
        response = HttpResponse(render.render(rendition.paper, fmt), content_type=render.FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{rendition.filename}.{fmt}"'
        return response
