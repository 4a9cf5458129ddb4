"""The documents API: a case's documents and applicable templates, issuing one, the register scoped
like cases, downloads; who may do what (another unit's user sees nothing, a monitor cannot issue)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from casework.choices import CaseState as S
from documents.models import Document
from tests.helpers import drive, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(org, frozen_today):
    importlib.import_module("documents.migrations.0002_seed_templates").seed(apps)
    frozen_today(date(2026, 12, 1))
    return drive(new_case(org, received_at=date(2026, 11, 20)), org, S.ACCEPTED)


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/documents/"


def test_the_case_lists_the_templates_that_apply_now_with_their_fields(org, accepted, client_for):
    body = client_for(org.reception).get(url(accepted)).json()
    templates = {t["code"]: t for t in body["templates"]}
    assert "complaint_acceptance_notice" in templates and "complaint_non_acceptance_notice" not in templates
    assert templates["complaint_acceptance_notice"]["may_issue"] is False  # a head's document
    assert templates["reception_receipt"]["may_issue"] is True
    fields = {f["name"]: f for f in templates["reception_receipt"]["fields"]}
    assert fields["documents_received"]["required"] is True and fields["issued_on"]["kind"] == "date"
    assert body["documents"] == []


def test_the_head_issues_a_document_and_downloads_it_in_both_formats(org, accepted, client_for):
    client = client_for(org.head)
    answer = client.post(url(accepted), {"template": "complaint_acceptance_notice"}, format="json")
    assert answer.status_code == 201, answer.json()
    document = answer.json()
    assert document["symbol"] == "01/TB-UBND" and document["template_version"] == 2
    listed = client.get(url(accepted)).json()["documents"]
    assert [d["id"] for d in listed] == [document["id"]]
    docx = client.get(f"/api/v1/documents/{document['id']}/download/?format=docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxml")
    assert "01-TB-UBND" in docx["Content-Disposition"]
    pdf = client.get(f"/api/v1/documents/{document['id']}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(f"/api/v1/documents/{document['id']}/download/?format=odt")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"template": "reception_receipt"}, 400, "invalid"),
        ({"template": "no_such_form"}, 400, "unknown_template"),
        ({}, 400, "invalid"),
        ({"template": "complaint_non_acceptance_notice", "details": "x"}, 409, "template_not_applicable"),
    ],
)
def test_bad_requests_answer_with_a_code_and_write_nothing(org, accepted, client_for, body, status, code):
    answer = client_for(org.head).post(url(accepted), body, format="json")
    assert answer.status_code == status and answer.json()["code"] == code
    assert not Document.objects.exists()


def test_another_units_user_finds_neither_the_case_documents_nor_the_register_entry(
    org, accepted, client_for
):
    document = Document.objects.get(
        pk=client_for(org.head)
        .post(url(accepted), {"template": "complaint_acceptance_notice"}, format="json")
        .json()["id"]
    )
    outsider = client_for(org.outsider)
    assert outsider.get(url(accepted)).status_code == 404
    answer = outsider.post(url(accepted), {"template": "complaint_acceptance_notice"}, format="json")
    assert answer.status_code == 404
    assert outsider.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/documents/{document.pk}/download/?format=docx").status_code == 404
    assert outsider.get("/api/v1/documents/").json()["results"] == []
    assert [d["id"] for d in client_for(org.monitor).get("/api/v1/documents/").json()["results"]] == [
        document.pk
    ]


def test_a_monitor_reads_but_cannot_issue(org, accepted, client_for):
    monitor = client_for(org.monitor)
    assert monitor.get(url(accepted)).status_code == 200
    answer = monitor.post(url(accepted), {"template": "reception_receipt", "documents_received": "Đơn"})
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "query", ["case=99999999999999999999", "year=1e400", "unit=-1", "document_kind=" + "x" * 50, "case=abc"]
)
def test_the_register_refuses_bad_filters_with_400(org, client_for, query):
    answer = client_for(org.head).get(f"/api/v1/documents/?{query}")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"


def test_a_document_dated_after_today_or_before_its_case_says_why_in_its_code(org, accepted, client_for):
    client = client_for(org.head)
    for issued_on, code in (("2099-01-01", "in_future"), ("2000-01-01", "before_received")):
        body = {"template": "complaint_acceptance_notice", "issued_on": issued_on}
        answer = client.post(url(accepted), body, format="json")
        assert answer.status_code == 400
        assert answer.json()["codes"] == {"issued_on": [code]}
