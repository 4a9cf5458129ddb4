"""Citizen-facing pages (no login). Views parse input and render; every rule is in casework/,
workflows/ or documents/, the same services the public API calls.

Abuse limits: submissions count against the same per-address allowance as the API; a honeypot field
and the time since the form was served stop simple robots without a third-party CAPTCHA; lookups go
through workflows.citizen.follow, which limits wrong codes per address and per reference. The lookup
code travels in POST bodies only, never in a URL (it would land in histories and server logs)."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casework import ratelimit
from casework.models import Unit
from casework.security import client_ip
from documents.citizen import citizen_download, documents_for_citizen
from workflows import citizen
from workflows.errors import CaseNotFound, TooManyAttempts, ValidationFailed
from workflows.intake import PetitionerInput
from workflows.intake.online import OnlineSubmission, Upload, submit_online

from .forms import KIND_HELP, FollowForm, SubmissionForm, seconds_since, started_token

RECEIPT_KEY = "public_receipt"
# How long the receipt (with its code) stays readable in the citizen's session, for printing.
RECEIPT_SECONDS = 3600


def conf(name: str):
    return settings.PUBLIC_SUBMISSIONS[name]


def home(request):
    return render(request, "public/home.html", {"nav": "home"})


def _unit_or_none(value) -> Unit | None:
    try:
        return Unit.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        return None


def units(request):
    """The unit picker without JavaScript: a search form and the matching units, each a link to the
    submission form for it."""
    q = request.GET.get("q", "").strip()[:100]
    results, throttled = [], False
    if q:
        if ratelimit.take("unit-search", client_ip(request), conf("SEARCH_RATE")):
            results = citizen.search_units(q)
        else:
            throttled = True
    return render(
        request, "public/units.html", {"nav": "submit", "q": q, "results": results, "throttled": throttled}
    )


# Field names of the service's errors, as the form names them.
_ERROR_FIELDS = {
    "petitioner.full_name": "full_name",
    "petitioner.address": "address",
    "petitioner.email": "email",
    "petitioners[0].full_name": "full_name",
    "petitioners[0].address": "address",
    "petitioners[0].phone": "phone",
    "petitioners[0].id_number": "id_number",
    "petitioners[0]": "full_name",
}


def _submission(form: SubmissionForm, unit: Unit) -> OnlineSubmission:
    d = form.cleaned_data
    return OnlineSubmission(
        unit=unit,
        kind=d["kind"],
        summary=d["summary"],
        petitioner=PetitionerInput.from_dict(
            {k: d.get(k, "") for k in ("full_name", "id_number", "address", "phone", "email")}
        ),
        anonymous=d["anonymous"],
        respondent=d["respondent"].strip(),
        decision_known_at=d["decision_known_at"],
        attachments=[
            Upload(name=f.name, content_type=f.content_type or "", data=f.read()) for f in d["attachments"]
        ],
    )


@require_http_methods(["GET", "POST"])
def submit(request):
    unit = _unit_or_none(request.GET.get("unit") or request.POST.get("unit"))
    if unit is None:
        return redirect("public:units")
    problem = ""
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        client = client_ip(request)
        elapsed = seconds_since(request.POST.get("started", ""))
        if int(request.META.get("CONTENT_LENGTH") or 0) > _max_body():
            problem = _("The files are too large: at most %(mb)d MB each.") % {
                "mb": conf("MAX_ATTACHMENT_BYTES") // (1024 * 1024)
            }
        elif ratelimit.exhausted("submit", client, conf("SUBMIT_RATE")):
            problem = _("Too many letters were sent from your connection: please try again later.")
        elif request.POST.get("website") or elapsed is None or elapsed < conf("MIN_FILL_SECONDS"):
            # A robot filled the hidden field, or the form came back too fast or too late: count it like
            # a submission (so robots run out) and ask a person to check and send again.
            ratelimit.record("submit", client, conf("SUBMIT_RATE"))
            problem = _("Your letter was not sent. Please check it and send it again.")
        elif form.is_valid():
            try:
                receipt = submit_online(_submission(form, unit))
            except ValidationFailed as failed:
                for name, messages in failed.errors.items():
                    target = _ERROR_FIELDS.get(name, name)
                    for message in messages:
                        form.add_error(target if target in form.fields else None, message)
            else:
                ratelimit.record("submit", client, conf("SUBMIT_RATE"))
                case = receipt.case
                request.session[RECEIPT_KEY] = {
                    "reference": case.reference,
                    "code": receipt.lookup_code,
                    "kind": case.get_kind_display(),
                    "unit": case.unit.name,
                    "unit_address": case.unit.address,
                    "received_at": case.received_at.strftime("%d/%m/%Y"),
                    "emailed": bool(form.cleaned_data["email"]) and not form.cleaned_data["anonymous"],
                    "until": time.time() + RECEIPT_SECONDS,
                }
                return redirect("public:receipt")
        # A fresh start time for the next try; files are never kept between tries.
        data = request.POST.copy()
        data["started"] = started_token()
        form.data = data
    else:
        form = SubmissionForm(initial={"started": started_token()})
    return render(
        request,
        "public/submit.html",
        {"nav": "submit", "form": form, "unit": unit, "problem": problem, "kind_help": KIND_HELP},
    )


def _max_body() -> int:
    return conf("MAX_ATTACHMENTS") * conf("MAX_ATTACHMENT_BYTES") + conf("MAX_SUMMARY_CHARS") * 4 + 64 * 1024


def receipt(request):
    data = request.session.get(RECEIPT_KEY)
    if not data or data.get("until", 0) < time.time():
        request.session.pop(RECEIPT_KEY, None)
        return redirect("public:follow")
    return render(request, "public/receipt.html", {"nav": "submit", "receipt": data})


@require_POST
def receipt_done(request):
    request.session.pop(RECEIPT_KEY, None)
    return redirect("public:follow")


def _lookup(request, form: FollowForm):
    """(case, problem): the case for a valid reference and code, or the one message for any failure."""
    try:
        found = citizen.follow(
            form.cleaned_data["reference"], form.cleaned_data["code"], client=client_ip(request)
        )
    except TooManyAttempts as refused:
        return None, refused.message, 429
    except CaseNotFound as missing:
        return None, missing.message, 404
    return found, "", 200


@require_http_methods(["GET", "POST"])
def follow(request):
    form = FollowForm(request.POST or None)
    case, problem, status = None, "", 200
    if request.method == "POST" and form.is_valid():
        case, problem, status = _lookup(request, form)
    context = {"nav": "follow", "form": form, "problem": problem}
    if case is not None:
        context.update(view=citizen.citizen_view(case), documents=documents_for_citizen(case))
    return render(request, "public/follow.html", context, status=status)


@require_POST
def follow_document(request, document_id: int):
    form = FollowForm(request.POST)
    if not form.is_valid():
        return redirect(reverse("public:follow"))
    case, problem, status = _lookup(request, form)
    found = citizen_download(case, document_id, request.POST.get("format", "pdf")) if case else None
    if found is None:
        return render(
            request,
            "public/follow.html",
            {"nav": "follow", "form": form, "problem": problem or _("No such document.")},
            status=status if case is None else 404,
        )
    content, filename, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
