"""A denouncer's identity (DOMAIN.md §9): only the competent head and the registering officer see it,
each unmasked read is logged, and nobody else finds it in any response, whatever the endpoint."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from casework.choices import CaseKind
from casework.confidentiality import placeholder
from casework.models import AccessLog, Case
from tests.factories import act, register
from tests.helpers import DENOUNCER, DENOUNCER_STRINGS

User = get_user_model()


@pytest.fixture
def denunciation(org, today, client_for):
    """Registered at the desk (so the denouncer is also a visitor), then moved along to verification,
    with the head's note naming the denouncer."""
    body = {
        "unit": org.commune.pk,
        "visited_at": "2026-03-16T09:00:00+07:00",
        "summary": "Công dân tố cáo cán bộ địa chính nhận tiền",
        "visitors": [DENOUNCER],
        "cases": [{"kind": CaseKind.DENUNCIATION, "summary": "Tố cáo cán bộ địa chính xã A nhận tiền"}],
    }
    visit = client_for(org.reception).post("/api/v1/visits/", body, format="json").json()
    case = Case.objects.get(pk=visit["cases"][0]["id"])
    act(case, "review", org.reception, on=date(2026, 3, 17))
    act(
        case, "accept", org.head, on=date(2026, 3, 18), note=f"Đã xác minh danh tính {DENOUNCER['full_name']}"
    )
    act(case, "start_verification", org.head, handler=org.handler.pk)
    act(case, "extend", org.head, days=30, reason="complex")
    # An ordinary complaint alongside, so lists are not trivially empty.
    register(org.commune, org.reception, received_at=date(2026, 3, 10))
    case.refresh_from_db()
    case.visit_id = visit["id"]
    return case


def get_urls(case) -> list[str]:
    return [
        "/api/v1/cases/",
        f"/api/v1/cases/?within={case.unit.code}",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/history/",
        "/api/v1/people/",
        f"/api/v1/people/?q={DENOUNCER['id_number']}",
        "/api/v1/visits/",
        f"/api/v1/visits/{case.visit_id}/",
        "/api/v1/dialogues/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/access-log/",
        "/open311/v2/requests.json",
        "/open311/v2/services.json",
        f"/open311/v2/requests/{case.pk}.json",
    ]


def list_urls_from_schema(schema: dict) -> list[str]:
    """Every parameterless GET the schema documents, so endpoints added later are scanned too (the schema
    is public, the same document for every user: the run's one copy, api_schema, is read)."""
    return [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]


def scan(client, urls) -> dict[str, list[str]]:
    leaks = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        text = response.content.decode()
        found = [s for s in DENOUNCER_STRINGS if s in text]
        if found:
            leaks[url] = found
        # People detail pages reachable from the list are scanned as well.
        if url == "/api/v1/people/" and response.status_code == 200:
            for person in response.json()["results"]:
                detail = client.get(f"/api/v1/people/{person['id']}/").content.decode()
                if any(s in detail for s in DENOUNCER_STRINGS):
                    leaks[f"/api/v1/people/{person['id']}/"] = ["..."]
    return leaks


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.gov.vn", "pw")


@pytest.mark.parametrize("who", ["handler", "monitor", "outsider", "p_head", "administrator", "superuser"])
def test_denouncer_identity_never_reaches_an_unauthorised_user(
    who, org, denunciation, client_for, administrator, superuser, api_schema
):
    user = {"administrator": administrator, "superuser": superuser}.get(who) or getattr(org, who)
    client = client_for(user)
    urls = get_urls(denunciation) + list_urls_from_schema(api_schema)
    assert scan(client, urls) == {}
    assert not AccessLog.objects.filter(user=user).exists()


def test_the_handler_sees_the_denouncer_masked(org, denunciation, client_for):
    body = client_for(org.handler).get(f"/api/v1/cases/{denunciation.pk}/").json()
    (person,) = body["petitioners"]
    assert person["masked"] is True and person["confidential"] is True
    assert person["id"] is None
    assert {person[f] for f in ("full_name", "id_number", "address", "phone")} == {"***"}
    history = client_for(org.handler).get(f"/api/v1/cases/{denunciation.pk}/history/").json()
    accept = next(e for e in history if e["action"] == "accept")
    assert accept["note"] == f"Đã xác minh danh tính {placeholder()}"


@pytest.mark.parametrize("who", ["head", "reception"])
def test_head_and_registering_officer_see_it_and_each_read_is_logged(who, org, denunciation, client_for):
    user = getattr(org, who)
    client = client_for(user)
    body = client.get(f"/api/v1/cases/{denunciation.pk}/").json()
    (person,) = body["petitioners"]
    assert person["masked"] is False
    assert person["full_name"] == DENOUNCER["full_name"]
    assert person["id_number"] == DENOUNCER["id_number"]

    log = AccessLog.objects.filter(user=user, kind=AccessLog.Kind.UNMASKED_READ, case=denunciation)
    assert log.filter(channel="api", detail=f"GET /api/v1/cases/{denunciation.pk}/").count() == 1

    visitors = client.get(f"/api/v1/visits/{denunciation.visit_id}/").json()["visitors"]
    assert visitors[0]["full_name"] == DENOUNCER["full_name"]
    people = client.get(f"/api/v1/people/?q={DENOUNCER['id_number']}").json()["results"]
    assert [p["full_name"] for p in people] == [DENOUNCER["full_name"]]
    assert log.filter(detail__startswith="GET ").count() == 3


def test_reading_an_ordinary_complaint_logs_nothing(org, denunciation, client_for):
    complaint = Case.objects.get(kind=CaseKind.COMPLAINT)
    client_for(org.head).get(f"/api/v1/cases/{complaint.pk}/")
    assert not AccessLog.objects.filter(case=complaint).exists()


def test_administrators_list_the_access_log_and_others_cannot(org, denunciation, client_for, administrator):
    client_for(org.head).get(f"/api/v1/cases/{denunciation.pk}/")
    rows = client_for(administrator).get("/api/v1/access-log/").json()["results"]
    assert {(r["username"], r["kind"], r["case"], r["channel"]) for r in rows} >= {
        ("head", "unmasked_read", denunciation.pk, "api")
    }
    filtered = client_for(administrator).get(f"/api/v1/access-log/?user={org.head.pk}").json()["results"]
    assert {r["username"] for r in filtered} == {"head"}
    for user in (org.head, org.monitor, org.handler):
        response = client_for(user).get("/api/v1/access-log/")
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_an_administrator_of_another_branch_sees_no_log_rows(org, denunciation, client_for):
    from casework.choices import Role
    from tests.factories import staff

    other_admin = staff(org.other_commune, Role.ADMINISTRATOR, "other-admin")
    client_for(org.head).get(f"/api/v1/cases/{denunciation.pk}/")
    assert client_for(other_admin).get("/api/v1/access-log/").json()["results"] == []
