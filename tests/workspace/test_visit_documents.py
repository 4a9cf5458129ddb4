"""The desk's visit page: a refused visit offers "In thông báo từ chối tiếp" to its reception staff,
which issues the notice with the visit's ground and lists it for download; other visits do not."""

from __future__ import annotations

import importlib
from datetime import date, datetime

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone, translation

from casework.choices import RefusalReason
from documents.models import Document
from workflows.intake import PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.django_db


def visit(org, *, refusal=RefusalReason.INCAPACITATED, guidance=""):
    return record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.make_aware(datetime(2026, 12, 1, 8, 30)),
            summary="Đòi gặp Chủ tịch ngay",
            visitors=[PetitionerInput(full_name="Trần Văn Say", address="Số 7 ngõ Chợ, xã A")],
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


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_refused_visit_page_prints_the_refusal_notice(org, refused):
    client = signed_in(org.reception)
    issue_url = f"/desk/visits/{refused.pk}/documents/refusal_notice/"
    with translation.override("vi"):
        page = client.get(f"/desk/visits/{refused.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert issue_url in page and "In thông báo từ chối tiếp" in page
    form = client.get(issue_url).content.decode()
    assert 'name="details"' in form and 'name="refusal_reason"' not in form  # the visit's own ground
    answer = client.post(issue_url, {"details": "Có mùi rượu bia."})
    assert answer.status_code == 302 and answer["Location"] == f"/desk/visits/{refused.pk}/#documents"
    document = Document.objects.get()
    assert document.visit == refused and document.fields["refusal_reason"] == RefusalReason.INCAPACITATED
    page = client.get(f"/desk/visits/{refused.pk}/").content.decode()
    assert document.symbol in page and f"/documents/{document.pk}.pdf" in page
    pdf = client.get(f"/documents/{document.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_visit_that_was_not_refused_and_a_handler_get_no_refusal_notice(org, refused):
    guided = visit(org, refusal="", guidance="Gửi đơn đến Tòa án nhân dân khu vực")
    client = signed_in(org.reception)
    assert "/documents/refusal_notice/" not in client.get(f"/desk/visits/{guided.pk}/").content.decode()
    assert client.get(f"/desk/visits/{guided.pk}/documents/refusal_notice/").status_code == 404
    handler = signed_in(org.handler)
    assert handler.post(f"/desk/visits/{refused.pk}/documents/refusal_notice/", {}).status_code == 404
    assert not Document.objects.exists()
