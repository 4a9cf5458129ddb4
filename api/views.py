"""API views. Each write validates the shape, calls exactly one service and serializes the result;
reads go through the casework.access selectors, so anything outside the user's units is a 404."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date

from django.contrib.auth import authenticate
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from casework.access import can_view_unit, is_system_admin, memberships, visible_cases, visible_units
from casework.choices import DeadlineStatus, Role
from casework.confidentiality import Disclosures, secrets_for, visible_party_links, visible_people
from casework.models import (
    AccessLog,
    CalendarDay,
    Case,
    CaseParty,
    Deadline,
    DeadlineEntry,
    Dialogue,
    Party,
    Unit,
    Visit,
)
from casework.prepared import FastModelIterable, PreparedInQuery, PreparedQuery, fetch_together
from casework.rules.calendar import stamp_columns, stamp_of
from casework.services import record_dialogue
from workflows.actions import ACTION_PARAMS
from workflows.clocks import remove_calendar_exception, set_calendar_exception
from workflows.intake import record_visit, register_case
from workflows.service import perform_action

from . import filters
from .authentication import issue_token
from .idempotency import IDEMPOTENCY_PARAMETER, idempotent
from .permissions import IsAdministrator, ReadAnyWriteAdministrator
from .serializers import (
    ACTION_SERIALIZERS,
    AccessLogSerializer,
    CalendarChangeSerializer,
    CalendarDaySerializer,
    CaseCreateSerializer,
    CaseEventSerializer,
    CaseSerializer,
    DialogueCreateSerializer,
    DialogueSerializer,
    MeSerializer,
    PetitionerRecordSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitSerializer,
    VisitCreateSerializer,
    VisitSerializer,
    request_context,
)
from .serializers.cases import WrittenCase, WrittenRow, written_json
from .throttling import FailedLoginThrottle

# Cases with no running deadline sort after all others by due date (cursor pagination needs a value).
NO_DUE_DATE = date(9999, 12, 31)
ID_REGEX = "[0-9]+"


class ApiViewMixin:
    # Per-request context for the serializers, and the access log of unmasked reads. (A comment, not a
    # docstring: the OpenAPI description of every view would inherit it.)

    def initial(self, request, *args, **kwargs):
        request.disclosures = Disclosures()
        super().initial(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        if not hasattr(self, "_request_context"):  # the calendar is loaded once per request
            self._request_context = request_context(self.request, getattr(self, "calendar_stamp", None))
        return {**context, **self._request_context}

    def finalize_response(self, request, response, *args, **kwargs):
        disclosures = getattr(request, "disclosures", None)
        if disclosures is not None and response.status_code < 400 and request.user.is_authenticated:
            disclosures.write(user=request.user, channel="api", detail=f"{request.method} {request.path}")
        return super().finalize_response(request, response, *args, **kwargs)


def _case_annotations(vendor: str) -> dict:
    next_due = (
        Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.RUNNING, due_date__isnull=False)
        .order_by("due_date")
        .values("due_date")[:1]
    )
    # The linked cases' ids come with the page's own query (a subquery each, by their foreign-key
    # indexes) instead of two more queries; SQLite has no arrays, so the transfers are prefetched there.
    transfers = Case.objects.filter(transferred_from=OuterRef("pk")).order_by("pk").values("pk")
    first_appeal = Case.objects.filter(first_round_case=OuterRef("pk")).order_by("pk").values("pk")[:1]
    annotations = {"transfer_ids": ArraySubquery(transfers)} if vendor == "postgresql" else {}
    return {
        **annotations,
        "first_appeal_id": Subquery(first_appeal),
        "due_date": Coalesce(Subquery(next_due), Value(NO_DUE_DATE)),
        **stamp_columns(),  # the calendar's stamp with the rows: no separate query for it
    }


# The annotations' SQL, compiled once per connection: each is a correlated subquery on the case row
# ("casework_case"."id", the base table of every case query; case_queryset is never nested inside
# another query, where that table would be renamed), which cost a list request more Python to build
# and compile than the rest of its query.
_compiled_annotations: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _precompiled_annotations(alias: str) -> dict[str, RawSQL]:
    connection = connections[alias]
    found = _compiled_annotations.get(connection)
    if found is None:
        template = Case.objects.using(alias).annotate(**_case_annotations(connection.vendor))
        compiler = template.query.get_compiler(using=alias)
        found = {}
        for name, expression in template.query.annotations.items():
            sql, params = compiler.compile(expression)
            found[name] = RawSQL(sql, tuple(params), output_field=expression.output_field)
        _compiled_annotations[connection] = found
    return found


def _transfers() -> Prefetch:
    return Prefetch("transfers", queryset=Case.objects.only("id", "transferred_from_id").order_by("id"))


def case_queryset(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Everything the case representation reads, in a fixed number of queries for any page size (the
    relations, people, clocks and their ledgers, dialogues, by with_related() once the page is known)."""
    queryset = queryset.select_related("unit")
    if connections[queryset.db].vendor != "postgresql":
        queryset = queryset.prefetch_related(_transfers())
    queryset = queryset.annotate(**_precompiled_annotations(queryset.db))
    # The page's cases and their units built as ModelIterable builds them, by storing their values
    # (casework.prepared): Model.__init__ per case and unit was a tenth of a list request.
    queryset._iterable_class = FastModelIterable
    return queryset


# case_queryset(Case.objects.all()) per connection, never evaluated itself: a list or detail request
# filters a copy of it (annotating anew cost a request more than filtering).
_case_templates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _case_template() -> QuerySet[Case]:
    alias = Case.objects.all().db
    connection = connections[alias]
    template = _case_templates.get(connection)
    if template is None:
        template = _case_templates[connection] = case_queryset(Case.objects.using(alias))
    return template._chain()


# One case by id as case_queryset reads it (the case detail, and the answer of every action), compiled
# once per connection: building, annotating and compiling that queryset cost a detail request more
# Python than running it.
_CASE = PreparedQuery(lambda pk: case_queryset(Case.objects.filter(pk=pk)))


def _case_of(found: list[Case]) -> Case | None:
    """`case_queryset(Case.objects.filter(pk=pk))`'s case from `_CASE`'s rows, or None: the same row,
    annotations and unit (and, where the transfers are prefetched rather than annotated, the same
    prefetch)."""
    if found and connections[found[0]._state.db].vendor != "postgresql":
        prefetch_related_objects(found, _transfers())
    return found[0] if found else None


def fetch_case_with_related(pk: int | str) -> Case | None:
    """`with_related([case_queryset(Case.objects.filter(pk=pk)).get()])[0]`, or None: the case row and
    its people, clocks and ledgers read in one round trip (casework.prepared.fetch_together) instead of
    four."""
    found, *related = fetch_together([_CASE.statement(pk), *_related_statements([pk])])
    case = _case_of(found)
    if case is not None:
        _install_related([case], *related)
    return case


# The relations of a page of cases, each compiled once per connection (casework.prepared).
_CASE_PARTIES = PreparedInQuery(
    lambda ids: CaseParty.objects.filter(case_id__in=ids).select_related("party").order_by("id")
)
_DEADLINES = PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))
# The clocks' ledgers by their cases' ids (not by the clocks' ids), so that they can be read in the
# same round trip as the clocks themselves: the same rows.
_ENTRIES = PreparedInQuery(lambda ids: DeadlineEntry.objects.filter(deadline__case_id__in=ids).order_by("id"))
_DIALOGUES = PreparedInQuery(
    lambda ids: (
        Dialogue.cases.through.objects.filter(case_id__in=ids)
        .select_related("dialogue")
        .order_by("-dialogue__held_at", "dialogue_id")
    )
)


# Where Django caches a related object on an instance: CaseParty.case, Deadline.case, DeadlineEntry.deadline.
_CACHE_NAMES = (
    CaseParty._meta.get_field("case").cache_name,
    Deadline._meta.get_field("case").cache_name,
    DeadlineEntry._meta.get_field("deadline").cache_name,
)


def _related_statements(ids: list[int | str]) -> list:
    keys = [int(pk) for pk in ids]
    return [_CASE_PARTIES.statement(keys), _DEADLINES.statement(keys), _ENTRIES.statement(keys)]


def with_related(cases: list[Case]) -> list[Case]:
    """Read what the representation needs of each case's relations, in one round trip for any number
    of cases (and one more when something reads the dialogues): the same rows, in the same order, as
    `prefetch_related` of the case's people (with their Party), clocks (by id) with their ledgers (by
    id) and dialogues, installed where `case.<relation>.all()` finds them. Django's prefetching builds
    a queryset per case and relation (and per clock for its ledger), which cost a list page more than
    fetching the rows; here each relation's rows are a list (the dialogues a read-only sequence read
    when first asked for), which every reader of them iterates."""
    if cases:
        _install_related(cases, *fetch_together(_related_statements([case.pk for case in cases])))
    return cases


def _install_related(cases: list[Case], links: list, clocks: list, entries: list) -> None:
    by_id = {case.pk: case for case in cases}
    ids = list(by_id)
    related: dict[str, dict[int, list]] = {
        "case_parties": {pk: [] for pk in ids},
        "deadlines": {pk: [] for pk in ids},
    }
    # What set_cached_value stores (`obj._state.fields_cache[name]`), and the keys read from the
    # instances' values: the foreign keys' descriptors run Python on every read, a few hundred a page.
    party_case_cache, deadline_case_cache, entry_deadline_cache = _CACHE_NAMES
    people = related["case_parties"]
    for link in links:
        case_id = link.__dict__["case_id"]
        link._state.fields_cache[party_case_cache] = by_id[case_id]
        people[case_id].append(link)
    timers = related["deadlines"]
    deadlines = {}
    for deadline in clocks:
        values = deadline.__dict__
        case_id = values["case_id"]
        deadline._state.fields_cache[deadline_case_cache] = by_id[case_id]
        values["_prefetched_objects_cache"] = {"entries": []}
        timers[case_id].append(deadline)
        deadlines[values["id"]] = deadline
    for entry in entries:
        # A ledger is read by its own statement: a clock started after the clocks' was read is not
        # on the page (as it would not have been when read by the clocks' ids).
        deadline = deadlines.get(entry.__dict__["deadline_id"])
        if deadline is not None:
            entry._state.fields_cache[entry_deadline_cache] = deadline
            deadline.__dict__["_prefetched_objects_cache"]["entries"].append(entry)
    # The dialogues only the guards of a reader's permitted actions read (a monitor's rows run none):
    # fetched for the whole page when one case's are first read.
    dialogues = _PageRows(lambda: _dialogues_by_case(ids))
    for case in cases:
        cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, rows in related.items():
            cache[name] = rows[case.pk]
        cache["dialogues"] = _CaseRows(dialogues, case.pk)


def release(cases: list[Case]) -> None:
    """Undo what with_related installed on `cases` (each case's related rows, each clock's ledger),
    once nothing reads them any more: with the links between the instances gone (a case and its
    people and clocks refer to each other), they are freed when the last reference to them goes rather
    than by the cyclic garbage collector. Reading a relation afterwards queries it, as it would have
    without with_related."""
    for case in cases:
        cache = case.__dict__.get("_prefetched_objects_cache")
        if not cache:
            continue
        for deadline in cache.pop("deadlines", ()):
            deadline.__dict__.get("_prefetched_objects_cache", {}).pop("entries", None)
        cache.pop("case_parties", None)
        cache.pop("dialogues", None)


def _dialogues_by_case(ids: list[int]) -> dict[int, list[Dialogue]]:
    found: dict[int, list[Dialogue]] = {pk: [] for pk in ids}
    for link in _DIALOGUES.fetch(ids):
        found[link.case_id].append(link.dialogue)
    return found


class _PageRows:
    """A relation's rows for a page of cases, by case, read from the database when first asked for."""

    def __init__(self, fetch):
        self._fetch = fetch
        self._by_case: dict[int, list] | None = None

    def of(self, pk: int) -> list:
        if self._by_case is None:
            self._by_case = self._fetch()
        return self._by_case[pk]


class _CaseRows(Sequence):
    """One case's rows of a `_PageRows`, where `case.<relation>.all()` finds prefetched rows: a
    read-only sequence (its readers iterate it, count it or test it) that reads them when first read."""

    def __init__(self, page: _PageRows, pk: int):
        self._page, self._pk = page, pk

    def __getitem__(self, index):
        return self._page.of(self._pk)[index]

    def __len__(self) -> int:
        return len(self._page.of(self._pk))

    def __iter__(self):
        return iter(self._page.of(self._pk))


def remember_calendar_stamp(view, cases) -> None:
    """Keep the calendar stamp read with the first of `cases` (case_queryset), for the context."""
    first = cases[0] if isinstance(cases, list) and cases else cases
    if isinstance(first, Case) and hasattr(first, "calendar_rows") and not hasattr(view, "_request_context"):
        view.calendar_stamp = stamp_of(first)


def serialize_case(view, case_id: int) -> dict:
    case = fetch_case_with_related(case_id)
    if case is None:
        raise Case.DoesNotExist("Case matching query does not exist.")
    remember_calendar_stamp(view, case)
    data = CaseSerializer(case, context=view.get_serializer_context()).data
    release([case])  # as CaseViewSet.retrieve does
    return data


# --- Session / identity ----------------------------------------------------------------------------


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [FailedLoginThrottle]

    def check_throttles(self, request):
        self.login_throttles = self.get_throttles()
        for throttle in self.login_throttles:
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["auth"], auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            for throttle in self.login_throttles:
                throttle.record_failure()
            raise ValidationError(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]},
                code="invalid_credentials",
            )
        token = issue_token(user)
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        units: dict[int, dict] = {}
        for m in memberships(request.user):
            entry = units.setdefault(
                m.unit_id, {"id": m.unit_id, "code": m.unit.code, "name": m.unit.name, "roles": []}
            )
            entry["roles"].append(m.role)
        data = {
            "id": request.user.pk,
            "username": request.user.get_username(),
            "roles": sorted({m.role for m in memberships(request.user)}),
            "units": [{**u, "roles": sorted(u["roles"])} for u in units.values()],
        }
        return Response(MeSerializer(data).data)


# --- Reference data --------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(tags=["units"]), retrieve=extend_schema(tags=["units"]))
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The authority tree in pre-order (by materialized path). Units are public reference data: anyone
    signed in needs them to name a transfer target or the unit complained of."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.select_related("level")
    filterset_class = filters.UnitFilter
    ordering_fields = ["path"]
    ordering = "path"
    lookup_value_regex = ID_REGEX


@extend_schema_view(list=extend_schema(tags=["people"]), retrieve=extend_schema(tags=["people"]))
class PersonViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Citizens on file within the user's reach. Denouncers appear only to those who may see them."""

    serializer_class = PetitionerRecordSerializer
    filterset_class = filters.PartyFilter
    ordering_fields = ["id"]
    ordering = "id"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Party.objects.none()
        return visible_people(self.request.user)

    def _disclose(self, parties: list[Party]) -> None:
        links = CaseParty.objects.filter(visible_party_links(self.request.user), party__in=parties).filter(
            confidential=True
        )
        for link in links.select_related("case", "party"):
            self.request.disclosures.add(link.case, link.party)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._disclose(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        party = self.get_object()
        self._disclose([party])
        return Response(self.get_serializer(party).data)


# --- Cases -----------------------------------------------------------------------------------------


class CaseListRenderer(JSONRenderer):
    """DRF's JSONRenderer, the same bytes, writing a page of case rows from the text each row was
    remembered with (api.serializers.cases.WrittenRow) rather than encoding the whole page again; the
    rows' available actions, the page's links and any row without its text are encoded as DRF does.
    Anything else, or other settings (an indent asked for in the Accept header), goes through DRF's
    own render."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if type(data) is WrittenCase:  # one case (its detail, an action's answer): its own text
            around = data.json_around
            if around and self._writes_as_drf(accepted_media_type, renderer_context):
                actions = data["available_actions"]
                return (around[0] + (written_json(actions) if actions else "[]") + around[1]).encode()
            return super().render(data, accepted_media_type, renderer_context)
        rows = data.get("results") if isinstance(data, dict) else None
        if (
            not rows
            or not isinstance(rows, list)
            or not self._writes_as_drf(accepted_media_type, renderer_context)
        ):
            return super().render(data, accepted_media_type, renderer_context)
        parts = written_json({**data, "results": _ROWS_MARK}).split(_ROWS_MARK_JSON)
        if len(parts) != 2:
            return super().render(data, accepted_media_type, renderer_context)
        written = []
        for row in rows:
            around = row.json_around if type(row) is WrittenRow else None
            if around:
                actions = row["available_actions"]
                written.append(around[0] + (written_json(actions) if actions else "[]") + around[1])
            else:
                written.append(written_json(row))
        return (parts[0] + "[" + ",".join(written) + "]" + parts[1]).encode()

    def _writes_as_drf(self, accepted_media_type, renderer_context) -> bool:
        """Whether written_json writes what DRF's render would here: no indent, the default settings."""
        return self.get_indent(accepted_media_type, renderer_context or {}) is None and (
            type(self).encoder_class,
            self.ensure_ascii,
            self.compact,
            self.strict,
        ) == (
            JSONRenderer.encoder_class,
            JSONRenderer.ensure_ascii,
            JSONRenderer.compact,
            JSONRenderer.strict,
        )


# A value no page's links hold (NUL is written escaped), standing for its rows in its text.
_ROWS_MARK = "\x00rows\x00"
_ROWS_MARK_JSON = written_json(_ROWS_MARK)


@extend_schema_view(
    list=extend_schema(tags=["cases"]),
    retrieve=extend_schema(tags=["cases"]),
    create=extend_schema(
        tags=["cases"],
        summary="Register a letter",
        request=CaseCreateSerializer,
        responses={201: CaseSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    history=extend_schema(tags=["cases"], responses={200: CaseEventSerializer(many=True)}),
)
class CaseViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases within the user's units. A denouncer's identity is masked unless the user may see it."""

    serializer_class = CaseSerializer
    filterset_class = filters.CaseFilter
    filter_backends = [filters.FilterBackend, OrderingFilter]
    renderer_classes = [
        CaseListRenderer if r is JSONRenderer else r for r in api_settings.DEFAULT_RENDERER_CLASSES
    ]
    ordering_fields = ["received_at", "reference", "due_date"]
    ordering = "-received_at"
    lookup_value_regex = ID_REGEX
    idempotent = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return visible_cases(self.request.user, _case_template())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return with_related(page) if page is not None else None

    def list(self, request, *args, **kwargs):
        # ListModelMixin.list, letting go of the page's instances once its rows are written: the
        # serializer is handed its own list of them, emptied afterwards (a serializer keeps its
        # arguments), and release() undoes the links with_related made between them. A page's few
        # hundred instances in reference cycles lived on until the cyclic garbage collector found
        # them, which then cost a list request a fifth of its CPU in the collections of the older
        # generations they had been promoted to; now they are freed as soon as the request is done
        # (and the paginator's page, below, for a JSON answer).
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.get_serializer(queryset, many=True).data)
        rows = list(page)
        data = self.get_serializer(rows, many=True).data
        rows.clear()
        release(page)
        response = self.get_paginated_response(data)
        if not isinstance(getattr(request, "accepted_renderer", None), BrowsableAPIRenderer):
            # The cases themselves: only the browsable API's page, which draws its links from the
            # paginator's page, reads them again (the links of this response are written).
            self.paginator.page = []
        return response

    def get_object(self):
        if self.action != "retrieve":
            return super().get_object()
        if self.request.query_params:  # filters apply to a detail too (DRF's get_object)
            return with_related([super().get_object()])[0]
        # Without a query string, what DRF's get_object finds in get_queryset() (the user's cases), read
        # by id (fetch_case_with_related) and then checked against the same scope in Python (can_view_unit is
        # visible_cases' predicate: a unit within one of the user's units, everything for a system
        # administrator).
        # The relations come in the same round trip as the case, and are dropped with it when it is
        # out of reach.
        case = fetch_case_with_related(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if case is None or not can_view_unit(self.request.user, case.unit):
            raise Http404(f"No {Case._meta.object_name} matches the given query.")
        self.check_object_permissions(self.request, case)
        return case

    def retrieve(self, request, *args, **kwargs):
        # RetrieveModelMixin.retrieve, letting go of the case's related rows once it is written (as a
        # list page does, release()): the case and its people and clocks refer to each other, and such
        # cycles are left to the cyclic garbage collector, whose collections cost a request more the
        # more of them each request leaves.
        case = self.get_object()
        data = self.get_serializer(case).data
        release([case])
        return Response(data)

    def get_serializer(self, *args, **kwargs):
        if args:
            remember_calendar_stamp(self, args[0])
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        def perform() -> Response:
            serializer = CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            case = register_case(serializer.to_case_input(), actor=request.user)
            return Response(serialize_case(self, case.pk), status=status.HTTP_201_CREATED)

        return idempotent(request, perform)

    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """The audit trail of the case, oldest first."""
        case = self.get_object()
        events = case.events.select_related("actor").order_by("at", "id")
        context = {**self.get_serializer_context(), "secrets": secrets_for(case, request.user)}
        return Response(CaseEventSerializer(events, many=True, context=context).data)


class CaseActionView(ApiViewMixin, GenericAPIView):
    # POST /api/v1/cases/{id}/actions/{action}/: one call of workflows.service.perform_action.

    queryset = Case.objects.all()  # only for the schema's path parameter; perform_action loads the case
    # The answer, one case, written from its row's remembered text as the case detail's is.
    renderer_classes = CaseViewSet.renderer_classes
    action_name = ""
    conflict_statuses = True
    pagination_class = None
    filter_backends = []

    def post(self, request, pk: int):
        # The request body's fields read no context of the output's (the calendar, whose stamp the
        # answer's case row brings along, so loading it here would cost a query).
        serializer = self.get_serializer_class()(
            data=request.data, context=GenericAPIView.get_serializer_context(self)
        )
        serializer.is_valid(raise_exception=True)
        version, note, effective_date, params = serializer.split()
        case = perform_action(
            case_id=pk,
            action=self.action_name,
            actor=request.user,
            version=version,
            note=note,
            effective_date=effective_date,
            params=params,
        )
        return Response(serialize_case(self, case.pk))


def _action_view(action_name: str) -> type[CaseActionView]:
    fields = ", ".join(f"`{p.name}`" for p in ACTION_PARAMS[action_name]) or "none"

    @extend_schema(
        operation_id=f"cases_actions_{action_name}",
        summary=f"Action `{action_name}`",
        description=(
            f"Perform `{action_name}` on the case at `version`. Fields of this action: {fields}. "
            "Answers 200 with the updated case; 409 when the case changed meanwhile (`stale_version`), "
            "the state does not allow it (`transition_not_allowed`) or a legal rule refuses it."
        ),
        request=ACTION_SERIALIZERS[action_name],
        responses={200: CaseSerializer},
        tags=["case actions"],
    )
    def post(self, request, pk: int):
        return CaseActionView.post(self, request, pk)

    return type(
        "Case" + "".join(p.title() for p in action_name.split("_")) + "View",
        (CaseActionView,),
        {"action_name": action_name, "serializer_class": ACTION_SERIALIZERS[action_name], "post": post},
    )


ACTION_VIEWS = {name: _action_view(name) for name in ACTION_PARAMS}


# --- Visits and dialogues --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=["visits"]),
    retrieve=extend_schema(tags=["visits"]),
    create=extend_schema(
        tags=["visits"],
        summary="Record a visit in the reception book",
        request=VisitCreateSerializer,
        responses={201: VisitSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class VisitViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The reception book of the user's units; cases raised at the desk are opened with the visit."""

    serializer_class = VisitSerializer
    filterset_class = filters.VisitFilter
    ordering_fields = ["visited_at"]
    ordering = "-visited_at"
    lookup_value_regex = ID_REGEX
    idempotent = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        return self._with_related(Visit.objects.filter(unit__in=visible_units(self.request.user)))

    @staticmethod
    def _with_related(queryset: QuerySet[Visit]) -> QuerySet[Visit]:
        cases = Case.objects.select_related("unit").prefetch_related(
            Prefetch("case_parties", queryset=CaseParty.objects.select_related("party"))
        )
        return queryset.select_related("officer").prefetch_related(
            Prefetch("visitors", queryset=Party.objects.order_by("id")),
            Prefetch("cases", queryset=cases.order_by("id")),
        )

    def create(self, request, *args, **kwargs):
        def perform() -> Response:
            serializer = VisitCreateSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            visit = record_visit(serializer.to_visit_input(), actor=request.user)
            visit = self._with_related(Visit.objects.filter(pk=visit.pk)).get()
            return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)

        return idempotent(request, perform)


@extend_schema_view(
    list=extend_schema(tags=["dialogues"]),
    retrieve=extend_schema(tags=["dialogues"]),
    create=extend_schema(
        tags=["dialogues"], request=DialogueCreateSerializer, responses={201: DialogueSerializer}
    ),
)
class DialogueViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Dialogue sessions: on cases (the machines' dialogue guards read them) or periodic ones."""

    serializer_class = DialogueSerializer
    filterset_class = filters.DialogueFilter
    ordering_fields = ["held_at"]
    ordering = "-held_at"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dialogue.objects.none()
        # The cases with their people: the minutes are scrubbed of any denouncer the user may not see.
        cases = Case.objects.select_related("unit").prefetch_related(
            Prefetch("case_parties", queryset=CaseParty.objects.select_related("party"))
        )
        return Dialogue.objects.filter(unit__in=visible_units(self.request.user)).prefetch_related(
            Prefetch("cases", queryset=cases.order_by("id"))
        )

    def create(self, request, *args, **kwargs):
        serializer = DialogueCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dialogue = record_dialogue(
            actor=request.user,
            unit=data["unit"],
            kind=data["kind"],
            chair=data.get("chair") or request.user,
            held_at=data["held_at"],
            place=data["place"],
            participants=data["participants"],
            minutes=data["minutes"],
            agreed_points=data["agreed_points"],
            cases=list(data["cases"]),
            complainant_attended=data["complainant_attended"],
            absence_with_valid_reason=data["absence_with_valid_reason"],
        )
        dialogue = self.get_queryset().get(pk=dialogue.pk)
        return Response(self.get_serializer(dialogue).data, status=status.HTTP_201_CREATED)


# --- Calendar and access log -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=["calendar"]),
    create=extend_schema(
        tags=["calendar"],
        summary="Add or change a day off / make-up working day (administrators)",
        request=CalendarDaySerializer,
        responses={201: CalendarChangeSerializer},
    ),
    destroy=extend_schema(
        tags=["calendar"],
        summary="Remove a calendar exception (administrators)",
        responses={200: OpenApiResponse(CalendarChangeSerializer, description="Removed.")},
    ),
)
class CalendarDayViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Days off and make-up working days entered by administrators; running deadlines are recomputed."""

    serializer_class = CalendarDaySerializer
    queryset = CalendarDay.objects.all()
    permission_classes = [ReadAnyWriteAdministrator]
    filterset_class = None
    ordering_fields = ["date"]
    ordering = "date"
    lookup_field = "date"
    lookup_value_regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = set_calendar_exception(
            day=data["date"], kind=data["kind"], reason=data["reason"], actor=request.user
        )
        body = {
            "date": data["date"],
            "kind": data["kind"],
            "reason": data["reason"],
            "deadlines_moved": moved,
        }
        return Response(CalendarChangeSerializer(body).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        try:
            day = date.fromisoformat(kwargs["date"])
        except ValueError:
            raise NotFound(_("No such calendar exception.")) from None
        exception = get_object_or_404(CalendarDay, date=day)
        moved = remove_calendar_exception(day=exception.date, actor=request.user)
        return Response(CalendarChangeSerializer({"date": exception.date, "deadlines_moved": moved}).data)


@extend_schema_view(list=extend_schema(tags=["access log"]))
class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Unmasked reads of denouncers' identities and exports of personal data (administrators)."""

    serializer_class = AccessLogSerializer
    permission_classes = [IsAdministrator]
    filterset_class = filters.AccessLogFilter
    ordering_fields = ["at"]
    ordering = "-at"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        user = self.request.user
        rows = AccessLog.objects.select_related("user")
        if is_system_admin(user):
            return rows
        paths = [m.unit.path for m in memberships(user) if m.role == Role.ADMINISTRATOR]
        scope = Q(pk__in=[])
        for p in paths:
            scope |= Q(case__unit__path__startswith=p)
        return rows.filter(scope)
