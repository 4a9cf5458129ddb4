"""The leak matrix (issue 10): every role × every surface × every free-text field × spelling variants of
a denouncer's identity. A leak is a response body that contains the identity, in any variant, read by a
role that may not see it (DOMAIN.md §9). The matrix must count 0 leaks, and the entitled roles (the
head of the competent unit, the officer who registered it) must see it where the others do not, so the
matrix cannot pass by showing nothing to anyone.

The data is built once: one test walks the whole matrix and reports the count of checks it made.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from casework.choices import AuditStep, CaseKind, DialogueKind, Role
from casework.events import case_noted
from casework.models import Case, Dialogue, Visit
from casework.text import fold
from notifications.models import Channel, Kind, Notification
from tests.factories import act, staff

# Also on PostgreSQL (CI's `postgres or sql` step): the API reads cases there through its own paths
# (prepared statements, one pipeline per page), which must hide the same text.
pytestmark = [pytest.mark.sql]

User = get_user_model()

DENOUNCER = {
    "full_name": "Trần Thị Bímật Zyxwv",
    "id_number": "079188777666",
    "address": "Số 77 ngõ Kínđáo, phường Qwerty",
    "phone": "0987654321",
    "email": "bimat.zyxwv@example.vn",
}
# How officers actually type it: each free-text field below carries one or more of these.
VARIANTS = {
    "exact": "Trần Thị Bímật Zyxwv",
    "no_diacritics": "Tran Thi Bimat Zyxwv",
    "upper": "TRẦN THỊ BÍMẬT ZYXWV",
    "extra_spaces": "Trần  Thị   Bímật Zyxwv",
    "id_spaces": "079 188 777 666",
    "id_dots": "079.188.777.666",
    "phone_plus84": "+84 987 654 321",
    "phone_dots": "0987.654.321",
    "email_upper": "BIMAT.ZYXWV@EXAMPLE.VN",
    "address_folded": "so 77 ngo kindao, phuong qwerty",
}
ALL_VARIANTS = " / ".join(VARIANTS.values())

# Also on PostgreSQL (CI's `postgres or sql` step): the API reads cases there through its own paths
# (prepared statements, one pipeline per page), which must hide the same text.
pytestmark = [pytest.mark.sql]


def leaked(body: str) -> list[str]:
    """Which forms of the identity `body` contains: the name and address folded for diacritics, case and
    spacing, the ID and phone with any grouping or a +84 prefix, the e-mail in any case."""
    folded = fold(body)
    digits = re.sub(r"(?<=\d)[ .\-]+(?=\d)", "", body)
    found = [f for f in ("full_name", "address") if fold(DENOUNCER[f]) in folded]
    phone = DENOUNCER["phone"]
    found += [f for f, v in (("id_number", DENOUNCER["id_number"]), ("phone", phone)) if v in digits]
    if "84" + phone[1:] in digits:
        found.append("phone")
    if DENOUNCER["email"] in body.lower():
        found.append("email")
    return found


def build(org, client_for):
    """A denunciation raised at the desk whose every free-text field names the denouncer, moved to
    verification, with a dialogue, notifications and audit notes around it."""
    body = {
        "unit": org.commune.pk,
        "visited_at": "2026-03-16T09:00:00+07:00",
        "summary": f"Bà {VARIANTS['exact']} ({VARIANTS['id_spaces']}) đến tố cáo cán bộ địa chính",
        "notes": f"Liên hệ {VARIANTS['phone_plus84']}, {VARIANTS['email_upper']}",
        "guidance": f"Đã hướng dẫn {VARIANTS['upper']}",
        "previously_handled_by": f"UBND phường nơi {VARIANTS['no_diacritics']} cư trú",
        "visitors": [DENOUNCER],
        "cases": [
            {
                "kind": CaseKind.DENUNCIATION,
                "summary": f"{VARIANTS['no_diacritics']} tố cáo cán bộ địa chính xã A nhận tiền; "
                f"ĐT {VARIANTS['phone_dots']}",
                "respondent": f"Cán bộ địa chính, hàng xóm của {VARIANTS['extra_spaces']}",
                "petitioners": [DENOUNCER],
            }
        ],
    }
    response = client_for(org.reception).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.content
    visit = response.json()
    case = Case.objects.get(pk=visit["cases"][0]["id"])
    act(case, "review", org.reception, on=date(2026, 3, 17), note=f"Người tố cáo {VARIANTS['upper']}")
    act(
        case,
        "accept",
        org.head,
        on=date(2026, 3, 18),
        note=f"Đã xác minh danh tính {VARIANTS['exact']} (CCCD {VARIANTS['id_dots']}, "
        f"ĐT {VARIANTS['phone_plus84']}, {VARIANTS['address_folded']})",
    )
    act(case, "start_verification", org.head, handler=org.handler.pk, note=VARIANTS["extra_spaces"])
    # An audit record whose `changes` carry the identity (as an old import or a correction would). A new
    # record: the audit trail is append-only (on PostgreSQL a trigger refuses an UPDATE).
    case_noted(
        case=case,
        actor=org.head,
        action=AuditStep.DEADLINE_RECOMPUTED,
        note="",
        changes={"note": [None, VARIANTS["no_diacritics"]]},
    )
    # Denunciations are not resolved through dialogue, but the read path must hold for any linked text.
    dialogue = Dialogue.objects.create(
        kind=DialogueKind.CASE,
        unit=org.commune,
        chair=org.head,
        held_at=timezone.now(),
        place=f"Nhà {VARIANTS['no_diacritics']}",
        participants=VARIANTS["upper"],
        minutes=f"Ông bà {VARIANTS['extra_spaces']} trình bày; ĐT {VARIANTS['phone_dots']}",
        agreed_points=VARIANTS["id_spaces"],
        recorded_by=org.head,
    )
    dialogue.cases.add(case)
    return case, Visit.objects.get(pk=visit["id"]), dialogue


def notify(case, users) -> None:
    for user in users:
        Notification.objects.create(
            key=f"leak-matrix-{user.pk}",
            kind=Kind.ASSIGNED,
            channel=Channel.IN_APP,
            status=Notification.Status.SENT,
            case=case,
            recipient=user,
            subject=f"Vụ việc của {VARIANTS['no_diacritics']}",
            body=f"Người tố cáo {VARIANTS['exact']}, {VARIANTS['phone_plus84']}",
        )


def api_surfaces(case, visit, dialogue) -> list[str]:
    return [
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/history/",
        "/api/v1/visits/",
        f"/api/v1/visits/{visit.pk}/",
        "/api/v1/dialogues/",
        f"/api/v1/dialogues/{dialogue.pk}/",
        "/api/v1/people/",
        f"/api/v1/people/?q={DENOUNCER['id_number']}",
        "/api/v1/cases/?q=Tran%20Thi%20Bimat",
        "/api/v1/notifications/",
        "/api/v1/reports/reception/?format=csv&lang=vi",
        "/api/v1/reports/overdue/?format=csv",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{case.pk}.json",
    ]


def admin_surfaces(case, visit, dialogue) -> list[str]:
    events = [f"/admin/casework/caseevent/{e.pk}/change/" for e in case.events.all()]
    notifications = [
        f"/admin/notifications/notification/{n.pk}/change/" for n in Notification.objects.filter(case=case)
    ]
    return [
        "/admin/casework/case/",
        f"/admin/casework/case/{case.pk}/change/",
        f"/admin/casework/case/{case.pk}/action/extend/",
        "/admin/casework/caseevent/",
        *events,
        "/admin/casework/visit/",
        f"/admin/casework/visit/{visit.pk}/change/",
        "/admin/casework/dialogue/",
        f"/admin/casework/dialogue/{dialogue.pk}/change/",
        "/admin/casework/party/",
        "/admin/casework/outboxmessage/",
        "/admin/notifications/notification/",
        *notifications,
        f"/admin/reception-book/?unit={case.unit_id}&date_from=2026-03-01&date_to=2026-03-31",
        f"/admin/reception-book/?unit={case.unit_id}&date_from=2026-03-01&date_to=2026-03-31&format=csv",
    ]


def test_no_role_reads_a_denouncer_in_any_free_text_on_any_surface(org, today, client_for):
    administrator = staff(org.province, Role.ADMINISTRATOR, "administrator")
    other_reception = staff(org.commune, Role.RECEPTION_OFFICER, "reception2")
    superuser = User.objects.create_superuser("root", "root@example.gov.vn", "pw")
    case, visit, dialogue = build(org, client_for)
    roles = {
        "registering officer": org.reception,
        "head of the competent unit": org.head,
        "another reception officer": other_reception,
        "handler": org.handler,
        "provincial handler": org.p_handler,
        "provincial head": org.p_head,
        "monitor": org.monitor,
        "administrator": administrator,
        "superuser": superuser,
        "outsider": org.outsider,
    }
    entitled = {"registering officer", "head of the competent unit"}
    notify(case, roles.values())
    api, admin = api_surfaces(case, visit, dialogue), admin_surfaces(case, visit, dialogue)

    checks, leaks, seen = 0, [], {}
    for role, user in roles.items():
        browser = Client()
        browser.force_login(user)
        clients = [(client_for(user), api), (browser, admin)]
        for client, urls in clients:
            for url in urls:
                response = client.get(url)
                assert response.status_code < 500, (role, url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                found = leaked(body.decode("utf-8-sig"))
                checks += 1
                if role in entitled:
                    seen[(role, url)] = found
                elif found:
                    leaks.append((role, url, found))

    print(f"\nleak matrix: {checks} checks ({len(roles)} roles × {len(api) + len(admin)} surfaces)")
    assert leaks == [], "\n".join(map(str, leaks))
    # The entitled roles read the identity in clear, in the structured fields and in the free text.
    for role in entitled:
        for url in (
            f"/api/v1/cases/{case.pk}/",
            f"/api/v1/cases/{case.pk}/history/",
            f"/api/v1/visits/{visit.pk}/",
            f"/api/v1/dialogues/{dialogue.pk}/",
            f"/admin/casework/case/{case.pk}/change/",
            f"/admin/casework/visit/{visit.pk}/change/",
            f"/admin/casework/dialogue/{dialogue.pk}/change/",
        ):
            assert {"full_name", "id_number", "phone"} <= set(seen[(role, url)]), (role, url)
    assert checks >= len(roles) * 30
