"""The citizens' pages: the unit picker without JavaScript, the submission form with its anti-robot
checks, the receipt, and following a case, all in plain HTML forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework.choices import CaseKind, Channel
from casework.models import Case
from documents.services import issue_document
from public.forms import started_token
from tests.factories import act


@pytest.fixture
def no_wait(settings):
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "MIN_FILL_SECONDS": 0}


def form_data(unit, **extra):
    return {
        "unit": unit.pk,
        "started": started_token(),
        "kind": CaseKind.COMPLAINT,
        "summary": "Khiếu nại quyết định thu hồi đất của UBND xã A",
        "full_name": "Lê Văn Bình",
        "address": "Thôn 5, xã A",
        "phone": "0987654321",
        "email": "",
        "website": "",
        **extra,
    }


def test_the_unit_picker_works_without_javascript(org):
    html = Client().get("/cong-dan/co-quan/", {"q": "xa a"}).content.decode()
    assert f'href="/cong-dan/gui-don/?unit={org.commune.pk}"' in html
    form = Client().get(f"/cong-dan/gui-don/?unit={org.commune.pk}").content.decode()
    assert "UBND xã A" in form and 'name="website"' in form and 'enctype="multipart/form-data"' in form


def test_the_form_without_a_unit_sends_the_citizen_to_the_picker(db):
    assert Client().get("/cong-dan/gui-don/")["Location"] == "/cong-dan/co-quan/"


def test_a_letter_sent_from_the_page_gets_a_printable_receipt_and_can_be_followed(org, no_wait):
    client = Client()
    response = client.post("/cong-dan/gui-don/", form_data(org.commune))
    assert response.status_code == 302 and response["Location"] == "/cong-dan/bien-nhan/"
    case = Case.objects.get()
    assert case.channel == Channel.ONLINE and case.unit == org.commune
    receipt = client.get("/cong-dan/bien-nhan/").content.decode()
    code = re.search(r'id="receipt-code">([0-9A-Z-]+)<', receipt).group(1)
    assert case.reference in receipt and "data-print" in receipt
    page = client.post("/cong-dan/theo-doi/", {"reference": case.reference, "code": code})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="case-state"' in html and "UBND xã A" in html
    # Nothing the citizen typed is shown back, and no staff or internal data.
    assert "Lê Văn Bình" not in html and "0987654321" not in html
    # Done with the receipt: it is gone from the session.
    client.post("/cong-dan/bien-nhan/xong/")
    assert client.get("/cong-dan/bien-nhan/")["Location"] == "/cong-dan/theo-doi/"


def test_a_complaint_without_a_name_comes_back_with_the_fields_marked(org, no_wait):
    response = Client().post("/cong-dan/gui-don/", form_data(org.commune, full_name="", address=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('aria-invalid="true"') >= 2
    assert not Case.objects.exists()


def test_a_robot_filling_the_hidden_field_or_posting_at_once_is_not_registered(org, settings):
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "MIN_FILL_SECONDS": 30}
    client = Client()
    fast = client.post("/cong-dan/gui-don/", form_data(org.commune))
    trap = client.post("/cong-dan/gui-don/", form_data(org.commune, website="http://spam", started="x"))
    for response in (fast, trap):
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Case.objects.exists()


def test_wrong_codes_on_the_page_answer_alike_and_run_out(org, no_wait, settings):
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "LOOKUP_FAILURES_PER_CLIENT": "2/hour"}
    client = Client()
    client.post("/cong-dan/gui-don/", form_data(org.commune))
    case = Case.objects.get()
    wrong = client.post("/cong-dan/theo-doi/", {"reference": case.reference, "code": "AAAA"})
    unknown = client.post("/cong-dan/theo-doi/", {"reference": "XA-A/2026/99999", "code": "AAAA"})
    assert wrong.status_code == unknown.status_code == 404

    def strip(r):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"', "", r.content.decode())

    assert strip(wrong) == strip(unknown)
    assert client.post("/cong-dan/theo-doi/", {"reference": case.reference, "code": "B"}).status_code == 429


def test_the_papers_addressed_to_the_citizen_are_listed_and_downloaded_with_the_code(org, no_wait, templates):

    client = Client()
    client.post("/cong-dan/gui-don/", form_data(org.commune))
    code = re.search(
        r'id="receipt-code">([0-9A-Z-]+)<', client.get("/cong-dan/bien-nhan/").content.decode()
    ).group(1)
    case = Case.objects.get()
    act(case, "review", org.reception)
    act(case, "accept", org.head)
    document = issue_document(
        case_id=case.pk, template_code="complaint_acceptance_notice", actor=org.head, data={}
    )
    page = client.post("/cong-dan/theo-doi/", {"reference": case.reference, "code": code}).content.decode()
    assert document.symbol in page
    download = client.post(
        f"/cong-dan/theo-doi/van-ban/{document.pk}/",
        {"reference": case.reference, "code": code, "format": "pdf"},
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    refused = Client().post(
        f"/cong-dan/theo-doi/van-ban/{document.pk}/",
        {"reference": case.reference, "code": "NOPE", "format": "pdf"},
    )
    assert refused.status_code == 404 and refused["Content-Type"].startswith("text/html")
