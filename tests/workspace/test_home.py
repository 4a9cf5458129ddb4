"""Each role's home, the navigation counts, the inbox, search and the monitor's board, as a person
using the workspace sees them (Django test client; the browser walk is tests/e2e)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from casework.choices import CaseKind, CaseState
from notifications import relay
from notifications.models import Notification
from tests.factories import petitioner, register
from tests.helpers import drive

RECEIVED = date(2026, 3, 2)
TODAY = date(2026, 3, 3)
DENOUNCER = {"full_name": "Trần Thị Bí Mật", "id_number": "001234567890", "phone": "0912345678"}


@pytest.fixture
def named(org):
    """Staff with full names, as the demo has them (the workspace never shows a login)."""
    for user, (family, given) in {
        org.reception: ("Lê Thị", "Thu"),
        org.handler: ("Phạm Văn", "Hùng"),
        org.head: ("Nguyễn Văn", "Bình"),
        org.monitor: ("Đỗ Minh", "Tuấn"),
    }.items():
        user.last_name, user.first_name = family, given
        user.save(update_fields=["last_name", "first_name"])
    return org


def page(client, user, url="/", **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_form(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:login"))


def test_signing_in_through_the_form_lands_on_the_home(client, named):
    named.reception.set_password("pw")
    named.reception.save()
    response = client.post(reverse("workspace:login"), {"username": "reception", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")


def test_reception_home_lists_letters_waiting_for_the_processing_decision(client, named, frozen_today):
    frozen_today(TODAY)
    waiting = register(named.commune, named.reception, received_at=RECEIVED, summary="Đơn chờ phân loại")
    other_unit = register(named.other_commune, named.outsider, received_at=RECEIVED, summary="Đơn xã khác")

    html = page(client, named.reception)

    assert waiting.reference in html and other_unit.reference not in html
    assert "Lê Thị Thu" in html and ">reception<" not in html  # the name, not the login


def test_handler_home_lists_only_their_open_cases_nearest_due_date_first(client, named, frozen_today):
    frozen_today(TODAY)
    early = register(named.commune, named.reception, received_at=date(2026, 2, 2))
    late = register(named.commune, named.reception, received_at=RECEIVED)
    not_mine = register(named.commune, named.reception, received_at=RECEIVED)
    for case in (early, late):
        drive(case, named, CaseState.VERIFYING, on=TODAY)

    html = page(client, named.handler)

    assert early.reference in html and late.reference in html and not_mine.reference not in html
    assert html.index(early.reference) < html.index(late.reference)


def test_overdue_case_is_shown_in_red_to_the_head(client, named, frozen_today):
    frozen_today(date(2026, 2, 2))
    case = register(named.commune, named.reception, received_at=date(2026, 2, 2))
    frozen_today(date(2026, 4, 1))  # the 10-day processing clock ran out long ago

    html = page(client, named.head)

    section = html[html.index('id="overdue_in_units"') :]
    assert case.reference in section and "light-overdue" in section


def test_head_sees_what_awaits_approval_with_its_count_in_the_menu(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(named.commune, named.reception, received_at=RECEIVED)
    drive(case, named, CaseState.AWAITING_APPROVAL, on=TODAY)

    html = page(client, named.head)

    approval = html[html.index('id="awaiting_approval"') :]
    assert case.reference in approval[: approval.index("</section>")]
    assert reverse("workspace:home") + "#awaiting_approval" in html


def test_monitor_board_drills_down_from_an_age_figure_to_its_cases(client, named, frozen_today):
    frozen_today(date(2026, 2, 2))
    old = register(named.commune, named.reception, received_at=date(2026, 2, 2))
    frozen_today(date(2026, 3, 5))
    recent = register(named.commune, named.reception, received_at=date(2026, 3, 5))
    frozen_today(date(2026, 3, 20))  # recent: 5 days overdue; old: over 30

    board = page(client, named.monitor, reverse("workspace:board"))
    assert old.reference in board and recent.reference in board
    assert "bucket=%3E30" in board  # the figure is a link

    over_30 = page(client, named.monitor, reverse("workspace:board"), bucket=">30")
    assert old.reference in over_30 and recent.reference not in over_30


def test_board_title_is_its_name_and_its_satisfaction_panel_shows_once(client, named):
    board = page(client, named.monitor, reverse("workspace:board"))
    title = board[board.index("<title>") + len("<title>") : board.index("</title>")]
    assert "<" not in title and "Overdue board" in title
    assert board.count('id="satisfaction-title"') == 1


def test_board_is_only_for_those_who_may_read_reports(client, named):
    client.force_login(named.handler)
    assert client.get(reverse("workspace:board")).status_code == 404


def test_inbox_shows_the_assignment_notice_and_marks_it_read(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(named.commune, named.reception, received_at=RECEIVED)
    drive(case, named, CaseState.VERIFYING, on=TODAY)
    relay.relay()
    notice = Notification.objects.get(recipient=named.handler, channel="in_app")

    html = page(client, named.handler, reverse("workspace:inbox"))
    assert notice.subject in html and 'id="unread-count">1<' in html

    response = client.post(reverse("workspace:notification-read", args=[notice.pk]), {"open": "1"})
    assert response["Location"] == reverse("workspace:case", args=[case.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_users_notification_cannot_be_marked_read(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(named.commune, named.reception, received_at=RECEIVED)
    drive(case, named, CaseState.VERIFYING, on=TODAY)
    relay.relay()
    notice = Notification.objects.get(recipient=named.handler, channel="in_app")
    client.force_login(named.reception)
    assert client.post(reverse("workspace:notification-read", args=[notice.pk])).status_code == 404


def test_search_by_reference_opens_the_case(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(named.commune, named.reception, received_at=RECEIVED)
    client.force_login(named.handler)
    response = client.get(reverse("workspace:search"), {"q": case.reference.lower()})
    assert response["Location"] == reverse("workspace:case", args=[case.pk])


def test_search_finds_a_petitioner_typed_without_diacritics(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(
        named.commune,
        named.reception,
        received_at=RECEIVED,
        petitioners=[petitioner(1, full_name="Nguyễn Văn Đức")],
    )
    html = page(client, named.handler, reverse("workspace:search"), q="nguyen van duc")
    assert case.reference in html


def test_search_never_finds_a_sealed_denouncer_for_the_handler(client, named, frozen_today):
    frozen_today(TODAY)
    case = register(
        named.commune,
        named.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=RECEIVED,
        petitioners=[petitioner(1, **DENOUNCER)],
        summary="Tố cáo cán bộ địa chính",
    )
    assert case.state == CaseState.RECEIVED
    assert case.reference not in page(client, named.handler, reverse("workspace:search"), q="tran thi bi mat")
    assert case.reference in page(client, named.reception, reverse("workspace:search"), q="tran thi bi mat")


def test_no_template_comment_spans_lines():
    # Django's {# ... #} is a one-line comment: spread over lines it is printed on the page as text.
    root = Path(__file__).resolve().parents[2]
    spread = [
        f"{path.relative_to(root)}:{number}"
        for app in (
            "workspace",
            "backoffice",
            "documents",
            "api",
            "notifications",
            "casework",
            "config",
            "public",
        )
        for path in (root / app).rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert not spread, f"multi-line {{# #}} comments (use {{% comment %}}): {spread}"


def test_no_page_title_block_holds_markup():
    # A <title> is text: markup inside a title block is shown in the tab as raw tags (the board once held
    # its whole satisfaction panel there).
    root = Path(__file__).resolve().parents[2]
    block = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)
    marked = [
        str(path.relative_to(root))
        for app in ("workspace", "backoffice", "documents", "public", "config")
        for path in (root / app).rglob("*.html")
        for title in block.findall(path.read_text())
        if "<" in title
    ]
    assert not marked, marked
