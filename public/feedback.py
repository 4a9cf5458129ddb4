"""Citizens' pages of issue 15 beside submitting and following (public.views): rate the service on a
decided case, the published figures of a province, the communes' dialogue conferences (notices and
results). Views parse input and render; the rules are in casework/ and workflows/."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import reports
from casework.choices import AuthorityLevel, ConferenceStatus, Quality, Satisfaction, Timeliness
from casework.conferences import public_conferences
from casework.models import Unit
from casework.ratings import MAX_COMMENT, MAX_CONTACTS, RatingRefused, rate_case
from casework.replica import reading_reports
from casework.security import client_ip
from casework.services import ServiceError
from workflows import citizen

# --- Rate the service ----------------------------------------------------------------------------


class RatingForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference"), max_length=64, help_text=gettext_lazy("As printed on your receipt.")
    )
    code = forms.CharField(
        label=gettext_lazy("Lookup code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("Overall, how satisfied are you with how your case was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    timeliness = forms.ChoiceField(
        label=gettext_lazy("The time it took, against the time the law allows"),
        choices=Timeliness.choices,
        widget=forms.RadioSelect,
    )
    contacts = forms.IntegerField(
        label=gettext_lazy("How many times did you have to come, call or write (the first time included)?"),
        min_value=1,
        max_value=MAX_CONTACTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    staff_attitude = forms.ChoiceField(
        label=gettext_lazy("The staff's attitude"), choices=Quality.choices, widget=forms.RadioSelect
    )
    answer_clarity = forms.ChoiceField(
        label=gettext_lazy("How clear the answer was"), choices=Quality.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Please do not write anyone's personal details here."),
    )


def rate(request):
    """The rating form, reached from the follow page of a decided or closed case (reference and code
    filled in), or directly (the citizen types both)."""
    if request.method == "POST" and request.POST.get("start"):
        # From the follow page: the reference and code the citizen has just used, filled in.
        initial = {k: request.POST.get(k, "")[:64] for k in ("reference", "code")}
        return render(request, "public/rate.html", {"form": RatingForm(initial=initial), "nav": "rate"})
    initial = {"reference": request.GET.get("reference", "")[:64]}
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = citizen.follow(data["reference"], data["code"], client=client_ip(request))
            rate_case(
                case=case,
                satisfaction=data["satisfaction"],
                timeliness=data["timeliness"],
                contacts=data["contacts"],
                staff_attitude=data["staff_attitude"],
                answer_clarity=data["answer_clarity"],
                comment=data["comment"],
            )
        except citizen.TooManyAttempts as error:
            form.add_error(None, str(error))
        except citizen.CaseNotFound as error:
            form.add_error("code", str(error))
        except RatingRefused as error:
            form.add_error(None, error.errors["case"][0])
        except ServiceError as error:
            for name, msgs in error.errors.items():
                form.add_error(name if name in form.fields else None, msgs)
        else:
            return render(request, "public/rated.html", {"reference": case.reference, "nav": "rate"})
    return render(request, "public/rate.html", {"form": form, "nav": "rate"})


# --- Published figures ---------------------------------------------------------------------------


def _provinces():
    return Unit.objects.filter(
        is_active=True, level__authority_level=AuthorityLevel.PROVINCE, level__is_agency=False
    ).order_by("name")


# A browser's date picker writes and shows the date in its own locale's order (mm/dd/yyyy in an English
# browser), which a Vietnamese reader takes for dd/mm: the period is typed as day/month/year, said so
# beside the field, and read strictly (ISO yyyy-mm-dd too, for links and the API's notation).
DAY_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _day_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DAY_FORMATS,
        help_text=gettext_lazy("Day/month/year, for example 31/01/2026."),
        error_messages={"invalid": gettext_lazy("Write the date as day/month/year, for example 31/01/2026.")},
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
                "autocomplete": "off",
                "size": 10,
                "maxlength": 10,
            },
        ),
    )


class PeriodForm(forms.Form):
    date_from = _day_field(gettext_lazy("From"))
    date_to = _day_field(gettext_lazy("To"))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        f = data.get("date_from") or date(today.year, 1, 1)
        t = data.get("date_to") or today
        if f > t:
            raise forms.ValidationError(_("The end date is before the start date."))
        try:
            data["period"] = reports.custom_period(f, t)
        except reports.ReportError as error:
            raise forms.ValidationError(error.message) from None
        return data


def figures_index(request):
    return render(request, "public/figures_index.html", {"provinces": _provinces(), "nav": "figures"})


@reading_reports()
def figures(request, code: str):
    """A province's published figures per authority level for a period (the year so far by default)."""
    unit = _provinces().filter(code=code).first()
    if unit is None:
        raise Http404
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    period = reports.custom_period(date(today.year, 1, 1), today)
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
    figures = reports.cached_public_figures(unit=unit, period=period)
    return render(
        request,
        "public/figures.html",
        {"unit": unit, "form": form, "figures": figures, "period": period, "nav": "figures"},
    )


# --- Dialogue conferences ------------------------------------------------------------------------


def conference_list(request):
    now = timezone.now()
    listed = public_conferences()
    upcoming = listed.filter(status=ConferenceStatus.SCHEDULED, starts_at__gte=now).order_by("starts_at")[
        :100
    ]
    results = listed.filter(results_published_on__isnull=False).order_by("-held_on")[:100]
    return render(
        request,
        "public/conferences.html",
        {"upcoming": upcoming, "results": results, "nav": "conferences"},
    )


def conference_page(request, conference_id: int):
    conference = public_conferences().filter(pk=conference_id).first()
    if conference is None:
        raise Http404
    return render(
        request,
        "public/conference.html",
        {
            "conference": conference,
            "published": conference.results_published_on is not None,
            "case_count": conference.cases.count(),
            "nav": "conferences",
        },
    )
