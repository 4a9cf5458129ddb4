"""The citizen's side of issue 15 in a real browser on a 390 px phone: from the follow page of a
decided case to a recorded rating, and a province's published figures — no horizontal scrolling, no
console error, Vietnamese first."""

from __future__ import annotations

import pytest

from casework.choices import CaseKind, CaseState
from casework.models import ServiceRating
from tests.e2e.conftest import SCREENS
from tests.helpers import drive
from workflows.intake.inputs import PetitionerInput
from workflows.intake.online import OnlineSubmission, submit_online

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def screenshot_dir():
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS


@pytest.fixture
def citizen(browser, live_server):
    """A phone browser with no sign-in; fails the test on any console error."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base = live_server.url
    yield page
    context.close()
    assert not errors, "\n".join(errors)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


@pytest.fixture
def decided_case(transactional_db, org):
    receipt = submit_online(
        OnlineSubmission(
            unit=org.commune,
            kind=CaseKind.RECOMMENDATION,
            summary="Đề nghị lắp đèn chiếu sáng đường thôn 5",
            petitioner=PetitionerInput(full_name="Vũ Thị Hoa", address="Thôn 5, xã A", phone="0911222333"),
        )
    )
    return drive(receipt.case, org, CaseState.DECIDED), receipt.lookup_code


def test_a_citizen_rates_a_decided_case_from_the_follow_page_on_a_phone(
    citizen, decided_case, screenshot_dir
):
    case, code = decided_case
    page = citizen
    page.goto(page.base + "/cong-dan/theo-doi/")
    page.locator("input[name=reference]").fill(case.reference)
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.locator("form button[type=submit].primary").click()
    rate_button = page.get_by_role("button", name="Đánh giá sự hài lòng")
    rate_button.wait_for()
    no_sideways_scroll(page)
    with page.expect_navigation():
        rate_button.click()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("input[name=code]").input_value() == code
    page.get_by_label("Rất hài lòng", exact=True).check()
    page.get_by_label("Đúng thời hạn luật định").check()
    page.locator("input[name=contacts]").fill("2")
    page.get_by_role("group", name="Thái độ của cán bộ").get_by_label("Tốt", exact=True).check()
    page.get_by_role("group", name="Mức độ rõ ràng của câu trả lời").get_by_label("Bình thường").check()
    page.locator("textarea[name=comment]").fill("Cán bộ hướng dẫn tận tình")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "public-rate-390.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert case.reference in page.locator("main").inner_text()
    page.screenshot(path=str(screenshot_dir / "public-rated-390.png"), full_page=True)
    rating = ServiceRating.objects.get(case=case)
    assert (rating.satisfaction, rating.contacts, rating.staff_attitude) == ("very_satisfied", 2, "good")


def test_a_provinces_published_figures_read_on_a_phone(citizen, decided_case, org, screenshot_dir):
    page = citizen
    page.goto(page.base + "/cong-dan/")
    with page.expect_navigation():
        page.get_by_role("link", name="Số liệu công khai").click()
    with page.expect_navigation():
        page.get_by_role("link", name=org.province.name).click()
    main = page.locator("main").inner_text()
    assert "Đã giải quyết 1/1, đạt 100,0%" in main
    assert "Vũ Thị Hoa" not in main and decided_case[0].reference not in main
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "public-figures-390.png"), full_page=True)
    # The period form works without script: a range with no case says so.
    page.locator("#id_date_from").fill("2020-01-01")
    page.locator("#id_date_to").fill("2020-12-31")
    with page.expect_navigation():
        page.locator("form.period button[type=submit]").click()
    assert "01/01/2020" in page.locator("main").inner_text()
