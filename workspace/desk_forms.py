"""The reception desk's forms: they parse what the officer typed into the engine's inputs
(workflows.intake.VisitInput / CaseInput); the engine decides what may be recorded."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import people
from casework.access import visible_cases
from casework.choices import CaseKind, Channel, LawField, ReceptionKind, RefusalReason, VisitOutcome
from casework.models import Party, Unit
from workflows.intake import PARTY_FIELDS, CaseInput, PetitionerInput, VisitInput

NEW_PERSON = "new"
FORM_ID = "visit"
VISITOR_FIELDS = ("full_name", "id_number", "address", "phone")
# Typed as staff write them, whatever the browser's locale would make of a native date picker.
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"
ROUND_CHOICES = [("1", gettext_lazy("First time (lần đầu)")), ("2", gettext_lazy("Second time (lần hai)"))]
MAX_CASES = 5


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return unit.name


class CaseIdsField(forms.Field):
    """Ids of the open cases ticked in the lookup; which of them count is decided in VisitForm.clean."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        return [int(v) for v in value or [] if str(v).isdigit()]


class VisitForm(forms.Form):
    unit = UnitField(queryset=Unit.objects.none(), label=gettext_lazy("Reception unit"), empty_label=None)
    # "new" or the id of a person on file, chosen among the lookup's results.
    person = forms.CharField(required=False, initial=NEW_PERSON)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200, required=False)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    visited_at = forms.DateTimeField(
        label=gettext_lazy("Time of visit"),
        input_formats=[DATETIME_FORMAT, DATE_FORMAT, "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"placeholder": gettext_lazy("dd/mm/yyyy hh:mm")}, format=DATETIME_FORMAT
        ),
        help_text=gettext_lazy("dd/mm/yyyy hh:mm"),
    )
    reception_kind = forms.ChoiceField(
        label=gettext_lazy("Reception kind"), choices=ReceptionKind.choices, initial=ReceptionKind.REGULAR
    )
    received_by_head = forms.BooleanField(
        label=gettext_lazy("Received by the head in person"), required=False
    )
    visitor_count = forms.IntegerField(
        label=gettext_lazy("Number of visitors"),
        min_value=1,
        initial=1,
        required=False,
        help_text=gettext_lazy("More than one: a group; the person above speaks for it."),
    )
    summary = forms.CharField(
        label=gettext_lazy("What the citizen raises"), widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (VisitOutcome.CASES_OPENED, gettext_lazy("Open a case")),
            (VisitOutcome.ADDED_TO_CASE, gettext_lazy("About a case already open")),
            (VisitOutcome.GUIDED, gettext_lazy("Guidance only")),
            (VisitOutcome.REFUSED, gettext_lazy("Refuse the reception")),
        ],
        initial=VisitOutcome.CASES_OPENED,
        widget=forms.RadioSelect,
    )
    existing_cases = CaseIdsField(required=False)
    refusal_reason = forms.ChoiceField(
        label=gettext_lazy("Refusal reason"), choices=[("", "—"), *RefusalReason.choices], required=False
    )
    guidance = forms.CharField(
        label=gettext_lazy("Guidance given"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, units: list[Unit], **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()
        self.fields["unit"].initial = units[0].pk if units else None
        self.chosen: Party | None = None
        # The visitor's fields sit beside the lookup, outside the <form> element; they belong to it.
        for name in VISITOR_FIELDS:
            self.fields[name].widget.attrs["form"] = FORM_ID

    def clean_person(self) -> str:
        value = (self.cleaned_data.get("person") or NEW_PERSON).strip()
        if value == NEW_PERSON:
            return value
        found = people.person_on_file(self.user, int(value)) if value.isdigit() else None
        if found is None:
            raise forms.ValidationError(_("This person is not on file; look them up again."))
        self.chosen = found.party
        return value

    def clean(self):
        cd = super().clean()
        if cd.get("person") == NEW_PERSON:
            self._clean_new_person(cd)
        outcome = cd.get("outcome")
        if outcome == VisitOutcome.REFUSED and not cd.get("refusal_reason"):
            self.add_error("refusal_reason", _("Choose the reason for refusing the reception."))
        if outcome == VisitOutcome.GUIDED and not cd.get("guidance", "").strip():
            self.add_error("guidance", _("Write the guidance given to the citizen."))
        if outcome != VisitOutcome.REFUSED:
            cd["refusal_reason"] = ""
        cd["existing"] = []
        if outcome == VisitOutcome.ADDED_TO_CASE:
            unit = cd.get("unit")
            ids = cd.get("existing_cases") or []
            cd["existing"] = list(visible_cases(self.user).filter(pk__in=ids, unit=unit)) if unit else []
            if not cd["existing"]:
                self.add_error("existing_cases", _("Tick the open case this visit is about (in the lookup)."))
        return cd

    def _clean_new_person(self, cd: dict) -> None:
        if not cd.get("full_name", "").strip():
            self.add_error("full_name", _("Write the visitor's full name, or choose a person on file."))
        stored = people.person_with_id_number(cd.get("id_number", ""))
        if stored is None:
            return
        typed = {f: cd.get(f, "").strip() for f in VISITOR_FIELDS}
        if any(value and value != getattr(stored, f) for f, value in typed.items()):
            # A new record under a stored ID number would type over the stored identity: the stored
            # person is chosen from the lookup, and corrected only by the audited correction.
            self.add_error(
                "id_number",
                _(
                    "A person with this ID number is already on file with other details. Choose them in "
                    "the lookup (their record is kept as it is), or check the number."
                ),
            )
        else:
            self.chosen = stored

    def visitor(self) -> PetitionerInput:
        """The visitor as the engine gets them: a stored person exactly as stored (nothing typed over
        them), or the new person as typed."""
        cd = self.cleaned_data
        if self.chosen is not None:
            return PetitionerInput(
                **{f: getattr(self.chosen, f) for f in PARTY_FIELDS}, kind=self.chosen.kind
            )
        return PetitionerInput.from_dict({f: cd.get(f, "") for f in VISITOR_FIELDS})

    def as_input(self, cases: list[CaseInput]) -> VisitInput:
        cd = self.cleaned_data
        opening = cd["outcome"] == VisitOutcome.CASES_OPENED
        return VisitInput(
            unit=cd["unit"],
            visited_at=cd["visited_at"],
            summary=cd["summary"],
            visitors=[self.visitor()],
            cases=cases if opening else [],
            visitor_count=cd.get("visitor_count"),
            reception_kind=cd["reception_kind"],
            received_by_head=cd["received_by_head"],
            refusal_reason=cd["refusal_reason"],
            guidance=cd.get("guidance", "").strip()
            if cd["outcome"] == VisitOutcome.GUIDED or opening
            else "",
            existing_cases=cd["existing"],
        )


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CaseKind.choices, initial=CaseKind.COMPLAINT)
    round = forms.TypedChoiceField(
        label=gettext_lazy("Complaint round"),
        choices=ROUND_CHOICES,
        coerce=int,
        initial="1",
        required=False,
        widget=forms.RadioSelect,
    )
    first_round_reference = forms.CharField(
        label=gettext_lazy("Reference of the first-round case"), max_length=40, required=False
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary of the case"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Empty: the summary of the visit."),
    )
    respondent = forms.CharField(
        label=gettext_lazy("Complained against / denounced person"), max_length=200, required=False
    )
    law_field = forms.ChoiceField(
        label=gettext_lazy("Field of law"),
        choices=[("", gettext_lazy("Not classified")), *LawField.choices],
        required=False,
    )
    decision_known_at = forms.DateField(
        label=gettext_lazy("Date the complainant learned of the decision"),
        required=False,
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": gettext_lazy("dd/mm/yyyy")}, format=DATE_FORMAT),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user

    def clean(self):
        cd = super().clean()
        complaint = cd.get("kind") == CaseKind.COMPLAINT
        cd["first_round_case"] = None
        if not complaint:
            cd["round"], cd["decision_known_at"] = None, None
            return cd
        if cd.get("round") is None:
            cd["round"] = 1
        reference = cd.get("first_round_reference", "").strip()
        if cd["round"] == 2:
            if not reference:
                self.add_error(
                    "first_round_reference", _("A second-time complaint names the first-round case.")
                )
            else:
                cd["first_round_case"] = visible_cases(self.user).filter(reference__iexact=reference).first()
                if cd["first_round_case"] is None:
                    self.add_error("first_round_reference", _("No case with this reference."))
        return cd

    def as_input(self, *, unit: Unit, visit_summary: str, visited_on) -> CaseInput:
        cd = self.cleaned_data
        return CaseInput(
            unit=unit,
            kind=cd["kind"],
            channel=Channel.IN_PERSON,
            received_at=visited_on,
            summary=cd.get("summary", "").strip() or visit_summary,
            round=cd["round"],
            first_round_case=cd["first_round_case"],
            respondent=cd.get("respondent", "").strip(),
            decision_known_at=cd.get("decision_known_at"),
            law_field=cd.get("law_field", ""),
        )


class BaseCaseFormSet(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"user": self.user}


CaseFormSet = forms.formset_factory(
    CaseForm, formset=BaseCaseFormSet, extra=0, min_num=1, max_num=MAX_CASES, validate_max=True
)


def visit_day(visited_at) -> object:
    return timezone.localtime(visited_at).date() if timezone.is_aware(visited_at) else visited_at.date()
