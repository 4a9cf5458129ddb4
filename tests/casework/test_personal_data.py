"""A data subject's request (Law 91/2025, Decree 356/2025): everything held about a person as one
file, from the admin and the shell, logged as a disclosure and never revealing anyone else; identity
corrections in the admin go through the audited correction; people are never deleted."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.choices import CaseKind, Channel, Role
from casework.confidentiality import record_disclosure
from casework.models import AccessLog, Case, Party, PartyCorrection
from casework.personal_data import person_data
from casework.services import correct_party
from notifications import relay
from tests.factories import UserFactory, act, register, staff
from tests.helpers import hold_dialogue
from workflows.intake import CaseInput, PetitionerInput, record_visit
from workflows.intake.inputs import VisitInput

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 20)
MAI = {"full_name": "Đặng Thị Mai", "id_number": "001185012345", "address": "Số 4 ngõ Hòe, xã A"}
BINH = {"full_name": "Lê Văn Bình", "id_number": "001185099999", "address": "Số 9 ngõ Kín, xã A"}


@pytest.fixture
def mai(org, frozen_today):
    """Mai came to the desk, opened a complaint that was accepted (a letter went to her), had a
    dialogue on it, had her phone corrected, and a head read her record."""
    frozen_today(TODAY)
    visit = record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.make_aware(datetime(2026, 3, 2, 9)),
            summary="Bà Mai khiếu nại quyết định thu hồi đất",
            visitors=[PetitionerInput(**MAI)],
            cases=[
                CaseInput(
                    unit=org.commune,
                    kind=CaseKind.COMPLAINT,
                    channel=Channel.IN_PERSON,
                    received_at=date(2026, 3, 2),
                    summary="Khiếu nại quyết định thu hồi đất số 12/QĐ-UBND",
                    round=1,
                )
            ],
        ),
        actor=org.reception,
    )
    case = visit.cases.get()
    case = act(
        act(case, "review", org.reception, on=date(2026, 3, 3)), "accept", org.head, on=date(2026, 3, 5)
    )
    hold_dialogue(case, org)
    relay.relay()
    party = case.case_parties.get().party
    correct_party(party=party, actor=org.reception, changes={"phone": "0912345678"}, reason="Số mới trên đơn")
    record_disclosure(
        user=org.head,
        channel="admin",
        detail="party detail",
        reads=[(None, party)],
        kind=AccessLog.Kind.PERSONAL_DATA_READ,
    )
    return party


def test_the_export_holds_the_persons_cases_visits_dialogues_notices_corrections_and_reads(org, mai):
    admin = staff(org.province, Role.ADMINISTRATOR, "dpo")

    document = person_data([mai], user=admin, channel="test")

    assert [p["full_name"] for p in document["person"]] == ["Đặng Thị Mai"]
    assert "Law 91/2025" in document["legal_basis"] and "not deleted" in document["retention"]
    [case] = document["cases"]
    assert (case["kind"], case["state"], case["your_role"]) == ("complaint", "accepted", ["petitioner"])
    assert {"review", "accept"} <= {h["action"] for h in case["history"]}
    assert case["deadlines"]
    assert [v["cases"] for v in document["visits"]] == [[case["reference"]]]
    assert [d["cases"] for d in document["dialogues"]] == [[case["reference"]]]
    assert [n["kind"] for n in document["notifications"]] == ["acceptance_notice"]
    assert case["reference"] in document["notifications"][0]["text"]
    assert [c["changes"] for c in document["corrections"]] == [
        {"phone": [MAI.get("phone", ""), "0912345678"]}
    ]
    assert [(a["kind"], a["by"]) for a in document["access_log"]] == [("personal_data_read", "head")]
    json.dumps(document)  # JSON-ready as it is

    # The export is itself logged: the person, and each case read.
    logged = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, user=admin, channel="test")
    assert {(row.case_id, row.party_id) for row in logged} == {
        (None, mai.pk),
        (Case.objects.get().pk, mai.pk),
    }


def test_the_export_never_names_a_co_denouncer_or_anyone_else(org, frozen_today):
    frozen_today(TODAY)
    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[MAI, BINH],
        summary="Bà Đặng Thị Mai và ông Lê Văn Bình (CCCD 001185099999, Số 9 ngõ Kín, xã A) tố cáo cán bộ",
    )
    mai = case.case_parties.get(party__full_name=MAI["full_name"]).party

    text = json.dumps(person_data([mai], user=org.head, channel="test"), ensure_ascii=False)

    assert "Đặng Thị Mai" in text  # her own identity
    assert "Bình" not in text and "001185099999" not in text and "ngõ Kín" not in text
    assert json.loads(text)["cases"][0]["your_identity_sealed"] is True


def test_an_administrator_exports_from_the_people_admin_and_others_cannot(client, org, mai):
    admin = staff(org.province, Role.ADMINISTRATOR, "dpo")
    changelist = reverse("admin:casework_party_changelist")
    body = {"action": "export_personal_data", "_selected_action": [mai.pk]}

    client.force_login(org.head)
    assert "export_personal_data" not in client.get(changelist).content.decode()
    refused = client.post(changelist, body)
    assert refused.status_code in (200, 302) and refused.get("Content-Disposition") is None

    client.force_login(admin)
    response = client.post(changelist, body)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["person"][0]["id_number"] == MAI["id_number"]
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, user=admin, channel="admin").exists()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, user=org.head).exists()


def test_the_command_exports_every_record_with_the_id_number_to_a_private_file(org, mai, tmp_path):
    output = tmp_path / "mai.json"

    call_command("export_personal_data", id_number=MAI["id_number"], by="head", output=output)

    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert json.loads(output.read_text())["person"][0]["record"] == mai.pk
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, channel="command", user=org.head).exists()


def test_a_correction_in_the_admin_needs_a_reason_and_is_recorded(client, org, mai):
    url = reverse("admin:casework_party_change", args=[mai.pk])
    form = {"full_name": MAI["full_name"], "id_number": MAI["id_number"], "address": MAI["address"]}
    form.update(phone="0912345678", email="")
    client.force_login(org.reception)

    refused = client.post(url, {**form, "full_name": "Đặng Thị Mai Anh", "reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["adminform"].form.errors
    assert Party.objects.get(pk=mai.pk).full_name == MAI["full_name"]

    saved = client.post(url, {**form, "full_name": "Đặng Thị Mai Anh", "reason": "CCCD bản gốc"})

    assert saved.status_code == 302
    record = PartyCorrection.objects.filter(reason="CCCD bản gốc").get()
    assert (record.actor, record.changes) == (
        org.reception,
        {"full_name": [MAI["full_name"], "Đặng Thị Mai Anh"]},
    )


def test_a_correction_by_someone_who_may_not_correct_is_refused_on_the_form(client, org, mai):
    # The province's reception officer reads the commune's people but corrects only their own unit's.
    client.force_login(org.p_reception)
    url = reverse("admin:casework_party_change", args=[mai.pk])

    response = client.post(url, {**MAI, "phone": "0999", "email": "", "reason": "Tự ý sửa"})

    assert response.status_code == 200
    assert "correct their identity" in response.content.decode()
    assert Party.objects.get(pk=mai.pk).phone == "0912345678"
    assert not PartyCorrection.objects.filter(reason="Tự ý sửa").exists()


def test_people_cannot_be_deleted_in_the_admin(client, org, mai):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:casework_party_delete", args=[mai.pk])).status_code == 403
    assert Party.objects.filter(pk=mai.pk).exists()
