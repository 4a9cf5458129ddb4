"""An online submission at the staff desk: in the receiving unit's worklist like any new case, marked
online, its registration read as the citizen's, its denouncer sealed from everyone but the head."""

from __future__ import annotations

from rest_framework.test import APIClient

from casework.choices import CaseKind
from casework.models import Case


def send(org, **extra):
    body = {
        "unit": org.commune.pk,
        "kind": CaseKind.DENUNCIATION,
        "summary": "Tố cáo cán bộ địa chính xã A nhận tiền của dân",
        "full_name": "Phạm Thị Hoa",
        "address": "Thôn 7, xã A",
        **extra,
    }
    response = APIClient().post("/api/v1/public/submissions/", body, format="json")
    assert response.status_code == 201, response.json()
    return Case.objects.get(reference=response.json()["reference"])


def test_the_receiving_units_reception_sees_the_online_case_on_their_home_marked_online(org, client):
    case = send(org)
    client.force_login(org.reception)
    html = client.get("/").content.decode()
    assert case.reference in html and 'class="badge online"' in html
    client.force_login(org.outsider)
    assert case.reference not in client.get("/").content.decode()


def test_the_audit_trail_reads_that_the_citizen_registered_it_online(org, client):
    case = send(org, kind=CaseKind.REFLECTION)
    client.force_login(org.head)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "The citizen (online)" in html


def test_an_online_denouncer_is_sealed_from_the_reception_officer_and_visible_to_the_head(org, client):
    case = send(org)
    client.force_login(org.reception)
    assert "Phạm Thị Hoa" not in client.get(f"/cases/{case.pk}/").content.decode()
    client.force_login(org.head)
    assert "Phạm Thị Hoa" in client.get(f"/cases/{case.pk}/").content.decode()
