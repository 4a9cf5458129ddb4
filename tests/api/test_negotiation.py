"""api.negotiation remembers DRF's choice of renderer; it must choose exactly what DRF chooses, every time."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api import negotiation
from api.negotiation import RememberedContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/*",
    "text/*;q=0.5, application/json;q=0.1",
    "image/png",
    "",
]


def _request(accept: str | None, query: str = "") -> Request:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/v1/me/{query}", **headers))


def _choice(negotiator, request, renderers):
    try:
        renderer, media_type = negotiator.select_renderer(request, renderers)
    except (NotAcceptable, Http404) as error:
        return type(error).__name__
    return renderers.index(renderer), media_type


@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml"])
def test_the_remembered_choice_is_drfs_choice_for_every_header_and_format(query, monkeypatch):
    monkeypatch.setattr(negotiation, "_chosen", {})
    for renderer_classes in ([JSONRenderer, BrowsableAPIRenderer], [BrowsableAPIRenderer, JSONRenderer]):
        for accept in ACCEPTS:
            expected = _choice(
                DefaultContentNegotiation(), _request(accept, query), [r() for r in renderer_classes]
            )
            for _ in range(2):  # the first answer is worked out, the second remembered
                renderers = [r() for r in renderer_classes]
                got = _choice(RememberedContentNegotiation(), _request(accept, query), renderers)
                assert got == expected, (renderer_classes, accept, query)
    assert bool(negotiation._chosen) == (query != "?format=xml")  # errors are never remembered


def test_the_remembered_renderer_is_this_requests_own_instance(monkeypatch):
    monkeypatch.setattr(negotiation, "_chosen", {})
    for _ in range(2):
        renderers = [JSONRenderer(), BrowsableAPIRenderer()]
        renderer, _media_type = RememberedContentNegotiation().select_renderer(_request(None), renderers)
        assert renderer is renderers[0]


def test_headers_past_the_bound_are_answered_but_not_remembered(monkeypatch):
    monkeypatch.setattr(negotiation, "_chosen", {})
    monkeypatch.setattr(negotiation, "CHOSEN_AT_MOST", 3)
    for n in range(10):
        accept = f"application/json; q=0.{n}"
        renderers = [JSONRenderer(), BrowsableAPIRenderer()]
        assert _choice(RememberedContentNegotiation(), _request(accept), renderers) == _choice(
            DefaultContentNegotiation(), _request(accept), renderers
        )
    assert len(negotiation._chosen) == 3


def test_the_api_answers_json_by_default_and_406_for_what_it_cannot_render(client):
    # No login needed to see negotiation at work: the 401 itself is negotiated.
    assert client.get("/api/v1/me/").headers["Content-Type"] == "application/json"
    assert client.get("/api/v1/me/", HTTP_ACCEPT="image/png").status_code == 406
    assert client.get("/api/v1/me/", HTTP_ACCEPT="image/png").status_code == 406
