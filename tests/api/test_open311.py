from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.choices import Channel, Role
from casework.models import Case
from tests.factories import act, register, staff

BASE = "/open311/v2"
CITIZEN = {
    "first_name": "Văn Phản",
    "last_name": "Hoàng",
    "email": "phan.anh@example.vn",
    "phone": "0933111222",
    "address_string": "12 đường Lý Riêng Tư",
}


@pytest.fixture
def portal(org):
    """The integration user of the provincial portal: a reception officer at the commune."""
    user = staff(org.commune, Role.RECEPTION_OFFICER, "portal-bot")
    return user, Token.objects.create(user=user).key


def request_body(**overrides):
    return {"service_code": "reflection", "description": "Đèn đường hỏng ở ngõ 5", **CITIZEN, **overrides}


def test_services_are_recommendations_and_reflections(db):
    response = APIClient().get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert [s["service_code"] for s in response.json()] == ["recommendation", "reflection"]


def test_form_post_with_api_key_registers_an_online_case(org, today, portal):
    _user, key = portal
    response = APIClient().post(
        f"{BASE}/requests.json",
        {**request_body(lat="21.0285", long="105.8542"), "jurisdiction_id": "xa-a", "api_key": key},
    )
    assert response.status_code == 201
    (created,) = response.json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert created["service_notice"] == case.reference
    assert (case.kind, case.channel, case.unit, case.received_at) == (
        "reflection",
        Channel.ONLINE,
        org.commune,
        today,
    )
    assert case.registered_by.username == "portal-bot"
    assert "21.028500, 105.854200" in case.summary
    party = case.case_parties.get().party
    assert (party.full_name, party.phone, party.address) == (
        "Hoàng Văn Phản",
        "0933111222",
        CITIZEN["address_string"],
    )


def test_json_post_with_token_header_and_single_unit_default(org, today, portal):
    _user, key = portal
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        f"{BASE}/requests.json", request_body(service_code="recommendation"), format="json"
    )
    assert response.status_code == 201
    assert Case.objects.get().kind == "recommendation"


def test_errors_are_georeport_lists(org, today, portal):
    _user, key = portal
    client = APIClient()
    unknown = client.post(
        f"{BASE}/requests.json", {**request_body(), "jurisdiction_id": "nowhere", "api_key": key}
    )
    assert unknown.status_code == 404  # GeoReport v2: a jurisdiction_id that was not found
    assert unknown.json() == [{"code": 404, "description": "jurisdiction_id: No such unit."}]

    elsewhere = client.post(
        f"{BASE}/requests.json", {**request_body(), "jurisdiction_id": "xa-b", "api_key": key}
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()[0]["code"] == 403

    anonymous = client.post(f"{BASE}/requests.json", request_body())
    assert anonymous.status_code == 401
    bad_key = client.post(f"{BASE}/requests.json", {**request_body(), "api_key": "nope"})
    assert bad_key.status_code == 401
    assert not Case.objects.exists()


def test_a_refused_field_names_its_code_beside_the_georeport_description(org, today, portal):
    _user, key = portal
    response = APIClient().post(
        f"{BASE}/requests.json", {**request_body(), "address_string": "\u200b", "api_key": key}, format="json"
    )
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"].startswith("petitioners[0].address: ")
    assert error["codes"] == {"petitioners[0].address": ["not_visible"]}
    assert not Case.objects.exists()


def test_get_requests_never_shows_personal_data(org, today, portal, client_for):
    _user, key = portal
    APIClient().post(f"{BASE}/requests.json", {**request_body(), "api_key": key})
    case = Case.objects.get()
    for user in (org.head, org.monitor, portal[0]):
        client = client_for(user)
        for url in (f"{BASE}/requests.json", f"{BASE}/requests/{case.pk}.json"):
            response = client.get(url)
            assert response.status_code == 200
            text = response.content.decode()
            assert not [v for v in CITIZEN.values() if v in text], url
            assert "Hoàng Văn Phản" not in text
    (item,) = client_for(org.head).get(f"{BASE}/requests/{case.pk}.json").json()
    assert item["status"] == "open"
    assert item["agency_responsible"] == org.commune.name
    assert item["service_notice"] == case.reference
    assert item["expected_datetime"].startswith("2026-03-30")  # processing: 10 days from 20 March


def test_status_filters_and_closed_requests(org, today, client_for):
    open_case = register(org.commune, org.reception, kind="reflection", received_at=date(2026, 3, 10))
    done = register(org.commune, org.reception, kind="recommendation", received_at=date(2026, 3, 10))
    act(done, "guide", org.reception, guidance="Liên hệ Sở Xây dựng")
    register(org.commune, org.reception, received_at=date(2026, 3, 10))  # a complaint: not a service request
    client = client_for(org.head)

    def ids(query=""):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json{query}").json()]

    assert sorted(ids()) == sorted([str(open_case.pk), str(done.pk)])
    assert ids("?status=closed") == [str(done.pk)]
    assert ids("?status=open") == [str(open_case.pk)]
    assert ids("?service_code=recommendation") == [str(done.pk)]
    assert ids(f"?service_request_id={open_case.pk},999") == [str(open_case.pk)]
    assert client.get(f"{BASE}/requests.json?status=maybe").status_code == 400


def test_requests_outside_reach_are_not_found(org, today, client_for):
    case = register(org.other_commune, org.outsider, kind="reflection", received_at=date(2026, 3, 10))
    response = client_for(org.head).get(f"{BASE}/requests/{case.pk}.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    complaint = register(org.commune, org.reception, received_at=date(2026, 3, 10))
    assert client_for(org.head).get(f"{BASE}/requests/{complaint.pk}.json").status_code == 404
