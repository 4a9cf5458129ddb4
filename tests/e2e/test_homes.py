"""Each role's home in a real browser, at 1366×768 and on a 768 px tablet, on the demo data."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from .conftest import DESKTOP, TABLET

# login, the panel every one of them must find on their home
HOMES = [
    ("reception", "#awaiting_processing"),
    ("handler", "#assigned_to_me"),
    ("head", "#awaiting_approval"),
    ("p_head", "#awaiting_acceptance"),
    ("monitor", "#overdue_board"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize(("login", "panel"), HOMES, ids=[h[0] for h in HOMES])
def test_each_role_lands_on_their_home(demo, person, screenshot, login, panel):
    user = get_user_model().objects.get(username=login)
    someone = person(user, viewport=DESKTOP)
    page = someone.page
    assert page.url.rstrip("/") == someone.base_url
    page.locator(panel).wait_for()
    # The person's full name in the header, never their login; the page in Vietnamese.
    assert user.first_name in someone.text("header.top .who")
    assert page.locator("html").get_attribute("lang") == "vi"
    # At 1366 px and on a 768 px tablet (the same page laid out again): no horizontal scrolling.
    for viewport in (DESKTOP, TABLET):
        page.set_viewport_size(viewport)
        page.locator(panel).wait_for()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{login}'s home is {overflow}px wider than {viewport['width']}px"
        screenshot(someone, f"home-{login}-{viewport['width']}")


def test_head_sees_a_new_approval_arrive_on_the_open_home(demo, person):
    from casework.models import Case
    from workflows.service import perform_action

    users = get_user_model().objects
    head = person(users.get(username="head"))
    waiting = head.page.locator("#awaiting_approval")
    waiting.wait_for()
    loads = head.counter.page_loads
    case = Case.objects.filter(state="verifying", unit__head__username="head").first()
    assert case is not None, "the demo has a commune case in verification"
    assert case.reference not in waiting.inner_text()
    perform_action(
        case_id=case.pk,
        action="submit_for_approval",
        actor=case.handler,
        version=case.version,
        params={"outcome": "partly_right", "summary": "Đúng một phần."},
    )
    # Coming back to the tab refreshes the lists (as the minute's poll does), without a page load.
    head.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    head.page.locator("#awaiting_approval a", has_text=case.reference).wait_for()
    assert head.counter.page_loads == loads
    assert head.text("nav.side a[href$='#awaiting_approval'] .count") != "0"
