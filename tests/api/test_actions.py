from datetime import date

import pytest

from casework.choices import CaseKind, CaseState
from casework.models import Case, CaseEvent
from tests.factories import act, register


def action_url(case, action: str) -> str:
    return f"/api/v1/cases/{case.pk}/actions/{action}/"


@pytest.fixture
def under_review(org, today):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    return act(case, "review", org.reception, on=date(2026, 3, 17))


def test_head_accepts_and_gets_the_new_case(org, under_review, client_for):
    response = client_for(org.head).post(
        action_url(under_review, "accept"), {"version": under_review.version, "note": "Thụ lý"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["version"]) == ("accepted", under_review.version + 1)
    resolution = next(d for d in body["deadlines"] if d["kind"] == "resolution")
    assert resolution["due_date"] == "2026-04-20"  # 30 days from Fri 20 March: Sun 19 April -> Mon 20
    assert CaseEvent.objects.filter(case=under_review, action="accept", note="Thụ lý").exists()


def test_effective_date_is_the_date_on_the_paper(org, under_review, client_for):
    body = {"version": under_review.version, "effective_date": "2026-03-18"}
    response = client_for(org.head).post(action_url(under_review, "accept"), body, format="json")
    assert response.status_code == 200
    assert response.json()["accepted_at"] == "2026-03-18"


def test_effective_date_in_the_future_is_400(org, under_review, client_for):
    body = {"version": under_review.version, "effective_date": "2026-03-21"}
    response = client_for(org.head).post(action_url(under_review, "accept"), body, format="json")
    assert response.status_code == 400
    assert "effective_date" in response.json()["errors"]


def test_reception_officer_cannot_approve(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    for action, actor, params in [
        ("review", org.reception, {}),
        ("accept", org.head, {}),
        ("start_verification", org.head, {"handler": org.handler.pk}),
        ("submit_for_approval", org.handler, {"outcome": "wrong", "summary": "Sai"}),
    ]:
        case = act(case, action, actor, **params)

    response = client_for(org.reception).post(
        action_url(case, "approve"), {"version": case.version, "decision_number": "1/QĐ"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_APPROVAL


def test_monitor_cannot_write(org, under_review, client_for):
    response = client_for(org.monitor).post(
        action_url(under_review, "accept"), {"version": under_review.version}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_user_of_another_unit_gets_404_when_acting(org, under_review, client_for):
    response = client_for(org.outsider).post(
        action_url(under_review, "accept"), {"version": under_review.version}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_stale_version_is_409_with_the_current_version(org, under_review, client_for):
    response = client_for(org.head).post(action_url(under_review, "accept"), {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == under_review.version


def test_transition_not_allowed_is_409_with_allowed_actions(org, under_review, client_for):
    response = client_for(org.head).post(
        action_url(under_review, "approve"),
        {"version": under_review.version, "decision_number": "1/QĐ"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert "accept" in body["allowed_actions"]


def test_rule_violation_is_409_with_its_code_and_allowed_actions(org, today, client_for):
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 16))
    for action, actor, params in [
        ("review", org.reception, {}),
        ("accept", org.head, {}),
        ("start_verification", org.head, {"handler": org.handler.pk}),
        ("submit_for_approval", org.handler, {"outcome": "untrue", "summary": "Không đúng"}),
        ("approve", org.head, {"decision_number": "5/KL"}),
    ]:
        case = act(case, action, actor, **params)

    response = client_for(org.head).post(action_url(case, "close"), {"version": case.version}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "publication_required"
    assert body["detail"]
    assert "publish" in body["allowed_actions"]


def test_action_fields_are_validated_before_the_engine(org, under_review, client_for):
    response = client_for(org.reception).post(
        action_url(under_review, "file"), {"version": under_review.version, "reason": "bored"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["errors"]


def test_missing_version_is_400(org, under_review, client_for):
    response = client_for(org.head).post(action_url(under_review, "accept"), {}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_transfer_takes_the_target_unit_id(org, under_review, client_for):
    response = client_for(org.reception).post(
        action_url(under_review, "transfer"),
        {"version": under_review.version, "target_unit": org.department.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "transferred"
    assert Case.objects.get(transferred_from=under_review).unit == org.department


def test_engine_field_errors_come_back_as_400(org, under_review, client_for):
    accepted = act(under_review, "accept", org.head)
    response = client_for(org.head).post(
        action_url(accepted, "start_verification"),
        {"version": accepted.version, "handler": org.outsider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "handler" in response.json()["errors"]


def test_every_action_of_the_contract_has_an_endpoint(org, client_for):
    from workflows.actions import ACTIONS

    contract = set(
        [
            "review",
            "transfer",
            "guide",
            "file",
            "accept",
            "reject",
            "start_verification",
            "submit_for_approval",
            "return_for_revision",
            "approve",
            "extend",
            "suspend",
            "resume",
            "withdraw",
            "appeal",
            "close",
        ]
    )
    assert contract <= set(ACTIONS)
    client = client_for(org.head)
    # An unrouted URL answers 404 `not_found`, like a missing case would: an empty body tells them apart,
    # since each action's endpoint validates its body (`version` is required) before loading the case.
    unrouted = client.post("/api/v1/cases/999999/actions/no_such_action/", {}, format="json")
    assert (unrouted.status_code, unrouted.json()["code"]) == (404, "not_found")
    for action in ACTIONS:
        response = client.post(f"/api/v1/cases/999999/actions/{action}/", {}, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), action
        assert "version" in response.json()["errors"], action


def test_an_action_reason_of_invisible_characters_is_400_not_visible(org, under_review, client_for):
    # A zero-width space matches the schema's non-blank pattern; the service refuses it by its code.
    response = client_for(org.head).post(
        action_url(under_review, "accept"),
        {"version": under_review.version, "note": "\u200b\u200f"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["codes"] == {"note": ["not_visible"]}
    under_review.refresh_from_db()
    assert under_review.state == CaseState.UNDER_REVIEW
