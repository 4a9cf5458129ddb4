"""The actions of DOMAIN.md §13 with the fields each takes, and their validation.

Validation here is about the shape of the input (types, required, choices, existence) and about who
or what it may name (a handler of this unit, a target unit elsewhere); legal guards live in the
machines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from casework import figures
from casework.choices import (
    OUTCOMES_BY_KIND,
    Action,
    CaseKind,
    ExtensionReason,
    FileReason,
    RejectReason,
    Role,
)
from casework.models import Case, Membership, Unit
from casework.text import as_boolean, as_decimal, as_whole_number, text_errors

from .errors import ValidationFailed


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # text | int | count | decimal | bool | choice | unit | user
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 4000
    # decimal: digits in all and after the point (the case column's own)
    max_digits: int = 0
    decimal_places: int = 0


MAX_COUNT = 2_147_483_647  # the case's PositiveIntegerField


def _figure_params(specs: tuple[figures.Figure, ...]) -> tuple[Param, ...]:
    """The optional parameters stating outcome figures, one per case column of casework.figures."""
    out = []
    for f in specs:
        if f.kind == "money":
            out.append(
                Param(f.name, "decimal", max_digits=figures.MONEY_DIGITS, decimal_places=figures.MONEY_PLACES)
            )
        elif f.kind == "land":
            out.append(
                Param(f.name, "decimal", max_digits=figures.LAND_DIGITS, decimal_places=figures.LAND_PLACES)
            )
        elif f.kind == "count":
            out.append(Param(f.name, "count"))
        else:
            out.append(Param(f.name, "bool"))
    return tuple(out)


DECISION_PARAMS = _figure_params(figures.DECISION_FIGURES)
IMPLEMENTATION_PARAMS = _figure_params(figures.IMPLEMENTATION_FIGURES)
# Kinds whose decision or conclusion the KQGQ forms count (not recommendations and reflections).
FIGURE_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.DENUNCIATION})


WITHDRAW_SCOPES = ("full", "partial")

ACTION_PARAMS: dict[Action, tuple[Param, ...]] = {
    Action.REVIEW: (),
    Action.TRANSFER: (Param("target_unit", "unit", required=True),),
    Action.GUIDE: (Param("guidance", "text", required=True),),
    Action.FILE: (Param("reason", "choice", required=True, choices=tuple(FileReason.values)),),
    Action.ACCEPT: (Param("limitation_excuse", "text"),),
    Action.REJECT: (Param("reason", "choice", required=True, choices=tuple(RejectReason.values)),),
    Action.START_VERIFICATION: (Param("handler", "user", required=True),),
    Action.SUBMIT_FOR_APPROVAL: (
        Param(
            "outcome",
            "choice",
            required=True,
            choices=tuple(sorted({o for outs in OUTCOMES_BY_KIND.values() for o in outs})),
        ),
        Param("summary", "text", required=True),
        Param("claim_differs", "bool"),
        *DECISION_PARAMS,
    ),
    Action.RETURN_FOR_REVISION: (),
    Action.APPROVE: (Param("decision_number", "text", required=True, max_length=64), *DECISION_PARAMS),
    Action.PUBLISH: (),
    Action.EXTEND: (
        Param("days", "int", required=True),
        Param("reason", "choice", required=True, choices=tuple(ExtensionReason.values)),
    ),
    Action.SUSPEND: (Param("reason", "text", required=True, max_length=200),),
    Action.RESUME: (),
    Action.WITHDRAW: (Param("scope", "choice", choices=WITHDRAW_SCOPES),),
    Action.AWAIT_CITIZEN: (Param("reason", "text", required=True, max_length=200),),
    Action.CITIZEN_RESPONDED: (),
    Action.APPEAL: (Param("target_unit", "unit"),),
    Action.CLOSE: (),
    Action.RECORD_IMPLEMENTATION: (Param("completed", "bool"), *IMPLEMENTATION_PARAMS),
}
ACTIONS = tuple(ACTION_PARAMS)


def _parse(param: Param, raw: Any, errors: dict[str, list[str]], codes: dict[str, list[str]]) -> Any:
    def fail(message: str, code: str = "invalid") -> None:
        errors.setdefault(param.name, []).append(message)
        codes.setdefault(param.name, []).append(code)

    if param.type == "text":
        value = str(raw).strip()
        if param.required and not value:  # spaces alone are no text
            fail(_("This field is required."), "required")
        elif len(value) > param.max_length:
            fail(_("At most %(n)d characters.") % {"n": param.max_length})
        text_errors(errors, {param.name: value}, codes=codes)
        return value
    if param.type == "int":
        try:
            value = int(raw)
        except (TypeError, ValueError):
            return fail(_("A whole number is required."))
        if value < 1:
            fail(_("Must be at least 1."))
        return value
    if param.type == "count":
        value = as_whole_number(raw)
        if value is None or not 0 <= value <= MAX_COUNT:
            return fail(_("A whole number, 0 or more, is required."))
        return value
    if param.type == "decimal":
        value = as_decimal(raw, places=param.decimal_places, digits=param.max_digits)
        if value is None:
            return fail(
                _("A number, 0 or more, with at most %(places)d decimals after a point is required.")
                % {"places": param.decimal_places}
            )
        return value
    if param.type == "bool":
        value = as_boolean(raw)
        return fail(_("true or false is required.")) if value is None else value
    if param.type == "choice":
        if raw not in param.choices:
            return fail(_("Must be one of: %(choices)s.") % {"choices": ", ".join(param.choices)})
        return raw
    model = Unit if param.type == "unit" else get_user_model()
    if isinstance(raw, model):
        return raw
    try:
        return model.objects.get(pk=int(raw), is_active=True)
    except (TypeError, ValueError, model.DoesNotExist):
        # Whole sentences, not the type code, so that translations can name the thing.
        return fail(_("No such unit.") if param.type == "unit" else _("No such user."), "does_not_exist")


def validate_params(case: Case, action: str, raw: dict[str, Any], note: str = "") -> dict[str, Any]:
    """Parse and check the fields of `action` for this case, and the note that goes with it into the
    audit record; raise ValidationFailed with field errors and, for each message, its code."""
    errors: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    text_errors(errors, {"note": note}, codes=codes)
    known = {p.name for p in ACTION_PARAMS[action]}
    for name in sorted(set(raw) - known):
        errors.setdefault(name, []).append(_("Unknown field for action %(action)s.") % {"action": action})
        codes.setdefault(name, []).append("unknown_field")
    values: dict[str, Any] = {}
    for param in ACTION_PARAMS[action]:
        present = param.name in raw and raw[param.name] not in (None, "")
        if not present:
            if param.required:
                errors.setdefault(param.name, []).append(_("This field is required."))
                codes.setdefault(param.name, []).append("required")
            continue
        value = _parse(param, raw[param.name], errors, codes)
        if param.name not in errors:
            values[param.name] = value
    if not errors:
        _check_references(case, action, values, errors, codes)
    if errors:
        raise ValidationFailed(errors, codes)
    return values


def _check_figures(
    case: Case, values: dict[str, Any], errors: dict[str, list[str]], codes: dict[str, list[str]]
) -> None:
    """Outcome figures belong to complaints and denunciations, and hang together with what the case
    already states (a part never exceeds its whole; people referred or prosecuted need the flag). Each
    refusal has its code: it compares a field with another or with the case, which no schema can say."""
    named = [name for name in values if name in figures.FIGURES]
    if named and case.kind not in FIGURE_KINDS:
        for name in named:
            errors[name] = [_("A %(kind)s carries no outcome figures.") % {"kind": case.get_kind_display()}]
            codes[name] = ["figures_not_for_kind"]
        return

    def after(name: str) -> Any:
        return values[name] if name in values else getattr(case, name)

    for part, whole in figures.PART_OF.items():
        if (part in named or whole in named) and (after(part) or 0) > (after(whole) or 0):
            errors[part] = [
                _("Cannot exceed %(whole)s.") % {"whole": case._meta.get_field(whole).verbose_name}
            ]
            codes[part] = ["exceeds_whole"]
    for count, flag in figures.IMPLIES_FLAG.items():
        if (count in named or flag in named) and (after(count) or 0) > 0 and after(flag) is not True:
            errors[flag] = [_("Set this too when people are named in the number beside it.")]
            codes[flag] = ["flag_required"]


def _check_references(
    case: Case, action: str, values: dict[str, Any], errors: dict[str, list[str]], codes: dict[str, list[str]]
) -> None:
    """What the values must be for this case (its kind, its unit): refusals that depend on the case."""
    _check_figures(case, values, errors, codes)
    outcome = values.get("outcome")
    if outcome and outcome not in OUTCOMES_BY_KIND[case.kind]:
        codes["outcome"] = ["outcome_not_for_kind"]
        errors["outcome"] = [
            _("For a %(kind)s the outcome is one of: %(choices)s.")
            % {"kind": case.get_kind_display(), "choices": ", ".join(OUTCOMES_BY_KIND[case.kind])}
        ]
    target = values.get("target_unit")
    if target is not None:
        if target.pk == case.unit_id:
            errors["target_unit"] = [_("The target must be another unit.")]
            codes["target_unit"] = ["same_unit"]
        elif action == Action.APPEAL and not case.unit.is_within(target):
            errors["target_unit"] = [_("A second-round complaint goes to a unit above the first-round unit.")]
            codes["target_unit"] = ["not_above"]
    handler = values.get("handler")
    if (
        handler is not None
        and not Membership.objects.filter(
            user=handler, unit=case.unit, role__in=[Role.HANDLER, Role.UNIT_HEAD]
        ).exists()
    ):
        errors["handler"] = [_("The handler must be a handler or head of %(unit)s.") % {"unit": case.unit}]
        codes["handler"] = ["not_a_handler"]
