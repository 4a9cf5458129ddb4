"""The OpenAPI schema says what the API enforces, and a refusal the schema cannot foresee (an id that
names nothing, a date relative to today or to the case's history) says so with a code per message:
what lets the fuzz (tests/api/test_fuzz.py) hold every schemathesis check."""

from __future__ import annotations

import re
from datetime import date

import pytest
from rest_framework.test import APIClient

from casework import reports
from tests.factories import act, register
from tests.helpers import letter


def _codes(response) -> dict[str, list[str]]:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["errors"].keys() == body["codes"].keys()
    return body["codes"]


@pytest.fixture
def schema(api_schema):
    return api_schema


# --- Codes per message -----------------------------------------------------------------------------


def test_a_reference_to_nothing_is_coded_does_not_exist(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "unit": 987654}, format="json"
    )
    assert _codes(response) == {"unit": ["does_not_exist"]}


def test_an_unknown_within_unit_is_coded_does_not_exist(org, client_for):
    assert _codes(client_for(org.head).get("/api/v1/units/", {"within": "nowhere"})) == {
        "within": ["does_not_exist"]
    }


def test_every_message_has_a_code_even_a_generic_one(org, today, client_for):
    response = client_for(org.reception).post("/api/v1/cases/", {**letter(org), "summary": ""}, format="json")
    assert _codes(response) == {"summary": ["blank"]}


def test_an_intake_date_after_today_is_coded_in_future(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "received_at": "2026-03-21"}, format="json"
    )
    assert _codes(response) == {"received_at": ["in_future"]}


def test_an_intake_date_before_the_first_legal_rule_is_coded(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "received_at": "2001-01-01"}, format="json"
    )
    assert _codes(response) == {"received_at": ["no_rules_in_force"]}


@pytest.fixture
def under_review(org, today):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    return act(case, "review", org.reception, on=date(2026, 3, 17))


@pytest.mark.parametrize(
    ("effective", "code"), [("2026-03-21", "in_future"), ("2026-03-16", "before_previous_step")]
)
def test_effective_date_refusals_say_why_in_their_code(org, under_review, client_for, effective, code):
    response = client_for(org.head).post(
        f"/api/v1/cases/{under_review.pk}/actions/accept/",
        {"version": under_review.version, "effective_date": effective},
        format="json",
    )
    assert _codes(response) == {"effective_date": [code]}


def test_a_transfer_to_the_unit_that_holds_the_case_is_coded(org, under_review, client_for):
    response = client_for(org.reception).post(
        f"/api/v1/cases/{under_review.pk}/actions/transfer/",
        {"version": under_review.version, "target_unit": org.commune.pk},
        format="json",
    )
    assert _codes(response) == {"target_unit": ["same_unit"]}


def test_a_transfer_to_no_unit_is_coded_does_not_exist(org, under_review, client_for):
    response = client_for(org.reception).post(
        f"/api/v1/cases/{under_review.pk}/actions/transfer/",
        {"version": under_review.version, "target_unit": 987654},
        format="json",
    )
    assert _codes(response) == {"target_unit": ["does_not_exist"]}


def test_wrong_credentials_are_coded(org):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": org.head.username, "password": "wrong"}, format="json"
    )
    assert _codes(response) == {"non_field_errors": ["invalid_credentials"]}


def test_a_period_and_dates_together_are_coded(org, client_for):
    response = client_for(org.monitor).get(
        "/api/v1/reports/outcomes/", {"period": "2026", "date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert _codes(response) == {"period": ["period_conflict"]}


# --- Reports: the years they compute with, and the period spelled as the schema says -----------------


def test_a_report_over_the_first_supported_year_compares_with_the_year_before(org, client_for):
    response = client_for(org.monitor).get(
        "/api/v1/reports/resolution-rates/", {"date_from": "1901-01-01", "date_to": "1901-03-31"}
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["previous_period"]["date_from"] == "1900-01-01"


@pytest.mark.parametrize("url", ["/api/v1/reports/outcomes/", "/api/v1/reports/overdue/"])
def test_report_dates_outside_the_supported_years_are_refused(org, client_for, url):
    params = (
        {"as_of": "1900-12-31"} if "overdue" in url else {"date_from": "1900-12-31", "date_to": "1901-01-31"}
    )
    codes = _codes(client_for(org.monitor).get(url, params))
    assert set(codes) <= {"as_of", "date_from"} and codes


@pytest.mark.parametrize("spec", ["２０２６", "2026-Q٣", "+2026", "2026-3", "1901"])
def test_a_period_is_spelled_in_ascii_digits_as_the_schema_says(spec):
    assert not re.fullmatch(reports.PERIOD_PATTERN, spec) or spec == "2026-3"
    if spec == "2026-3":  # a month without its leading zero is a month
        assert reports.parse_period(spec).label.startswith("03/2026")
        return
    with pytest.raises(reports.ReportError):
        reports.parse_period(spec)


def test_the_schema_publishes_the_period_and_date_patterns(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/reports/outcomes/"]["get"]["parameters"]
    }
    assert parameters["period"]["pattern"] == reports.PERIOD_PATTERN
    assert parameters["date_from"]["pattern"].startswith("^(1901|")


# --- Text, ids, public reads ------------------------------------------------------------------------


def test_nul_in_request_text_is_refused_as_the_schema_description_says(org, today, client_for, schema):
    # Said once in the description, not as a pattern on every string (generators would crawl).
    assert "NUL" in schema["info"]["description"]
    summary = schema["components"]["schemas"]["CaseCreateRequest"]["properties"]["summary"]
    # Not blank: at least one character the API does not trim (\x1c-\x1f are trimmed by str.strip too).
    assert summary["pattern"] == "[^\\s\\x1c-\\x1f]"
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "summary": "Đơn\x00"}, format="json"
    )
    assert "summary" in _codes(response)
    cases = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert "pattern" not in cases["ordering"]  # ordering ignores what it does not know, NUL included
    assert client_for(org.head).get("/api/v1/cases/", {"ordering": "x\x00"}).status_code == 200


@pytest.mark.parametrize("text", ["\x1f", " \x1c\t", "\u3000"])
def test_text_the_api_trims_to_nothing_is_blank_in_the_schema_too(org, today, client_for, schema, text):
    """str.strip (DRF, the services) takes the information separators \x1c-\x1f away as spaces; a
    schema's `\\s` does not. The schema names them, so both call such a summary blank."""
    summary = schema["components"]["schemas"]["CaseCreateRequest"]["properties"]["summary"]
    assert not re.search(summary["pattern"], text) and re.search(summary["pattern"], text + "Đơn")
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "summary": text}, format="json"
    )
    assert response.status_code == 400 and "summary" in response.json()["errors"]


def test_the_schema_bounds_ids_in_query_strings_as_the_api_does(org, client_for, schema):
    cases = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert cases["unit"]["maximum"] == 2**63 - 1 and cases["handler"]["maximum"] == 2**31 - 1
    assert client_for(org.head).get("/api/v1/cases/", {"handler": 2**31}).status_code == 400


def test_open311_public_reads_are_documented_as_needing_no_credentials(schema):
    paths = schema["paths"]
    assert {} in paths["/open311/v2/requests.json"]["get"]["security"]
    assert {} in paths["/open311/v2/requests/{id}.json"]["get"]["security"]
    assert {} not in paths["/open311/v2/requests.json"]["post"]["security"]


def test_open311_reads_refuse_an_empty_filter_value(org):
    response = APIClient().get("/open311/v2/requests.json", {"start_date": ""})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_a_dialogue_recorded_before_it_is_held_is_coded_in_future(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    body = {
        "unit": org.commune.pk,
        "held_at": "2026-03-25T09:00:00+07:00",
        "place": "UBND",
        "cases": [case.pk],
    }
    response = client_for(org.head).post("/api/v1/dialogues/", body, format="json")
    assert _codes(response) == {"held_at": ["in_future"]}


def test_the_schema_states_the_rules_between_request_fields(schema):
    components = schema["components"]["schemas"]
    complaint, other = components["CaseCreateRequest"]["anyOf"]
    assert complaint["required"] == ["round"] and "complaint" not in other["properties"]["kind"]["enum"]
    visit_rules = components["VisitCreateRequest"]["allOf"]
    assert visit_rules[0] == {"properties": {"visitors": {"minItems": 1, "maxItems": 100}}}
    assert "allOf" in components["DialogueCreateRequest"]


# --- People: the schema's patterns are the intake's checks --------------------------------------------

PHONES = ["0912345678", "+84 912 345 678", "(024) 3825.1234", "091-234-5678", "1234567", "+" + "1" * 16]
PHONES += ["0912 345 67a", "++84912345678", "84+912345678", "０９１２３４５６７８", "12345678", "-" * 30]
IDS = ["001203004567", "123456789", "B1234567", "ab123456", "ABC123456", "12345678", "1234567890123"]
IDS += ["0101234567", "0101234567-001", "0101234567-01", "１２３４５６７８９", "B12345", "B123456789"]


@pytest.mark.parametrize("phone", PHONES)
def test_the_phone_pattern_accepts_what_the_intake_accepts(phone):
    from api.serializers.people import PHONE
    from casework.text import looks_like_phone

    assert bool(re.fullmatch(PHONE, phone)) == looks_like_phone(phone)


@pytest.mark.parametrize("number", IDS)
@pytest.mark.parametrize("organization", [False, True])
def test_the_id_number_patterns_accept_what_the_intake_accepts(number, organization):
    from api.serializers.people import ORGANIZATION_ID, PERSON_ID
    from casework.text import looks_like_id_number

    pattern = ORGANIZATION_ID if organization else PERSON_ID
    assert bool(re.fullmatch(pattern, number)) == looks_like_id_number(number, organization=organization)


def test_the_schema_states_who_a_person_is(schema):
    person = schema["components"]["schemas"]["PetitionerInputRequest"]
    named, anonymous = person["allOf"][0]["anyOf"]
    assert named == {"properties": {"full_name": {"pattern": "[^\\s\\x1c-\\x1f]"}}, "required": ["full_name"]}
    assert anonymous["properties"]["is_representative"] == {"enum": [False]}
    case = schema["components"]["schemas"]["CaseCreateRequest"]
    assert case["allOf"][1]["properties"]["petitioners"]["maxItems"] == 100


# --- Newer endpoints: public API, dialogue conferences ------------------------------------------------


def test_the_public_unit_search_refuses_a_missing_q_as_the_schema_requires_it(org):
    response = APIClient().get("/api/v1/public/units/")
    assert _codes(response) == {"q": ["required"]}
    assert APIClient().get("/api/v1/public/units/", {"q": ""}).status_code == 200


def test_an_online_submission_to_no_unit_is_coded_does_not_exist(org, today):
    body = {"unit": 987654, "kind": "recommendation", "summary": "Đề nghị sửa đường", "anonymous": True}
    assert _codes(APIClient().post("/api/v1/public/submissions/", body, format="json")) == {
        "unit": ["does_not_exist"]
    }


def test_public_statistics_with_dates_out_of_order_are_coded(org, today):
    response = APIClient().get(
        "/api/v1/public/statistics/",
        {"unit": org.commune.pk, "date_from": "2026-03-01", "date_to": "2026-02-01"},
    )
    assert _codes(response) == {"date_to": ["date_order"]}


def test_a_conference_on_a_date_without_rules_is_coded(org, today, client_for):
    body = {
        "unit": org.commune.pk,
        "starts_at": "1990-04-02T08:00:00+07:00",
        "topics": "Đường",
        "place": "Xã",
    }
    assert _codes(client_for(org.head).post("/api/v1/conferences/", body, format="json")) == {
        "starts_at": ["no_rules_in_force"]
    }


@pytest.mark.parametrize("link", ["https://meet.example.vn/xa-a", "http://zalo.me/g/abc_123", "https://a.bc"])
def test_a_conference_link_of_the_schemas_shape_is_one_django_accepts(link):
    from django.core.validators import URLValidator

    from api.conferences import WebLinkField

    assert re.fullmatch(WebLinkField.PATTERN, link)
    URLValidator()(link)


def test_an_open311_form_may_spell_a_null_coordinate_null(org, today):
    from rest_framework.authtoken.models import Token

    from casework.choices import Role
    from tests.factories import staff

    key = Token.objects.create(user=staff(org.commune, Role.RECEPTION_OFFICER, "portal-bot")).key
    body = {
        "service_code": "reflection",
        "description": "Đèn đường hỏng",
        "first_name": "Phản",
        "last_name": "Hoàng",
    }
    form = APIClient().post(
        "/open311/v2/requests.json",
        {**body, "lat": "null", "jurisdiction_id": "xa-a", "api_key": key},
        format="multipart",
    )
    assert form.status_code == 201, form.content[:300]
    as_json = APIClient().post(
        "/open311/v2/requests.json",
        {**body, "lat": "null", "jurisdiction_id": "xa-a", "api_key": key},
        format="json",
    )
    assert as_json.status_code == 400  # in JSON a null is null, and "null" is no number


def test_a_conference_step_its_state_does_not_allow_is_coded(org, today, client_for):
    head = client_for(org.head)
    body = {
        "unit": org.commune.pk,
        "starts_at": "2026-04-02T08:00:00+07:00",
        "topics": "Đường",
        "place": "Xã",
    }
    url = f"/api/v1/conferences/{head.post('/api/v1/conferences/', body, format='json').json()['id']}/"
    assert head.post(url + "announce/", {}, format="json").status_code == 200
    assert _codes(head.post(url + "announce/", {}, format="json")) == {"status": ["wrong_state"]}
    assert _codes(head.post(url + "publish/", {"results": "Đã trả lời"}, format="json")) == {
        "status": ["wrong_state"]
    }


def test_a_visit_summary_of_invisible_characters_is_coded_not_visible(org, today, client_for):
    from tests.api.test_visits import visit_body

    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, summary="\u200b\u200f"), format="json"
    )
    assert _codes(response) == {"summary": ["not_visible"]}


def test_an_online_form_may_spell_a_null_date_null(org, today):
    body = {"unit": org.commune.pk, "kind": "reflection", "summary": "Đèn hỏng", "anonymous": "true"}
    form = APIClient().post(
        "/api/v1/public/submissions/", {**body, "decision_known_at": "null"}, format="multipart"
    )
    assert form.status_code == 201, form.content[:300]


def test_a_conference_recorded_as_held_before_its_rules_is_refused_not_a_server_error(org, today, client_for):
    head = client_for(org.head)
    body = {
        "unit": org.commune.pk,
        "starts_at": "2026-04-02T08:00:00+07:00",
        "topics": "Đường",
        "place": "Xã",
    }
    url = f"/api/v1/conferences/{head.post('/api/v1/conferences/', body, format='json').json()['id']}/record/"
    response = head.post(url, {"held_on": "2000-01-01", "questions": "Khi nào làm?"}, format="json")
    assert _codes(response) == {"held_on": ["no_rules_in_force"]}


def test_a_visitors_address_or_name_of_invisible_characters_is_coded_not_visible(org, today, client_for):
    from tests.api.test_visits import visit_body

    visitor = {"full_name": "Phạm Văn Đến", "address": "\u200b\u200f", "phone": "0912000222"}
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, visitors=[visitor]), format="json"
    )
    assert _codes(response) == {"visitors[0].address": ["not_visible"]}
    # A name of invisible characters alone is no name: what follows from it is coded the same way (a
    # person without a name and without a way to reach them; an ID number without a name), on a visit
    # as on a paper.
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, visitors=[{"full_name": "\u200b\u2060"}]), format="json"
    )
    assert _codes(response) == {"visitors[0].full_name": ["not_visible"], "visitors[0]": ["not_visible"]}
    petitioner = {"full_name": "\u200b", "id_number": "001090000222", "address": "Thôn 2"}
    response = client_for(org.reception).post(
        "/api/v1/cases/", {**letter(org), "petitioners": [petitioner]}, format="json"
    )
    assert _codes(response) == {"petitioners[0].full_name": ["not_visible", "not_visible"]}
    # A person with no name at all is refused as before (`invalid`: the schema states that one).
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, visitors=[{"id_number": "001090000222"}]), format="json"
    )
    assert _codes(response) == {"visitors[0].full_name": ["invalid"]}


def test_a_visitor_count_below_the_visitors_listed_is_coded(org, today, client_for):
    from tests.api.test_fuzz import STATE_DEPENDENT_CODES
    from tests.api.test_visits import visit_body

    visitors = [
        {"full_name": "Phạm Văn Đến", "address": "Thôn 2"},
        {"full_name": "Lê Thị Hai", "address": "Thôn 2"},
    ]
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, visitors=visitors, visitor_count=1), format="json"
    )
    assert _codes(response) == {"visitor_count": ["below_visitors_listed"]}
    # A bound from another field's length, which no JSON Schema states: the fuzz accepts this refusal.
    assert "below_visitors_listed" in STATE_DEPENDENT_CODES


def test_a_decision_known_after_the_paper_was_received_is_coded(org, today, client_for):
    from tests.api.test_fuzz import STATE_DEPENDENT_CODES

    body = {**letter(org), "received_at": "2026-03-02", "decision_known_at": "2026-03-10"}
    response = client_for(org.reception).post("/api/v1/cases/", body, format="json")
    assert _codes(response) == {"decision_known_at": ["after_received"]}
    # Two fields compared with each other, which no JSON Schema states: the fuzz accepts this refusal.
    assert "after_received" in STATE_DEPENDENT_CODES


def test_a_conference_held_in_person_has_an_empty_link_the_schema_allows(org, today, client_for, schema):
    body = {
        "unit": org.commune.pk,
        "starts_at": "2026-04-02T08:00:00+07:00",
        "topics": "Đường",
        "place": "Xã",
    }
    response = client_for(org.head).post("/api/v1/conferences/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["link"] == ""
    assert "format" not in schema["components"]["schemas"]["Conference"]["properties"]["link"]


def test_an_online_submission_as_json_carries_no_attachments_as_the_schema_says(org, today, schema):
    body = {"unit": org.commune.pk, "kind": "recommendation", "summary": "Đề nghị", "anonymous": True}
    response = APIClient().post("/api/v1/public/submissions/", {**body, "attachments": [""]}, format="json")
    assert response.status_code == 400
    assert "attachments[0]" in response.json()["errors"]
    json_body = schema["paths"]["/api/v1/public/submissions/"]["post"]["requestBody"]["content"]
    component = json_body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"properties": {"attachments": {"maxItems": 0}}} in schema["components"]["schemas"][component][
        "allOf"
    ]
    # The multipart form is where files go.
    assert "multipart/form-data" in json_body
