"""The citizens' forms. Field checks the law makes (who must give a name, which files) are in
workflows.intake.online; these forms only parse what the browser sent."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from casework.choices import CaseKind

_SALT = "public.submission-form-started"

KIND_HELP = {
    CaseKind.RECOMMENDATION: _("A proposal to improve a policy, a rule or how an agency works."),
    CaseKind.REFLECTION: _("Telling an agency about a problem you have seen."),
    CaseKind.COMPLAINT: _(
        "Asking for an administrative decision or act that harms your rights to be reviewed."
    ),
    CaseKind.DENUNCIATION: _("Reporting a violation of the law by an official or an organisation."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def started_token() -> str:
    return signing.dumps(time.time(), salt=_SALT)


def seconds_since(token: str) -> float | None:
    """How long ago the form was served, or None for a token that is forged or too old."""
    max_age = settings.PUBLIC_SUBMISSIONS["MAX_FORM_AGE_HOURS"] * 3600
    try:
        return time.time() - float(signing.loads(token, salt=_SALT, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        return None


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you sending?"), choices=CaseKind.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Your letter"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_("What happened, when and where, and what you ask for."),
    )
    respondent = forms.CharField(
        label=_("Decision, act or person concerned (if any)"),
        required=False,
        max_length=300,
        help_text=_("For example: Decision No. 12/QĐ-UBND of 5 March 2026."),
    )
    decision_known_at = forms.DateField(
        label=_("Complaints: the date you learned of the decision or act"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    anonymous = forms.BooleanField(
        label=_("Send without my name (not possible for a complaint)"),
        required=False,
        help_text=_(
            "An anonymous denunciation is checked only if it names the violator with concrete evidence, "
            "and nobody can write back to you."
        ),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        help_text=_("Required for a complaint, and for a denunciation sent with your name."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    address = forms.CharField(
        label=_("Address"),
        help_text=_("Required for a complaint, and for a denunciation sent with your name."),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    id_number = forms.CharField(
        label=_("ID number (citizen identity card)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("The receipt and the lookup code are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    attachments = MultipleFileField(
        label=_("Attached files"),
        required=False,
    )
    # Anti-robot: a field people never see (a robot fills it) and when the form was served.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Here, not on the class: translated in the language of this request, with today's limits.
        limits = settings.PUBLIC_SUBMISSIONS
        self.fields["attachments"].help_text = _(
            "PDF, JPEG, PNG or Word (.docx); at most %(n)d files of %(mb)d MB each."
        ) % {"n": limits["MAX_ATTACHMENTS"], "mb": limits["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)}
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})


class FollowForm(forms.Form):
    label_suffix = ""

    reference = forms.CharField(
        label=_("Case number"), max_length=64, help_text=_("As on your receipt, e.g. XA-A/2026/00012.")
    )
    code = forms.CharField(
        label=_("Lookup code"),
        max_length=64,
        help_text=_("The code on your receipt."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
