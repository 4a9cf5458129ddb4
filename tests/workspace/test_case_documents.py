"""The case page's documents panel: the forms the user may issue, issuing one, downloading it."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.test import Client

from casework.choices import CaseState as S
from documents.models import Document
from tests.helpers import drive, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(org, frozen_today):
    importlib.import_module("documents.migrations.0002_seed_templates").seed(apps)
    frozen_today(date(2026, 12, 1))
    return drive(new_case(org, received_at=date(2026, 11, 20)), org, S.ACCEPTED)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_head_issues_a_notice_from_the_case_page_and_downloads_it(org, accepted):
    client = signed_in(org.head)
    page = client.get(f"/cases/{accepted.pk}/").content.decode()
    form_url = f"/cases/{accepted.pk}/documents/complaint_acceptance_notice/"
    assert 'id="documents"' in page and form_url in page
    assert (
        "documents_received"
        in client.get(f"/cases/{accepted.pk}/documents/reception_receipt/").content.decode()
    )
    answer = client.post(form_url, {"id_issued": "Cục Cảnh sát QLHC"})
    assert answer.status_code == 302
    document = Document.objects.get()
    page = client.get(f"/cases/{accepted.pk}/").content.decode()
    assert "01/TB-UBND" in page and f"/documents/{document.pk}.docx" in page
    docx = client.get(f"/documents/{document.pk}.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_a_form_error_is_shown_and_a_handler_is_not_offered_a_heads_notice(org, accepted):
    client = signed_in(org.reception)
    answer = client.post(f"/cases/{accepted.pk}/documents/reception_receipt/", {"copies": "0"})
    assert answer.status_code == 200 and 'class="error"' in answer.content.decode()
    assert not Document.objects.exists()
    handler = signed_in(org.handler)
    assert "complaint_acceptance_notice" not in handler.get(f"/cases/{accepted.pk}/").content.decode()
    assert handler.get(f"/cases/{accepted.pk}/documents/complaint_acceptance_notice/").status_code == 404
    assert (
        signed_in(org.outsider).get(f"/cases/{accepted.pk}/documents/reception_receipt/").status_code == 404
    )
