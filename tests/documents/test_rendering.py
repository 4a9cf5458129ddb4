"""Every prescribed form issued for a demo-like case and rendered in both formats: the PDF's text holds
the form's mandatory content and the Decree 30/2020 parts; a PNG of its first page is kept under
var/test-artifacts/documents/; no paper of a denunciation carries the denouncer.

Rendering a PDF costs about half a second, so each form is issued and rendered once for the run (a
module-wide fixture in a transaction rolled back at the end, its results handed to the other xdist workers)
and the tests read the results."""

from __future__ import annotations

import fcntl
import importlib
import io
import os
import pickle
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import transaction

from casework.models import AccessLog
from casework.text import fold
from documents.forms import LAYOUTS, MANDATORY
from documents.render import render
from documents.services import issue_document, paper_for
from tests.helpers import DENOUNCER

from .scenarios import COMPLAINANT, TODAY, build_org, build_scenarios

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "documents"
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
pytestmark = [
    pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftotext, pdftoppm)"),
    pytest.mark.django_db,  # so the session sets up the test database the module fixture writes to
]


@dataclass
class Rendered:
    code: str
    kind: str
    reference: str
    symbol: str
    content: dict
    fields: dict
    pdf: bytes
    docx: bytes
    text: str  # pdftotext of the PDF
    docx_text: str


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def docx_text(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml").decode()


def _render(document, reader) -> tuple[bytes, bytes]:
    paper = paper_for(document, reader).paper
    return render(paper, "pdf"), render(paper, "docx")


@pytest.fixture(scope="module")
def rendered(request, django_db_setup, django_db_blocker):
    """{code: Rendered} for every form, plus the two denunciation notices as the head renders them.

    Built once for the run: under xdist the workers share this module's tests (worksteal), and each used
    to issue and render all of them again (~10 s of CPU). The first worker to get here builds under a lock
    and leaves the results for this run's other workers; they only read them (no database rows)."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        return _build_rendered(django_db_blocker)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    kept = ARTIFACTS / f".rendered-{workerinput['testrunuid']}.pickle"
    with open(ARTIFACTS / ".rendered.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if building fails
        if kept.exists():
            return pickle.loads(kept.read_bytes())
        for stale in ARTIFACTS.glob(".rendered-*.pickle"):  # earlier runs'
            stale.unlink(missing_ok=True)
        out = _build_rendered(django_db_blocker)
        partial = kept.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(out))
        os.replace(partial, kept)
        return out


def _build_rendered(django_db_blocker) -> dict[str, Rendered]:
    out: dict[str, Rendered] = {}
    travel = time_machine.travel(f"{TODAY} 09:00 +0700", tick=False)
    with django_db_blocker.unblock(), travel, transaction.atomic():
        importlib.import_module("documents.migrations.0002_seed_templates").seed(apps)
        org = build_org()
        for s in build_scenarios(org):
            document = issue_document(case_id=s.case.pk, template_code=s.code, actor=s.actor, data=s.data)
            # A denunciation's papers as the handler reads them (who may not see the denouncer).
            pdf, docx = _render(document, org.handler)
            out[s.code] = Rendered(
                s.code, s.case.kind, s.case.reference, document.symbol, document.content,
                document.fields, pdf, docx, pdf_text(pdf), docx_text(docx),
            )  # fmt: skip
            if s.code in ("denunciation_notice_to_denounced", "denunciation_notice_to_denouncer"):
                logs = AccessLog.objects.filter(user=org.head, kind=AccessLog.Kind.UNMASKED_READ).count()
                pdf, docx = _render(document, org.head)
                out[f"{s.code}@head"] = Rendered(
                    s.code, s.case.kind, s.case.reference, document.symbol, document.content,
                    document.fields, pdf, docx, pdf_text(pdf), docx_text(docx),
                )  # fmt: skip
                out[f"{s.code}@head"].fields = {
                    "unmasked_reads": AccessLog.objects.filter(
                        user=org.head, kind=AccessLog.Kind.UNMASKED_READ
                    ).count()
                    - logs
                }
        transaction.set_rollback(True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Each test process renders in a folder of its own and moves the finished picture in at once: under
    # xdist both workers may run this fixture, and a shared intermediate file raced (one unlinked the PDF
    # the other was reading; a picture being rewritten was read half-written).
    with tempfile.TemporaryDirectory(dir=ARTIFACTS) as work:
        for code in LAYOUTS:
            pdf_path = Path(work) / f"{code}.pdf"
            pdf_path.write_bytes(out[code].pdf)
            first_page = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
            subprocess.run(["pdftoppm", *first_page, str(pdf_path), str(Path(work) / code)], check=True)
            os.replace(Path(work) / f"{code}.png", ARTIFACTS / f"{code}.png")
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_scenario_exists_for_every_form_of_the_catalogue(rendered):
    assert set(LAYOUTS) == set(MANDATORY) == {k for k in rendered if "@" not in k}
    assert len(LAYOUTS) == 21


@pytest.mark.parametrize("code", sorted(LAYOUTS))
def test_every_form_renders_as_pdf_and_docx_with_its_mandatory_content(rendered, code):
    r = rendered[code]
    assert r.pdf.startswith(b"%PDF") and zipfile.is_zipfile(io.BytesIO(r.docx))
    text = flat(r.text)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {r.symbol}",
        "ngày 01 tháng 12 năm 2026",
        *MANDATORY[code],
    ):
        assert phrase in text, (code, phrase)
        assert phrase.replace("&", "&amp;") in r.docx_text or phrase in flat(r.docx_text), (code, phrase)
    # A line may break after the reference's hyphen, which pdftotext then drops.
    assert r.reference.replace("-", "") in "".join(text.split()).replace("-", "")
    assert (ARTIFACTS / f"{code}.png").stat().st_size > 5000


def test_the_signature_block_follows_decree_30(rendered):
    notice = flat(rendered["complaint_acceptance_notice"].text)
    assert "TM. ỦY BAN NHÂN DÂN" in notice and "CHỦ TỊCH" in notice and "Nguyễn Văn Chủ" in notice
    decision = flat(rendered["complaint_decision_first"].text)
    assert "TM. ỦY BAN NHÂN DÂN" not in decision  # the chair decides in their own competence
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG CAM ĐƯỜNG" in decision
    second = flat(rendered["complaint_decision_second"].text)
    assert "ỦY BAN NHÂN DÂN TỈNH LÀO CAI" in second and "Hoàng Thị Tỉnh" in second
    assert "Nơi nhận:" in notice and "Cam Đường, ngày 01 tháng 12 năm 2026" in notice


def test_complaint_papers_name_the_complainant(rendered):
    for code in ("complaint_acceptance_notice", "complaint_decision_first", "reception_receipt"):
        text = flat(rendered[code].text)
        assert COMPLAINANT["full_name"] in text and COMPLAINANT["id_number"] in text, code


def test_the_amended_forms_are_used_after_1_july_2026(rendered):
    assert "Mẫu số 14a" in rendered["complaint_suspension_decision"].text
    assert "Mẫu số 03" in rendered["complaint_acceptance_notice"].text
    # An unconfirmed form number is not printed.
    assert "Mẫu số 02" not in rendered["transfer_complaint"].text


def _occurrences(text: str) -> list[str]:
    folded, digits = fold(text), "".join(c for c in text if c.isdigit())
    found = [v for v in (DENOUNCER["full_name"],) if fold(v) in folded]
    found += [v for v in (DENOUNCER["id_number"], DENOUNCER["phone"], DENOUNCER["phone"][1:]) if v in digits]
    return found


def test_no_paper_of_a_denunciation_carries_the_denouncer(rendered):
    papers = [r for key, r in rendered.items() if r.kind == "denunciation" and "@" not in key]
    assert len(papers) == 6
    for r in papers:
        for surface in (r.text, r.docx_text, str(r.content), str(r.fields)):
            assert _occurrences(surface) == [], r.code
    # The summary named the denouncer: it is on the paper, with the name replaced.
    assert "[người tố cáo]" in flat(rendered["denunciation_acceptance_decision"].text)


def test_the_notice_to_the_person_denounced_never_carries_the_denouncer_even_for_the_head(rendered):
    r = rendered["denunciation_notice_to_denounced@head"]
    assert _occurrences(r.text) == [] and _occurrences(r.docx_text) == []
    assert "Ông Đỗ Văn Bị" in flat(r.text)
    assert r.fields["unmasked_reads"] == 0


def test_the_notice_to_the_denouncer_names_them_only_for_the_head_and_the_read_is_logged(rendered):
    assert _occurrences(rendered["denunciation_notice_to_denouncer"].text) == []
    r = rendered["denunciation_notice_to_denouncer@head"]
    assert f"Kính gửi: {DENOUNCER['full_name']}" in flat(r.text)
    assert _occurrences(str(r.content)) == []  # the stored paper still does not hold it
    assert r.fields["unmasked_reads"] == 1
