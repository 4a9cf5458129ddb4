"""The case page every role works a case from, its action forms and the "record a dialogue" form.

Views parse input, call one engine function and render: the buttons come from
workflows.service.available_actions, the disabled ones with their reasons from blocked_actions, the
forms from workflows.forms (ACTION_PARAMS), the changes from perform_action and record_dialogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from casework import figures, selectors
from casework.access import can_view_unit
from casework.choices import (
    CASE_REASON_LABELS,
    CaseKind,
    DeadlineStatus,
    DialogueKind,
)
from casework.confidentiality import can_see_denouncer
from casework.models import Case
from casework.rules.calendar import WorkingCalendar
from casework.rules.explain import explain
from casework.rules.periods import working_days_left
from casework.rules.policy import translate_citation
from casework.services import NotPermitted, ServiceError, may_hold_case_dialogue, record_dialogue
from casework.text import person_name
from workflows import citizen
from workflows.actions import ACTION_PARAMS
from workflows.errors import WorkflowError
from workflows.forms import (
    ACTION_LABELS,
    CONSEQUENTIAL_ACTIONS,
    ActionForm,
    follow_up_of,
    handler_candidates,
)
from workflows.service import available_actions, blocked_actions

from .. import privacy
from ..history import history
from .documents import documents_panel

# One click is enough for these: nothing to fill in, nothing to undo (the form stays one link away
# for a date on the paper or a note), unless the person may sign a follow-up with them (a head accepting
# names the handler in the same form).
QUICK_ACTIONS = frozenset({"review", "accept", "publish", "resume", "citizen_responded"})
# The main road of a case: the first of these on offer is the page's primary button.
MAIN_ROAD = ("review", "accept", "start_verification", "submit_for_approval", "approve", "publish", "close")


@dataclass(frozen=True)
class Related:
    relation: str
    case: Case
    visible: bool


def _case_or_404(user, case_id: int) -> Case:
    case = selectors.case_page(user, case_id)
    if case is None:
        raise Http404(_("No such case."))
    return case


def _related(case: Case, user) -> list[Related]:
    links = []
    if case.first_round_case_id:
        links.append((_("First-round case"), case.first_round_case))
    links += [(_("Second-round case"), c) for c in case.appeal_cases.all()]
    if case.transferred_from_id:
        links.append((_("Transferred from"), case.transferred_from))
    links += [(_("Transferred to"), c) for c in case.transfers.all()]
    return [Related(str(label), c, can_view_unit(user, c.unit)) for label, c in links]


def _deadlines(case: Case, today, calendar: WorkingCalendar) -> list[dict]:
    rows = []
    for deadline in case.deadlines.all():
        left = working_days_left(deadline, today, calendar)
        rows.append(
            {
                "deadline": deadline,
                "open": deadline.status == DeadlineStatus.RUNNING,
                "left": left,
                "late": -left if left is not None and left < 0 else 0,
                "basis": translate_citation(deadline.basis),
                "why": explain(deadline, calendar),
            }
        )
    # Running clocks first, nearest due date first; then the finished ones in the order they ran.
    return sorted(
        rows, key=lambda r: (not r["open"], r["deadline"].due_date or today if r["open"] else today)
    )


@login_required
def case_page(request, case_id: int):
    user, today = request.user, timezone.localdate()
    case = _case_or_404(user, case_id)
    calendar = WorkingCalendar.load()
    actions = available_actions(case, user)
    quick = {a for a in actions if a in QUICK_ACTIONS and not follow_up_of(case, a, user)}
    primary = next((a for a in MAIN_ROAD if a in actions), None)
    blocked = blocked_actions(case, user)
    reasons: dict[str, list[str]] = {}
    for b in blocked:
        reasons.setdefault(b.message, []).append(str(ACTION_LABELS.get(b.action, b.action)))
    secrets = privacy.case_secrets(case, user)
    context = {
        "case": case,
        "today": today,
        "calendar": calendar,
        "summary": secrets.apply(case.summary),
        "outcome_summary": secrets.apply(case.outcome_summary),
        "guidance": secrets.apply(case.guidance),
        "reason": CASE_REASON_LABELS.get(case.reason_code, ""),
        "figures": [{"label": f.label, "kind": f.kind, "value": v} for f, v in figures.stated(case)],
        "warnings": [secrets.apply(str(f.get("message", ""))) for f in case.intake_flags or []],
        "parties": privacy.petitioners(case, user),
        "attachments": list(case.attachments.all()),
        "attachments_sealed": case.kind == CaseKind.DENUNCIATION and not can_see_denouncer(user, case),
        "deadlines": _deadlines(case, today, calendar),
        "history": history(case, user, secrets),
        "related": _related(case, user),
        "actions": [
            {
                "name": a,
                "label": ACTION_LABELS.get(a, a),
                "quick": a in quick,
                "primary": a == primary,
                "danger": a in CONSEQUENTIAL_ACTIONS,
            }
            for a in actions
        ],
        "blocked": [
            {"name": b.action, "label": ACTION_LABELS.get(b.action, b.action), "reason": b.message}
            for b in blocked
        ],
        "reasons": [{"message": m, "actions": a} for m, a in reasons.items()],
        "dialogues": [
            {
                "dialogue": d,
                "minutes": secrets.apply(d.minutes),
                "agreed_points": secrets.apply(d.agreed_points),
                "participants": secrets.apply(d.participants),
            }
            for d in case.dialogues.all()
        ],
        "may_record_dialogue": may_hold_case_dialogue(case, user),
        # Wrong lookup codes tried on the reference today: its code is being guessed (issue 15).
        "guessing": citizen.guessing_alert(case.reference),
    }
    context["documents_panel"] = documents_panel(case, user)
    context["open_form"] = _open_form(
        request, case, primary if primary not in quick else None, blocked, context["may_record_dialogue"]
    )
    return render(request, "workspace/case.html", context)


def _open_form(request, case: Case, primary: str | None, blocked, may_dialogue: bool) -> dict | None:
    """The form of the next step, already open under the buttons, so that the step costs no extra click:
    the main road's next action when it needs fields, or the dialogue when it is what the law waits for
    (a second-round decision without one is blocked by `dialogue_required`)."""
    user = request.user
    if primary:
        return {
            "template": "workspace/partials/action_form.html",
            **_action_context(
                case,
                primary,
                user,
                ActionForm(case=case, action=primary, actor=user, initial=_initial(case, primary, user)),
            ),
        }
    if primary is None and may_dialogue and any(b.code == "dialogue_required" for b in blocked):
        return {
            "template": "workspace/partials/dialogue_form.html",
            **_dialogue_context(case, DialogueForm(case=case)),
        }
    return None


def _action_context(case: Case, action: str, user, form) -> dict:
    return {
        "case": case,
        "form": form,
        "action": action,
        "label": ACTION_LABELS.get(action, action),
        "danger": action in CONSEQUENTIAL_ACTIONS,
        "outcome_summary": privacy.case_text(case.outcome_summary, case, user),
        "post_url": reverse("workspace:case-action", args=[case.pk, action]),
    }


def _dialogue_context(case: Case, form) -> dict:
    return {
        "case": case,
        "form": form,
        "label": capfirst(_("record a dialogue")),
        "post_url": reverse("workspace:case-dialogue", args=[case.pk]),
    }


def _form_response(request, template: str, context: dict):
    """The form alone for HTMX (swapped in under the buttons), or a whole page without JavaScript."""
    if request.htmx:
        return render(request, f"workspace/partials/{template}", context)
    return render(
        request, "workspace/case_form.html", {**context, "partial": f"workspace/partials/{template}"}
    )


def _done(request, case: Case):
    """After a change: the case page as it now stands. Over HTMX the page is redrawn where it is (no
    page load; the message, the state, the buttons and the next step's form all change in place);
    without JavaScript, the browser is redirected to it."""
    if not request.htmx:
        return redirect("workspace:case", case_id=case.pk)
    try:
        response = case_page(request, case.pk)
    except Http404:  # the change took the case out of the reader's reach
        return HttpResponseClientRedirect(reverse("workspace:home"))
    response["HX-Retarget"] = "body"
    response["HX-Reswap"] = "innerHTML show:top"
    return response


def _initial(case: Case, action: str, user) -> dict:
    """A draft returned for revision keeps its outcome as a starting point (unless the reader sees it
    masked: a masked text must not be sent back as the new summary)."""
    if action != "submit_for_approval" or not case.outcome:
        return {}
    initial = {"outcome": case.outcome, "claim_differs": case.claim_differs}
    if privacy.case_text(case.outcome_summary, case, user) == case.outcome_summary:
        initial["summary"] = case.outcome_summary
    return initial


@login_required
def case_action(request, case_id: int, action: str):
    user = request.user
    case = _case_or_404(user, case_id)
    if action not in ACTION_PARAMS:
        raise Http404(_("Unknown action."))
    label = ACTION_LABELS.get(action, action)
    if request.method == "POST":
        form = ActionForm(request.POST, case=case, action=action, actor=user)
        if form.is_valid():
            try:
                done = form.perform(case_id=case.pk, actor=user)
            except WorkflowError as error:
                form.add_engine_error(error)
            else:
                messages.success(
                    request,
                    _("%(action)s: case %(ref)s is now “%(state)s”.")
                    % {"action": label, "ref": done.reference, "state": done.get_state_display()},
                )
                return _done(request, case)
    else:
        if action not in available_actions(case, user):
            messages.warning(
                request, _("“%(action)s” is not available to you on this case now.") % {"action": label}
            )
            return _done(request, case)
        form = ActionForm(case=case, action=action, actor=user, initial=_initial(case, action, user))
    return _form_response(request, "action_form.html", _action_context(case, action, user, form))


# --- Dialogues ----------------------------------------------------------------------------------

ATTENDANCE = (
    ("attended", gettext_lazy("The complainant attended")),
    ("absent", gettext_lazy("Absent without valid reason (resolution continues)")),
    ("excused", gettext_lazy("Absent with valid reason")),
)


class DialogueForm(forms.Form):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        input_formats=["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    chair = forms.TypedChoiceField(label=gettext_lazy("Chair"), coerce=int)
    attendance = forms.ChoiceField(
        label=gettext_lazy("Complainant"), choices=ATTENDANCE, initial="attended", widget=forms.RadioSelect
    )
    participants = forms.CharField(
        label=gettext_lazy("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    agreed_points = forms.CharField(
        label=gettext_lazy("Agreed points"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {u.pk: u for u in handler_candidates(case)}
        self.fields["chair"].choices = [(pk, person_name(u)) for pk, u in self.staff.items()]
        self.fields["chair"].initial = case.unit.head_id if case.unit.head_id in self.staff else None
        self.fields["held_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        # Most dialogues are held at the unit's seat: one field less to type.
        self.fields["place"].initial = case.unit.name

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "held_at": data["held_at"],
            "place": data["place"],
            "chair": self.staff[data["chair"]],
            "participants": data["participants"],
            "minutes": data["minutes"],
            "agreed_points": data["agreed_points"],
            "complainant_attended": data["attendance"] == "attended",
            "absence_with_valid_reason": data["attendance"] == "excused",
        }


@login_required
def case_dialogue(request, case_id: int):
    user = request.user
    case = _case_or_404(user, case_id)
    if not may_hold_case_dialogue(case, user):
        messages.warning(request, _("You cannot record a dialogue on this case."))
        return _done(request, case)
    form = DialogueForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            record_dialogue(
                actor=user, unit=case.unit, kind=DialogueKind.CASE, cases=[case], **form.service_kwargs()
            )
        except ServiceError as error:
            for name, msgs in error.errors.items():
                name = "attendance" if name == "absence_with_valid_reason" else name
                form.add_error(name if name in form.fields else None, [str(m) for m in msgs])
        except NotPermitted as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The dialogue is recorded on case %(ref)s.") % {"ref": case.reference}
            )
            return _done(request, case)
    return _form_response(request, "dialogue_form.html", _dialogue_context(case, form))
