"""Query-string filters of the lists. Subtree filters (`within`) use the units' materialized path, so
they are one indexed prefix match."""

from __future__ import annotations

import copy
from collections import OrderedDict

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.filters import FilterMethod, QuerySetRequestMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from casework.choices import CaseKind, CaseState, Channel, DeadlineStatus, DialogueKind
from casework.confidentiality import cases_naming
from casework.models import AccessLog, Case, Deadline, Dialogue, Party, Unit, Visit
from casework.selectors import overdue_cases, with_running_clock
from casework.text import fold

from .serializers import MAX_BIGINT, MAX_INT


class AsciiIntegerField(forms.IntegerField):
    """Digits 0-9 only: Python's int() also reads "²"-like or Arabic-Indic digits, which no client means."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isascii() and str(value).strip().isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class StrictBooleanField(forms.Field):
    """`true` or `false` (also 1/0, any case); anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = self.VALUES.get(str(value).strip().lower())
        if parsed is None:
            raise forms.ValidationError(_("Must be true or false."), code="invalid")
        return parsed


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # django-filter's BooleanWidget turns an unknown value into None (no filter) before the field sees it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


_form_classes: dict[tuple, type] = {}


def _copied(declared: filters.Filter) -> filters.Filter:
    """A filter set's own copy of a declared filter, as copy.deepcopy makes it for these kinds of
    filter: its own attributes and field arguments (the choices list, never changed, is shared), and
    a filter method bound to the copy."""
    copied = copy.copy(declared)
    copied.extra = dict(declared.extra)
    copied.__dict__.pop("_field", None)
    if isinstance(declared.__dict__.get("filter"), FilterMethod):
        copied.method = declared.method
    return copied


class _FormFields(dict):
    """A form class's base fields, which each form copies (`copy.deepcopy`) on creation: copied as
    deepcopy copies them, except that a choice field's choices (never changed, as with the filters'
    own choices in _copied) are shared with the class's field instead of every label being copied
    (most of an `?overdue=true` request's form validation)."""

    def __deepcopy__(self, memo):
        return {name: _form_field_copy(field, memo) for name, field in self.items()}


def _form_field_copy(field: forms.Field, memo: dict) -> forms.Field:
    if type(field).__deepcopy__ is forms.ChoiceField.__deepcopy__:
        # ChoiceField.__deepcopy__ is Field.__deepcopy__ (the field, its widget with a shallow copy of
        # its choices, its error messages and validators) plus a deep copy of the choices.
        return forms.Field.__deepcopy__(field, memo)
    return copy.deepcopy(field, memo)


class StrictFilterSet(filters.FilterSet):
    """A typed query parameter (id, date, boolean, choice) that is given must have a value: `?overdue=`
    or `?received_to=` is an error (400, code `invalid`) rather than a filter silently dropped. Text
    parameters may be empty."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django_filters.filterset.BaseFilterSet.__init__, but for filters of the plain kinds declared
        # here each copied by _copied instead of copy.deepcopy, which copied every choice label of
        # every filter on every filtered request (a tenth of a filtered list request's time).
        if not all(type(f) in _PLAIN_FILTERS for f in self.base_filters.values()):
            super().__init__(data, queryset, request=request, prefix=prefix)
            return
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = OrderedDict((name, _copied(f)) for name, f in self.base_filters.items())
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self):
        # django-filter builds a new form class, and a form field for every filter, on every request.
        # A filter set whose fields depend on nothing of the request (no filter with a request-bound
        # queryset) has one form class per language (its labels); each form validates its own copy of
        # the fields.
        key = (type(self), get_language())
        form = _form_classes.get(key)
        if form is None:
            form = super().get_form_class()
            if not any(isinstance(f, QuerySetRequestMixin) for f in self.filters.values()):
                form.base_fields = _FormFields(form.base_fields)
                _form_classes[key] = form
        return form

    def is_valid(self) -> bool:
        key = self._validation_key()
        cleaned = _cleaned_data.get(key) if key is not None else None
        if cleaned is not None:
            self._cleaned = dict(cleaned)
            return True
        valid = super().is_valid()
        for name, declared in self.filters.items():
            if isinstance(declared, filters.CharFilter) or name not in self.data:
                continue
            if any(v.strip() == "" for v in self.data.getlist(name)):
                self.form.add_error(name, forms.ValidationError(_("May not be empty."), code="blank"))
                valid = False
        if valid and key is not None:
            if len(_cleaned_data) >= _CLEANED_AT_MOST:
                _cleaned_data.clear()
            _cleaned_data[key] = dict(self.form.cleaned_data)
        return valid

    def _validation_key(self) -> tuple | None:
        """Everything the form's validation reads, for a filter set whose form class is kept
        (get_form_class): the filter set, the language and time zone (date formats, aware
        date-times), and the query string's values of the keys a field reads (each field's widget
        reads its name, or names beginning with it); None when the form is built for each request
        (a request-bound queryset), prefixed, or not bound."""
        if not self.is_bound or self.form_prefix is not None:
            return None
        names = self.base_filters
        if (type(self), get_language()) not in _form_classes:
            return None
        read = tuple(
            sorted((k, tuple(self.data.getlist(k))) for k in self.data if any(k.startswith(n) for n in names))
        )
        return (type(self), get_language(), timezone.get_current_timezone_name(), read)

    _cleaned: dict | None = None

    @property
    def errors(self):
        # A remembered validation had no errors (only valid ones are kept).
        return ErrorDict() if self._cleaned is not None else super().errors

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # django_filters' filter_queryset, reading the remembered cleaned data when there is one.
        cleaned = self._cleaned if self._cleaned is not None else self.form.cleaned_data
        for name, value in cleaned.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


# StrictFilterSet's valid form data by _validation_key: a field's cleaning depends on nothing else
# (typed values: choices, dates, ids, booleans, text; a unit named by `within` is looked up by its
# filter, on every request), and building, copying and validating the form was most of an
# `?overdue=true` request's filtering. Bounded; invalid data is validated afresh every time.
_cleaned_data: dict[tuple, dict] = {}
_CLEANED_AT_MOST = 1_000


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, which builds and validates the filter set's form only when the query
    string names one of its filters: with none named, every filter is empty and the form valid, so the
    queryset is returned as it came (the common case of a bare list or its next page)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        # A prefix also catches a filter whose widget reads suffixed names (`<name>_after`).
        if filterset_class is not None and not any(
            key.startswith(name) for key in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class IdFilter(filters.NumberFilter):
    """An id: a whole number the database can hold (django-filter's NumberFilter takes decimals)."""

    field_class = AsciiIntegerField

    def __init__(self, *args, max_value: int = MAX_BIGINT, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", max_value)
        super().__init__(*args, **kwargs)
        # The schema states the bounds the field enforces (this filter's own, not the class's).
        extend_schema_field(
            {"type": "integer", "minimum": kwargs["min_value"], "maximum": kwargs["max_value"]}
        )(self)


class TextFilter(filters.CharFilter):
    """Free text of at most `max_length` characters; the schema says so (django-filter's does not)."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        schema = {"type": "string", "maxLength": max_length}
        if kwargs.get("help_text"):
            schema["description"] = kwargs["help_text"]  # an override replaces the filter's own
        extend_schema_field(schema)(self)


class UnitRefFilter(TextFilter):
    """A unit given by id or code; `within` matches the unit and everything under it."""

    def __init__(self, *args, path_field: str = "path", **kwargs):
        self.path_field = path_field
        kwargs.setdefault("help_text", "Unit id or code: this unit and its whole subtree.")
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        lookup = Q(code=value)
        if value.isascii() and value.isdigit() and int(value) <= MAX_BIGINT:
            lookup |= Q(pk=int(value))
        unit = Unit.objects.filter(lookup).first()
        if unit is None:
            raise ValidationError({self.field_name: [_("No such unit.")]}, code="does_not_exist")
        return qs.filter(**{f"{self.path_field}__startswith": unit.path})


# The kinds of filter _copied copies as deepcopy would (no nested state of their own that changes).
_PLAIN_FILTERS = frozenset(
    {
        filters.ChoiceFilter,
        filters.DateFilter,
        filters.CharFilter,
        filters.NumberFilter,
        filters.BooleanFilter,
        StrictBooleanFilter,
        IdFilter,
        TextFilter,
        UnitRefFilter,
    }
)


def running_deadlines():
    return Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.RUNNING)


class CaseFilter(StrictFilterSet):
    state = filters.ChoiceFilter(choices=CaseState.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices)
    unit = IdFilter(field_name="unit_id", help_text="Cases held by exactly this unit (id).")
    within = UnitRefFilter(field_name="within", path_field="unit__path")
    handler = IdFilter(field_name="handler_id", max_value=MAX_INT, help_text="Handler user id.")
    received_from = filters.DateFilter(field_name="received_at", lookup_expr="gte")
    received_to = filters.DateFilter(field_name="received_at", lookup_expr="lte")
    due_before = filters.DateFilter(
        method="filter_due_before", help_text="Cases with a running deadline due on or before this date."
    )
    overdue = StrictBooleanFilter(method="filter_overdue", help_text="true: a running deadline has passed.")
    petitioner = TextFilter(
        method="filter_petitioner",
        max_length=200,
        help_text=(
            "Part of a petitioner's name (case and Vietnamese diacritics ignored) or an exact ID number. "
            "A denouncer is matched only for the users who may see them."
        ),
    )

    class Meta:
        model = Case
        fields = []

    def filter_petitioner(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return cases_naming(self.request.user, qs, value)

    def filter_due_before(self, qs: QuerySet, name: str, value) -> QuerySet:
        return with_running_clock(qs, due_by=value)

    def filter_overdue(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        today = timezone.localdate()
        if value:
            # Driven by the running clocks, so its cost does not grow with the closed cases.
            return overdue_cases(qs, today)
        return qs.filter(~Exists(running_deadlines().filter(due_date__lt=today)))


class UnitFilter(StrictFilterSet):
    within = UnitRefFilter(field_name="within", path_field="path")
    parent = IdFilter(field_name="parent_id")
    is_active = StrictBooleanFilter()

    class Meta:
        model = Unit
        fields = []


class VisitFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id")
    within = UnitRefFilter(field_name="within", path_field="unit__path")
    visited_from = filters.DateFilter(field_name="visited_at", lookup_expr="date__gte")
    visited_to = filters.DateFilter(field_name="visited_at", lookup_expr="date__lte")

    class Meta:
        model = Visit
        fields = []


class DialogueFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(choices=DialogueKind.choices)
    unit = IdFilter(field_name="unit_id")
    within = UnitRefFilter(field_name="within", path_field="unit__path")
    case = IdFilter(field_name="cases__id", help_text="Dialogues on this case (id).")

    class Meta:
        model = Dialogue
        fields = []


class PartyFilter(StrictFilterSet):
    q = TextFilter(
        method="filter_q",
        max_length=200,
        help_text="Part of a name (case and Vietnamese diacritics ignored), or an exact ID number.",
    )

    class Meta:
        model = Party
        fields = []

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(search_name__contains=fold(value)) | Q(id_number=value.strip()))


class AccessLogFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(choices=AccessLog.Kind.choices)
    case = IdFilter(field_name="case_id")
    user = IdFilter(field_name="user_id", max_value=MAX_INT)

    class Meta:
        model = AccessLog
        fields = []
