"""Units, people, dialogues and the calendar of days off."""

from datetime import date

import pytest

from casework.choices import CaseKind
from casework.models import CalendarDay, Dialogue
from tests.factories import act, petitioner, register

# --- Units -------------------------------------------------------------------------------------------


def test_units_come_as_a_tree_in_preorder(org, client_for):
    units = client_for(org.reception).get("/api/v1/units/").json()["results"]
    paths = [u["path"] for u in units]
    assert paths == sorted(paths)
    by_code = {u["code"]: u for u in units}
    assert by_code["xa-a"]["parent"] == org.province.pk
    assert (by_code["xa-a"]["depth"], by_code["tinh"]["depth"]) == (1, 0)
    assert by_code["xa-xa"]["is_remote"] is True
    assert by_code["so-xd"]["authority_level"] == "province"


def test_units_within_a_subtree(org, client_for):
    client = client_for(org.reception)
    assert [u["code"] for u in client.get("/api/v1/units/?within=xa-a").json()["results"]] == ["xa-a"]
    whole = client.get(f"/api/v1/units/?within={org.province.pk}").json()["results"]
    assert len(whole) == 5
    assert client.get("/api/v1/units/?within=nowhere").status_code == 400


# --- People ------------------------------------------------------------------------------------------


def test_people_are_those_linked_to_cases_and_visits_in_reach(org, today, client_for):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[petitioner(1)])
    register(org.other_commune, org.outsider, received_at=date(2026, 3, 2), petitioners=[petitioner(2)])

    def names(user, query=""):
        return [p["full_name"] for p in client_for(user).get(f"/api/v1/people/{query}").json()["results"]]

    assert names(org.handler) == ["Nguyễn Văn 1"]
    assert names(org.outsider) == ["Nguyễn Văn 2"]
    assert sorted(names(org.monitor)) == ["Nguyễn Văn 1", "Nguyễn Văn 2"]
    assert names(org.monitor, "?q=văn 2") == ["Nguyễn Văn 2"]
    assert names(org.monitor, "?q=00109000001") == []  # ID numbers match exactly
    assert names(org.monitor, "?q=001090000001") == ["Nguyễn Văn 1"]
    assert names(org.monitor, "?q=NGUYEN VAN 1") == ["Nguyễn Văn 1"]  # as staff type it, unaccented


def test_a_denouncer_who_is_also_a_complainant_is_listed_without_revealing_the_denunciation(
    org, today, client_for
):
    person = petitioner(7)
    register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[person],
    )
    handler = client_for(org.handler)
    assert handler.get("/api/v1/people/").json()["results"] == []
    register(org.commune, org.reception, received_at=date(2026, 3, 3), petitioners=[person])
    (listed,) = handler.get("/api/v1/people/").json()["results"]
    assert listed["full_name"] == person["full_name"]
    assert set(listed) == {"id", "kind", "full_name", "id_number", "address", "phone", "email", "created_at"}


def test_person_outside_reach_is_404(org, today, client_for):
    case = register(org.other_commune, org.outsider, received_at=date(2026, 3, 2))
    party_id = case.case_parties.get().party_id
    assert client_for(org.handler).get(f"/api/v1/people/{party_id}/").status_code == 404
    assert client_for(org.outsider).get(f"/api/v1/people/{party_id}/").status_code == 200


# --- Dialogues ---------------------------------------------------------------------------------------


@pytest.fixture
def second_round(org, today):
    case = register(org.province, org.p_reception, round=2, received_at=date(2026, 3, 2))
    act(case, "review", org.p_reception, on=date(2026, 3, 3))
    act(case, "accept", org.p_head, on=date(2026, 3, 4))
    return act(case, "start_verification", org.p_head, handler=org.p_handler.pk)


def dialogue_body(org, case, **overrides):
    body = {
        "unit": org.province.pk,
        "held_at": "2026-03-19T14:00:00+07:00",
        "place": "Trụ sở UBND tỉnh",
        "participants": "Người khiếu nại, tổ xác minh",
        "minutes": "Hai bên trình bày ý kiến",
        "cases": [case.pk],
    }
    body.update(overrides)
    return body


def test_recorded_dialogue_lets_a_second_round_complaint_be_submitted(org, second_round, client_for):
    handler = client_for(org.p_handler)
    submit = {"version": second_round.version, "outcome": "wrong", "summary": "Giữ nguyên quyết định"}
    url = f"/api/v1/cases/{second_round.pk}/actions/submit_for_approval/"
    refused = handler.post(url, submit, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "dialogue_required"

    response = handler.post("/api/v1/dialogues/", dialogue_body(org, second_round), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["cases"], body["chair"], body["recorded_by"]) == (
        [second_round.pk],
        org.p_handler.pk,
        org.p_handler.pk,
    )

    assert handler.post(url, submit, format="json").json()["state"] == "awaiting_approval"


def test_dialogue_service_errors_are_400(org, second_round, client_for):
    response = client_for(org.p_handler).post(
        "/api/v1/dialogues/",
        dialogue_body(org, second_round, held_at="2026-03-21T08:00:00+07:00"),
        format="json",
    )
    assert response.status_code == 400
    assert "held_at" in response.json()["errors"]
    assert not Dialogue.objects.exists()


def test_monitor_cannot_record_a_dialogue(org, second_round, client_for):
    response = client_for(org.monitor).post(
        "/api/v1/dialogues/", dialogue_body(org, second_round), format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_dialogues_are_listed_within_reach_and_by_case(org, second_round, client_for):
    client_for(org.p_handler).post("/api/v1/dialogues/", dialogue_body(org, second_round), format="json")
    assert (
        len(client_for(org.monitor).get(f"/api/v1/dialogues/?case={second_round.pk}").json()["results"]) == 1
    )
    assert client_for(org.monitor).get("/api/v1/dialogues/?case=999").json()["results"] == []
    assert client_for(org.head).get("/api/v1/dialogues/").json()["results"] == []  # commune is below


# --- Calendar ----------------------------------------------------------------------------------------

DAYS_OFF = "/api/v1/calendar/days-off/"


def test_administrator_adds_a_day_off_and_running_deadlines_move(org, today, client_for, administrator):
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 16))
    acceptance = case.deadlines.get(kind="acceptance")
    before = acceptance.due_date

    response = client_for(administrator).post(
        DAYS_OFF, {"date": "2026-03-23", "kind": "day_off", "reason": "Nghỉ bù"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "date": "2026-03-23",
        "kind": "day_off",
        "reason": "Nghỉ bù",
        "deadlines_moved": 1,
    }
    acceptance.refresh_from_db()
    assert (acceptance.due_date - before).days == 1

    listed = client_for(org.handler).get(DAYS_OFF).json()["results"]
    assert [(d["date"], d["kind"]) for d in listed] == [("2026-03-23", "day_off")]

    removed = client_for(administrator).delete(f"{DAYS_OFF}2026-03-23/")
    assert removed.status_code == 200
    assert removed.json() == {"date": "2026-03-23", "deadlines_moved": 1}
    acceptance.refresh_from_db()
    assert acceptance.due_date == before


def test_only_administrators_change_the_calendar(org, today, client_for, administrator):
    CalendarDay.objects.create(date=date(2026, 3, 23), kind="day_off", reason="Nghỉ")
    for user in (org.head, org.monitor):
        client = client_for(user)
        created = client.post(
            DAYS_OFF, {"date": "2026-03-24", "kind": "day_off", "reason": "x"}, format="json"
        )
        assert created.status_code == 403
        assert client.delete(f"{DAYS_OFF}2026-03-23/").status_code == 403
    assert CalendarDay.objects.count() == 1


def test_removing_a_day_that_is_not_an_exception_is_404(org, client_for, administrator):
    response = client_for(administrator).delete(f"{DAYS_OFF}2026-03-24/")
    assert response.status_code == 404
    assert client_for(administrator).delete(f"{DAYS_OFF}2026-02-31/").status_code == 404
