"""One state machine per case kind (DOMAIN.md §§5–7, names from §13).

`casework.Case` owns the protected FSM field; each kind here is a proxy model carrying that kind's
transitions and guards. Transitions are only ever called by `workflows.service.perform_action`,
which checks permission, locks the row, records the audit trail and writes the outbox around them.

A guard is a condition with a `code`: when it fails the service reports that code (e.g.
`dialogue_required`) together with the actions that are allowed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import RETURN_VALUE, transition

from casework import figures
from casework.choices import Action, CaseKind, DeadlineKind, DeadlineStatus, PartyRole
from casework.choices import CaseState as S
from casework.models import Case, Deadline, Unit
from casework.rules import periods, policy

from . import clocks
from .errors import RuleViolation, ValidationFailed

# States in which the case is being resolved; suspension and extension apply here.
IN_RESOLUTION = [S.ACCEPTED, S.VERIFYING, S.AWAITING_APPROVAL]
BEFORE_ACCEPTANCE = [S.RECEIVED, S.UNDER_REVIEW]
WITHDRAWABLE = BEFORE_ACCEPTANCE + IN_RESOLUTION + [S.SUSPENDED]
# States in which the unit may wait on the citizen to supplement the file (clocks paused meanwhile).
AWAITABLE = BEFORE_ACCEPTANCE + IN_RESOLUTION


@dataclass(frozen=True)
class LinkedCaseRequest:
    """A case the transition opens at another unit (transfer: the competent unit's case; appeal: the
    second-round complaint). The machine decides that one is needed and where; the transition service
    opens it through workflows.intake.linked in the same transaction, so machines never import intake."""

    action: str
    target_unit: Unit


@dataclass
class ActionContext:
    actor: Any
    effective_date: date
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    linked_case: LinkedCaseRequest | None = None


def guard(code: str, message) -> Callable[[Callable[[Case], bool]], Callable[[Case], bool]]:
    """Mark a transition condition with the machine-readable code reported when it fails."""

    def mark(fn: Callable[[Case], bool]) -> Callable[[Case], bool]:
        fn.guard_code = code
        fn.guard_message = message
        return fn

    return mark


# --- Guards -------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


# Guards read related rows through .all() so that a list of cases prefetched with
# GUARD_PREFETCH answers available_actions without a query per case.
GUARD_PREFETCH = ("deadlines", "dialogues", "case_parties__party")


def _deadline(case: Case, kind: str) -> Deadline | None:
    return next((d for d in case.deadlines.all() if d.kind == kind), None)


def has_valid_dialogue(case: Case) -> bool:
    """A dialogue held, or the complainant's absence without valid reason recorded (Law 136/2025)."""
    return any(d.satisfies_dialogue_requirement for d in case.dialogues.all())


@guard(
    "dialogue_required",
    gettext_lazy(
        "A second-round complaint cannot be decided without a recorded dialogue or a recorded absence of "
        "the complainant without valid reason (LKN Art. 39)."
    ),
)
def dialogue_recorded_for_second_round(case: Case) -> bool:
    return case.round != 2 or has_valid_dialogue(case)


@guard("first_round_only", gettext_lazy("Only a first-round complaint can be appealed."))
def is_first_round(case: Case) -> bool:
    return case.round == 1


@guard(
    "appeal_window_open",
    gettext_lazy(
        "The appeal window is still open; the case closes when it lapses without a second-round complaint."
    ),
)
def appeal_window_lapsed(case: Case) -> bool:
    if case.round != 1:
        return True
    window = _deadline(case, DeadlineKind.APPEAL_WINDOW)
    return window is None or window.status != DeadlineStatus.RUNNING or window.due_date < _today()


@guard(
    "first_round_pending",
    gettext_lazy(
        "The first-round complaint is still within its resolution deadline; a second-round complaint is "
        "possible only after the decision or once that deadline lapses (LKN Art. 33)."
    ),
)
def decided_or_resolution_lapsed(case: Case) -> bool:
    # Judged on today so the action is not offered when it must fail: the paper's date is never after
    # today, so a deadline not yet lapsed today cannot have lapsed on it. appeal() re-checks that date.
    if case.state == S.DECIDED:
        return True
    resolution = _deadline(case, DeadlineKind.RESOLUTION)
    return bool(resolution and resolution.due_date and resolution.due_date < _today())


@guard(
    "publication_required",
    gettext_lazy("The decision or conclusion must be published before the case is closed."),
)
def published_if_required(case: Case) -> bool:
    needs_publication = case.kind == CaseKind.DENUNCIATION or case.round == 2
    return not needs_publication or case.published_at is not None


@guard(
    "anonymous_denunciation",
    gettext_lazy(
        "An anonymous denunciation, or one under a false name, is not accepted; file it (LTC Art. 25)."
    ),
)
def denouncer_identified(case: Case) -> bool:
    # A transfer strips the denouncer's identity (LTC Art. 47); the unit it came from checked it.
    return case.petitioner_identified()


@guard(
    "representative_required",
    gettext_lazy(
        "A group complaint (5 or more people) must name its representatives before acceptance "
        "(Decree 124/2020 Art. 6)."
    ),
)
def group_has_representative(case: Case) -> bool:
    return not case.is_group or any(cp.role == PartyRole.REPRESENTATIVE for cp in case.case_parties.all())


@guard("not_already_published", gettext_lazy("The decision has already been published."))
def not_published(case: Case) -> bool:
    return case.published_at is None


@guard(
    "awaiting_citizen",
    gettext_lazy("The case is waiting on the citizen to supplement the file; record the reply first."),
)
def not_awaiting_citizen(case: Case) -> bool:
    return case.awaiting_citizen_since is None


@guard("not_awaiting_citizen", gettext_lazy("The case is not waiting on the citizen."))
def awaiting_citizen(case: Case) -> bool:
    return case.awaiting_citizen_since is not None


# --- Base machine -------------------------------------------------------------------------------


class CaseWorkflow(Case):
    """Steps common to every kind: intake, classification, acceptance, verification, approval, closure."""

    class Meta:
        proxy = True
        verbose_name = gettext_lazy("case workflow")
        verbose_name_plural = gettext_lazy("case workflows")

    # Classification -------------------------------------------------------------------------
    @transition(field="state", source=S.RECEIVED, target=S.UNDER_REVIEW)
    def review(self, ctx: ActionContext) -> None:
        """Start the competence and eligibility check."""

    @transition(field="state", source=BEFORE_ACCEPTANCE, target=S.TRANSFERRED)
    def transfer(self, ctx: ActionContext) -> None:
        """Not competent: send to the competent unit, where a linked case is opened."""
        self._finish_intake(ctx, Action.TRANSFER)
        ctx.linked_case = LinkedCaseRequest("transfer", ctx.params["target_unit"])

    @transition(field="state", source=BEFORE_ACCEPTANCE, target=S.GUIDED)
    def guide(self, ctx: ActionContext) -> None:
        """Not competent: guide the citizen to the competent body (once only)."""
        self.guidance = ctx.params["guidance"]
        self._finish_intake(ctx, Action.GUIDE)

    @transition(field="state", source=BEFORE_ACCEPTANCE, target=S.FILED)
    def file(self, ctx: ActionContext) -> None:
        """Not eligible for processing: archive with a coded reason."""
        self.reason_code = ctx.params["reason"]
        self._finish_intake(ctx, Action.FILE)

    def _finish_intake(self, ctx: ActionContext, action: str) -> None:
        self.awaiting_citizen_since = None
        # Classifying the letter (transfer, guidance, filing) is what both intake clocks ask for.
        clocks.apply_effects(case=self, action=action, on=ctx.effective_date)

    # Acceptance ------------------------------------------------------------------------------
    @transition(field="state", source=S.UNDER_REVIEW, target=S.ACCEPTED, conditions=[not_awaiting_citizen])
    def accept(self, ctx: ActionContext) -> None:
        """Formal acceptance (thụ lý): the resolution clock starts."""
        self._do_accept(ctx)

    def _do_accept(self, ctx: ActionContext) -> None:
        self.accepted_at = ctx.effective_date
        clocks.apply_effects(case=self, action=Action.ACCEPT, on=ctx.effective_date)

    @transition(field="state", source=S.UNDER_REVIEW, target=S.REJECTED, conditions=[not_awaiting_citizen])
    def reject(self, ctx: ActionContext) -> None:
        """Refuse acceptance (không thụ lý) with a coded reason."""
        self.reason_code = ctx.params["reason"]
        clocks.apply_effects(case=self, action=Action.REJECT, on=ctx.effective_date)

    # Resolution ------------------------------------------------------------------------------
    @transition(field="state", source=S.ACCEPTED, target=S.VERIFYING, conditions=[not_awaiting_citizen])
    def start_verification(self, ctx: ActionContext) -> None:
        self.handler = ctx.params["handler"]

    @transition(
        field="state", source=S.VERIFYING, target=S.AWAITING_APPROVAL, conditions=[not_awaiting_citizen]
    )
    def submit_for_approval(self, ctx: ActionContext) -> None:
        self.outcome = ctx.params["outcome"]
        self.outcome_summary = ctx.params["summary"]
        self._set_figures(ctx, figures.DECISION_FIGURES)

    def _set_figures(self, ctx: ActionContext, specs: tuple[figures.Figure, ...]) -> None:
        """The outcome figures the action states; those it leaves out keep what the case holds."""
        for spec in specs:
            if spec.name in ctx.params:
                setattr(self, spec.name, ctx.params[spec.name])

    @transition(field="state", source=S.AWAITING_APPROVAL, target=S.VERIFYING)
    def return_for_revision(self, ctx: ActionContext) -> None:
        """The head sends the draft back; the drafted outcome stays as a starting point."""

    @transition(
        field="state", source=S.AWAITING_APPROVAL, target=S.DECIDED, conditions=[not_awaiting_citizen]
    )
    def approve(self, ctx: ActionContext) -> None:
        """The head signs the decision / conclusion / answer."""
        self._do_approve(ctx)

    def _do_approve(self, ctx: ActionContext) -> None:
        self.decision_number = ctx.params["decision_number"]
        self.decided_at = ctx.effective_date
        self._set_figures(ctx, figures.DECISION_FIGURES)
        # Also opens the appeal window or the publication clock, where the policy table has one.
        clocks.apply_effects(case=self, action=Action.APPROVE, on=ctx.effective_date)

    @transition(field="state", source=S.DECIDED, target=S.DECIDED, conditions=[not_published])
    def publish(self, ctx: ActionContext) -> None:
        """Record the publication / notification of the decision."""
        self.published_at = ctx.effective_date
        clocks.apply_effects(case=self, action=Action.PUBLISH, on=ctx.effective_date)

    @transition(
        field="state",
        source=S.DECIDED,
        target=S.CLOSED,
        conditions=[appeal_window_lapsed, published_if_required],
    )
    def close(self, ctx: ActionContext) -> None:
        self.closed_at = ctx.effective_date
        clocks.apply_effects(case=self, action=Action.CLOSE, on=ctx.effective_date)

    @transition(field="state", source=[S.DECIDED, S.CLOSED], target=RETURN_VALUE(S.DECIDED, S.CLOSED))
    def record_implementation(self, ctx: ActionContext) -> str:
        """What the implementation of the decision or conclusion has achieved so far (02/KQGQ): the
        totals to date; `completed` dates the end of the implementation (and may be corrected later)."""
        self._set_figures(ctx, figures.IMPLEMENTATION_FIGURES)
        if ctx.params.get("completed") is True:
            self.implemented_at = ctx.effective_date
        elif ctx.params.get("completed") is False:
            self.implemented_at = None
        return self.state

    # Interruptions ---------------------------------------------------------------------------
    @transition(
        field="state",
        source=IN_RESOLUTION,
        target=RETURN_VALUE(*IN_RESOLUTION),
        conditions=[not_awaiting_citizen],
    )
    def extend(self, ctx: ActionContext) -> str:
        clocks.extend_deadline(
            case=self,
            days=ctx.params["days"],
            reason=ctx.params["reason"],
            on=ctx.effective_date,
            note=ctx.note,
        )
        return self.state

    @transition(field="state", source=IN_RESOLUTION, target=S.SUSPENDED, conditions=[not_awaiting_citizen])
    def suspend(self, ctx: ActionContext) -> None:
        """Suspension (tạm đình chỉ) by written decision; the suspended time does not count."""
        self.suspended_from = self.state
        clocks.apply_effects(
            case=self, action=Action.SUSPEND, on=ctx.effective_date, note=ctx.params["reason"]
        )

    @transition(field="state", source=S.SUSPENDED, target=RETURN_VALUE(*IN_RESOLUTION))
    def resume(self, ctx: ActionContext) -> str:
        clocks.apply_effects(case=self, action=Action.RESUME, on=ctx.effective_date)
        previous, self.suspended_from = self.suspended_from or S.ACCEPTED, ""
        return previous

    @transition(
        field="state", source=AWAITABLE, target=RETURN_VALUE(*AWAITABLE), conditions=[not_awaiting_citizen]
    )
    def await_citizen(self, ctx: ActionContext) -> str:
        """The file is incomplete: the citizen is asked to supplement it and the clocks stop meanwhile."""
        self.awaiting_citizen_since = ctx.effective_date
        clocks.apply_effects(
            case=self,
            action=Action.AWAIT_CITIZEN,
            on=ctx.effective_date,
            note=_("awaiting the citizen: %(r)s") % {"r": ctx.params["reason"]},
        )
        return self.state

    @transition(
        field="state", source=AWAITABLE, target=RETURN_VALUE(*AWAITABLE), conditions=[awaiting_citizen]
    )
    def citizen_responded(self, ctx: ActionContext) -> str:
        self.awaiting_citizen_since = None
        clocks.apply_effects(case=self, action=Action.CITIZEN_RESPONDED, on=ctx.effective_date)
        return self.state

    @transition(field="state", source=WITHDRAWABLE, target=RETURN_VALUE(S.WITHDRAWN, *WITHDRAWABLE))
    def withdraw(self, ctx: ActionContext) -> str:
        """Withdrawal in writing: in full the case ends (đình chỉ); in part it goes on for the rest."""
        if ctx.params.get("scope", "full") == "partial":
            return self.state
        clocks.apply_effects(case=self, action=Action.WITHDRAW, on=ctx.effective_date)
        self.closed_at = ctx.effective_date
        self.awaiting_citizen_since = None
        self.suspended_from = ""
        return S.WITHDRAWN


# --- Complaints (LKN 02/2011) -------------------------------------------------------------------


class ComplaintWorkflow(CaseWorkflow):
    class Meta:
        proxy = True
        verbose_name = gettext_lazy("complaint workflow")
        verbose_name_plural = gettext_lazy("complaint workflows")

    @transition(
        field="state",
        source=S.UNDER_REVIEW,
        target=S.ACCEPTED,
        conditions=[not_awaiting_citizen, group_has_representative],
    )
    def accept(self, ctx: ActionContext) -> None:
        if ctx.params.get("limitation_excuse"):
            self.limitation_excuse = ctx.params["limitation_excuse"]
        expired_on = self.limitation_expired_on()
        if expired_on and not self.limitation_excuse.strip():
            rule = policy.legal_parameter("complaint.limitation_days", self.decision_known_at)
            raise RuleViolation(
                "limitation_expired",
                _(
                    "The limitation period ended on %(date)s (%(basis)s); record the excuse "
                    "(force majeure, illness, travel) or reject the complaint."
                )
                % {
                    "date": expired_on,
                    "basis": policy.translate_citation(rule.citation),
                },
            )
        self._do_accept(ctx)

    def limitation_expired_on(self) -> date | None:
        """The last day of the limitation period if the complaint came after it, else None."""
        if self.round != 1 or not self.decision_known_at:
            return None
        last_day = periods.limitation_last_day(self.decision_known_at)
        return last_day if self.received_at > last_day else None

    @transition(
        field="state",
        source=S.VERIFYING,
        target=S.AWAITING_APPROVAL,
        conditions=[not_awaiting_citizen, dialogue_recorded_for_second_round],
    )
    def submit_for_approval(self, ctx: ActionContext) -> None:
        self.claim_differs = ctx.params.get("claim_differs")
        if self.claim_differs and not has_valid_dialogue(self):
            raise RuleViolation(
                "dialogue_required",
                _("The claim differs from the verification result: hold a dialogue first (LKN Art. 30)."),
            )
        self.outcome = ctx.params["outcome"]
        self.outcome_summary = ctx.params["summary"]
        self._set_figures(ctx, figures.DECISION_FIGURES)

    @transition(
        field="state",
        source=[S.DECIDED, *IN_RESOLUTION],
        target=S.APPEALED,
        conditions=[is_first_round, decided_or_resolution_lapsed],
    )
    def appeal(self, ctx: ActionContext) -> None:
        """Register a second-round complaint: a round-2 case opens at the higher unit."""
        on = ctx.effective_date
        if self.state == S.DECIDED:
            window = _deadline(self, DeadlineKind.APPEAL_WINDOW)
            if window and window.due_date and on > window.due_date:
                raise RuleViolation(
                    "appeal_window_lapsed",
                    _("The appeal window ended on %(due)s (LKN Art. 33).") % {"due": window.due_date},
                )
        else:
            resolution = _deadline(self, DeadlineKind.RESOLUTION)
            if not (resolution and resolution.due_date and on > resolution.due_date):
                raise RuleViolation(
                    "first_round_pending",
                    _(
                        "The first-round complaint is still within its resolution deadline; a second-round "
                        "complaint is possible only after the decision or once that deadline lapses."
                    ),
                )
        target = ctx.params.get("target_unit") or self.unit.parent
        if target is None:
            raise ValidationFailed(
                {"target_unit": [_("The first-round unit has no higher unit; name the target.")]}
            )
        clocks.apply_effects(case=self, action=Action.APPEAL, on=on)
        ctx.linked_case = LinkedCaseRequest("appeal", target)


# --- Denunciations (LTC 25/2018) ----------------------------------------------------------------


class DenunciationWorkflow(CaseWorkflow):
    class Meta:
        proxy = True
        verbose_name = gettext_lazy("denunciation workflow")
        verbose_name_plural = gettext_lazy("denunciation workflows")

    @transition(
        field="state",
        source=S.UNDER_REVIEW,
        target=S.ACCEPTED,
        conditions=[not_awaiting_citizen, denouncer_identified],
    )
    def accept(self, ctx: ActionContext) -> None:
        self._do_accept(ctx)


# --- Recommendations and reflections ------------------------------------------------------------


class PetitionWorkflow(CaseWorkflow):
    """Kiến nghị / phản ánh: classified, handled and answered; no statutory refusal, extension,
    suspension or appeal, so those actions are not offered."""

    class Meta:
        proxy = True
        verbose_name = gettext_lazy("petition workflow")
        verbose_name_plural = gettext_lazy("petition workflows")

    reject = None
    extend = None
    suspend = None
    resume = None
    record_implementation = None


class RecommendationWorkflow(PetitionWorkflow):
    class Meta:
        proxy = True
        verbose_name = gettext_lazy("recommendation workflow")
        verbose_name_plural = gettext_lazy("recommendation workflows")


class ReflectionWorkflow(PetitionWorkflow):
    class Meta:
        proxy = True
        verbose_name = gettext_lazy("reflection workflow")
        verbose_name_plural = gettext_lazy("reflection workflows")


MACHINES: dict[str, type[CaseWorkflow]] = {
    CaseKind.COMPLAINT: ComplaintWorkflow,
    CaseKind.DENUNCIATION: DenunciationWorkflow,
    CaseKind.RECOMMENDATION: RecommendationWorkflow,
    CaseKind.REFLECTION: ReflectionWorkflow,
}


def workflow_for(case: Case) -> CaseWorkflow:
    """The case as an instance of its kind's machine: a new proxy instance of the same row.

    The argument is left as it was (its class, field values and caches), so a caller may go on using
    it: the proxy gets copies of the field values, of `_state` (db, adding, loaded relations) and of
    the prefetch cache, as Django's own Model.__getstate__ copies them. Related objects already loaded are
    shared, not copied: they are the same rows. A case that already is its machine is returned as is.
    """
    machine = MACHINES[case.kind]
    if isinstance(case, machine):
        return case
    values = dict(case.__dict__)
    values["_state"] = copy.copy(case._state)
    values["_state"].fields_cache = dict(values["_state"].fields_cache)
    if "_prefetched_objects_cache" in values:
        values["_prefetched_objects_cache"] = dict(values["_prefetched_objects_cache"])
    # Own copies of mutable values (JSON fields), so that a transition cannot change the argument.
    for f in case._meta.concrete_fields:
        if isinstance(values.get(f.attname), (dict, list)):
            values[f.attname] = copy.deepcopy(values[f.attname])
    proxy = machine.__new__(machine)
    proxy.__dict__.update(values)
    return proxy
