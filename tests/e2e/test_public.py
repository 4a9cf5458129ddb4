"""The citizen's side in a real browser on a 390 px phone: send a complaint online, get the receipt,
the reception officer finds it at the desk, and the citizen follows it with the receipt's code."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from casework.choices import Role
from casework.models import Case, Membership

from .conftest import DESKTOP, SCREENS, WAIT_MS

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db, settings):
    call_command("load_demo", verbosity=0)
    # A browser fills the form faster than a person; the minimum fill time has its own unit test.
    settings.PUBLIC_SUBMISSIONS = {**settings.PUBLIC_SUBMISSIONS, "MIN_FILL_SECONDS": 0}


@pytest.fixture
def citizen(browser, live_server):
    """A phone browser with no login; fails the test on any console error (CSP violations included)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.base = live_server.url
    yield page
    context.close()
    assert not errors, "\n".join(errors)


def fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_a_citizen_sends_a_complaint_from_a_phone_the_desk_sees_it_and_the_citizen_follows_it(
    demo, citizen, person, tmp_path
):
    reception = get_user_model().objects.get(username="reception")
    unit = Membership.objects.filter(user=reception, role=Role.RECEPTION_OFFICER).first().unit
    page = citizen

    page.goto(page.base + "/cong-dan/")
    assert page.locator("html").get_attribute("lang") == "vi"
    fits_the_phone(page)
    shot(page, "public-home-390")
    with page.expect_navigation():
        page.get_by_role("link", name="Gửi đơn").first.click()

    # The unit picker: a plain search form, the results are links.
    page.get_by_label("Tên cơ quan hoặc địa danh").fill(unit.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm kiếm").click()
    fits_the_phone(page)
    shot(page, "public-units-390")
    with page.expect_navigation():
        page.locator("ul.choices a", has_text=unit.name).first.click()

    page.get_by_role("radio", name="Khiếu nại").check()
    page.get_by_label("Nội dung đơn").fill(
        "Tôi khiếu nại Quyết định số 45/QĐ-UBND về việc thu hồi 120 m² đất vườn của gia đình tôi "
        "mà không bồi thường."
    )
    page.get_by_label("Quyết định, hành vi hoặc người bị khiếu nại, tố cáo (nếu có)").fill(
        "Quyết định số 45/QĐ-UBND"
    )
    page.get_by_label("Họ và tên").fill("Đỗ Thị Thu Hà")
    page.get_by_label("Địa chỉ", exact=True).fill("Tổ 4, khu phố 2")
    page.get_by_label("Điện thoại").fill("0903 123 456")
    attachment = tmp_path / "quyet-dinh-45.pdf"
    attachment.write_bytes(PDF)
    page.get_by_label("Tệp đính kèm").set_input_files(str(attachment))
    fits_the_phone(page)
    shot(page, "public-submit-390")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đơn").click()

    # The receipt: reference and code, printable.
    reference = page.locator("#receipt-reference").inner_text().strip()
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code) == 19 and page.get_by_role("button", name="In giấy biên nhận").is_visible()
    fits_the_phone(page)
    shot(page, "public-receipt-390")
    case = Case.objects.get(reference=reference)
    assert case.channel == "online" and case.unit == unit and case.attachments.count() == 1

    # The reception officer finds it on their home, marked online.
    officer = person(reception, viewport=DESKTOP)
    row = officer.page.locator("#awaiting_processing tr", has_text=reference)
    row.wait_for()
    assert row.locator(".badge.online").is_visible()
    officer.screenshot("public-desk-sees-online-case")

    # The citizen follows it with the code.
    with page.expect_navigation():
        page.get_by_role("button", name="Tôi đã ghi lại: theo dõi hồ sơ").click()
    page.get_by_label("Số hồ sơ").fill(reference)
    page.get_by_label("Mã tra cứu").fill(code.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Xem hồ sơ").click()
    assert "Đã tiếp nhận" in page.locator("#case-state").inner_text()
    body = page.locator("main").inner_text()
    assert unit.name in body and "Đỗ Thị Thu Hà" not in body and "0903" not in body
    fits_the_phone(page)
    shot(page, "public-follow-390")
