"""The register: numbers per unit, year and document kind, the audit record, immutability, corrections,
the version in force on the paper's date, and that a refused issue writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import AuditStep
from casework.choices import CaseState as S
from casework.models import CaseEvent
from documents.models import Document, DocumentTemplate, RegisterCounter, Verification
from documents.services import InvalidDocument, TemplateNotApplicable, issue_document
from tests.helpers import drive, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(org, templates, frozen_today):
    frozen_today(date(2026, 12, 1))
    return drive(new_case(org, received_at=date(2026, 11, 20)), org, S.ACCEPTED)


def issue(case, actor, code="complaint_acceptance_notice", **data):
    return issue_document(case_id=case.pk, template_code=code, actor=actor, data=data)


def test_numbers_run_per_unit_year_and_kind_without_gaps(org, accepted):
    first, second = issue(accepted, org.head), issue(accepted, org.head)
    proposal = issue(accepted, org.head, "reception_receipt", documents_received="Đơn, 2 trang")
    assert (first.number, second.number, proposal.number) == (1, 2, 1)
    assert (first.symbol, second.symbol, proposal.symbol) == ("01/TB-UBND", "02/TB-UBND", "01/GBN-UBND")
    other = drive(new_case(org, unit=org.province, received_at=date(2026, 11, 20)), org, S.ACCEPTED)
    assert issue(other, org.p_head).symbol == "01/TB-UBND"
    assert RegisterCounter.objects.get(unit=org.commune, year=2026, document_kind="TB").last_number == 2


def test_the_number_is_written_to_the_case_audit_trail(org, accepted):
    document = issue(accepted, org.head)
    event = CaseEvent.objects.filter(case=accepted, action=AuditStep.DOCUMENT_ISSUED).get()
    assert event.changes["document"] == [None, document.symbol] and document.symbol in event.note
    assert event.actor == org.head


def test_an_issued_document_is_immutable_and_a_correction_is_a_new_document(org, accepted):
    original = issue(accepted, org.head)
    with pytest.raises(ValueError):
        original.save()
    with pytest.raises(ValueError):
        original.delete()
    correction = issue(accepted, org.head, corrects=original.pk)
    assert correction.corrects == original and correction.number == original.number + 1
    assert "Thay thế văn bản số 01/TB-UBND" in correction.content["corrects"]


def test_the_version_in_force_on_the_paper_date_is_used(org, templates, frozen_today):
    frozen_today(date(2026, 7, 10))
    case = drive(new_case(org, received_at=date(2026, 6, 1)), org, S.ACCEPTED, on=date(2026, 6, 5))
    before = issue(case, org.head, issued_on="2026-06-30")
    after = issue(case, org.head, issued_on="2026-07-01")
    assert (before.template.version, after.template.version) == (1, 2)
    assert "124/2020" in before.template.legal_basis and "155/2026" in after.template.legal_basis


def test_the_seed_marks_what_forms_md_leaves_unconfirmed(templates):
    unverified = set(
        DocumentTemplate.objects.filter(verification=Verification.UNVERIFIED).values_list("code", flat=True)
    )
    assert {"transfer_complaint", "guidance_slip", "complaint_decision_first"} <= unverified
    assert DocumentTemplate.objects.get(code="acceptance_proposal").verification == Verification.VERIFIED
    assert DocumentTemplate.objects.filter(code="complaint_acceptance_notice").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"documents_received": ""}, "documents_received"),
        ({"documents_received": "x", "issued_on": "2027-01-01"}, "issued_on"),
        ({"documents_received": "x", "copies": "many"}, "copies"),
        ({"documents_received": "x", "copies": "٣"}, "copies"),  # digits of another script
        ({"documents_received": "x", "copies": True}, "copies"),
        ({"documents_received": "x", "colour": "red"}, "colour"),
        ({"documents_received": "x", "corrects": 999}, "corrects"),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_is_written(org, accepted, data, field):
    events = CaseEvent.objects.count()
    with pytest.raises(InvalidDocument) as refused:
        issue(accepted, org.reception, "reception_receipt", **data)
    assert field in refused.value.errors and refused.value.code == "invalid"
    assert not Document.objects.exists() and not RegisterCounter.objects.exists()
    assert CaseEvent.objects.count() == events


def test_a_form_that_does_not_fit_the_case_state_is_refused(org, accepted):
    with pytest.raises(TemplateNotApplicable) as refused:
        issue(accepted, org.head, "complaint_non_acceptance_notice", details="x")
    assert refused.value.code == "template_not_applicable" and refused.value.status == 409
    with pytest.raises(TemplateNotApplicable):
        issue(accepted, org.head, "dialogue_minutes", minute_taker="A")  # no dialogue recorded
    assert not Document.objects.exists()
