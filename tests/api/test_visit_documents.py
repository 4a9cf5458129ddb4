"""The documents of a visit that produced no case over the API: the refused visit lists the refusal
notice, the reception staff issue it, the register lists and filters it (its `case` is null), the
download serves it, and another unit's user or another visit sees nothing of it."""

from __future__ import annotations

import importlib
from datetime import date, datetime

import pytest
from django.apps import apps
from django.utils import timezone

from casework.choices import CaseState as S
from casework.choices import RefusalReason
from documents.models import Document
from tests.helpers import drive, new_case
from workflows.intake import PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.django_db

VISITOR = {"full_name": "Trần Văn Say", "id_number": "001089765432", "address": "Số 7 ngõ Chợ, xã A"}


def visit(org, *, refusal=RefusalReason.THREATENING, guidance=""):
    return record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.make_aware(datetime(2026, 12, 1, 8, 30)),
            summary="Đòi gặp Chủ tịch ngay",
            visitors=[PetitionerInput(**VISITOR)],
            refusal_reason=refusal,
            guidance=guidance,
        ),
        actor=org.reception,
    )


@pytest.fixture
def refused(org, frozen_today):
    importlib.import_module("documents.migrations.0002_seed_templates").seed(apps)
    frozen_today(date(2026, 12, 1))
    return visit(org)


def url(v) -> str:
    return f"/api/v1/visits/{v.pk}/documents/"


def test_a_refused_visit_lists_the_refusal_notice_which_its_reception_officer_may_issue(
    org, refused, client_for
):
    body = client_for(org.reception).get(url(refused)).json()
    assert [t["code"] for t in body["templates"]] == ["refusal_notice"]
    assert body["templates"][0]["may_issue"] is True and body["documents"] == []
    assert client_for(org.handler).get(url(refused)).json()["templates"][0]["may_issue"] is False


def test_the_reception_officer_issues_it_and_the_register_lists_it_without_a_case(org, refused, client_for):
    client = client_for(org.reception)
    answer = client.post(url(refused), {"template": "refusal_notice"}, format="json")
    assert answer.status_code == 201, answer.json()
    document = answer.json()
    assert (document["case"], document["case_reference"], document["visit"]) == (None, None, refused.pk)
    assert document["symbol"] == "01/TB-UBND" and document["template"] == "refusal_notice"
    assert [d["id"] for d in client.get(url(refused)).json()["documents"]] == [document["id"]]
    register = client.get("/api/v1/documents/").json()["results"]
    assert [d["id"] for d in register] == [document["id"]]
    assert [d["id"] for d in client.get(f"/api/v1/documents/?visit={refused.pk}").json()["results"]] == [
        document["id"]
    ]
    assert client.get("/api/v1/documents/?case=1").json()["results"] == []
    pdf = client.get(f"/api/v1/documents/{document['id']}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(document["downloads"]["docx"])
    assert docx.status_code == 200 and "01-TB-UBND_refusal_notice.docx" in docx["Content-Disposition"]


def test_case_and_visit_documents_share_the_register_and_keep_their_case_fields(org, refused, client_for):
    case = drive(new_case(org, received_at=date(2026, 11, 20)), org, S.ACCEPTED)
    head = client_for(org.head)
    on_case = head.post(
        f"/api/v1/cases/{case.pk}/documents/", {"template": "complaint_acceptance_notice"}, format="json"
    ).json()
    on_visit = head.post(url(refused), {"template": "refusal_notice"}, format="json").json()
    assert (on_case["symbol"], on_visit["symbol"]) == ("01/TB-UBND", "02/TB-UBND")
    assert (on_case["case"], on_case["case_reference"], on_case["visit"]) == (case.pk, case.reference, None)
    listed = head.get("/api/v1/documents/?document_kind=TB").json()["results"]
    assert {d["id"] for d in listed} == {on_case["id"], on_visit["id"]}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"template": "no_such_form"}, 400, "unknown_template"),
        ({}, 400, "invalid"),
        ({"template": "refusal_notice", "refusal_reason": RefusalReason.INCAPACITATED}, 400, "invalid"),
        ({"template": "guidance_slip", "competent_body": "Tòa án"}, 409, "template_not_applicable"),
    ],
)
def test_bad_requests_answer_with_a_code_and_write_nothing(org, refused, client_for, body, status, code):
    answer = client_for(org.reception).post(url(refused), body, format="json")
    assert answer.status_code == status and answer.json()["code"] == code
    assert not Document.objects.exists()


def test_a_visit_that_was_not_refused_offers_no_refusal_notice(org, refused, client_for):
    guided = visit(org, refusal="", guidance="Gửi đơn đến Tòa án nhân dân khu vực")
    client = client_for(org.reception)
    assert client.get(url(guided)).json()["templates"] == []
    answer = client.post(url(guided), {"template": "refusal_notice"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "template_not_applicable"
    assert not Document.objects.exists()


def test_who_may_issue_and_who_sees_nothing(org, refused, client_for):
    answer = client_for(org.handler).post(url(refused), {"template": "refusal_notice"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert client_for(org.monitor).post(url(refused), {"template": "refusal_notice"}).status_code == 403
    document = client_for(org.head).post(url(refused), {"template": "refusal_notice"}, format="json").json()
    outsider = client_for(org.outsider)
    assert outsider.get(url(refused)).status_code == 404
    assert outsider.post(url(refused), {"template": "refusal_notice"}, format="json").status_code == 404
    assert outsider.get(f"/api/v1/documents/{document['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/documents/{document['id']}/download/").status_code == 404
    assert outsider.get("/api/v1/documents/").json()["results"] == []
    monitor = client_for(org.monitor).get("/api/v1/documents/").json()["results"]
    assert [d["id"] for d in monitor] == [document["id"]]
    assert client_for(org.reception).get("/api/v1/visits/99999999/documents/").status_code == 404
