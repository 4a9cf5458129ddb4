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


def test_staff_download_the_files_sent_online_and_a_denunciations_files_are_sealed(org, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%%EOF\n"

    def send_with_file(kind):
        body = {
            "unit": org.commune.pk,
            "kind": kind,
            "summary": "Phản ánh kèm ảnh",
            "full_name": "Phạm Thị Hoa",
            "address": "Thôn 7, xã A",
            "attachments": [SimpleUploadedFile("anh.pdf", pdf, content_type="application/pdf")],
        }
        response = APIClient().post("/api/v1/public/submissions/", body, format="multipart")
        return Case.objects.get(reference=response.json()["reference"])

    reflection = send_with_file(CaseKind.REFLECTION)
    attachment = reflection.attachments.get()
    client.force_login(org.reception)
    url = f"/cases/{reflection.pk}/attachments/{attachment.pk}/"
    assert url in client.get(f"/cases/{reflection.pk}/").content.decode()
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(org.outsider)
    assert client.get(url).status_code == 404

    denunciation = send_with_file(CaseKind.DENUNCIATION)
    sealed = f"/cases/{denunciation.pk}/attachments/{denunciation.attachments.get().pk}/"
    client.force_login(org.reception)
    assert client.get(sealed).status_code == 404
    client.force_login(org.head)
    assert client.get(sealed).status_code == 200
