"""The 9-step walk of issue 11 in a real browser, on the demo data, counted in clicks, typed fields and
page loads; and the workspace's other promises a browser must keep (a blocked action's reason, the
desk's repeat hint before saving, the notifications inbox).

Everyone works only through what the pages offer: after signing in (the only typed address), a person
reaches a case from their home, a link or a button, never by its URL.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from casework.models import Case, Visit
from notifications.relay import relay
from workflows.service import perform_action

from .conftest import TABLET

# Issue 11's target for the whole walk (the admin took about 75 clicks and 65 page loads), signing in
# included: each of the five people signs in once (counted and printed apart, and held to the target
# together with the walk).
MAX_CLICKS = 30
MAX_PAGE_LOADS = 30
CITIZEN = "Đinh Thị Kiều Oanh"
CITIZEN_ID = "001190012345"
MATTER = "Khiếu nại quyết định không cấp giấy phép xây dựng nhà ở tại tổ 9."


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


def user(login: str):
    return get_user_model().objects.get(username=login)


def step(case: Case, action: str, login: str, **params) -> Case:
    """Set-up through the engine (the pages are what the test looks at, not how it prepares)."""
    case.refresh_from_db()
    return perform_action(
        case_id=case.pk, action=action, actor=user(login), version=case.version, params=params
    )


def second_round_with_the_province_handler() -> Case:
    """The demo's decided commune complaint, appealed and assigned to the provincial handler."""
    first = Case.objects.get(summary__contains="thu hồi đất làm đường")
    step(first, "appeal", "reception")
    second = Case.objects.get(first_round_case=first)
    step(second, "review", "p_head")
    step(second, "accept", "p_head")
    return step(second, "start_verification", "p_head", handler=user("p_handler").pk)


def shown_state(someone) -> str:
    """The state code the case page shows in its heading (the badge's class), after the page settled."""
    badge = someone.page.locator("h1 .state")
    badge.wait_for()
    return re.search(r"state-(\w+)", badge.get_attribute("class")).group(1)


def open_from_home(someone, panel: str, reference: str) -> None:
    """From the person's home: the case's row in one of its panels."""
    someone.click(someone.page.locator(f"#{panel} a", has_text=reference), loads=True)


def go_home(someone) -> None:
    someone.click("a.brand", loads=True)


def act(someone, action: str) -> None:
    """Press the action's button on the case page: a one-click action redraws the page in place, the
    others open their form under the buttons."""
    if someone.page.locator(f"form.action-form[data-action={action}]").count():
        return  # the next step's form is already open
    button = someone.page.locator(f"#actions .actions [data-action={action}]")
    someone.click(button, swaps=True)


def submit_form(someone, action: str) -> None:
    """Submit the open form: the case page is redrawn in place with the outcome (no page load)."""
    someone.click(f"form.action-form[data-action={action}] button[type=submit]", swaps=True)


def form_field(someone, action: str, name: str):
    return someone.page.locator(f"form.action-form[data-action={action}] [name={name}]")


def test_the_nine_step_walk(demo, person, counter, screenshot):
    # 1. Reception logs a visit at the desk and opens a first-round complaint from it, then takes the
    #    processing decision (the letter is for this unit).
    reception = person(user("reception"))
    reception.click("a.button[href$='/desk/']", loads=True)
    reception.fill("#id_full_name", CITIZEN)
    reception.fill("#id_id_number", CITIZEN_ID)
    reception.fill("#id_summary", MATTER)
    screenshot(reception, "walk-1-desk-1366")
    reception.click("#visit button[type=submit]", loads=True)
    screenshot(reception, "walk-1-visit-1366")
    # The saved visit offers the new case's next step beside its reference.
    reception.click("ul.opened-cases button[data-action=review]", loads=True)
    assert shown_state(reception) == "under_review"
    reference = reception.page.locator("h1").inner_text().split()[0]
    screenshot(reception, "walk-1-case-1366")

    # 2. The head accepts and names the handler in the same form (the acceptance form is open).
    head = person(user("head"))
    open_from_home(head, "awaiting_acceptance", reference)
    act(head, "accept")
    screenshot(head, "walk-2-accept-1366")
    head.select(form_field(head, "accept", "handler"), user("handler").first_name)
    submit_form(head, "accept")
    assert shown_state(head) == "verifying"
    assert user("handler").first_name in head.text(".facts")

    # 3. The handler records a dialogue with the complainant and submits the draft for approval.
    handler = person(user("handler"))
    open_from_home(handler, "assigned_to_me", reference)
    handler.click("#actions a[href$='/dialogues/new/']", swaps=True)
    dialogue = handler.page.locator("form.action-form[data-action=record_dialogue]")
    screenshot(handler, "walk-3-dialogue-1366")
    handler.click(dialogue.locator("button[type=submit]"), swaps=True)
    assert handler.page.locator(".dialogues li", has_text="Cam Đường").count() == 1
    act(handler, "submit_for_approval")
    handler.select(form_field(handler, "submit_for_approval", "outcome"), "Khiếu nại đúng một phần")
    handler.fill(form_field(handler, "submit_for_approval", "summary"), "Cấp phép có điều kiện.")
    screenshot(handler, "walk-3-submit-1366")
    submit_form(handler, "submit_for_approval")
    assert shown_state(handler) == "awaiting_approval"

    # 4. The head approves (the form shows the proposed outcome).
    go_home(head)
    open_from_home(head, "awaiting_approval", reference)
    act(head, "approve")
    assert "Khiếu nại đúng một phần" in head.text("form.action-form[data-action=approve] .context")
    head.fill(form_field(head, "approve", "decision_number"), "15/QĐ-UBND")
    screenshot(head, "walk-4-approve-1366")
    submit_form(head, "approve")
    assert shown_state(head) == "decided"

    # 5. The citizen appeals with the decision in hand: reception types its case reference in the
    #    search box (an exact reference opens the case) and registers the appeal.
    reception.fill("#q", reference)
    reception.press_enter("#q")
    act(reception, "appeal")
    screenshot(reception, "walk-5-appeal-1366")
    submit_form(reception, "appeal")
    assert shown_state(reception) == "appealed"
    screenshot(reception, "walk-5-appealed-1366")
    # The round-1 case names its round-2 case (at the province: a reference, not a link, for reception).
    round_two = Case.objects.get(first_round_case__reference=reference)
    assert round_two.reference in reception.text(".related")

    # 6. The province head reviews, accepts and assigns the round-2 complaint.
    p_head = person(user("p_head"))
    open_from_home(p_head, "awaiting_acceptance", round_two.reference)
    assert shown_state(p_head) == "received"
    assert reference in p_head.text(".related")  # round 2 links back to round 1
    act(p_head, "review")
    assert shown_state(p_head) == "under_review"
    act(p_head, "accept")
    p_head.select(form_field(p_head, "accept", "handler"), user("p_handler").first_name)
    submit_form(p_head, "accept")
    assert shown_state(p_head) == "verifying"

    # 7. The provincial handler records the dialogue the second round requires, then submits.
    p_handler = person(user("p_handler"))
    open_from_home(p_handler, "assigned_to_me", round_two.reference)
    screenshot(p_handler, "walk-7-dialogue-1366")
    p_handler.click("form.action-form[data-action=record_dialogue] button[type=submit]", swaps=True)
    act(p_handler, "submit_for_approval")
    p_handler.select(form_field(p_handler, "submit_for_approval", "outcome"), "Khiếu nại đúng")
    p_handler.fill(form_field(p_handler, "submit_for_approval", "summary"), "Hủy quyết định lần đầu.")
    submit_form(p_handler, "submit_for_approval")
    assert shown_state(p_handler) == "awaiting_approval"

    # 8-9. The province head approves, publishes and closes.
    go_home(p_head)
    open_from_home(p_head, "awaiting_approval", round_two.reference)
    act(p_head, "approve")
    p_head.fill(form_field(p_head, "approve", "decision_number"), "88/QĐ-UBND")
    submit_form(p_head, "approve")
    assert shown_state(p_head) == "decided"
    act(p_head, "publish")
    assert shown_state(p_head) == "decided"  # publishing records a date; the state stays
    assert p_head.page.locator(".facts dt", has_text="Ngày công khai").count() == 1
    act(p_head, "close")
    screenshot(p_head, "walk-9-close-1366")
    submit_form(p_head, "close")
    assert shown_state(p_head) == "closed"
    screenshot(p_head, "walk-9-closed-1366")
    p_head.page.set_viewport_size(TABLET)
    screenshot(p_head, "walk-9-closed-768")
    overflow = p_head.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the case page is {overflow}px wider than a 768 px tablet"

    # The figures recorded in the README.
    print(f"\nThe walk: {counter.figures()}")
    sign_in_clicks, _, sign_in_loads = counter.sign_in
    assert counter.clicks + sign_in_clicks <= MAX_CLICKS, "\n".join(counter.log)
    assert counter.page_loads + sign_in_loads <= MAX_PAGE_LOADS, "\n".join(counter.log)


def test_blocked_action_shows_the_engine_reason(demo, person, screenshot):
    case = second_round_with_the_province_handler()
    p_handler = person(user("p_handler"))
    open_from_home(p_handler, "assigned_to_me", case.reference)
    submit = p_handler.page.locator("#actions .actions button[data-action=submit_for_approval]")
    assert submit.is_disabled()
    reason = p_handler.text("#why-blocked")
    # The engine's `dialogue_required` message, with its citation, in Vietnamese.
    assert "khi chưa ghi nhận buổi đối thoại" in reason
    assert "Điều 39 Luật Khiếu nại" in reason
    assert "Điều 39 Luật Khiếu nại" in submit.get_attribute("title")
    screenshot(p_handler, "blocked-dialogue-required-1366")


def test_desk_shows_a_repeat_hint_before_saving(demo, person, screenshot):
    earlier = Case.objects.get(summary__contains="thu hồi đất làm đường")  # Lý Thị Lan's complaint
    visits, cases = Visit.objects.count(), Case.objects.count()
    reception = person(user("reception"))
    reception.click("a.button[href$='/desk/']", loads=True)
    reception.type("#lookup", "ly thi lan")  # typed without diacritics, as at a busy desk
    found = reception.page.locator("#people li.person", has_text="Lý Thị Lan")
    found.wait_for()
    assert earlier.reference in found.inner_text()
    screenshot(reception, "desk-repeat-hint-1366")
    # Nothing was saved to show it.
    assert (Visit.objects.count(), Case.objects.count()) == (visits, cases)
    assert "/desk/" in reception.page.url


def test_notifications_inbox_opens_the_case(demo, person, screenshot):
    case = Case.objects.get(summary__contains="lắp đặt đèn chiếu sáng")  # under review
    step(case, "accept", "head")
    step(case, "start_verification", "head", handler=user("handler").pk)
    relay()
    handler = person(user("handler"))
    unread = int(handler.text("#unread-count"))
    assert unread >= 1
    handler.click("a.inbox-link", loads=True)
    notice = handler.page.locator("li.notification.unread", has_text=case.reference)
    assert notice.count() == 1
    screenshot(handler, "inbox-1366")
    handler.click(notice.locator("button[name=open]"), loads=True)
    handler.page.locator("h1", has_text=case.reference).wait_for()
    assert shown_state(handler) == "verifying"
    after = handler.page.locator("#unread-count")
    assert (int(after.inner_text()) if after.count() else 0) == unread - 1
