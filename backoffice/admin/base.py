"""The Django admin for staff: units and roles, people, dialogues, the audit trail and the logs.

Every list is scoped through casework.access, so a user sees their units' subtree only. Evidence
(audit trail, access log, outbox) is read-only. Where a domain service exists for an add, the admin
renders a plain form and calls the service, so its checks, audit and side effects always run.
The screens that drive the workflow engine (cases, reception book, calendar) are in
backoffice.admin.cases.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import all_roles, is_system_admin, visible_cases, visible_units
from casework.choices import CaseKind, CaseState, DialogueKind, Role
from casework.models import (
    AccessLog,
    Case,
    CaseEvent,
    CaseParty,
    Dialogue,
    Membership,
    OutboxMessage,
    Party,
    Unit,
    UnitLevel,
    Visit,
)
from casework.selectors import log_personal_data_access
from casework.services import (
    NotPermitted,
    ServiceError,
    create_unit,
    grant_role,
    record_dialogue,
    revoke_role,
)

User = get_user_model()

admin.site.site_header = gettext_lazy("Tiếp công dân — Case management")
admin.site.site_title = gettext_lazy("Tiếp công dân")
admin.site.index_title = gettext_lazy("Citizen reception, petitions, complaints and denunciations")

MASKED = gettext_lazy("●●● (confidential, LTC Art. 47)")


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
    (DOMAIN.md §9; Law 91/2025)."""
    log_personal_data_access(
        user=user,
        kind=AccessLog.Kind.UNMASKED_READ if unmasked else AccessLog.Kind.PERSONAL_DATA_READ,
        channel="admin",
        detail=detail,
        case=case,
        party=party,
    )


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


# --- Units and roles ----------------------------------------------------------------------------


@admin.register(UnitLevel)
class UnitLevelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rank", "authority_level", "is_agency", "is_active")
    list_filter = ("authority_level", "is_agency", "is_active")
    search_fields = ("code", "name")


class MembershipFormsetMixin:
    """Roles are granted and revoked through the casework services (group, staff flag, unit head),
    also when edited as an inline on a unit or a user."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        new = formset.save(commit=False)
        for membership in formset.deleted_objects:
            revoke_role(user=membership.user, unit=membership.unit, role=membership.role)
        for membership in new:
            if membership.pk is None:
                granted = grant_role(user=membership.user, unit=membership.unit, role=membership.role)
                membership.pk = granted.pk


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0

    def has_change_permission(self, request, obj=None) -> bool:
        # A role is granted or revoked, never edited in place (grant_role / revoke_role keep groups right).
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = unit_queryset(visible_units(request.user))
            kwargs["form_class"] = UnitChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    fields = ("unit", "role")


class UnitAddForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("code", "name", "level", "parent", "is_remote", "head", "address")


@admin.register(Unit)
class UnitAdmin(ServiceAddMixin, MembershipFormsetMixin, admin.ModelAdmin):
    list_display = ("indented_name", "code", "level", "is_remote", "head", "is_active")
    list_filter = ("level", "is_remote", "is_active")
    list_select_related = ("level", "head")
    search_fields = ("name", "code", "address")
    ordering = ("path",)
    inlines = (MembershipInline,)
    readonly_fields = ("path", "depth")

    @admin.display(description=gettext_lazy("name"), ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return format_html('<span style="padding-left:{}em">{}</span>', obj.depth * 1.5, obj.name)

    def get_queryset(self, request):
        return super().get_queryset(request) & visible_units(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = unit_queryset(visible_units(request.user))
            kwargs["form_class"] = UnitChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Units hold cases and history: deactivate them instead.
        return False

    def build_add_forms(self, request, data):
        form = UnitAddForm(data)
        form.fields["parent"] = UnitChoiceField(
            queryset=unit_queryset(visible_units(request.user)),
            # Only a system administrator creates a root of the tree.
            required=not is_system_admin(request.user),
            label=Unit._meta.get_field("parent").verbose_name,
        )
        return form, []

    def create_via_service(self, request, form, formsets):
        return create_unit(**form.cleaned_data)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role", ScopedUnitFilter)
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name", "unit__code")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit__in=visible_units(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = unit_queryset(visible_units(request.user))
            kwargs["form_class"] = UnitChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        granted = grant_role(user=obj.user, unit=obj.unit, role=obj.role)
        obj.pk = granted.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        revoke_role(user=obj.user, unit=obj.unit, role=obj.role)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "unit"):
            revoke_role(user=membership.user, unit=membership.unit, role=membership.role)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(MembershipFormsetMixin, BaseUserAdmin):
    inlines = (UserMembershipInline,)


# --- People -------------------------------------------------------------------------------------


def visible_parties(user) -> QuerySet[Party]:
    """People linked to a visible case in the open, or visitors in a visible unit's reception book.
    A denouncer reached only through a sealed link never shows up here (LTC Art. 47); the case page,
    which logs the read, is where the head sees them."""
    cases = visible_cases(user)
    open_links = CaseParty.objects.filter(case__in=cases, confidential=False).values("party_id")
    visits = Visit.objects.filter(unit__in=visible_units(user)).exclude(cases__kind=CaseKind.DENUNCIATION)
    visitors = Visit.visitors.through.objects.filter(visit__in=visits).values("party_id")
    return Party.objects.filter(Q(pk__in=open_links) | Q(pk__in=visitors))


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("full_name", "kind", "id_number", "phone", "address")
    list_filter = ("kind",)
    search_fields = ("full_name", "search_name", "id_number", "phone")
    fields = ("kind", "full_name", "id_number", "phone", "email", "address", "created_at")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=visible_parties(request.user).values("pk"))

    def has_add_permission(self, request) -> bool:
        # People enter the system at intake (a case or a visit), where they are linked and scoped.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            party = self.get_object(request, object_id)
            if party is not None and self.has_view_or_change_permission(request, party):
                log_personal_data_read(
                    request.user, case=None, party=party, unmasked=False, detail="party detail"
                )
        return super().change_view(request, object_id, form_url, extra_context)


# --- Dialogues ----------------------------------------------------------------------------------


# Where a dialogue can still inform the resolution (LKN Art. 30).
DIALOGUE_STATES = (CaseState.ACCEPTED, CaseState.VERIFYING, CaseState.AWAITING_APPROVAL, CaseState.SUSPENDED)


class DialogueAddForm(CapitalizedLabelsMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("unit"))
    kind = forms.ChoiceField(choices=DialogueKind.choices, label=gettext_lazy("kind"))
    cases = forms.ModelMultipleChoiceField(
        queryset=Case.objects.none(),
        required=False,
        label=gettext_lazy("cases"),
        help_text=gettext_lazy("Open cases of the unit (not denunciations)."),
    )
    chair = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("chair"))
    held_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label=gettext_lazy("time"))
    place = forms.CharField(max_length=200, label=gettext_lazy("place"))
    participants = forms.CharField(widget=forms.Textarea, required=False, label=gettext_lazy("participants"))
    minutes = forms.CharField(widget=forms.Textarea, required=False, label=gettext_lazy("minutes"))
    agreed_points = forms.CharField(
        widget=forms.Textarea, required=False, label=gettext_lazy("agreed points")
    )
    complainant_attended = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("complainant attended")
    )
    absence_with_valid_reason = forms.BooleanField(
        required=False,
        label=gettext_lazy("absence had a valid reason"),
        help_text=Dialogue._meta.get_field("absence_with_valid_reason").help_text,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_queryset(visible_units(user))
        self.fields["unit"].queryset = units
        self.fields["cases"].queryset = (
            visible_cases(user)
            .exclude(kind=CaseKind.DENUNCIATION)
            .filter(state__in=DIALOGUE_STATES)
            .select_related("unit")
            .order_by("reference")
        )
        self.fields["chair"].queryset = (
            User.objects.filter(is_active=True, memberships__unit__in=units).distinct().order_by("username")
        )


@admin.register(Dialogue)
class DialogueAdmin(ServiceAddMixin, admin.ModelAdmin):
    list_display = ("held_at", "kind", "unit", "chair", "place", "attendance", "case_references")
    list_filter = ("kind", ScopedUnitFilter, "complainant_attended")
    list_select_related = ("unit", "chair")
    search_fields = ("place", "participants", "cases__reference")
    date_hierarchy = "held_at"
    # The facts the dialogue guard reads stay as recorded; the narrative can be completed later.
    readonly_fields = (
        "kind",
        "unit",
        "chair",
        "held_at",
        "place",
        "cases",
        "complainant_attended",
        "absence_with_valid_reason",
        "recorded_by",
        "created_at",
    )
    fields = (
        "kind",
        "unit",
        "chair",
        "held_at",
        "place",
        "cases",
        "participants",
        "minutes",
        "agreed_points",
        "complainant_attended",
        "absence_with_valid_reason",
        "recorded_by",
        "created_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(unit__in=visible_units(request.user))
            .prefetch_related("cases")
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("complainant"))
    def attendance(self, obj: Dialogue) -> str:
        if obj.complainant_attended:
            return _("attended")
        return _("absent with valid reason") if obj.absence_with_valid_reason else _("absent without reason")

    @admin.display(description=gettext_lazy("cases"))
    def case_references(self, obj: Dialogue) -> str:
        return ", ".join(c.reference for c in obj.cases.all())

    def build_add_forms(self, request, data):
        initial: dict[str, Any] = {"held_at": timezone.localtime()}
        case_ids = [v for v in request.GET.get("cases", "").split(",") if v.isdigit()]
        if case_ids:
            initial["cases"] = case_ids
            first = visible_cases(request.user).filter(pk__in=case_ids).first()
            if first is not None:
                initial["unit"] = first.unit_id
        if request.GET.get("kind") in DialogueKind.values:
            initial["kind"] = request.GET["kind"]
        initial.setdefault("chair", request.user.pk)
        return DialogueAddForm(data, user=request.user, initial=initial), []

    def create_via_service(self, request, form, formsets):
        return record_dialogue(
            actor=request.user, cases=list(form.cleaned_data.pop("cases")), **form.cleaned_data
        )


# --- Evidence: audit trail, outbox, access log --------------------------------------------------


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "case", "actor", "action", "from_state", "to_state", "effective_date", "short_note")
    list_filter = ("action", "to_state")
    list_select_related = ("case", "actor")
    search_fields = ("case__reference", "note")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=visible_cases(request.user))

    @admin.display(description=gettext_lazy("note"))
    def short_note(self, obj: CaseEvent) -> str:
        return Truncator(obj.note).chars(80)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "topic", "case", "status", "attempts", "created_at", "sent_at", "short_error")
    list_filter = ("status", "topic")
    list_select_related = ("case",)
    search_fields = ("topic", "dedup_key", "case__reference")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_system_admin(request.user):
            return qs
        return qs.filter(case__in=visible_cases(request.user))

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return Truncator(obj.last_error).chars(80)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "kind", "case", "party_ref", "channel", "detail")
    list_filter = ("kind", "channel")
    list_select_related = ("user", "case")
    search_fields = ("user__username", "case__reference")
    date_hierarchy = "at"
    # The party is shown by number only: the log of who saw a denouncer must not reveal the denouncer.
    exclude = ("party",)
    readonly_fields = ("party_ref",)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or Role.ADMINISTRATOR in all_roles(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_system_admin(request.user):
            return qs
        return qs.filter(case__in=visible_cases(request.user))

    @admin.display(description=gettext_lazy("person"))
    def party_ref(self, obj: AccessLog) -> str:
        return f"#{obj.party_id}" if obj.party_id else "—"
