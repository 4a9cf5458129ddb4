"""The communes' dialogue conferences with residents, for staff: schedule, announce, keep the record,
publish the results (casework.conferences does the work and checks who may)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import conferences
from casework.access import can_act_in, visible_cases, visible_units
from casework.choices import ConferenceFormat, ConferenceReason, ConferenceStatus
from casework.models import DialogueConference
from casework.rules import policy
from casework.services import DIALOGUE_ROLES, NotPermitted, ServiceError

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )


class ScheduleForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Commune"))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        input_formats=["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=ConferenceReason.choices)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ConferenceFormat.choices)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=300, required=False)
    link = forms.URLField(
        label=gettext_lazy("Link to attend"), max_length=500, required=False, assume_scheme="https"
    )
    topics = forms.CharField(label=gettext_lazy("Topics"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first()


class AnnounceForm(forms.Form):
    on = _date_field(gettext_lazy("Announced on"))


class RecordForm(forms.Form):
    held_on = _date_field(gettext_lazy("Held on"))
    participant_count = forms.IntegerField(
        label=gettext_lazy("Number of participants"), min_value=0, required=False
    )
    participants = forms.CharField(
        label=gettext_lazy("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label=gettext_lazy("Questions raised"), widget=forms.Textarea(attrs={"rows": 4})
    )
    answers = forms.CharField(
        label=gettext_lazy("Answers given"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    commitments = forms.CharField(
        label=gettext_lazy("Commitments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    references = forms.CharField(
        label=gettext_lazy("Cases it produced"),
        required=False,
        help_text=gettext_lazy("References, separated by commas or spaces."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_references(self):
        refs = [
            r.strip().upper() for r in self.cleaned_data["references"].replace(",", " ").split() if r.strip()
        ]
        cases = list(visible_cases(self.user).filter(reference__in=refs))
        missing = sorted(set(refs) - {c.reference for c in cases})
        if missing:
            raise forms.ValidationError(
                _("No case you may see has the reference %(r)s.") % {"r": ", ".join(missing)}
            )
        return cases


class PublishForm(forms.Form):
    results = forms.CharField(
        label=gettext_lazy("Results to publish"), widget=forms.Textarea(attrs={"rows": 5})
    )
    on = _date_field(gettext_lazy("Published on"))


def _schedulable_units(user):
    units = visible_units(user).filter(is_active=True).select_related("level").order_by("name")
    return units.filter(
        pk__in=[u.pk for u in units if conferences.is_commune(u) and can_act_in(user, u, DIALOGUE_ROLES)]
    )


def _apply_errors(form: forms.Form, error: Exception) -> None:
    if isinstance(error, NotPermitted):
        form.add_error(None, str(error))
        return
    for name, msgs in error.errors.items():
        form.add_error(name if name in form.fields else None, [str(m) for m in msgs])


@login_required
def conference_list(request):
    user = request.user
    units = _schedulable_units(user)
    form = ScheduleForm(request.POST or None, units=units) if units.exists() else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            conference = conferences.schedule_conference(actor=user, **form.cleaned_data)
        except (ServiceError, NotPermitted) as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The conference is scheduled. Announce it by %(d)s.")
                % {"d": f"{conference.notice_due_on:%d/%m/%Y}"},
            )
            return redirect("workspace:conference", conference.pk)
    rows = (
        DialogueConference.objects.filter(unit__in=visible_units(user))
        .select_related("unit")
        .order_by("-starts_at")[:200]
    )
    return render(
        request,
        "workspace/conferences.html",
        {
            "rows": rows,
            "form": form,
            "today": timezone.localdate(),
            # The numbers quoted above the list, from the rule in force today.
            "notice_days": policy.legal_value("dialogue.commune.notice_days_before", timezone.localdate()),
            "results_days": policy.legal_value("dialogue.commune.results_days_after", timezone.localdate()),
            "voter_percent": policy.legal_value(
                "dialogue.commune.voter_request_percent", timezone.localdate()
            ),
        },
    )


FORMS = {"announce": AnnounceForm, "record": RecordForm, "publish": PublishForm}


@login_required
def conference_page(request, conference_id: int):
    user = request.user
    try:
        conference = DialogueConference.objects.select_related("unit__level").get(
            pk=conference_id, unit__in=visible_units(user)
        )
    except DialogueConference.DoesNotExist:
        raise Http404 from None
    may_act = can_act_in(user, conference.unit, DIALOGUE_ROLES)
    today = timezone.localdate()
    step = request.POST.get("step") if request.method == "POST" else None
    bound = {}
    if step in FORMS or step == "cancel":
        if not may_act:
            raise Http404
        try:
            if step == "cancel":
                conferences.cancel_conference(actor=user, conference=conference)
                messages.success(request, _("The conference is cancelled."))
                return redirect("workspace:conference", conference.pk)
            kwargs = {"user": user} if step == "record" else {}
            form = FORMS[step](request.POST, **kwargs)
            bound[step] = form
            if form.is_valid():
                data = form.cleaned_data
                if step == "announce":
                    conferences.announce_conference(actor=user, conference=conference, on=data["on"])
                    messages.success(request, _("The notice is published on the public pages."))
                elif step == "record":
                    data["cases"] = data.pop("references")
                    conferences.record_conference(actor=user, conference=conference, **data)
                    messages.success(request, _("The record of the conference is kept."))
                else:
                    conferences.publish_conference_results(actor=user, conference=conference, **data)
                    messages.success(request, _("The results are published on the public pages."))
                return redirect("workspace:conference", conference.pk)
        except (ServiceError, NotPermitted) as error:
            _apply_errors(bound[step], error)
    status = conference.status
    show = {
        "announce": may_act and status == ConferenceStatus.SCHEDULED and conference.announced_on is None,
        "record": may_act and status == ConferenceStatus.SCHEDULED,
        "publish": may_act and status == ConferenceStatus.HELD and conference.results_published_on is None,
    }
    initial = {
        "announce": {"on": today},
        "record": {"held_on": timezone.localtime(conference.starts_at).date()},
        "publish": {"on": today},
    }
    forms_ = {
        step: bound.get(step)
        or (
            FORMS[step](initial=initial[step], user=user)
            if step == "record"
            else FORMS[step](initial=initial[step])
        )
        for step, visible in show.items()
        if visible
    }
    return render(
        request,
        "workspace/conference.html",
        {
            "conference": conference,
            "forms": forms_,
            "may_cancel": may_act and status == ConferenceStatus.SCHEDULED,
            "cases": conference.cases.order_by("reference"),
            "today": today,
        },
    )
