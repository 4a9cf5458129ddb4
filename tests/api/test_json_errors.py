"""The API answers JSON errors on its paths whatever produced them, under DEBUG too, and its
documented parameters are validated as documented (page_size, Idempotency-Key)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from api.middleware import is_api_path
from tests.api.test_visits import visit_body


def _boom(request):
    raise RuntimeError("an unexpected failure")


# This module is the URLconf of the server-error test: the project's URLs plus one view that fails.
urlpatterns = [path("api/v1/boom/", _boom), path("", include("config.urls"))]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases//", "/api/v1/cases/null,null/actions/accept/", "/api/v1/nope/", "/api/v1/units/x/"],
)
def test_unknown_api_urls_answer_json_even_under_debug(org, client_for, settings, debug, url):
    settings.DEBUG = debug
    response = client_for(org.head).post(url) if "actions" in url else client_for(org.head).get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_open311_url_answers_the_georeport_error_list(db, settings, debug):
    settings.DEBUG = debug
    response = Client().get("/open311/v2/requests/null,null.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "Not found."}]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_on_an_api_path_answers_json(db, settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "an unexpected failure" not in response.content.decode()


def test_workspace_pages_keep_their_html_error_pages(org, client):
    client.force_login(org.head)
    response = client.get("/cases/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert not is_api_path("/api/docs/") and is_api_path("/api/v1/cases/")


@pytest.mark.parametrize("value", ["null", "0", "-5", "abc", "٣", "1.5", ""])
def test_page_size_must_be_a_whole_number_from_one(org, client_for, value):
    response = client_for(org.head).get("/api/v1/cases/", {"page_size": value})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_page_size_given_twice_is_refused(org, client_for):
    response = client_for(org.head).get("/api/v1/cases/?page_size=5&page_size=6")
    assert response.status_code == 400


def test_a_large_page_size_is_capped_not_refused(org, client_for):
    assert client_for(org.head).get("/api/v1/units/", {"page_size": "100000"}).status_code == 200


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_idempotency_key_outside_its_documented_length_is_refused(org, today, client_for, key):
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]


def test_the_schema_documents_page_size_and_the_idempotency_key_bounds(api_schema):
    schema = api_schema
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/visits/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    post = {p["name"]: p for p in schema["paths"]["/api/v1/visits/"]["post"]["parameters"]}
    assert post["Idempotency-Key"]["schema"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "[^\\s\\x1c-\\x1f]",
    }
