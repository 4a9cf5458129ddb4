"""Every public response, swept: nothing beyond what the rightful citizen entered reaches them, and
nothing about a denouncer reaches anyone holding a wrong code (or no code)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.choices import CaseKind
from casework.models import Case
from casework.text import person_name
from tests.factories import act, petitioner, register

DENOUNCER = {
    "full_name": "Vũ Thị Bí Mật",
    "address": "Số 9 ngõ Kín, xã A",
    "phone": "0977000111",
    "email": "bimat@example.vn",
    "id_number": "001190099999",
}


@pytest.fixture
def denounced_online(org):
    for user, (family, given) in zip(
        (org.reception, org.head, org.handler),
        (("Hoàng", "Văn Tiếp"), ("Lý", "Thị Trưởng"), ("Đinh", "Văn Xử")),
        strict=True,
    ):
        user.last_name, user.first_name = family, given
        user.save()
    body = {
        "unit": org.commune.pk,
        "kind": CaseKind.DENUNCIATION,
        "summary": "Tố cáo ông Trưởng thôn nhận tiền hỗ trợ của hộ nghèo",
        "respondent": "Trưởng thôn 3",
        **DENOUNCER,
    }
    receipt = APIClient().post("/api/v1/public/submissions/", body, format="json").json()
    case = Case.objects.get(reference=receipt["reference"])
    act(case, "review", org.reception, note="Nội bộ: người tố cáo là cháu của cán bộ Tư")
    # Another citizen's case at the same unit, whose data must never show either.
    register(org.commune, org.reception, received_at=case.received_at, petitioners=[petitioner(7)])
    return receipt, case


def public_responses(org, reference, code):
    api, page = APIClient(REMOTE_ADDR="10.1.1.1"), Client(REMOTE_ADDR="10.1.1.2")
    yield "api follow", api.get(f"/api/v1/public/cases/{reference}/", {"code": code})
    yield "page follow", page.post("/cong-dan/theo-doi/", {"reference": reference, "code": code})
    yield "api units", api.get("/api/v1/public/units/", {"q": "xa a"})
    yield "page units", page.get("/cong-dan/co-quan/", {"q": "xa a"})
    yield "page form", page.get(f"/cong-dan/gui-don/?unit={org.commune.pk}")
    yield "page home", page.get("/cong-dan/")
    yield "page receipt (another browser)", page.get("/cong-dan/bien-nhan/")


def staff_and_others(org):
    other = petitioner(7)
    return [
        *(person_name(u) for u in (org.reception, org.head, org.handler)),
        "Nội bộ",
        "cán bộ Tư",
        other["full_name"],
        other["address"],
        other["phone"],
        "intake_flags",
        "online_unverified",
    ]


def test_the_rightful_denouncer_sees_nothing_internal_and_no_one_elses_data(org, denounced_online):
    receipt, _case = denounced_online
    for name, response in public_responses(org, receipt["reference"], receipt["lookup_code"]):
        text = response.content.decode()
        for secret in staff_and_others(org):
            assert secret not in text, (name, secret)


def test_a_wrong_code_or_no_code_reveals_nothing_about_the_denouncer_or_the_case(org, denounced_online):
    receipt, _case = denounced_online
    code = receipt["lookup_code"]
    # One character off (never the code itself: a code ending in "0" made "…0" the right code).
    one_off = code[:-1] + ("1" if code[-1] == "0" else "0")
    for code in ("", "0000-0000-0000-0000", one_off):
        for name, response in public_responses(org, receipt["reference"], code):
            text = response.content.decode()
            for secret in [*DENOUNCER.values(), "Trưởng thôn 3", "hộ nghèo", *staff_and_others(org)]:
                assert secret not in text, (name, code, secret)
            assert "denunciation" not in text.lower() or name in ("page form", "page home", "page units")
