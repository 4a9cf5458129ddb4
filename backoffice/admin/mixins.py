"""What every model admin of the backoffice shares: unit scoping, read-only evidence, service-backed
add forms, the logging of personal data shown, and free text scrubbed for a reader who may not see a
denouncer (all confidentiality decisions are casework.confidentiality's).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst, smart_split
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import visible_units
from casework.confidentiality import (
    Secrets,
    record_disclosure,
    secrets_for_cases,
)
from casework.models import (
    AccessLog,
    Case,
    Party,
    Unit,
)
from casework.services import (
    NotPermitted,
    ServiceError,
)

# --- Shared helpers -----------------------------------------------------------------------------


def indented_unit_name(unit: Unit) -> str:
    return f"{'— ' * unit.depth}{unit.name}"


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth, so a long list still reads like the organigram."""

    def label_from_instance(self, obj: Unit) -> str:
        return indented_unit_name(obj)


def unit_queryset(queryset: QuerySet[Unit]) -> QuerySet[Unit]:
    return queryset.filter(is_active=True).order_by("path")


class ScopedUnitFilter(admin.SimpleListFilter):
    """Filter by a unit and its subunits, offering only the units the user can see."""

    title = gettext_lazy("unit (with subunits)")
    parameter_name = "unit"
    unit_lookup = "unit"

    def lookups(self, request, model_admin):
        units = visible_units(request.user).order_by("path").only("pk", "name", "depth")
        return [(str(u.pk), indented_unit_name(u)) for u in units]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            unit = visible_units(request.user).get(pk=int(self.value()))
        except (ValueError, Unit.DoesNotExist):
            return queryset.none()
        return queryset.filter(**{f"{self.unit_lookup}__path__startswith": unit.path})


def log_personal_data_read(user, *, case: Case | None, party: Party, unmasked: bool, detail: str) -> None:
    """Every unmasked read of a denouncer, and every detail page showing personal data, is logged
    (DOMAIN.md §9; Law 91/2025), through casework.confidentiality's one logging path."""
    record_disclosure(
        user=user,
        kind=AccessLog.Kind.UNMASKED_READ if unmasked else AccessLog.Kind.PERSONAL_DATA_READ,
        channel="admin",
        detail=detail,
        reads=[(case, party)],
    )


class ScrubbedObjectMixin:
    """A change page whose free text may name a sealed denouncer shows it scrubbed for a reader who
    may not see them. The object is loaded with its `scrubbed_fields` replaced for this reader, and
    the page becomes read-only for them: saving it would write the scrubbed copy over the record."""

    scrubbed_fields: tuple[str, ...] = ()

    def secrets(self, request, obj) -> Secrets:  # pragma: no cover - abstract
        raise NotImplementedError

    # Whether list columns show any of `scrubbed_fields` (then each row of the page is scrubbed too).
    scrub_list_rows = True
    # The lookup that is true when the object's text may name a sealed denouncer (narrows the search check).
    sealed_lookup = ""

    def scrub_for_reader(self, request, obj) -> None:
        secrets = self.secrets(request, obj)
        if secrets:
            for name in self.scrubbed_fields:
                setattr(obj, name, secrets.apply(getattr(obj, name)))
            obj.scrubbed_for_reader = True

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self.scrub_for_reader(request, obj)
        return obj

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self.scrub_list_rows:
            for obj in changelist.result_list:  # the page, evaluated once and reused by the template
                self.scrub_for_reader(request, obj)
        return changelist

    def get_search_results(self, request, queryset, search_term):
        # A search must not answer "does this record name X?" for a sealed X: a record found only by a
        # word that its scrubbed text no longer holds is dropped from this reader's results.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = [w.casefold() for w in smart_split(search_term) if w.strip("\"'")]
        if not words or not self.sealed_lookup:
            return results, may_have_duplicates
        hidden = []
        for obj in results.filter(**{self.sealed_lookup: True}).distinct():
            secrets = self.secrets(request, obj)
            if not secrets:
                continue
            raw = " ".join(str(getattr(obj, f)) for f in self.scrubbed_fields).casefold()
            shown = str(secrets.apply(raw)).casefold()
            if any(w in raw and w not in shown for w in words):
                hidden.append(obj.pk)
        return (results.exclude(pk__in=hidden) if hidden else results), may_have_duplicates

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and getattr(obj, "scrubbed_for_reader", False):
            return False
        return super().has_change_permission(request, obj)


class CaseLinkedRecordMixin(ScrubbedObjectMixin):
    """A record attached to cases (a reception-book line, a dialogue): listed within the user's units,
    never deleted, and its free text scrubbed of a denouncer of any linked case the reader may not see."""

    sealed_lookup = "cases__case_parties__confidential"
    # Other relations the list and the page read, fetched with the cases.
    also_prefetch: tuple[str, ...] = ()

    def get_queryset(self, request):
        cases = Case.objects.select_related("unit").prefetch_related("case_parties__party")
        return (
            super()
            .get_queryset(request)
            .filter(unit__in=visible_units(request.user))
            .prefetch_related(*self.also_prefetch, Prefetch("cases", queryset=cases))
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def secrets(self, request, obj) -> Secrets:
        return secrets_for_cases(obj.cases.all(), request.user)


def has_model_perm(user, model, action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class ReadOnlyAdminMixin:
    """Records that are evidence: viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A read-only table on a parent page, visible to whoever may view the parent."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None) -> bool:
        return has_model_perm(request.user, self.parent_model, "view") or has_model_perm(
            request.user, self.parent_model, "change"
        )


class CapitalizedLabelsMixin:
    """Plain forms label fields with the models' lower-case verbose names; show them capitalized."""

    def capitalize_labels(self) -> None:
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capitalize_labels()


def apply_service_errors(form: forms.Form, error: Exception) -> None:
    """Show a service's refusal on the form: field errors next to their fields, the rest on top."""
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict) and errors:
        for name, msgs in errors.items():
            msgs = [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
            if name in form.fields and name not in form.errors:
                form.add_error(name, msgs)
            else:
                form.add_error(None, [f"{name}: {m}" for m in msgs])
        return
    message = getattr(error, "message", None) or str(error)
    code = getattr(error, "code", "")
    form.add_error(None, f"{message} [{code}]" if code else message)


class ServiceAddMixin:
    """Replaces the admin's add view with a plain form whose POST calls a domain service.

    Subclasses define `build_add_forms(request, data)` -> (form, [(title, formset), ...]) and
    `create_via_service(request, form, formsets)` -> the new object, and list the service's error
    classes in `service_errors`.
    """

    service_errors: tuple[type[Exception], ...] = (ServiceError, NotPermitted)
    service_form_template = "admin/casework/service_form.html"

    def build_add_forms(self, request, data):  # pragma: no cover - abstract
        raise NotImplementedError

    def create_via_service(self, request, form, formsets):  # pragma: no cover - abstract
        raise NotImplementedError

    def after_service_add(self, request, obj) -> None:
        """Hook for messages about what the service did (intake flags, moved deadlines...)."""

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form, formsets = self.build_add_forms(request, data)
        if data is not None and form.is_valid() and all(fs.is_valid() for _t, fs in formsets):
            try:
                obj = self.create_via_service(request, form, formsets)
            except self.service_errors as error:
                apply_service_errors(form, error)
            else:
                self.log_addition(request, obj, [{"added": {}}])
                self.message_user(
                    request,
                    _("%(name)s “%(obj)s” was added.") % {"name": self.opts.verbose_name, "obj": obj},
                    messages.SUCCESS,
                )
                self.after_service_add(request, obj)
                return HttpResponseRedirect(
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[quote(obj.pk)],
                        current_app=self.admin_site.name,
                    )
                )
        return self.render_service_form(
            request,
            form=form,
            formsets=formsets,
            title=_("Add %(name)s") % {"name": self.opts.verbose_name},
            submit_label=_("Save"),
            cancel_url=reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                current_app=self.admin_site.name,
            ),
            extra_context=extra_context,
        )

    def render_service_form(
        self,
        request,
        *,
        form: forms.Form,
        formsets=(),
        title: str,
        submit_label: str,
        cancel_url: str,
        original=None,
        template: str | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> TemplateResponse:
        adminform = helpers.AdminForm(
            form, [(None, {"fields": list(form.fields)})], {}, readonly_fields=(), model_admin=self
        )
        media = self.media + form.media
        for _title, formset in formsets:
            media += formset.media
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": original,
            "adminform": adminform,
            "form": form,
            "formsets": [{"title": t, "formset": fs} for t, fs in formsets],
            "has_formset_errors": any(fs.total_error_count() for _t, fs in formsets if fs.is_bound),
            "media": media,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template or self.service_form_template, context)
