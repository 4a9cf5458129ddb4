"""Admin screens for cases: the list with its clocks, the case page (people masked and free text
scrubbed through casework.confidentiality), the available transitions as buttons, and intake through
register_case.

No rule lives here: the action forms are built from workflows.actions.ACTION_PARAMS, the buttons come
from workflows.service.available_actions, and every POST calls exactly one engine function whose
refusal is shown on the form. The reception book is in backoffice.admin.visits, the calendar in
backoffice.admin.calendar.
"""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backoffice.admin.mixins import (
    CapitalizedLabelsMixin,
    ReadOnlyInline,
    ScopedUnitFilter,
    ScrubbedObjectMixin,
    ServiceAddMixin,
    UnitChoiceField,
    apply_service_errors,
    has_model_perm,
    log_personal_data_read,
    unit_queryset,
)
from casework import figures
from casework.access import is_system_admin, visible_cases, visible_units
from casework.choices import (
    Action,
    AuditStep,
    CaseKind,
    CaseState,
    Channel,
    DeadlineStatus,
    PartyKind,
)
from casework.confidentiality import (
    CASE_FREE_TEXT,
    NO_SECRETS,
    Secrets,
    can_see_denouncer,
    cases_naming,
    mask_label,
    secrets_for,
)
from casework.models import (
    Case,
    CaseEvent,
    CaseParty,
    Deadline,
    Dialogue,
    Unit,
)
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import explain
from casework.rules.periods import working_days_left
from workflows.actions import ACTION_PARAMS
from workflows.errors import StaleVersion, WorkflowError
from workflows.forms import ActionForm as EngineActionForm
from workflows.intake import CaseInput, PetitionerInput, register_case
from workflows.permissions import may_register
from workflows.service import available_actions, perform_action

User = get_user_model()


# --- Vocabulary shown to staff ------------------------------------------------------------------

ACTION_LABELS = dict(Action.choices)

# Audit-trail entries: transitions and the steps that are not transitions.
EVENT_LABELS = {**ACTION_LABELS, **dict(AuditStep.choices)}


def _fmt(day: date | None) -> str:
    return formats.date_format(day, "d/m/Y") if day else "—"


def describe_due(deadline: Deadline, today: date, calendar: WorkingCalendar) -> str:
    """ "07/04/2026 · 3 working days left" (or overdue, or paused)."""
    left = working_days_left(deadline, today, calendar)
    if left is None:
        return _("paused") if deadline.status == DeadlineStatus.PAUSED else deadline.get_status_display()
    due = _fmt(deadline.due_date)
    if left < 0:
        return ngettext(
            "%(due)s · %(n)d working day overdue", "%(due)s · %(n)d working days overdue", -left
        ) % {"due": due, "n": -left}
    if left == 0:
        return _("%(due)s · due today") % {"due": due}
    return ngettext("%(due)s · %(n)d working day left", "%(due)s · %(n)d working days left", left) % {
        "due": due,
        "n": left,
    }


def open_deadlines_prefetch() -> Prefetch:
    return Prefetch(
        "deadlines",
        queryset=Deadline.objects.filter(status__in=(DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)).order_by(
            "due_date"
        ),
        to_attr="open_deadlines",
    )


def overdue_deadlines(today: date):
    """Running clocks past their due date: served by the partial index deadline_running_due_idx."""
    return Deadline.objects.filter(status=DeadlineStatus.RUNNING, due_date__lt=today)


# --- Case list filters --------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        late = overdue_deadlines(timezone.localdate()).values("case_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=late)
        if self.value() == "no":
            return queryset.exclude(pk__in=late)
        return queryset


class DueWithinFilter(admin.SimpleListFilter):
    title = gettext_lazy("due within")
    parameter_name = "due_within"
    options = (3, 5, 10)

    def lookups(self, request, model_admin):
        return [
            (str(n), ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}) for n in self.options
        ]

    def queryset(self, request, queryset):
        if self.value() not in {str(n) for n in self.options}:
            return queryset
        calendar, today = WorkingCalendar.load(), timezone.localdate()
        last = today
        for _i in range(int(self.value())):
            last = calendar.next_working_day(last)
        soon = Deadline.objects.filter(
            status=DeadlineStatus.RUNNING, due_date__gte=today, due_date__lte=last
        ).values("case_id")
        return queryset.filter(pk__in=soon)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = gettext_lazy("handler")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Assigned to me"))]

    def queryset(self, request, queryset):
        return queryset.filter(handler=request.user) if self.value() == "1" else queryset


# --- Case page inlines --------------------------------------------------------------------------


class CasePartyInline(ReadOnlyInline):
    model = CaseParty
    verbose_name = gettext_lazy("person")
    verbose_name_plural = gettext_lazy("petitioners and representatives")
    fields = ("role_label", "name", "id_number", "address", "phone")
    readonly_fields = fields
    # Set per request by CaseAdmin.get_inline_instances (inline instances are built per request).
    unmasked = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party")

    def _shown(self, link: CaseParty, value: str) -> str:
        return value if (self.unmasked or not link.confidential) else mask_label()

    @admin.display(description=gettext_lazy("role"))
    def role_label(self, link: CaseParty) -> str:
        role = link.get_role_display()
        return _("%(role)s (denouncer)") % {"role": role} if link.confidential else role

    @admin.display(description=gettext_lazy("full name"))
    def name(self, link: CaseParty) -> str:
        return self._shown(link, link.party.full_name or _("(anonymous)"))

    @admin.display(description=gettext_lazy("ID number"))
    def id_number(self, link: CaseParty) -> str:
        return self._shown(link, link.party.id_number)

    @admin.display(description=gettext_lazy("address"))
    def address(self, link: CaseParty) -> str:
        return self._shown(link, link.party.address)

    @admin.display(description=gettext_lazy("phone"))
    def phone(self, link: CaseParty) -> str:
        return self._shown(link, link.party.phone)


class DeadlineInline(ReadOnlyInline):
    model = Deadline
    fields = ("kind", "due_date", "days_left", "legal_basis", "status", "explanation")
    readonly_fields = fields
    ordering = ("start_date", "id")

    @property
    def calendar(self) -> WorkingCalendar:
        # One calendar per page: the inline instance lives for one request.
        if not hasattr(self, "_calendar"):
            self._calendar = WorkingCalendar.load()
        return self._calendar

    @admin.display(description=gettext_lazy("working days left"))
    def days_left(self, deadline: Deadline) -> str:
        if deadline.status not in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED):
            return "—"
        return describe_due(deadline, timezone.localdate(), self.calendar)

    @admin.display(description=gettext_lazy("legal basis"))
    def legal_basis(self, deadline: Deadline) -> str:
        return policy.translate_citation(deadline.basis)

    @admin.display(description=gettext_lazy("why this date"))
    def explanation(self, deadline: Deadline) -> str:
        return explain(deadline, self.calendar)


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    verbose_name_plural = gettext_lazy("audit trail")
    fields = ("at", "actor", "step", "transition", "effective_date", "event_note", "event_changes")
    readonly_fields = fields
    ordering = ("at", "id")  # newest last, like a register
    # Set per request by CaseAdmin.get_inline_instances: what this reader may not read in the notes.
    secrets = NO_SECRETS

    @admin.display(description=gettext_lazy("note"))
    def event_note(self, event: CaseEvent) -> str:
        return self.secrets.apply(event.note)

    @admin.display(description=gettext_lazy("changes"))
    def event_changes(self, event: CaseEvent) -> str:
        return json.dumps(self.secrets.apply(event.changes or {}), ensure_ascii=False, default=str)

    @admin.display(description=gettext_lazy("action"))
    def step(self, event: CaseEvent) -> str:
        return str(EVENT_LABELS.get(event.action, event.action))

    @admin.display(description=gettext_lazy("state"))
    def transition(self, event: CaseEvent) -> str:
        labels = dict(CaseState.choices)
        before, after = (
            labels.get(event.from_state, event.from_state),
            labels.get(event.to_state, event.to_state),
        )
        return str(after) if not before or before == after else f"{before} → {after}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CaseDialogueInline(ReadOnlyInline):
    model = Dialogue.cases.through
    verbose_name = gettext_lazy("dialogue")
    verbose_name_plural = gettext_lazy("dialogues")
    fields = ("dialogue_link", "held_at", "attendance")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dialogue", "dialogue__unit")

    @admin.display(description=gettext_lazy("dialogue"))
    def dialogue_link(self, link) -> str:
        url = reverse("admin:casework_dialogue_change", args=[link.dialogue_id])
        return format_html('<a href="{}">{}</a>', url, link.dialogue)

    @admin.display(description=gettext_lazy("time"))
    def held_at(self, link) -> str:
        return formats.date_format(timezone.localtime(link.dialogue.held_at), "d/m/Y H:i")

    @admin.display(description=gettext_lazy("complainant"))
    def attendance(self, link) -> str:
        d = link.dialogue
        if d.complainant_attended:
            return _("attended")
        return _("absent with valid reason") if d.absence_with_valid_reason else _("absent without reason")


# --- Forms --------------------------------------------------------------------------------------


class ActionForm(CapitalizedLabelsMixin, EngineActionForm):
    """The engine's action form (workflows.forms), with the admin's capitalised labels."""


class PetitionerForm(CapitalizedLabelsMixin, forms.Form):
    full_name = forms.CharField(label=gettext_lazy("full name"), max_length=200, required=False)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("address"), max_length=300, required=False)
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("email"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    is_representative = forms.BooleanField(label=gettext_lazy("representative"), required=False)

    def has_changed(self) -> bool:
        # A row with only its default kind is an empty row of the formset, skipped.
        return bool(set(self.changed_data) - {"kind"})

    def as_input(self) -> PetitionerInput:
        return PetitionerInput.from_dict(self.cleaned_data)


PetitionerFormSet = forms.formset_factory(PetitionerForm, extra=3)


def _filled(formset) -> list[PetitionerInput]:
    return [f.as_input() for f in formset if f.has_changed() and f.cleaned_data]


def intake_units(user):
    """Units where `user` may register cases and visits (the permission itself is the engine's)."""
    units = unit_queryset(visible_units(user))
    if is_system_admin(user):
        return units
    return units.filter(pk__in=[u.pk for u in units if may_register(user, u)])


ROUND_CHOICES = [("", "—"), ("1", gettext_lazy("First (lần đầu)")), ("2", gettext_lazy("Second (lần hai)"))]


class CaseIntakeForm(CapitalizedLabelsMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("unit"))
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=CaseKind.choices)
    round = forms.TypedChoiceField(
        label=gettext_lazy("round"),
        choices=ROUND_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("Complaints only."),
    )
    channel = forms.ChoiceField(label=gettext_lazy("channel"), choices=Channel.choices)
    received_at = forms.DateField(label=gettext_lazy("received on"), widget=AdminDateWidget)
    summary = forms.CharField(label=gettext_lazy("summary"), widget=forms.Textarea)
    respondent_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=Case._meta.get_field("respondent_unit").verbose_name,
    )
    respondent = forms.CharField(
        label=Case._meta.get_field("respondent").verbose_name, max_length=300, required=False
    )
    decision_known_at = forms.DateField(
        label=Case._meta.get_field("decision_known_at").verbose_name, required=False, widget=AdminDateWidget
    )
    limitation_excuse = forms.CharField(
        label=Case._meta.get_field("limitation_excuse").verbose_name, required=False, widget=forms.Textarea
    )
    several_locations = forms.BooleanField(
        label=Case._meta.get_field("several_locations").verbose_name, required=False
    )
    first_round_reference = forms.CharField(
        label=gettext_lazy("first-round case (reference)"),
        required=False,
        help_text=gettext_lazy("Second-round complaints: the reference of the first-round case."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = intake_units(user)
        self.fields["respondent_unit"].queryset = unit_queryset(Unit.objects.all())

    def clean_first_round_reference(self) -> Case | None:
        reference = self.cleaned_data["first_round_reference"].strip()
        if not reference:
            return None
        case = visible_cases(self.user).filter(reference__iexact=reference).first()
        if case is None:
            raise forms.ValidationError(_("No case with this reference among the cases you can see."))
        return case

    def as_input(self, petitioners: list[PetitionerInput]) -> CaseInput:
        cd = self.cleaned_data
        return CaseInput(
            unit=cd["unit"],
            kind=cd["kind"],
            channel=cd["channel"],
            received_at=cd["received_at"],
            summary=cd["summary"],
            petitioners=petitioners,
            round=cd["round"],
            first_round_case=cd["first_round_reference"],
            respondent_unit=cd["respondent_unit"],
            respondent=cd["respondent"],
            decision_known_at=cd["decision_known_at"],
            limitation_excuse=cd["limitation_excuse"],
            several_locations=cd["several_locations"],
        )


# --- Cases --------------------------------------------------------------------------------------


@admin.register(Case)
class CaseAdmin(ScrubbedObjectMixin, ServiceAddMixin, admin.ModelAdmin):
    class Media:
        css = {"all": ["backoffice/backoffice.css"]}  # the overdue badge (no inline styles: CSP)

    service_errors = (WorkflowError,)
    list_display = (
        "reference",
        "kind",
        "round",
        "state",
        "unit",
        "handler",
        "received_at",
        "next_due",
        "overdue_badge",
    )
    list_filter = (
        "state",
        "kind",
        "channel",
        "law_field",
        ScopedUnitFilter,
        OverdueFilter,
        DueWithinFilter,
        AssignedToMeFilter,
    )
    list_select_related = ("unit", "handler")
    search_fields = ("reference", "summary")
    search_help_text = gettext_lazy(
        "Reference, words of the summary, part of a petitioner's name (with or without diacritics) "
        "or an exact ID number."
    )
    date_hierarchy = "received_at"
    list_per_page = 50
    actions = None
    inlines = (CasePartyInline, DeadlineInline, CaseDialogueInline, CaseEventInline)
    # Free text of the case page, scrubbed of a sealed denouncer for a reader who may not see them.
    sealed_lookup = "case_parties__confidential"
    scrubbed_fields = CASE_FREE_TEXT

    scrub_list_rows = False  # the list's columns hold no free text

    def secrets(self, request, case: Case) -> Secrets:
        return secrets_for(case, request.user)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= cases_naming(request.user, queryset, search_term)
        return results, may_have_duplicates

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    ("kind", "round"),
                    "state",
                    "unit",
                    "handler",
                    ("channel", "received_at"),
                    "summary",
                    "law_field",
                )
            },
        ),
        (
            gettext_lazy("Decision or act concerned"),
            {"fields": ("respondent_unit", "respondent", "decision_known_at", "limitation_excuse")},
        ),
        (
            gettext_lazy("Intake"),
            {
                "fields": (
                    "registered_by",
                    ("several_locations", "is_group"),
                    "first_round_case",
                    "transferred_from",
                    "intake_warnings",
                )
            },
        ),
        (
            gettext_lazy("Outcome"),
            {
                "fields": (
                    "reason_code",
                    "guidance",
                    ("outcome", "claim_differs"),
                    "outcome_summary",
                    "decision_number",
                    ("accepted_at", "decided_at", "published_at", "closed_at"),
                )
            },
        ),
        (
            gettext_lazy("Outcome figures of the decision"),
            {"fields": tuple(f.name for f in figures.DECISION_FIGURES), "classes": ("collapse",)},
        ),
        (
            gettext_lazy("Implementation of the decision"),
            {
                "fields": ("implemented_at", *(f.name for f in figures.IMPLEMENTATION_FIGURES)),
                "classes": ("collapse",),
            },
        ),
        (
            gettext_lazy("Record"),
            {"fields": ("version", "created_at", "updated_at"), "classes": ("collapse",)},
        ),
    )
    readonly_fields = tuple(
        f
        for _name, opts in fieldsets
        for line in opts["fields"]
        for f in (line if isinstance(line, tuple) else (line,))
    )

    # Querysets ------------------------------------------------------------------------------
    def get_queryset(self, request):
        next_due = (
            Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.RUNNING)
            .order_by("due_date")
            .values("due_date")[:1]
        )
        return visible_cases(request.user, super().get_queryset(request)).annotate(
            next_due_date=Subquery(next_due)
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # evaluates the page once; the template reuses the cache
        prefetch_related_objects(rows, open_deadlines_prefetch())
        calendar, today = WorkingCalendar.load(), timezone.localdate()
        for case in rows:
            case.admin_calendar, case.admin_today = calendar, today
        return changelist

    # Permissions ---------------------------------------------------------------------------
    def has_change_permission(self, request, obj=None) -> bool:
        # Nothing on a case is edited by hand: every change is an action (buttons), audited by the engine.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # List columns --------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("next due"), ordering="next_due_date")
    def next_due(self, case: Case) -> str:
        deadlines = getattr(case, "open_deadlines", None)
        if not deadlines:
            return "—"
        running = [d for d in deadlines if d.status == DeadlineStatus.RUNNING and d.due_date]
        first = running[0] if running else deadlines[0]
        return f"{first.get_kind_display()}: {describe_due(first, case.admin_today, case.admin_calendar)}"

    @admin.display(description=gettext_lazy("overdue"))
    def overdue_badge(self, case: Case) -> str:
        today = getattr(case, "admin_today", None) or timezone.localdate()
        if any(d.is_overdue(today) for d in getattr(case, "open_deadlines", ())):
            return format_html(
                '<span class="badge-overdue">{}</span>',
                _("Overdue"),
            )
        return ""

    @admin.display(description=gettext_lazy("intake flags"))
    def intake_warnings(self, case: Case) -> str:
        if not case.intake_flags:
            return "—"
        return format_html_join(
            "",
            "<p>⚠ {} <code>[{}]</code></p>",
            ((f.get("message", ""), f.get("code", "")) for f in case.intake_flags),
        )

    # Case page -----------------------------------------------------------------------------
    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if isinstance(inline, CasePartyInline):
                inline.unmasked = obj is not None and can_see_denouncer(request.user, obj)
            if isinstance(inline, CaseEventInline) and obj is not None:
                inline.secrets = secrets_for(obj, request.user)
        return inlines

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if case is not None and self.has_view_permission(request, case):
            extra["case_actions"] = [
                {
                    "name": action,
                    "label": ACTION_LABELS.get(action, action),
                    "url": reverse(
                        "admin:casework_case_action",
                        args=[quote(case.pk), action],
                        current_app=self.admin_site.name,
                    ),
                }
                for action in available_actions(case, request.user)
            ]
            if case.kind != CaseKind.DENUNCIATION and has_model_perm(request.user, Dialogue, "add"):
                extra["record_dialogue_url"] = (
                    reverse("admin:casework_dialogue_add", current_app=self.admin_site.name)
                    + f"?cases={case.pk}"
                )
            if request.method == "GET":
                self._log_party_reads(request, case)
        return super().change_view(request, object_id, form_url, extra)

    def _log_party_reads(self, request, case: Case) -> None:
        unmasked = can_see_denouncer(request.user, case)
        for link in case.case_parties.select_related("party"):
            if link.confidential and not unmasked:
                continue
            log_personal_data_read(
                request.user,
                case=case,
                party=link.party,
                unmasked=link.confidential,
                detail=f"case page {case.reference}",
            )

    # Transition buttons --------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/action/<slug:action>/",
                self.admin_site.admin_view(self.action_view),
                name="{}_{}_action".format(*info),
            ),
            *super().get_urls(),
        ]

    def action_view(self, request, object_id, action):
        case = self.get_object(request, unquote(object_id))
        if case is None or not self.has_view_permission(request, case):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if action not in ACTION_PARAMS:
            raise Http404(_("Unknown action."))
        change_url = reverse(
            "admin:casework_case_change", args=[quote(case.pk)], current_app=self.admin_site.name
        )
        label = ACTION_LABELS.get(action, action)
        if request.method != "POST" and action not in available_actions(case, request.user):
            self.message_user(
                request,
                _("“%(action)s” is not available to you on this case now.") % {"action": label},
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)

        data = request.POST if request.method == "POST" else None
        form = ActionForm(data, case=case, action=action, initial={"version": case.version})
        if data is not None and form.is_valid():
            try:
                done = perform_action(
                    case_id=case.pk,
                    action=action,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    effective_date=form.cleaned_data["effective_date"],
                    params=form.service_params(),
                )
            except StaleVersion as stale:
                form.add_error(
                    None,
                    _(
                        "Someone else changed this case after you opened it (it is now at version %(v)d). "
                        "Reload the case, check what changed, and try again. [%(code)s]"
                    )
                    % {"v": stale.current_version, "code": stale.code},
                )
            except WorkflowError as error:
                apply_service_errors(form, error)
                allowed = getattr(error, "allowed_actions", None) or error.extra.get("allowed_actions")
                if allowed is not None:
                    form.add_error(
                        None,
                        _("Possible now: %(actions)s.")
                        % {"actions": ", ".join(str(ACTION_LABELS.get(a, a)) for a in allowed) or "—"},
                    )
            else:
                # Log against the Case row, not the machine's proxy class `done` belongs to.
                self.log_change(request, case, _("Action: %(action)s") % {"action": label})
                self.message_user(
                    request,
                    _("%(action)s: case %(ref)s is now “%(state)s”.")
                    % {"action": label, "ref": done.reference, "state": done.get_state_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        return self.render_service_form(
            request,
            form=form,
            title=_("%(action)s — %(ref)s") % {"action": label, "ref": case.reference},
            submit_label=label,
            cancel_url=change_url,
            original=case,
            template="admin/casework/case/action_form.html",
            extra_context={"case": case, "action": action, "action_label": label},
        )

    # Intake --------------------------------------------------------------------------------
    def build_add_forms(self, request, data):
        form = CaseIntakeForm(data, user=request.user, initial={"received_at": timezone.localdate()})
        petitioners = PetitionerFormSet(data, prefix="petitioners")
        return form, [(_("Petitioners"), petitioners)]

    def create_via_service(self, request, form, formsets):
        (_title, petitioners), *_rest = formsets
        return register_case(form.as_input(_filled(petitioners)), actor=request.user)

    def after_service_add(self, request, case: Case) -> None:
        for flag in case.intake_flags:
            self.message_user(
                request, f"{flag.get('message', '')} [{flag.get('code', '')}]", messages.WARNING
            )
