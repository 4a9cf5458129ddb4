from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.choices import CaseKind, CaseState, Role
from casework.models import Case
from tests.factories import act, petitioner, register, staff
from tests.helpers import letter

pytestmark = pytest.mark.sql

CASES = "/api/v1/cases/"


# --- Intake ----------------------------------------------------------------------------------------


def test_reception_registers_a_letter_and_gets_the_case_with_deadlines(org, today, client_for):
    response = client_for(org.reception).post(CASES, letter(org, received_at="2026-03-16"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == "XA-A/2026/00001"
    assert (body["kind"], body["round"], body["state"], body["version"]) == ("complaint", 1, "received", 1)
    assert body["unit"] == org.commune.pk
    assert body["received_at"] == "2026-03-16"
    assert body["intake_flags"] == []
    deadlines = {d["kind"]: d for d in body["deadlines"]}
    acceptance = deadlines["acceptance"]
    assert acceptance["due_date"] == "2026-03-26"
    assert "LKN Art. 27" in acceptance["basis"]
    assert (acceptance["status"], acceptance["overdue"]) == ("running", False)
    assert acceptance["working_days_left"] == 4  # Mon 23 – Thu 26 March
    assert "Due on" in acceptance["explanation"]
    assert body["available_actions"] == sorted(body["available_actions"])
    assert "review" in body["available_actions"]
    assert body["petitioners"][0]["full_name"] == "Lê Văn Khiếu"
    assert body["petitioners"][0]["masked"] is False
    assert (body["transferred_to"], body["transferred_from"], body["appeal_case"]) == ([], None, None)


def test_overdue_deadline_is_reported_with_negative_working_days(org, today, client_for):
    body = client_for(org.reception).post(CASES, letter(org, received_at="2026-02-02"), format="json").json()
    acceptance = next(d for d in body["deadlines"] if d["kind"] == "acceptance")
    assert acceptance["overdue"] is True
    assert acceptance["working_days_left"] < 0


def test_intake_flags_are_returned_with_the_case(org, today, client_for):
    body = letter(org, decision_known_at="2025-10-01", received_at="2026-03-02")
    response = client_for(org.reception).post(CASES, body, format="json")
    assert response.status_code == 201
    assert [f["code"] for f in response.json()["intake_flags"]] == ["limitation_expired"]


def test_second_round_letter_links_the_first_round_case(org, today, client_for):
    first = register(org.commune, org.reception, received_at=date(2026, 1, 5))
    body = letter(
        org, unit=org.province.pk, round=2, first_round_case=first.pk, respondent_unit=org.commune.pk
    )
    response = client_for(org.p_reception).post(CASES, body, format="json")
    assert response.status_code == 201
    assert response.json()["first_round_case"] == first.pk
    first_view = client_for(org.p_reception).get(f"{CASES}{first.pk}/").json()
    assert first_view["appeal_case"] == response.json()["id"]


def test_intake_validation_errors_are_400_with_field_errors(org, today, client_for):
    body = letter(org, received_at="2026-04-01", petitioners=[{"full_name": "A", "email": "not-an-email"}])
    response = client_for(org.reception).post(CASES, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "petitioners[0].email" in response.json()["errors"]


def test_engine_validation_errors_are_400_with_field_errors(org, today, client_for):
    response = client_for(org.reception).post(CASES, letter(org, received_at="2026-04-01"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "Invalid input.",
        "errors": {"received_at": ["Cannot be in the future."]},
        "codes": {"received_at": ["in_future"]},
    }
    assert not Case.objects.exists()


def test_monitor_cannot_register_a_case(org, today, client_for):
    response = client_for(org.monitor).post(CASES, letter(org), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Case.objects.exists()


def test_reception_of_another_unit_cannot_register_here(org, today, client_for):
    response = client_for(org.remote_reception).post(CASES, letter(org), format="json")
    assert response.status_code == 403


def test_first_round_case_outside_the_users_reach_is_a_field_error(org, today, client_for):
    elsewhere = register(org.other_commune, org.outsider, received_at=date(2026, 1, 5))
    body = letter(org, round=2, first_round_case=elsewhere.pk)
    response = client_for(org.reception).post(CASES, body, format="json")
    assert response.status_code == 400
    assert "first_round_case" in response.json()["errors"]


# --- Reading ---------------------------------------------------------------------------------------


def test_user_of_another_unit_gets_404_for_a_case_outside_their_subtree(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    for url in (f"{CASES}{case.pk}/", f"{CASES}{case.pk}/history/"):
        response = client_for(org.outsider).get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client_for(org.outsider).get(CASES).json()["results"] == []


def test_province_staff_and_monitor_read_the_communes_below(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    for user in (org.p_head, org.monitor):
        assert client_for(user).get(f"{CASES}{case.pk}/").status_code == 200


def test_available_actions_depend_on_the_requesting_user(org, today, client_for):
    case = act(register(org.commune, org.reception, received_at=date(2026, 3, 2)), "review", org.reception)
    url = f"{CASES}{case.pk}/"
    reception_actions = client_for(org.reception).get(url).json()["available_actions"]
    head_actions = client_for(org.head).get(url).json()["available_actions"]
    assert "accept" not in reception_actions
    assert "accept" in head_actions
    assert client_for(org.monitor).get(url).json()["available_actions"] == []


def test_history_lists_the_audit_trail(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    act(case, "review", org.reception, note="Đã kiểm tra")
    history = client_for(org.head).get(f"{CASES}{case.pk}/history/").json()
    assert [e["action"] for e in history] == ["register", "review"]
    review = history[1]
    assert review["actor"] == "reception"
    assert (review["from_state"], review["to_state"]) == ("received", "under_review")
    assert review["effective_date"] == "2026-03-20"
    assert review["note"] == "Đã kiểm tra"
    assert review["changes"]["state"] == ["received", "under_review"]


def test_transfer_links_both_cases(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    act(case, "transfer", org.reception, target_unit=org.province.pk)
    body = client_for(org.p_head).get(f"{CASES}{case.pk}/").json()
    assert body["state"] == "transferred"
    (new_id,) = body["transferred_to"]
    assert client_for(org.p_head).get(f"{CASES}{new_id}/").json()["transferred_from"] == case.pk


# --- Lists: filters, ordering, pagination, query count -----------------------------------------------


@pytest.fixture
def several(org, today):
    a = register(org.commune, org.reception, received_at=date(2026, 3, 16), petitioners=[petitioner(1)])
    b = register(org.commune, org.reception, received_at=date(2026, 2, 2), petitioners=[petitioner(2)])
    act(b, "review", org.reception, on=date(2026, 2, 3))
    c = register(
        org.commune, org.reception, kind=CaseKind.REFLECTION, received_at=date(2026, 3, 10), channel="online"
    )
    d = register(
        org.remote_commune, org.remote_reception, received_at=date(2026, 3, 12), petitioners=[petitioner(4)]
    )
    e = register(org.province, org.p_reception, received_at=date(2026, 3, 6), petitioners=[petitioner(5)])
    act(e, "review", org.p_reception)
    act(e, "accept", org.p_head)
    act(e, "start_verification", org.p_head, handler=org.p_handler.pk)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def _ids(client, query=""):
    response = client.get(f"{CASES}?{query}")
    assert response.status_code == 200, response.json()
    return [c["id"] for c in response.json()["results"]]


def test_filters_on_the_case_list(org, several, client_for):
    client = client_for(org.p_head)
    s = several
    assert set(_ids(client, "state=under_review")) == {s["b"].pk}
    assert set(_ids(client, "kind=reflection")) == {s["c"].pk}
    assert set(_ids(client, f"unit={org.commune.pk}")) == {s["a"].pk, s["b"].pk, s["c"].pk}
    assert set(_ids(client, f"within={org.commune.code}")) == {s["a"].pk, s["b"].pk, s["c"].pk}
    assert len(_ids(client, f"within={org.province.pk}")) == 5
    assert set(_ids(client, f"handler={org.p_handler.pk}")) == {s["e"].pk}
    assert set(_ids(client, "channel=online")) == {s["c"].pk}
    assert set(_ids(client, "received_from=2026-03-06&received_to=2026-03-12")) == {
        s["c"].pk,
        s["d"].pk,
        s["e"].pk,
    }
    assert set(_ids(client, "overdue=true")) == {s["b"].pk}
    assert s["b"].pk not in _ids(client, "overdue=false")
    assert set(_ids(client, "due_before=2026-03-20")) == {s["b"].pk, s["c"].pk}


def test_bad_filter_values_are_400(org, several, client_for):
    client = client_for(org.p_head)
    for query in ("state=nonsense", "within=no-such-unit", "received_from=yesterday", "handler=1.5"):
        response = client.get(f"{CASES}?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"


def test_ordering_of_the_case_list(org, several, client_for):
    client = client_for(org.p_head)
    s = several
    assert _ids(client) == [s["a"].pk, s["d"].pk, s["c"].pk, s["e"].pk, s["b"].pk]  # newest first
    assert _ids(client, "ordering=received_at")[0] == s["b"].pk
    refs = [c["reference"] for c in client.get(f"{CASES}?ordering=reference").json()["results"]]
    assert refs == sorted(refs)
    by_due = _ids(client, "ordering=due_date")
    assert by_due[0] == s["b"].pk  # its acceptance deadline passed first


def test_cursor_pagination_walks_every_case_once(org, several, client_for):
    client = client_for(org.p_head)
    seen, url = [], f"{CASES}?page_size=2&ordering=due_date"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(c.pk for c in several.values())
    assert client.get(f"{CASES}?cursor=garbage").status_code == 404


@pytest.mark.sql
def test_cases_received_the_same_day_page_in_one_fixed_order(org, today, client_for):
    same_day = [register(org.commune, org.reception, received_at=date(2026, 3, 2)).pk for _ in range(7)]
    client = client_for(org.head)
    seen, url = [], f"{CASES}?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    # Newest first, and among cases of one day the last registered first: every case exactly once.
    assert seen == sorted(same_day, reverse=True)


def test_case_list_runs_a_fixed_number_of_queries(org, today, client_for):
    client = client_for(org.head)
    register(org.commune, org.reception, received_at=date(2026, 3, 2))
    client.get(CASES)  # warm up: memberships, token, content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CASES).status_code == 200
        return len(queries)

    one = count()
    for n in range(2, 12):
        case = register(
            org.commune,
            org.reception,
            kind=CaseKind.DENUNCIATION,
            received_at=date(2026, 3, 2),
            petitioners=[petitioner(n)],
        )
        act(case, "review", org.reception)
    many = count()
    assert many <= one + 2


def test_case_list_is_scoped_to_the_users_units(org, several, client_for):
    s = several
    assert set(_ids(client_for(org.reception))) == {s["a"].pk, s["b"].pk, s["c"].pk}
    assert set(_ids(client_for(org.remote_head))) == {s["d"].pk}
    assert len(_ids(client_for(org.monitor))) == 5


def test_states_are_the_contract_vocabulary(org, several, client_for):
    states = {c["state"] for c in client_for(org.p_head).get(CASES).json()["results"]}
    assert states <= set(CaseState.values)


def test_an_administrator_role_reads_its_subtree(org, several, client_for):
    admin = staff(org.commune, Role.ADMINISTRATOR, "commune-admin")
    assert set(_ids(client_for(admin))) == {several["a"].pk, several["b"].pk, several["c"].pk}


@pytest.mark.parametrize("field", ["received_at", "decision_known_at"])
def test_an_implausibly_old_date_is_400_not_a_crash(org, today, client_for, field):
    body = letter(org, **{field: "0437-05-17"})
    body["petitioners"][0]["is_representative"] = True
    response = client_for(org.reception).post(CASES, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_deadline_basis_and_explanation_follow_the_requested_language(org, today, client_for):
    body = client_for(org.reception).post(CASES, letter(org, received_at="2026-03-16"), format="json").json()
    response = client_for(org.reception).get(f"{CASES}{body['id']}/", HTTP_ACCEPT_LANGUAGE="vi")
    acceptance = next(d for d in response.json()["deadlines"] if d["kind"] == "acceptance")
    assert acceptance["basis"].startswith("Điều 27 Luật Khiếu nại")
    assert "Điều 27 Luật Khiếu nại" in acceptance["explanation"]
    # What is stored stays the canonical English text, whatever language wrote it.
    assert Case.objects.get(pk=body["id"]).deadlines.get(kind="acceptance").basis.startswith("LKN Art. 27")


def test_cases_are_found_by_petitioner_name_without_diacritics_but_not_by_a_sealed_denouncer(
    org, today, client_for
):
    complaint = client_for(org.reception).post(CASES, letter(org), format="json").json()
    denouncer = {"full_name": "Trịnh Thị Đoan", "id_number": "001190000777", "address": "Thôn 2"}
    denunciation = (
        client_for(org.reception)
        .post(CASES, letter(org, kind="denunciation", round=None, petitioners=[denouncer]), format="json")
        .json()
    )

    def ids(user, term):
        response = client_for(user).get(CASES, {"petitioner": term})
        assert response.status_code == 200
        return {case["id"] for case in response.json()["results"]}

    assert ids(org.handler, "le van khieu") == {complaint["id"]}
    assert ids(org.handler, "001090000111") == {complaint["id"]}
    assert ids(org.handler, "trinh thi doan") == set()
    assert ids(org.handler, "001190000777") == set()
    assert ids(org.head, "trinh thi doan") == {denunciation["id"]}
