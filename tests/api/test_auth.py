import pytest
from rest_framework.test import APIClient

from casework.choices import Role

TOKEN_URL = "/api/v1/auth/token/"


def test_token_login_returns_a_token_that_authenticates_requests(org):
    client = APIClient()
    response = client.post(TOKEN_URL, {"username": "reception", "password": "pw"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "reception"


def test_wrong_password_is_a_400_with_code_invalid(org):
    response = APIClient().post(TOKEN_URL, {"username": "reception", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["errors"]


def test_failed_logins_are_throttled_per_client_but_successes_do_not_count(org, settings):
    settings.API_LOGIN_THROTTLE_RATE = "3/hour"
    client = APIClient()
    for _attempt in range(5):
        assert (
            client.post(TOKEN_URL, {"username": "head", "password": "pw"}, format="json").status_code == 200
        )
    for _attempt in range(3):
        assert client.post(TOKEN_URL, {"username": "head", "password": "x"}, format="json").status_code == 400

    blocked = client.post(TOKEN_URL, {"username": "head", "password": "pw"}, format="json")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert blocked.json()["wait"] > 0


def test_missing_credentials_answer_401_not_authenticated(org):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_answers_401_authentication_failed(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_login_works_for_the_browser(org):
    client = APIClient()
    client.force_login(org.monitor)
    assert client.get("/api/v1/cases/").status_code == 200


def test_me_lists_roles_and_units(org, client_for):
    from casework.services import grant_role

    grant_role(user=org.head, unit=org.other_commune, role=Role.MONITOR)
    body = client_for(org.head).get("/api/v1/me/").json()
    assert body["id"] == org.head.pk
    assert body["username"] == "head"
    assert body["roles"] == ["monitor", "unit_head"]
    units = {u["code"]: u["roles"] for u in body["units"]}
    assert units == {"xa-a": ["unit_head"], "xa-b": ["monitor"]}


@pytest.mark.parametrize("url", ["/api/v1/nonexistent/", "/api/v1/cases/abc/"])
def test_unknown_api_urls_answer_json_not_found(org, client_for, url):
    response = client_for(org.head).get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
