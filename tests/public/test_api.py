"""The public API: submitting online, the receipt, following a case with its code, and the limits."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from casework.choices import CaseKind, CaseState, Channel, Topic
from casework.models import Attachment, Case, CaseEvent, CitizenAccess, OutboxMessage
from tests.factories import act

SUBMIT = "/api/v1/public/submissions/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(client=None, **fields):
    body = {
        "unit": fields.pop("unit"),
        "kind": CaseKind.COMPLAINT,
        "summary": "Khiếu nại quyết định thu hồi đất số 12/QĐ-UBND của UBND xã A",
        "full_name": "Trần Thị Mai",
        "address": "Thôn 3, xã A",
        "phone": "0912345678",
        "email": "mai@example.vn",
        **fields,
    }
    return (client or APIClient()).post(SUBMIT, body, format="json")


def follow(reference, code, client=None, **extra):
    return (client or APIClient()).get(f"/api/v1/public/cases/{reference}/", {"code": code}, **extra)


def test_a_complaint_sent_online_is_registered_at_the_chosen_unit_with_a_receipt(org):
    response = submit(unit=org.commune.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"reference", "lookup_code", "kind", "unit", "received_at"}
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", body["lookup_code"])
    case = Case.objects.get(reference=body["reference"])
    assert (case.unit, case.channel, case.state, case.round) == (org.commune, Channel.ONLINE, "received", 1)
    assert case.registered_by is None
    assert case.intake_flags[0]["code"] == "online_unverified"
    # The code is kept only as a keyed hash.
    access = CitizenAccess.objects.get(case=case)
    assert body["lookup_code"] not in access.code_digest and len(access.code_digest) == 64
    # The e-mail receipt goes through the outbox with the code.
    receipt = OutboxMessage.objects.get(case=case, topic=Topic.INTAKE_RECEIPT)
    assert receipt.payload["lookup_code"] == body["lookup_code"]
    # Audited as registered with no staff actor, like every intake.
    event = CaseEvent.objects.get(case=case)
    assert event.actor is None and event.action == "register"


def test_the_same_duplicate_checks_as_the_desk_flag_a_repeat_for_the_officer(org):
    first = submit(unit=org.commune.pk, id_number="001090012345").json()
    second = submit(unit=org.commune.pk, id_number="001090012345").json()
    case = Case.objects.get(reference=second["reference"])
    repeat = [f for f in case.intake_flags if f["code"] == "possible_repeat"]
    assert repeat and repeat[0]["reference"] == first["reference"]


def test_a_complaint_without_name_and_address_is_refused_with_field_errors_and_nothing_written(org):
    response = submit(unit=org.commune.pk, full_name="", address="")
    assert response.status_code == 400
    assert {"petitioner.full_name", "petitioner.address"} <= set(response.json()["errors"])
    anonymous = submit(unit=org.commune.pk, anonymous=True)
    assert anonymous.status_code == 400 and "anonymous" in anonymous.json()["errors"]
    assert not Case.objects.exists()


def test_an_anonymous_denunciation_is_registered_and_flagged_for_the_officer(org):
    response = submit(unit=org.commune.pk, kind=CaseKind.DENUNCIATION, anonymous=True)
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    assert not case.case_parties.exists()
    assert "anonymous_denunciation" in {f["code"] for f in case.intake_flags}
    assert not OutboxMessage.objects.filter(case=case, topic=Topic.INTAKE_RECEIPT).exists()


def test_a_denouncers_identity_is_sealed_from_the_start(org):
    response = submit(unit=org.commune.pk, kind=CaseKind.DENUNCIATION)
    case = Case.objects.get(reference=response.json()["reference"])
    link = case.case_parties.get()
    assert link.confidential and link.party.full_name == "Trần Thị Mai"


def test_an_unknown_or_inactive_unit_is_refused(org):
    org.other_commune.is_active = False
    org.other_commune.save()
    for unit in (999999, org.other_commune.pk):
        response = submit(unit=unit)
        assert response.status_code == 400 and "unit" in response.json()["errors"]


def test_attachments_are_kept_in_private_storage_and_bad_types_refused(org, settings):
    client = APIClient()
    good = SimpleUploadedFile("quyet-dinh.pdf", PDF, content_type="application/pdf")
    body = {
        "unit": org.commune.pk,
        "kind": CaseKind.RECOMMENDATION,
        "summary": "Kiến nghị sửa đường thôn 3",
        "attachments": [good],
    }
    response = client.post(SUBMIT, body, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "quyet-dinh.pdf" and attachment.size == len(PDF)
    path = attachment.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT)) and Path(path).read_bytes() == PDF

    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(SUBMIT, {**body, "attachments": [fake]}, format="multipart")
    assert refused.status_code == 400 and "attachments" in refused.json()["errors"]
    assert Case.objects.count() == 1


def refuse_everything(name, data):
    raise RuntimeError("scanner says no")


def test_the_virus_scan_hook_can_refuse_a_file(org, settings):
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "VIRUS_SCAN": f"{__name__}.refuse_everything",
    }
    good = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    body = {"unit": org.commune.pk, "kind": CaseKind.REFLECTION, "summary": "Phản ánh", "attachments": [good]}
    response = APIClient().post(SUBMIT, body, format="multipart")
    assert response.status_code == 400 and "virus" in " ".join(response.json()["errors"]["attachments"])
    assert not Case.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(org, settings):
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "MAX_ATTACHMENTS": 1,
        "MAX_ATTACHMENT_BYTES": 1000,
    }
    big = SimpleUploadedFile("a.pdf", PDF + b"0" * 200_000, content_type="application/pdf")
    body = {"unit": org.commune.pk, "kind": CaseKind.REFLECTION, "summary": "x", "attachments": [big]}
    response = APIClient().post(SUBMIT, body, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_submissions_per_client_address_are_limited(org, settings):
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "SUBMIT_RATE": "2/hour"}
    assert [submit(unit=org.commune.pk, summary=f"Phản ánh số {i}").status_code for i in range(3)] == [
        201,
        201,
        429,
    ]
    other = APIClient(REMOTE_ADDR="10.9.8.7")
    assert submit(other, unit=org.commune.pk).status_code == 201


def test_the_citizen_follows_the_case_with_the_code(org):
    receipt = submit(unit=org.commune.pk).json()
    response = follow(receipt["reference"], receipt["lookup_code"].lower().replace("-", " "))
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == receipt["reference"] and body["state"] == "received"
    assert body["unit"]["name"] == "UBND xã A"
    assert body["deadline"]["kind"] == "acceptance" and body["deadline"]["due_date"]
    assert body["documents"] == []


def test_the_follow_view_shows_acceptance_and_the_resolution_deadline(org):
    receipt = submit(unit=org.commune.pk).json()
    case = Case.objects.get(reference=receipt["reference"])
    act(case, "review", org.reception)
    act(case, "accept", org.head)
    body = follow(receipt["reference"], receipt["lookup_code"]).json()
    assert body["state"] == CaseState.ACCEPTED and body["accepted_at"]
    assert body["deadline"]["kind"] == "resolution"


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(org):
    receipt = submit(unit=org.commune.pk).json()
    wrong = follow(receipt["reference"], "0000-0000-0000-0000")
    unknown = follow("XA-A/2026/99999", receipt["lookup_code"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json()["code"] == "not_found"


def test_guessing_codes_is_limited_per_client_and_per_reference_from_one_network(org, settings):
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "LOOKUP_FAILURES_PER_CLIENT": "3/hour",
        "LOOKUP_FAILURES_PER_REFERENCE": "5/hour",
    }
    receipt = submit(unit=org.commune.pk).json()
    guesser = APIClient(REMOTE_ADDR="10.0.0.1")
    answers = [follow(receipt["reference"], f"AAAA-AAAA-AAAA-AAA{i}", guesser).status_code for i in range(4)]
    assert answers == [404, 404, 404, 429]
    # Once refused, even the right code is refused to that client for the rest of the window.
    assert follow(receipt["reference"], receipt["lookup_code"], guesser).status_code == 429
    # Hopping to neighbour addresses buys no fresh attempts on the reference: the /24 runs out at 5.
    for i in range(2):
        assert (
            follow(receipt["reference"], "BBBB", APIClient(REMOTE_ADDR=f"10.0.0.{i + 2}")).status_code == 404
        )
    assert follow(receipt["reference"], "BBBB", APIClient(REMOTE_ADDR="10.0.0.9")).status_code == 429
    # An unknown reference is counted the same way (its answers tell nothing).
    fresh = APIClient(REMOTE_ADDR="10.0.3.1")
    assert [follow("XA-A/2026/77777", "X", fresh).status_code for _ in range(4)] == [404, 404, 404, 429]


def test_the_rightful_citizen_follows_the_case_after_strangers_spent_every_limit_on_its_reference(
    org, settings
):
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "LOOKUP_FAILURES_PER_CLIENT": "3/hour",
        "LOOKUP_FAILURES_PER_REFERENCE": "5/hour",
        "LOOKUP_GUESSING_ALERT": "8/hour",
    }
    receipt = submit(unit=org.commune.pk).json()
    # Strangers in four networks spend everything they are allowed on the printed reference.
    for net in range(4):
        for host in range(3):
            stranger = APIClient(REMOTE_ADDR=f"203.0.{net}.{host + 1}")
            while follow(receipt["reference"], "AAAA-AAAA-AAAA-AAAA", stranger).status_code == 404:
                pass
    assert (
        follow(receipt["reference"], receipt["lookup_code"], APIClient(REMOTE_ADDR="203.0.0.1")).status_code
        == 429
    )
    # The citizen, from home, with the code on the receipt: in (rating goes through the same check).
    owner = APIClient(REMOTE_ADDR="198.51.100.7")
    answer = follow(receipt["reference"], receipt["lookup_code"], owner)
    assert answer.status_code == 200 and answer.json()["reference"] == receipt["reference"]


def test_a_reference_whose_code_is_being_guessed_is_flagged_on_the_case_page(org, settings):
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "LOOKUP_GUESSING_ALERT": "6/day"}
    receipt = submit(unit=org.commune.pk).json()
    case = Case.objects.get(reference=receipt["reference"])
    staff = Client()
    staff.force_login(org.reception)
    for i in range(5):
        follow(receipt["reference"], "AAAA", APIClient(REMOTE_ADDR=f"192.0.{i}.1"))
    assert b'id="lookup-guessing"' not in staff.get(f"/cases/{case.pk}/").content
    follow(receipt["reference"], "AAAA", APIClient(REMOTE_ADDR="192.0.9.1"))
    page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="lookup-guessing"' in page and "6" in page


def test_wrong_code_and_unknown_reference_stay_indistinguishable_up_to_and_past_the_limits(org, settings):
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "LOOKUP_FAILURES_PER_CLIENT": "2/hour",
        "LOOKUP_GUESSING_ALERT": "1/day",
    }
    receipt = submit(unit=org.commune.pk).json()
    known, unknown = APIClient(REMOTE_ADDR="10.1.0.1"), APIClient(REMOTE_ADDR="10.2.0.1")
    for _ in range(3):
        a = follow(receipt["reference"], "AAAA-AAAA-AAAA-AAAA", known)
        b = follow("XA-A/2026/99999", "AAAA-AAAA-AAAA-AAAA", unknown)
        assert (a.status_code, a.content, a.get("Retry-After")) == (
            b.status_code,
            b.content,
            b.get("Retry-After"),
        )
    assert a.status_code == 429


def test_the_unit_picker_finds_units_by_name_or_place_without_diacritics(org):
    names = [u["name"] for u in APIClient().get("/api/v1/public/units/", {"q": "xa a"}).json()]
    assert names[0] == "UBND xã A"
    by_place = APIClient().get("/api/v1/public/units/", {"q": "tinh thu"}).json()
    assert {"UBND xã A", "UBND xã B"} <= {u["name"] for u in by_place}
    assert next(u for u in by_place if u["name"] == "UBND xã A")["place"] == "UBND tỉnh Thử"


@pytest.mark.parametrize("kind", [CaseKind.COMPLAINT, CaseKind.DENUNCIATION])
def test_the_citizens_view_carries_nothing_beyond_what_the_citizen_entered(org, kind):
    receipt = submit(unit=org.commune.pk, kind=kind, id_number="001090012345").json()
    case = Case.objects.get(reference=receipt["reference"])
    act(case, "review", org.reception, note="Ghi chú nội bộ: gọi điện cho ông Tư")
    text = follow(receipt["reference"], receipt["lookup_code"]).content.decode()
    for secret in (
        "Ghi chú",
        "ông Tư",
        org.reception.username,
        org.head.username,
        "intake_flags",
        "online_unverified",
    ):
        assert secret not in text
    # Not even the citizen's own identity is echoed back; a wrong code reveals nothing at all.
    for own in ("Trần Thị Mai", "Thôn 3", "0912345678", "mai@example.vn", "001090012345"):
        assert own not in text
    wrong = follow(receipt["reference"], "WRONG-CODE").content.decode()
    assert receipt["reference"] not in wrong and "Mai" not in wrong and "xã A" not in wrong


def test_an_online_case_received_today_counts_from_today(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    receipt = submit(unit=org.commune.pk).json()
    assert receipt["received_at"] == "2026-03-02"


def test_the_receipt_with_the_code_is_e_mailed_to_the_address_the_citizen_gave(org, mailoutbox):
    from notifications import relay

    receipt = submit(unit=org.commune.pk, kind=CaseKind.DENUNCIATION).json()
    relay.relay()
    [message] = mailoutbox
    assert message.to == ["mai@example.vn"]
    assert receipt["reference"] in message.subject
    assert receipt["lookup_code"] in message.body and "/cong-dan/theo-doi/" in message.body
