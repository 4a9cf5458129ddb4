"""The outcome figures and the field of law through the API: additive fields on the action bodies,
the case representation and intake."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import CaseState
from casework.models import Case
from tests.factories import act, register


def action_url(case, action: str) -> str:
    return f"/api/v1/cases/{case.pk}/actions/{action}/"


@pytest.fixture
def awaiting_approval(org, today):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), law_field="admin_land_housing")
    case = act(case, "review", org.reception)
    case = act(case, "accept", org.head)
    case = act(case, "start_verification", org.head, handler=org.handler.pk)
    return act(case, "submit_for_approval", org.handler, outcome="right", summary="Đúng", recover_money="10")


def test_the_head_signs_with_figures_and_the_case_shows_them_as_exact_amounts(
    org, awaiting_approval, client_for
):
    body = {
        "version": awaiting_approval.version,
        "decision_number": "15/QĐ-UBND",
        "recover_money": "120.5",
        "return_person_land": "75.25",
        "return_people": 3,
        "sanction_people": 2,
        "sanction_officials": 1,
    }
    response = client_for(org.head).post(action_url(awaiting_approval, "approve"), body, format="json")
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["state"] == "decided" and case["law_field"] == "admin_land_housing"
    assert (case["recover_money"], case["return_person_land"], case["return_people"]) == (
        "120.500",
        "75.25",
        3,
    )
    assert case["sanction_officials"] == 1 and case["referred_people"] is None
    assert case["implemented_at"] is None
    assert "record_implementation" in case["available_actions"]

    done = client_for(org.head).post(
        action_url(awaiting_approval, "record_implementation"),
        {"version": case["version"], "completed": True, "recovered_money": "120.5"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["recovered_money"], done.json()["implemented_at"]) == ("120.500", "2026-03-20")


@pytest.mark.parametrize("amount", [120.5, "12,5", "-3", "1e2", True])
def test_an_amount_that_is_not_a_decimal_string_is_a_400_naming_the_field(
    org, awaiting_approval, client_for, amount
):
    body = {"version": awaiting_approval.version, "decision_number": "1/QĐ", "recover_money": amount}
    response = client_for(org.head).post(action_url(awaiting_approval, "approve"), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "recover_money" in response.json()["errors"]
    assert Case.objects.get(pk=awaiting_approval.pk).state == CaseState.AWAITING_APPROVAL


def test_officials_above_people_is_a_400_from_the_engine(org, awaiting_approval, client_for):
    body = {
        "version": awaiting_approval.version,
        "decision_number": "1/QĐ",
        "referred_to_investigation": True,
        "referred_people": 1,
        "referred_officials": 2,
    }
    response = client_for(org.head).post(action_url(awaiting_approval, "approve"), body, format="json")
    assert response.status_code == 400
    assert response.json()["codes"] == {"referred_officials": ["exceeds_whole"]}


def test_intake_takes_an_optional_field_of_law(org, today, client_for):
    letter = {
        "unit": org.commune.pk,
        "kind": "denunciation",
        "channel": "post",
        "received_at": "2026-03-19",
        "summary": "Tố cáo cán bộ nhận hối lộ",
        "petitioners": [{"full_name": "Trần Văn Bình", "address": "Thôn 1", "id_number": "012345678901"}],
    }
    client = client_for(org.reception)
    classified = client.post("/api/v1/cases/", {**letter, "law_field": "corruption"}, format="json")
    assert classified.status_code == 201, classified.json()
    assert classified.json()["law_field"] == "corruption"
    unclassified = client.post("/api/v1/cases/", letter, format="json")
    assert unclassified.status_code == 201 and unclassified.json()["law_field"] == ""
    wrong = client.post("/api/v1/cases/", {**letter, "law_field": "taxes"}, format="json")
    assert wrong.status_code == 400 and "law_field" in wrong.json()["errors"]
