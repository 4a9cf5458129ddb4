"""The form of each workflow action, built from ACTION_PARAMS, for every front end that renders one.

A form holds only the fields its action takes, labelled in the reader's language, with choices
narrowed to what the action can lawfully name on this case (the outcomes of its kind, the unit's
handlers, the units that may receive an appeal or a transfer). It checks shape only; the engine
(`perform_action`) decides, and its refusal is put back on the form by `add_engine_error`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import figures
from casework.choices import (
    OUTCOMES_BY_KIND,
    Action,
    AuthorityLevel,
    CaseKind,
    ExtensionReason,
    FileReason,
    Outcome,
    RejectReason,
    Role,
)
from casework.models import Case, Unit
from casework.text import person_name

from .actions import ACTION_PARAMS, FIGURE_KINDS, Param
from .errors import StaleVersion, ValidationFailed, WorkflowError
from .permissions import may_perform
from .service import perform_action, perform_in_turn

# --- Vocabulary shown to staff ------------------------------------------------------------------

ACTION_LABELS = dict(Action.choices)

PARAM_LABELS = {
    "target_unit": gettext_lazy("competent unit"),
    "guidance": gettext_lazy("guidance given"),
    "reason": gettext_lazy("reason"),
    "limitation_excuse": gettext_lazy("reason the limitation period was missed"),
    "handler": gettext_lazy("handler"),
    "outcome": gettext_lazy("outcome"),
    "summary": gettext_lazy("conclusion summary"),
    "claim_differs": gettext_lazy("claim differs from the verification result"),
    "decision_number": gettext_lazy("decision number"),
    "days": gettext_lazy("days"),
    "scope": gettext_lazy("scope"),
    "completed": gettext_lazy("implementation completed"),
    **{f.name: f.label for f in figures.FIGURES.values()},
}

CHOICE_LABELS = {
    ("file", "reason"): dict(FileReason.choices),
    ("reject", "reason"): dict(RejectReason.choices),
    ("extend", "reason"): dict(ExtensionReason.choices),
    ("submit_for_approval", "outcome"): dict(Outcome.choices),
    ("withdraw", "scope"): {
        "full": gettext_lazy("In full: the case ends"),
        "partial": gettext_lazy("In part: the case goes on for the rest"),
    },
}

# Actions that end or redirect the case: a front end asks for confirmation and styles them apart.
CONSEQUENTIAL_ACTIONS = frozenset({"transfer", "guide", "file", "reject", "withdraw", "close"})

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# The step the same person usually signs on the same paper as an action: a head who accepts a case
# names its handler in the acceptance (the verification assignment), so the acceptance form offers the
# handler too, optional, and both happen in one transaction.
FOLLOW_UPS = {"accept": "start_verification"}


def follow_up_of(case: Case, action: str, actor) -> str | None:
    """The follow-up `actor` may sign together with `action` on this case, if any."""
    follow_up = FOLLOW_UPS.get(action)
    if follow_up is None or actor is None or not may_perform(actor, case, follow_up):
        return None
    return follow_up


# --- Who and what an action may name --------------------------------------------------------------


def appeal_targets(case: Case) -> QuerySet[Unit]:
    """The units above the first-round unit, nearest first: a second-round complaint goes up, and
    by default to the unit directly above (LKN Arts. 17–21)."""
    return case.unit.ancestors().filter(is_active=True).select_related("level").order_by("-depth")


def province_of(unit: Unit) -> Unit | None:
    """The province (the highest provincial-level government unit) that `unit` lies in, if any."""
    chain = [*unit.ancestors().select_related("level"), unit]
    return next(
        (u for u in chain if u.level.authority_level == AuthorityLevel.PROVINCE and not u.level.is_agency),
        None,
    )


def transfer_targets(case: Case) -> QuerySet[Unit]:
    """Every other active unit, those of the case's own province first, each group in tree order."""
    units = Unit.objects.filter(is_active=True).exclude(pk=case.unit_id)
    province = province_of(case.unit)
    if province is None:
        return units.annotate(elsewhere=Value(0, IntegerField())).order_by("path")
    return units.annotate(
        elsewhere=SqlCase(When(path__startswith=province.path, then=Value(0)), default=Value(1))
    ).order_by("elsewhere", "path")


def handler_candidates(case: Case) -> QuerySet:
    """The handlers and heads of the unit holding the case, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit=case.unit_id,
            memberships__role__in=[Role.HANDLER, Role.UNIT_HEAD],
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _indented(unit: Unit) -> str:
    return f"{'— ' * max(unit.depth - 1, 0)}{unit.name}"


# --- The form -----------------------------------------------------------------------------------


def shown_params(case: Case, action: str) -> tuple[Param, ...]:
    # `claim_differs` is a complaint's question (DOMAIN.md §13); the other machines ignore it. Outcome
    # figures are counted for complaints and denunciations only (the engine refuses them elsewhere).
    return tuple(
        p
        for p in ACTION_PARAMS[action]
        if not (p.name == "claim_differs" and case.kind != CaseKind.COMPLAINT)
        and not (p.name in figures.FIGURES and case.kind not in FIGURE_KINDS)
    )


def _unit_field(case: Case, action: str, param: Param, label) -> forms.Field:
    if action == "appeal":
        units = list(appeal_targets(case))
        return forms.TypedChoiceField(
            label=label,
            required=param.required,
            coerce=int,
            choices=[(u.pk, u.name) for u in units],
            initial=units[0].pk if units else None,
            help_text=_("The unit directly above comes first."),
        )
    units = list(transfer_targets(case))
    near = [(u.pk, _indented(u)) for u in units if not u.elsewhere]
    far = [(u.pk, _indented(u)) for u in units if u.elsewhere]
    grouped = [(_("In the same province"), near), (_("Elsewhere"), far)]
    choices = grouped if near and far else near + far
    return forms.TypedChoiceField(
        label=label,
        required=param.required,
        coerce=int,
        choices=[("", "—"), *choices],
    )


def _held(case: Case, param: Param) -> Any:
    """What the case already states for an outcome figure, so that a form restating the figures
    (approving the draft, a later implementation record) starts from them."""
    return getattr(case, param.name, None) if param.name in figures.FIGURES else None


def _param_field(case: Case, action: str, param: Param) -> forms.Field:
    label = capfirst(PARAM_LABELS.get(param.name, param.name.replace("_", " ")))
    if param.type == "text":
        widget = forms.Textarea(attrs={"rows": 4}) if param.max_length > 200 else forms.TextInput
        return forms.CharField(
            label=label, required=param.required, max_length=param.max_length, widget=widget
        )
    if param.type == "int":
        return forms.IntegerField(label=label, required=param.required, min_value=1)
    if param.type == "count":
        return forms.IntegerField(
            label=label, required=param.required, min_value=0, initial=_held(case, param)
        )
    if param.type == "decimal":
        # Localized: an officer types "12,5" as Vietnamese write it; the engine gets the Decimal.
        return forms.DecimalField(
            label=label,
            required=param.required,
            min_value=0,
            max_digits=param.max_digits,
            decimal_places=param.decimal_places,
            localize=True,
            initial=_held(case, param),
        )
    if param.type == "bool":
        return forms.NullBooleanField(label=label, required=False, initial=_held(case, param))
    if param.type == "choice":
        names = CHOICE_LABELS.get((action, param.name), {})
        values = param.choices
        if (action, param.name) == ("submit_for_approval", "outcome"):
            # Only the outcomes of this kind make sense on this case; the engine checks it again.
            values = tuple(o for o in param.choices if o in OUTCOMES_BY_KIND[case.kind])
        choices = [(v, names.get(v, v)) for v in values]
        if not param.required or len(choices) > 1:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(label=label, required=param.required, choices=choices)
    if param.type == "unit":
        return _unit_field(case, action, param, label)
    if param.type == "user":
        return forms.TypedChoiceField(
            label=label,
            required=param.required,
            coerce=int,
            choices=[("", "—"), *((u.pk, person_name(u)) for u in handler_candidates(case))],
            initial=case.handler_id,
        )
    raise ValueError(f"Unknown parameter type {param.type}")


class ActionForm(forms.Form):
    """The fields of one action (from ACTION_PARAMS) plus the note, the date on the paper (today by
    default) and the version of the case the user saw."""

    def __init__(self, data=None, *, case: Case, action: str, actor=None, **kwargs):
        super().__init__(data, **kwargs)
        self.case, self.action = case, action
        self.params = shown_params(case, action)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=case.version)
        # The follow-up's fields come first (naming the handler is what the head does on nearly every
        # acceptance) and are all optional: left empty, only `action` happens.
        self.follow_up = follow_up_of(case, action, actor)
        self.follow_up_params = shown_params(case, self.follow_up) if self.follow_up else ()
        for param in self.follow_up_params:
            field = _param_field(case, self.follow_up, param)
            field.required = False
            field.help_text = _("Optional: if filled in, “%(action)s” is done at once.") % {
                "action": ACTION_LABELS.get(self.follow_up, self.follow_up)
            }
            self.fields[param.name] = field
        for param in self.params:
            self.fields[param.name] = _param_field(case, action, param)
        self.fields["note"] = forms.CharField(
            label=capfirst(_("note")), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["effective_date"] = forms.DateField(
            label=capfirst(_("date on the paper")),
            required=False,
            initial=timezone.localdate,
            input_formats=DATE_INPUT_FORMATS,
            widget=forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
            ),
            help_text=_("Not in the future, not before the previous step; deadlines count from it."),
        )

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def service_params(self, params: tuple[Param, ...] | None = None) -> dict[str, Any]:
        values = {}
        for param in self.params if params is None else params:
            value = self.cleaned_data.get(param.name)
            if value is None or value == "":
                continue
            values[param.name] = value
        return values

    def perform(self, *, case_id: int, actor) -> Case:
        """Perform the action, and its follow-up when its fields were filled in, through the engine."""
        kwargs = self.perform_kwargs()
        follow_up = self.service_params(self.follow_up_params) if self.follow_up else {}
        if not follow_up:
            return perform_action(case_id=case_id, actor=actor, **kwargs)
        return perform_in_turn(
            case_id=case_id,
            actor=actor,
            version=kwargs["version"],
            note=kwargs["note"],
            effective_date=kwargs["effective_date"],
            steps=[(self.action, kwargs["params"]), (self.follow_up, follow_up)],
        )

    def perform_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of perform_action, but case_id and actor."""
        effective: date | None = self.cleaned_data.get("effective_date")
        return {
            "action": self.action,
            "version": self.cleaned_data["version"],
            "note": self.cleaned_data.get("note", ""),
            "effective_date": effective,
            "params": self.service_params(),
        }

    def add_engine_error(self, error: WorkflowError) -> None:
        """Put the engine's refusal on the form: field errors next to their fields, the rest on top."""
        if isinstance(error, StaleVersion):
            self.add_error(
                None,
                _(
                    "Someone else changed this case after you opened it. Reload the case, check what "
                    "changed, and try again."
                ),
            )
            return
        if isinstance(error, ValidationFailed):
            for name, messages in error.errors.items():
                messages = [str(m) for m in messages]
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
                else:
                    self.add_error(None, messages)
            return
        self.add_error(None, error.message)
