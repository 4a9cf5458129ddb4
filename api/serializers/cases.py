"""Cases: the representation (people masked and free text scrubbed by casework.confidentiality), the
audit trail, intake bodies and the per-action request bodies."""

from __future__ import annotations

import copy
import json
from functools import cached_property
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import BindingDict, ReturnDict

from casework import figures
from casework.choices import CaseKind, Channel, LawField, Outcome
from casework.confidentiality import (
    CASE_FREE_TEXT,
    IDENTITY_FIELDS,
    Disclosures,
    Secrets,
    can_see_denouncer,
    petitioners_for,
    secrets_for,
)
from casework.models import Case, CaseEvent, Unit
from casework.rules.explain import SnapshotMemo, explanation_key
from workflows.actions import ACTION_PARAMS, Param
from workflows.intake import CaseInput, PetitionerInput
from workflows.service import available_actions

from . import strict
from .common import (
    MAX_BIGINT,
    MAX_INT,
    DeadlineSerializer,
    IntakeFlagSerializer,
    ScopedFieldsMixin,
    ScrubbedTextMixin,
)
from .people import CasePetitionerSerializer, PetitionerInputSerializer

FIGURE_FIELDS = tuple(figures.FIGURES)


class CaseSerializer(ScrubbedTextMixin, serializers.ModelSerializer):
    deadlines = DeadlineSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    petitioners = serializers.SerializerMethodField()
    intake_flags = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()
    appeal_case = serializers.SerializerMethodField()
    # Read-only model fields lose allow_blank; declared so the schema admits "" (no outcome yet).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    law_field = serializers.ChoiceField(
        choices=LawField.choices, allow_blank=True, read_only=True, help_text='"" when not classified.'
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "round",
            "state",
            "unit",
            "handler",
            "channel",
            "received_at",
            "summary",
            "respondent_unit",
            "respondent",
            "decision_known_at",
            "limitation_excuse",
            "several_locations",
            "is_group",
            "reason_code",
            "guidance",
            "outcome",
            "outcome_summary",
            "claim_differs",
            "decision_number",
            "law_field",
            *FIGURE_FIELDS,
            "implemented_at",
            "accepted_at",
            "decided_at",
            "published_at",
            "closed_at",
            "registered_by",
            "intake_flags",
            "deadlines",
            "version",
            "available_actions",
            "petitioners",
            "transferred_from",
            "transferred_to",
            "first_round_case",
            "appeal_case",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    scrubbed_fields = CASE_FREE_TEXT

    def _user(self):
        return self._reader

    @cached_property
    def _reader(self):
        # The request's user, read once per serializer (one request) rather than three times a row.
        return self.context["request"].user

    def secrets(self, case: Case) -> Secrets:
        return secrets_for(case, self._user())

    def get_available_actions(self, case: Case) -> list[str]:
        return available_actions(case, self._user(), self._actions_seen)

    @property
    def _actions_seen(self) -> dict:
        # workflows.service.available_actions' memo: what it keeps is keyed by everything that decides
        # it (the machine's kind and state, may_perform's permission_key: the reader, their roles in
        # the case's unit, whether they handle it), so it holds for any request; bounded.
        if len(_actions_seen) >= 10_000:
            _actions_seen.clear()
        return _actions_seen

    @extend_schema_field(CasePetitionerSerializer(many=True))
    def get_petitioners(self, case: Case) -> list[dict]:
        return petitioners_for(case, self._user(), self.context["disclosures"])

    @extend_schema_field(IntakeFlagSerializer(many=True))
    def get_intake_flags(self, case: Case) -> list[dict]:
        return case.intake_flags or []  # scrubbed with the other free text in to_representation

    def get_transferred_to(self, case: Case) -> list[int]:
        ids = getattr(case, "transfer_ids", None)  # annotated by api.views.case_queryset on PostgreSQL
        if ids is not None:
            return list(ids)
        return [c.pk for c in case.transfers.all()]

    def get_appeal_case(self, case: Case) -> int | None:
        if hasattr(case, "first_appeal_id"):  # annotated by api.views.case_queryset
            return case.first_appeal_id
        appeals = list(case.appeal_cases.all())
        return appeals[0].pk if appeals else None

    def to_representation(self, case: Case) -> dict[str, Any]:
        # A row is remembered per calendar snapshot under everything it is written from besides the
        # reader's permitted actions, which are worked out for every row (_row_key): the case's
        # values, its people, its clocks (as the deadline rows are remembered), the language, time
        # zone and today, and confidentiality's decision for this reader and case; a row the reader
        # may see a denouncer on records the same disclosures as when it was written. Lists are read
        # again and again (a page and the next, by many officers), and writing a row cost a list
        # request more than reading it.
        key = self._row_key(case)
        disclosures = self._disclosures
        actions = self.get_available_actions(case)
        if key is None:
            return self._row(case, disclosures, actions)
        found = _case_rows.get(self._calendar, key, lambda: self._remembered_row(case))
        row, disclosed, around = found
        if disclosed:
            parties = {link.party_id: link.party for link in _related(case, "case_parties")}
            for party_id in disclosed:
                disclosures.add(case, parties[party_id])
        # A copy of everything a caller could change (rendering changes nothing).
        data = dict(row)
        data["intake_flags"] = _copied_json(row["intake_flags"])
        data["deadlines"] = [dict(d) for d in row["deadlines"]]
        data["available_actions"] = actions
        data["petitioners"] = [dict(p) for p in row["petitioners"]]
        data["transferred_to"] = list(row["transferred_to"])
        return WrittenRow(data, around) if around else data

    def _remembered_row(self, case: Case) -> tuple[dict[str, Any], tuple[int, ...], tuple | None]:
        probe = Disclosures()
        row = self._row(case, probe, [])
        return row, tuple(party_id for _case_id, party_id in probe.seen), _json_around(row)

    def _row_key(self, case: Case) -> tuple | None:
        """Everything _row reads of the case, its relations, the reader and the request, but the
        permitted actions; None for a case not built with all its values (deferred fields)."""
        stored = case.__dict__
        try:
            values, flags = _CASE_VALUES(stored), stored["intake_flags"]
        except KeyError:
            return None
        language = self._language
        try:
            # Read from the instances' values (the foreign keys' descriptors run Python on each read).
            people = tuple(
                (*_LINK_VALUES(link.__dict__), *_PARTY_VALUES(link._state.fields_cache["party"].__dict__))
                for link in _related(case, "case_parties")
            )
        except KeyError:  # a person not read with the link, or a deferred field: through the instances
            people = tuple(
                (link.role, link.confidential, link.party_id, *_PARTY_VALUES(link.party.__dict__))
                for link in _related(case, "case_parties")
            )
        clocks = tuple((explanation_key(d, language), d.due_date) for d in _related(case, "deadlines"))
        return (
            values,
            _frozen_json(flags),
            tuple(self.get_transferred_to(case)),
            self.get_appeal_case(case),
            people,
            clocks,
            can_see_denouncer(self._user(), case),
            language,
            self._zone,
            self._today,
        )

    def _row(self, case: Case, disclosures: Disclosures, actions: list[str]) -> dict[str, Any]:
        zone, language = self._zone, self._language
        data = {
            "id": case.pk,
            "reference": case.reference,
            "kind": case.kind,
            "round": case.round,
            "state": case.state,
            "unit": case.unit_id,
            "handler": case.handler_id,
            "channel": case.channel,
            "received_at": _iso(case.received_at),
            "summary": case.summary,
            "respondent_unit": case.respondent_unit_id,
            "respondent": case.respondent,
            "decision_known_at": _iso(case.decision_known_at),
            "limitation_excuse": case.limitation_excuse,
            "several_locations": case.several_locations,
            "is_group": case.is_group,
            "reason_code": case.reason_code,
            "guidance": case.guidance,
            "outcome": case.outcome,
            "outcome_summary": case.outcome_summary,
            "claim_differs": case.claim_differs,
            "decision_number": case.decision_number,
            "law_field": case.law_field,
            **_figure_values(case),
            "implemented_at": _iso(case.implemented_at),
            "accepted_at": _iso(case.accepted_at),
            "decided_at": _iso(case.decided_at),
            "published_at": _iso(case.published_at),
            "closed_at": _iso(case.closed_at),
            "registered_by": case.registered_by_id,
            "intake_flags": self.get_intake_flags(case),
            "deadlines": [self._deadline_rows.row_for(d, language) for d in _related(case, "deadlines")],
            "version": case.version,
            "available_actions": actions,
            "petitioners": petitioners_for(case, self._user(), disclosures),
            "transferred_from": case.transferred_from_id,
            "transferred_to": self.get_transferred_to(case),
            "first_round_case": case.first_round_case_id,
            "appeal_case": self.get_appeal_case(case),
            "created_at": _datetime(case.created_at, zone),
            "updated_at": _datetime(case.updated_at, zone),
        }
        secrets = self.secrets(case)
        if secrets:
            for name in self.scrubbed_fields:
                data[name] = secrets.apply(data[name])
        return data

    # The request's context values a row reads, looked up once per serializer (`self.context` walks
    # to the root serializer on every read).
    @cached_property
    def _disclosures(self) -> Disclosures:
        return self.context["disclosures"]

    @cached_property
    def _calendar(self):
        return self.context["calendar"]

    @cached_property
    def _today(self):
        return self.context["today"]

    @cached_property
    def _zone(self):
        # The current time zone, looked up once per serializer (one request) rather than per row.
        return timezone.get_current_timezone()

    @cached_property
    def _language(self):
        # The active language, looked up once per serializer (one request) rather than per row.
        return get_language()

    @cached_property
    def _deadline_rows(self) -> DeadlineSerializer:
        return DeadlineSerializer(context=self.context)

    def generic_representation(self, case: Case) -> dict[str, Any]:
        """DRF's own field-by-field representation (scrubbed), which to_representation must equal."""
        return dict(super().to_representation(case))

    @property
    def data(self):
        # DRF's ReturnDict of one case, carrying the row's remembered text when it has one, so that the
        # case detail and every action's answer are written as a list page's rows are
        # (api.views.CaseListRenderer) rather than encoded again. A list is DRF's ListSerializer.
        data = super().data
        written = self._data
        if type(written) is WrittenRow:
            return WrittenCase(data, serializer=self, around=written.json_around)
        return data


# DRF's own output for the amounts (a string quantized to the column's decimals), one field each.
_AMOUNT_FIELDS = {
    figure.name: serializers.DecimalField(
        max_digits=figures.MONEY_DIGITS if figure.kind == "money" else figures.LAND_DIGITS,
        decimal_places=figures.MONEY_PLACES if figure.kind == "money" else figures.LAND_PLACES,
        read_only=True,
    )
    for figure in figures.FIGURES.values()
    if figure.kind in ("money", "land")
}


def _figure_values(case: Case) -> dict[str, Any]:
    # Straight from the instance's values (built by storing them, api.views.case_queryset); most
    # figures are empty, and only a present amount goes through its field.
    stored = case.__dict__
    values = {name: stored[name] if name in stored else getattr(case, name) for name in FIGURE_FIELDS}
    for name, field in _AMOUNT_FIELDS.items():
        if values[name] is not None:
            values[name] = field.to_representation(values[name])
    return values


class WrittenRow(dict):
    """A case row with its JSON text as DRF's JSONRenderer writes it (with the default settings),
    but for its available actions, which are worked out for every reader: `json_around`, the text
    before and after their value. A list page's rows are remembered (_case_rows) and so is their text;
    writing a page's JSON afresh was an eighth of a list request's CPU (api.views.CaseListRenderer)."""

    __slots__ = ("json_around",)

    def __init__(self, data: dict, around: tuple[str, str]):
        super().__init__(data)
        self.json_around = around


class WrittenCase(ReturnDict):
    """`CaseSerializer(case).data` with the row's JSON text as WrittenRow keeps it (`json_around`: the
    text before and after its available actions). A change to the dict itself forgets the text (its
    nested values are the caller's copies, as a WrittenRow's, and are not changed by the views)."""

    def __init__(self, data: dict, *, serializer, around: tuple[str, str]):
        super().__init__(data, serializer=serializer)
        self.json_around: tuple[str, str] | None = around

    def _changed(method):
        def changed(self, *args, **kwargs):
            self.json_around = None
            return method(self, *args, **kwargs)

        return changed

    __setitem__ = _changed(ReturnDict.__setitem__)
    __delitem__ = _changed(ReturnDict.__delitem__)
    __ior__ = _changed(ReturnDict.__ior__)
    update = _changed(ReturnDict.update)
    pop = _changed(ReturnDict.pop)
    popitem = _changed(ReturnDict.popitem)
    setdefault = _changed(ReturnDict.setdefault)
    clear = _changed(ReturnDict.clear)
    del _changed

    def copy(self):
        return ReturnDict(self, serializer=self.serializer)


def written_json(value) -> str:
    """`value` as DRF's JSONRenderer writes it with the default settings and no indent (as text)."""
    text = json.dumps(
        value,
        cls=JSONRenderer.encoder_class,
        ensure_ascii=JSONRenderer.ensure_ascii,
        allow_nan=not JSONRenderer.strict,
        separators=SHORT_SEPARATORS if JSONRenderer.compact else LONG_SEPARATORS,
    )
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# A value no row holds (NUL is written escaped), standing for the actions in a row's text.
_ACTIONS_MARK = "\x00available-actions\x00"
_ACTIONS_MARK_JSON = written_json(_ACTIONS_MARK)


def _json_around(row: dict) -> tuple[str, str] | None:
    text = written_json({**row, "available_actions": _ACTIONS_MARK})
    parts = text.split(_ACTIONS_MARK_JSON)
    return (parts[0], parts[1]) if len(parts) == 2 else None


_actions_seen: dict = {}
# CaseSerializer's rows (without their actions), per calendar snapshot and bounded: a few kB each.
_case_rows = SnapshotMemo(3_000)
# The case's stored values a row is written from (intake_flags, a JSON value, is frozen apart), and a
# party's (party_view and the scrubbing read these).
_CASE_VALUES = itemgetter(*(f.attname for f in Case._meta.concrete_fields if f.name != "intake_flags"))
_PARTY_VALUES = itemgetter("kind", *IDENTITY_FIELDS)
_LINK_VALUES = itemgetter("role", "confidential", "party_id")


def _frozen_json(value):
    """A JSON value as a hashable one that tells apart everything JSON does (lists, objects, types)."""
    if isinstance(value, dict):
        return ("{", tuple((k, _frozen_json(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("[", tuple(_frozen_json(v) for v in value))
    return (type(value), value)


def _copied_json(value):
    if isinstance(value, dict):
        return {k: _copied_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied_json(v) for v in value]
    return value


def _related(case: Case, name: str):
    """`getattr(case, name).all()`, read straight from the prefetched rows when they are there
    (api.views.with_related installs them; each `.all()` builds a related manager)."""
    cache = case.__dict__.get("_prefetched_objects_cache")
    rows = cache.get(name) if cache else None
    return rows if rows is not None else getattr(case, name).all()


def _iso(day) -> str | None:
    return day.isoformat() if day else None


_DATETIME_FIELD = serializers.DateTimeField(read_only=True)


def _datetime(value, zone) -> str | None:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, UTC as "Z") for an aware value,
    the zone looked up once per row; anything else through DRF's field itself."""
    if value is None:
        return None
    if not timezone.is_aware(value) or api_settings.DATETIME_FORMAT != ISO_8601:
        return _DATETIME_FIELD.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CaseBriefSerializer(ScrubbedTextMixin, serializers.ModelSerializer):
    intake_flags = IntakeFlagSerializer(many=True, read_only=True)
    scrubbed_fields = ("intake_flags",)

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "round", "state", "version", "intake_flags"]
        read_only_fields = fields

    def secrets(self, case: Case) -> Secrets:
        return secrets_for(case, self.context["request"].user)


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "from_state",
            "to_state",
            "effective_date",
            "note",
            "changes",
        ]
        read_only_fields = fields

    def get_actor(self, event: CaseEvent) -> str | None:
        return event.actor.get_username() if event.actor_id else None

    def get_note(self, event: CaseEvent) -> str:
        return self.context["secrets"].apply(event.note)

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {}},
            "description": "Changed fields as {field: [before, after]}.",
        }
    )
    def get_changes(self, event: CaseEvent) -> dict:
        return self.context["secrets"].apply(event.changes or {})


class CaseBodySerializer(ScopedFieldsMixin, serializers.Serializer):
    """A case raised at the desk: the letter intake body minus `unit` and `received_at`."""

    kind = serializers.ChoiceField(choices=CaseKind.choices)
    round = strict.IntegerField(
        min_value=1, max_value=2, required=False, allow_null=True, help_text="Complaints: 1 or 2."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.IN_PERSON)
    summary = strict.CharField(max_length=20000)
    petitioners = PetitionerInputSerializer(many=True, required=False, default=list)
    first_round_case = strict.PrimaryKeyRelatedField(
        queryset=Case.objects.none(),
        required=False,
        allow_null=True,
        help_text="Round 2: the first-round case.",
    )
    respondent_unit = strict.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False, allow_null=True
    )
    respondent = strict.CharField(max_length=300, required=False, allow_blank=True, default="")
    decision_known_at = serializers.DateField(required=False, allow_null=True)
    limitation_excuse = strict.CharField(max_length=4000, required=False, allow_blank=True, default="")
    several_locations = serializers.BooleanField(required=False, default=False)
    law_field = serializers.ChoiceField(
        choices=LawField.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The field of law (statistics forms 02/XLD–04/XLD); empty when not classified.",
    )

    # workflows.intake.checks.validate: a complaint is round 1 or 2, no other kind has a round.
    # A paper names at most INTAKE_MAX_PETITIONERS people, and a representative gives a name and an address
    # or ID number.
    request_schema_rules = {
        "anyOf": [
            {
                "properties": {"kind": {"enum": [CaseKind.COMPLAINT.value]}, "round": {"type": "integer"}},
                "required": ["round"],
            },
            {
                "properties": {
                    "kind": {"enum": [k for k in CaseKind.values if k != CaseKind.COMPLAINT]},
                    "round": {"nullable": True, "enum": [None]},
                }
            },
        ],
        "allOf": [
            {  # a citizen's second complaint (channel `appeal`) is a round-2 complaint
                "anyOf": [
                    {"properties": {"channel": {"enum": [c for c in Channel.values if c != Channel.APPEAL]}}},
                    {
                        "properties": {"kind": {"enum": [CaseKind.COMPLAINT.value]}, "round": {"enum": [2]}},
                        "required": ["kind", "round"],
                    },
                ]
            },
            {
                "properties": {
                    "petitioners": {
                        "maxItems": settings.INTAKE_MAX_PETITIONERS,
                        "items": {
                            "anyOf": [
                                {"properties": {"is_representative": {"enum": [False]}}},
                                {
                                    "properties": {
                                        "full_name": {"pattern": strict.VISIBLE},
                                        "address": {"pattern": strict.VISIBLE},
                                    },
                                    "required": ["full_name", "address"],
                                },
                                {
                                    "properties": {
                                        "full_name": {"pattern": strict.VISIBLE},
                                        "id_number": {"minLength": 1},
                                    },
                                    "required": ["full_name", "id_number"],
                                },
                            ]
                        },
                    }
                }
            },
        ],
    }

    def get_fields(self):
        return self._scope(super().get_fields())

    @staticmethod
    def to_input(data: dict, *, unit: Unit, received_at) -> CaseInput:
        return CaseInput(
            unit=unit,
            kind=data["kind"],
            channel=data["channel"],
            received_at=received_at,
            summary=data["summary"],
            petitioners=[PetitionerInput.from_dict(p) for p in data.get("petitioners", [])],
            round=data.get("round"),
            first_round_case=data.get("first_round_case"),
            respondent_unit=data.get("respondent_unit"),
            respondent=data.get("respondent", ""),
            decision_known_at=data.get("decision_known_at"),
            limitation_excuse=data.get("limitation_excuse", ""),
            several_locations=data.get("several_locations", False),
            law_field=data.get("law_field", ""),
        )


class CaseCreateSerializer(CaseBodySerializer):
    """Intake of a letter (POST /api/v1/cases/)."""

    unit = strict.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateField(help_text="The date the letter was received.")

    def to_case_input(self) -> CaseInput:
        data = self.validated_data
        return self.to_input(data, unit=data["unit"], received_at=data["received_at"])


# --- Actions -------------------------------------------------------------------------------------


def _param_field(param: Param) -> serializers.Field:
    common = {"required": param.required}
    if param.type == "text":
        return strict.CharField(max_length=param.max_length, allow_blank=not param.required, **common)
    if param.type == "int":
        return strict.IntegerField(min_value=1, max_value=32767, **common)
    if param.type == "count":
        return strict.IntegerField(min_value=0, max_value=MAX_INT, **common)
    if param.type == "decimal":
        return strict.AmountField(max_digits=param.max_digits, decimal_places=param.decimal_places, **common)
    if param.type == "bool":
        return serializers.BooleanField(**common)
    if param.type == "choice":
        return serializers.ChoiceField(choices=list(param.choices), **common)
    if param.type == "unit":
        return strict.IntegerField(min_value=1, max_value=MAX_BIGINT, help_text="Unit id.", **common)
    return strict.IntegerField(min_value=1, max_value=MAX_INT, help_text="User id.", **common)


class ActionSerializer(serializers.Serializer):
    version = strict.IntegerField(
        min_value=1, max_value=MAX_INT, help_text="The case version the user saw (optimistic locking)."
    )
    note = strict.CharField(max_length=4000, required=False, allow_blank=True, default="")
    effective_date = serializers.DateField(
        required=False, allow_null=True, help_text="The date on the paper; deadlines count from it."
    )

    def get_fields(self):
        # DRF deep-copies every declared field for each request body, which re-runs every field's
        # __init__ (up to 19 fields here: most of a transition's body validation). The declared fields
        # are never bound or changed themselves (DRF binds the copies, and bind() and validation only set
        # attributes of the copy), so a shallow copy starts where a deep copy does; the settings the
        # fields read at __init__ are the process's, which do not change while it runs.
        # (tests/api/test_action_bodies.py compares the two on every action's body.)
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    @cached_property
    def fields(self):
        # DRF's BindingDict of the fields bound to this serializer, as DRF builds it from get_fields()
        # (copy, then bind(name, self)), with the binding done once per class: what bind() sets (the
        # name, label, source and its parts) is the same for every body but the parent, so each body
        # gets shallow copies of fields bound once, pointed at itself. Copying and binding 19 fields
        # was about half of a transition body's validation.
        templates = _bound_fields.get(type(self))
        if templates is None:
            templates = _bound_fields[type(self)] = BindingDict(self)
            for name, field in self.get_fields().items():
                templates[name] = field
            for field in templates.values():
                field.parent = None  # no serializer kept alive by the templates
        fields = BindingDict(self)
        bound = fields.fields
        for name, template in templates.fields.items():
            field = object.__new__(type(template))  # copy.copy's result, without its generic path
            field.__dict__.update(template.__dict__)
            field.parent = self
            bound[name] = field
        return fields

    def split(self) -> tuple[int, str, Any, dict]:
        data = dict(self.validated_data)
        return data.pop("version"), data.pop("note", ""), data.pop("effective_date", None), data


# ActionSerializer.fields' bound fields per action serializer class (a fixed set of classes).
_bound_fields: dict[type, BindingDict] = {}


def action_serializer(action: str) -> type[ActionSerializer]:
    """The request body of one action, built from workflows.actions.ACTION_PARAMS."""
    name = "".join(part.title() for part in action.split("_")) + "ActionSerializer"
    attrs = {p.name: _param_field(p) for p in ACTION_PARAMS[action]}
    attrs["__doc__"] = f"Body of the `{action}` action."
    attrs["Meta"] = type("Meta", (), {"ref_name": None})
    return type(name, (ActionSerializer,), attrs)


ACTION_SERIALIZERS = {action: action_serializer(action) for action in ACTION_PARAMS}
