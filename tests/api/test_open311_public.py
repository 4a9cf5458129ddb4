"""Open311 GeoReport v2 public reads (issue 10, defect 9): services.json, requests.json and
requests/{id}.json answer without an api_key, for recommendations and reflections only, with no
petitioner data and descriptions scrubbed; a deployment can switch them off; filing stays keyed."""

from datetime import date

import pytest
from georeport import GeoReport
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.choices import CaseKind, Role
from casework.models import Case
from tests.factories import register, staff

BASE = "/open311/v2"
CITIZEN = {
    "first_name": "Văn Phản",
    "last_name": "Hoàng",
    "email": "phan.anh@example.vn",
    "phone": "0933111222",
    "address_string": "12 đường Lý Riêng Tư",
}
FULL_NAME = "Hoàng Văn Phản"
# The petitioner wrote their own name, phone and address into the description, as people do.
DESCRIPTION = "Tôi là Hoàng Văn Phản (ĐT 0933111222), ở 12 đường Lý Riêng Tư: đèn đường ngõ 5 hỏng."
PERSON = {
    "full_name": "Lê Thị Riêngtư",
    "id_number": "001188999000",
    "address": "Xóm Kín",
    "phone": "0911222333",
}


@pytest.fixture
def portal(org):
    user = staff(org.commune, Role.RECEPTION_OFFICER, "portal-bot")
    return user, Token.objects.create(user=user).key


@pytest.fixture
def filed(org, today, portal):
    """A reflection filed through the portal, naming its petitioner in the description."""
    _user, key = portal
    body = {"service_code": "reflection", "description": DESCRIPTION, **CITIZEN, "api_key": key}
    response = APIClient().post(f"{BASE}/requests.json", body)
    assert response.status_code == 201
    return Case.objects.get(pk=int(response.json()[0]["service_request_id"]))


def personal_strings() -> list[str]:
    return [*CITIZEN.values(), FULL_NAME, *PERSON.values()]


def test_anonymous_reads_of_the_three_endpoints_work(filed):
    client = APIClient()
    services = client.get(f"{BASE}/services.json")
    listed = client.get(f"{BASE}/requests.json")
    one = client.get(f"{BASE}/requests/{filed.pk}.json")
    assert (services.status_code, listed.status_code, one.status_code) == (200, 200, 200)
    assert [r["service_request_id"] for r in listed.json()] == [str(filed.pk)]
    (item,) = one.json()
    assert item["service_notice"] == filed.reference
    assert item["status"] == "open"
    assert "đèn đường ngõ 5 hỏng" in item["description"]


def test_anonymous_reads_carry_no_petitioner_data(org, filed):
    other = register(
        org.other_commune,
        org.outsider,
        kind=CaseKind.RECOMMENDATION,
        received_at=date(2026, 3, 10),
        petitioners=[PERSON],
        summary=(
            f"Bà {PERSON['full_name']} (CCCD {PERSON['id_number']}, ĐT {PERSON['phone']}) kiến nghị sửa cầu"
        ),
    )
    client = APIClient()
    for url in (
        f"{BASE}/requests.json",
        f"{BASE}/requests/{filed.pk}.json",
        f"{BASE}/requests/{other.pk}.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert [s for s in personal_strings() if s in text] == [], url
    (item,) = client.get(f"{BASE}/requests/{other.pk}.json").json()
    assert "kiến nghị sửa cầu" in item["description"]


def test_complaints_and_denunciations_are_never_public(org, today, filed):
    complaint = register(org.commune, org.reception, received_at=date(2026, 3, 10))
    denunciation = register(
        org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 10)
    )
    client = APIClient()
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert listed == {str(filed.pk)}
    for case in (complaint, denunciation):
        response = client.get(f"{BASE}/requests/{case.pk}.json")
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    wanted = f"?service_request_id={complaint.pk},{denunciation.pk}"
    assert client.get(f"{BASE}/requests.json{wanted}").json() == []


def test_switched_off_public_reads_need_a_key_again(settings, filed, portal):
    settings.OPEN311_PUBLIC_READS = False
    client = APIClient()
    for url in (f"{BASE}/requests.json", f"{BASE}/requests/{filed.pk}.json"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()[0]["code"] == 401
    assert client.get(f"{BASE}/services.json").status_code == 200
    _user, key = portal
    assert client.get(f"{BASE}/requests.json?api_key={key}").status_code == 200


def test_filing_without_a_key_is_refused_while_reads_are_public(org, today):
    body = {
        "service_code": "reflection",
        "description": "Rác chưa thu gom",
        **CITIZEN,
        "jurisdiction_id": "xa-a",
    }
    response = APIClient().post(f"{BASE}/requests.json", body)
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_a_key_holder_still_reads_only_its_own_units(org, today, portal, filed):
    elsewhere = register(
        org.other_commune, org.outsider, kind=CaseKind.REFLECTION, received_at=date(2026, 3, 10)
    )
    _user, key = portal
    client = APIClient()
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json?api_key={key}").json()}
    assert listed == {str(filed.pk)}
    assert client.get(f"{BASE}/requests/{elsewhere.pk}.json").status_code == 200
    assert client.get(f"{BASE}/requests/{elsewhere.pk}.json?api_key={key}").status_code == 404


def test_anonymous_reads_are_rate_limited_per_client(settings, filed, portal):
    settings.OPEN311_PUBLIC_THROTTLE_RATE = "2/minute"
    client = APIClient()
    assert [client.get(f"{BASE}/requests.json").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(f"{BASE}/services.json").status_code == 429
    _user, key = portal
    assert client.get(f"{BASE}/requests.json?api_key={key}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_published_georeport_client_reads_without_a_key(live_server, org):
    """`georeport` (PyPI) as a city app would use it, against the live test server, with no api_key."""
    reflection = register(
        org.commune,
        org.reception,
        kind=CaseKind.REFLECTION,
        received_at=date(2026, 3, 10),
        petitioners=[PERSON],
        summary=f"{PERSON['full_name']} phản ánh ổ gà trước số 9",
    )
    register(org.commune, org.reception, received_at=date(2026, 3, 10))  # a complaint
    client = GeoReport(f"{live_server.url}{BASE}")
    client.api_key = None  # no key, whatever the environment says
    assert [s["service_code"] for s in client.get_service_list()] == ["recommendation", "reflection"]
    requests = client.get_service_requests()
    assert [r["service_request_id"] for r in requests] == [str(reflection.pk)]
    one = client.get_service_request(str(reflection.pk))
    assert one["service_code"] == "reflection"
    assert "phản ánh ổ gà trước số 9" in one["description"]
    assert PERSON["full_name"] not in one["description"]
    assert client.get_service_requests(status="closed") == []
