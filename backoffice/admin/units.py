"""Units, levels, roles and staff accounts: roles are granted and revoked through casework.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from backoffice.admin.mixins import (
    ScopedUnitFilter,
    ServiceAddMixin,
    UnitChoiceField,
    unit_queryset,
)
from casework.access import is_system_admin, visible_units
from casework.models import (
    Membership,
    Unit,
    UnitLevel,
)
from casework.services import (
    create_unit,
    grant_role,
    revoke_role,
)

User = get_user_model()


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

    class Media:
        css = {"all": ["backoffice/backoffice.css"]}  # the tree's indentation (no inline styles: CSP)

    list_filter = ("level", "is_remote", "is_active")
    list_select_related = ("level", "head")
    search_fields = ("name", "code", "address")
    ordering = ("path",)
    inlines = (MembershipInline,)
    readonly_fields = ("path", "depth")

    @admin.display(description=gettext_lazy("name"), ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return format_html('<span class="depth-{}">{}</span>', min(obj.depth, 6), obj.name)

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
