"""The refusal-to-receive notice of a visit that produced no case (LTCD Art. 9): issued from the
refused visit with the ground recorded on it, numbered in the unit's one register with the case
documents, immutable, logged, rendered in both formats with the form's content, and carrying the
visitor's identity and nothing of other visitors or of a case."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.choices import CaseKind, RefusalReason
from casework.choices import CaseState as S
from casework.models import AccessLog
from documents.forms import MANDATORY
from documents.models import Document, RegisterCounter
from documents.render import render
from documents.services import (
    DocumentForbidden,
    DocumentNotFound,
    InvalidDocument,
    TemplateNotApplicable,
    issue_document,
    issue_visit_document,
    paper_for,
    visible_documents,
)
from tests.helpers import DENOUNCER, drive, new_case
from workflows.intake import PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "documents"
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
VISITOR = {
    "full_name": "Trần Văn Say",
    "id_number": "001089765432",
    "address": "Số 7 ngõ Chợ, xã A",
    "phone": "0987654321",
}
OTHER = {"full_name": "Bùi Thị Khác", "id_number": "001190111222", "address": "Thôn Xa, xã A"}


def visit(org, actor=None, *, visitor=VISITOR, refusal=RefusalReason.INCAPACITATED, guidance="", day=1):
    return record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.make_aware(datetime(2026, 12, day, 8, 30)),
            summary="Ông Say đến đòi gặp Chủ tịch về việc cấp giấy chứng nhận quyền sử dụng đất",
            visitors=[PetitionerInput(**visitor)],
            refusal_reason=refusal,
            guidance=guidance,
        ),
        actor=actor or org.reception,
    )


@pytest.fixture
def refused(org, templates, frozen_today):
    frozen_today(date(2026, 12, 1))
    return visit(org)


def issue(v, actor, **data):
    return issue_visit_document(visit_id=v.pk, template_code="refusal_notice", actor=actor, data=data)


def test_the_reception_officer_issues_the_notice_from_a_refused_visit_with_its_recorded_ground(org, refused):
    document = issue(refused, org.reception, details="Có mùi rượu bia, nói không rõ ràng.")
    assert (document.case, document.visit) == (None, refused)
    assert document.symbol == "01/TB-UBND" and document.unit == org.commune
    assert document.fields["refusal_reason"] == RefusalReason.INCAPACITATED
    body = " ".join(f"{b['lead']} {b['text']}" for b in document.content["body"])
    assert "người trong tình trạng say" in body and "Có mùi rượu bia" in body
    assert VISITOR["full_name"] in body and "cán bộ tiếp công dân" in body
    assert "hồ sơ" not in body  # no case, so no file number


def test_the_unit_head_may_issue_it_and_other_roles_may_not(org, refused):
    assert issue(refused, org.head).number == 1
    with pytest.raises(DocumentForbidden):
        issue(refused, org.handler)  # not reception staff of the unit
    with pytest.raises(DocumentForbidden):
        issue(refused, org.monitor)  # sees the province's subtree, issues nothing
    with pytest.raises(DocumentNotFound):
        issue(refused, org.outsider)  # another commune's head: the visit does not exist for them
    assert Document.objects.count() == 1


def test_a_visit_that_was_not_refused_gets_no_refusal_notice_and_nothing_is_written(
    org, templates, frozen_today
):
    frozen_today(date(2026, 12, 1))
    guided = visit(org, refusal="", guidance="Hướng dẫn gửi đơn đến Văn phòng đăng ký đất đai")
    with pytest.raises(TemplateNotApplicable) as refused:
        issue(guided, org.reception)
    assert refused.value.code == "template_not_applicable" and refused.value.status == 409
    assert not Document.objects.exists() and not RegisterCounter.objects.exists()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"refusal_reason": RefusalReason.THREATENING}, "refusal_reason"),  # not the visit's ground
        ({"issued_on": "2026-11-30"}, "issued_on"),  # before the visit
        ({"issued_on": "2026-12-02"}, "issued_on"),  # in the future
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_and_no_number_is_used(org, refused, data, field):
    with pytest.raises(InvalidDocument) as bad:
        issue(refused, org.reception, **data)
    assert field in bad.value.errors
    assert not Document.objects.exists() and not RegisterCounter.objects.exists()


def test_numbers_are_shared_with_the_case_documents_of_the_same_kind(org, refused):
    case = drive(new_case(org, received_at=date(2026, 11, 20)), org, S.ACCEPTED)
    first = issue_document(
        case_id=case.pk, template_code="complaint_acceptance_notice", actor=org.head, data={}
    )
    second = issue(refused, org.reception)
    third = issue_document(case_id=case.pk, template_code="refusal_notice", actor=org.reception,
                           data={"refusal_reason": RefusalReason.OTHER_LEGAL})  # fmt: skip
    assert [d.symbol for d in (first, second, third)] == ["01/TB-UBND", "02/TB-UBND", "03/TB-UBND"]
    assert second.template == third.template  # one refusal form serves a case and a visit
    assert RegisterCounter.objects.get(unit=org.commune, year=2026, document_kind="TB").last_number == 3


def test_the_issued_notice_is_immutable_and_a_correction_is_a_new_numbered_document(org, refused):
    original = issue(refused, org.reception)
    with pytest.raises(ValueError):
        original.save()
    with pytest.raises(ValueError):
        original.delete()
    correction = issue(refused, org.reception, corrects=original.pk)
    assert correction.corrects == original and correction.number == 2
    assert "Thay thế văn bản số 01/TB-UBND" in correction.content["corrects"]


def test_a_document_belongs_to_exactly_one_of_a_case_and_a_visit(org, refused):
    document = issue(refused, org.reception)
    case = new_case(org, received_at=date(2026, 11, 20))
    for case_id, visit_id in ((case.pk, refused.pk), (None, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.create(**{
                **{f.attname: getattr(document, f.attname) for f in Document._meta.concrete_fields},
                "id": None, "number": 99, "case_id": case_id, "visit_id": visit_id,
            })  # fmt: skip


def test_issuing_and_each_download_are_logged_as_exports_of_the_visitor_only(org, refused):
    document = issue(refused, org.reception)
    issued = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT, user=org.reception)
    assert issued.case is None and issued.party.full_name == VISITOR["full_name"]
    assert document.symbol in issued.detail
    paper_for(document, org.head)
    read = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT, user=org.head)
    assert read.case is None and read.party == issued.party


def test_the_register_shows_a_visit_document_to_the_unit_and_its_overseers_only(org, refused):
    document = issue(refused, org.reception)
    assert document in visible_documents(org.head) and document in visible_documents(org.monitor)
    assert document not in visible_documents(org.outsider)


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftotext, pdftoppm)")
def test_the_notice_renders_in_both_formats_with_the_mandatory_content_and_no_other_visitor(
    org, refused, tmp_path
):
    visit(org, visitor=OTHER, refusal=RefusalReason.THREATENING)  # another visitor the same day
    org.reception.last_name, org.reception.first_name = "Lý", "Thị Tiếp"
    org.reception.save(update_fields=["last_name", "first_name"])
    document = issue(refused, org.reception, details="Có mùi rượu bia, nói không rõ ràng.")
    paper = paper_for(document, org.reception).paper
    pdf, docx = render(paper, "pdf"), render(paper, "docx")
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    for phrase in (
        *MANDATORY["refusal_notice"],
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 01/TB-UBND",
        "ngày 01 tháng 12 năm 2026",
        "ỦY BAN NHÂN DÂN XÃ A",
        f"Kính gửi: {VISITOR['full_name']}",
        VISITOR["id_number"],
        VISITOR["address"],
        "Lý Thị Tiếp, cán bộ tiếp công dân",
        "Ngày 01/12/2026, tại UBND xã A",
        "người trong tình trạng say",
        "Nơi nhận:",
    ):
        assert phrase in text, phrase
    for leak in (*OTHER.values(), VISITOR["phone"], "số hồ sơ"):
        assert leak not in text, leak
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "notice.pdf").write_bytes(pdf)
    first_page = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(
        ["pdftoppm", *first_page, str(tmp_path / "notice.pdf"), str(tmp_path / "notice")], check=True
    )
    shutil.move(tmp_path / "notice.png", ARTIFACTS / "refusal_notice_visit.png")
    assert (ARTIFACTS / "refusal_notice_visit.png").stat().st_size > 5000


def test_a_refused_visitor_who_is_a_sealed_denouncer_of_a_linked_case_is_not_on_the_paper(
    org, templates, frozen_today
):
    frozen_today(date(2026, 12, 1))
    denunciation = new_case(
        org,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 11, 20),
        petitioners=[DENOUNCER],
        summary=f"Tố cáo cán bộ địa chính; người tố cáo {DENOUNCER['full_name']}",
    )
    came_back = record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.make_aware(datetime(2026, 12, 1, 8, 30)),
            summary=f"{DENOUNCER['full_name']} đến la lối đòi kết quả",
            visitors=[PetitionerInput(**{k: DENOUNCER[k] for k in ("full_name", "id_number", "address")})],
            refusal_reason=RefusalReason.THREATENING,
            existing_cases=[denunciation],
        ),
        actor=org.reception,
    )
    document = issue(came_back, org.head, details=f"Ông (bà) {DENOUNCER['full_name']} quát tháo")
    paper = paper_for(document, org.head).paper
    for surface in (str(document.content), str(document.fields), " ".join(paper.texts())):
        assert DENOUNCER["full_name"] not in surface and DENOUNCER["id_number"] not in surface
        assert DENOUNCER["address"] not in surface
    assert "[người tố cáo]" in " ".join(paper.texts())
