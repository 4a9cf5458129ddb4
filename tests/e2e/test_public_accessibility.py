"""WCAG 2.1 AA on the citizens' pages: axe-core (bundled by the axe-playwright-python package, so no
npm) run in Debian's chromium on every public page — the home page, the unit picker with results, the
letter form (empty and sent back with errors), the receipt, the follow form, a followed case, the
wrong-code answer, the rating form (empty and with errors) and its thanks, the published figures
(index, a province, a wrong date) and the dialogue conferences (list, a notice, a results page) — at
390 px and at 1280 px, in Vietnamese and in English. Every violation of the wcag2a, wcag2aa, wcag21a
and wcag21aa rules fails the test, all listed at once, and so does an aria-describedby or
aria-labelledby naming a missing element (axe lets those pass). And the unit picker works from the
keyboard alone, with the focus visible.

Each page is loaded once per language and checked at both widths by resizing the browser window (no
script of these pages depends on the width: only CSS media queries, which a resize re-applies), one
language's pages walked on a phone, the other's on a desktop."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from axe_playwright_python.base import AXE_FILE_PATH
from django.utils import timezone

from casework import conferences
from casework.choices import CaseKind, CaseState
from tests.e2e.conftest import SCREENS, WAIT_MS
from tests.helpers import drive
from workflows.intake.inputs import PetitionerInput
from workflows.intake.online import OnlineSubmission, submit_online

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCALES = {"vi": "vi-VN", "en": "en-US"}
BROKEN_REFERENCES = """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')].flatMap(
  e => ['aria-describedby', 'aria-labelledby'].flatMap(a => (e.getAttribute(a) || '').split(/\\s+/)
    .filter(id => id && !document.getElementById(id))
    .map(id => `${e.tagName.toLowerCase()}#${e.id} ${a} names a missing #${id}`)))"""


@pytest.fixture
def site(transactional_db, org, settings):
    """Two decided cases (one per language: a case is rated once), a conference whose results are
    published and one announced for next month."""
    settings.PUBLIC_SUBMISSIONS = {
        **settings.PUBLIC_SUBMISSIONS,
        "MIN_FILL_SECONDS": 0,  # a browser fills the form faster than a person
        "SUBMIT_RATE": "100/hour",
    }
    cases = []
    for i in range(len(LOCALES)):
        receipt = submit_online(
            OnlineSubmission(
                unit=org.commune,
                kind=CaseKind.RECOMMENDATION,
                summary=f"Đề nghị lắp đèn chiếu sáng đường thôn {i + 1}",
                petitioner=PetitionerInput(
                    full_name="Vũ Thị Hoa", address="Thôn 5, xã A", phone="0911222333"
                ),
            )
        )
        cases.append((drive(receipt.case, org, CaseState.DECIDED), receipt.lookup_code))
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        held = conferences.schedule_conference(
            actor=org.head,
            unit=org.commune,
            starts_at=timezone.make_aware(datetime(2026, 3, 20, 8)),
            topics="Quy hoạch chợ xã",
            place="Nhà văn hoá thôn 2",
        )
        conferences.announce_conference(actor=org.head, conference=held)
    with time_machine.travel("2026-03-20 15:00 +0700", tick=False):
        conferences.record_conference(
            actor=org.head,
            conference=held,
            held_on=date(2026, 3, 20),
            participants="Đại diện các thôn",
            questions="Giá thuê ki-ốt",
            commitments="Giữ nguyên giá thuê năm 2026",
        )
    with time_machine.travel("2026-03-25 09:00 +0700", tick=False):
        conferences.publish_conference_results(
            actor=org.head, conference=held, results="Thống nhất phương án chợ"
        )
    start = timezone.localdate() + timedelta(days=30)
    coming = conferences.schedule_conference(
        actor=org.head,
        unit=org.commune,
        starts_at=timezone.make_aware(datetime(start.year, start.month, start.day, 8)),
        topics="Đường giao thông nông thôn",
        place="Hội trường UBND xã",
    )
    conferences.announce_conference(actor=org.head, conference=coming)
    return org, cases, held, coming


# axe-core as the axe-playwright-python package bundles it (the package's Axe.run injects it afresh and
# brings back the whole result, passes included, on every call: ~0.3 s of the browser's CPU each time).
AXE_SCRIPT = AXE_FILE_PATH.read_text()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}


def axe_violations(page, name: str) -> list[str]:
    """axe-core run on the page as it is laid out now; injected once per loaded document."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    return [
        f"{name} ({page.url}): {v['id']} [{v['impact']}] {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    ]


# Each language's pages walked at one width (its forms filled and sent there) and checked at both.
WALKED_AT = {"vi": PHONE, "en": WIDE}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_public_page_passes_axe_wcag_2_1_aa_on_a_phone_and_a_desktop_in_both_languages(
    browser, live_server, site, language
):
    org, cases, held, coming = site
    case, code = cases[list(LOCALES).index(language)]
    walked = WALKED_AT[language]
    screens = [walked, *(screen for screen in (PHONE, WIDE) if screen != walked)]
    context = browser.new_context(viewport=walked, locale=LOCALES[language], device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    base = live_server.url
    found: list[str] = []
    SCREENS.mkdir(parents=True, exist_ok=True)

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, name
        # axe lets an aria-describedby name a missing element (a help text or an error then never read);
        # the document is the same at every width.
        found.extend(f"{name}: {broken}" for broken in page.evaluate(BROKEN_REFERENCES))
        for screen in screens:
            page.set_viewport_size(screen)
            width = screen["width"]
            page.screenshot(path=str(SCREENS / f"a11y-{name}-{language}-{width}.png"), full_page=True)
            found.extend(axe_violations(page, f"{name} at {width}px"))
        page.set_viewport_size(walked)

    def go(path: str, name: str) -> None:
        page.goto(base + path)
        check(name)

    def submit(button: str = "form button[type=submit].primary") -> None:
        with page.expect_navigation():
            page.locator(button).last.click()

    go("/cong-dan/", "home")
    go(f"/cong-dan/co-quan/?q={org.commune.name}", "unit-picker")
    go(f"/cong-dan/gui-don/?unit={org.commune.pk}", "form")
    # Sent back by the server with its errors (the form is novalidate: the server checks it).
    submit("main form[enctype] button[type=submit].primary")
    check("form-errors")
    page.locator("input[name=kind][value=recommendation]").check()
    page.locator("textarea[name=summary]").fill("Đề nghị sửa cống thoát nước trước nhà văn hoá thôn 3.")
    page.locator("input[name=full_name]").fill("Đỗ Thị Thu Hà")
    page.locator("input[name=address]").fill("Tổ 4, khu phố 2")
    page.locator("input[name=phone]").fill("0903123456")
    submit("main form[enctype] button[type=submit].primary")
    assert page.locator("#receipt-code").is_visible()
    check("receipt")
    go("/cong-dan/theo-doi/", "follow-form")
    page.locator("input[name=reference]").fill(case.reference)
    page.locator("input[name=code]").fill("AAAA-BBBB-CCCC-DDDD")
    submit()
    check("wrong-code")
    page.locator("input[name=reference]").fill(case.reference)
    page.locator("input[name=code]").fill(code)
    submit()
    assert page.locator("#case-state").is_visible()
    check("follow-result")
    submit("main form[action$='/danh-gia/'] button[type=submit]")
    check("rating")
    submit("main form button[type=submit].primary")  # nothing chosen: sent back with its errors
    assert page.locator(".has-error").first.is_visible()
    check("rating-errors")
    page.locator("input[name=satisfaction][value=satisfied]").check()
    page.locator("input[name=timeliness][value=on_time]").check()
    page.locator("input[name=contacts]").fill("2")
    page.locator("input[name=staff_attitude][value=good]").check()
    page.locator("input[name=answer_clarity][value=good]").check()
    submit("main form button[type=submit].primary")
    check("rated")
    go("/cong-dan/so-lieu/", "figures-index")
    go(f"/cong-dan/so-lieu/{org.province.code}/", "figures")
    page.locator("#id_date_from").fill("31/31/2026")
    submit("form.period button[type=submit]")
    check("figures-errors")
    go("/cong-dan/doi-thoai/", "conferences")
    go(f"/cong-dan/doi-thoai/{coming.pk}/", "conference-notice")
    go(f"/cong-dan/doi-thoai/{held.pk}/", "conference-results")
    context.close()
    assert not found, "\n".join(found)


def test_the_unit_picker_works_from_the_keyboard_alone_with_the_focus_visible(browser, live_server, site):
    org = site[0]
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(live_server.url + "/cong-dan/")

    def focused() -> dict:
        return page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return {tag: e.tagName, id: e.id, href: e.getAttribute('href') || '', text: e.innerText || '',"
            " outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,"
            " shadow: s.boxShadow !== 'none'}; }"
        )

    # The first Tab reaches the skip link, visibly.
    page.keyboard.press("Tab")
    first = focused()
    assert first["href"] == "#main" and (first["outline"] or first["shadow"]), first
    # Tab along to "Send a letter" in the navigation, Enter opens the unit picker.
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused()["href"].endswith("/cong-dan/co-quan/"):
            break
    else:
        pytest.fail("the unit picker's link cannot be reached with Tab")
    assert focused()["outline"] or focused()["shadow"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(30):
        if focused()["id"] == "unit-q":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the search field cannot be reached with Tab")
    assert focused()["outline"] or focused()["shadow"], "the search field shows no focus"
    page.keyboard.type(org.commune.name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Tab to the first result, visibly focused, and Enter opens the form for that unit.
    for _ in range(30):
        page.keyboard.press("Tab")
        if f"unit={org.commune.pk}" in focused()["href"]:
            break
    else:
        pytest.fail("no search result can be reached with Tab")
    state = focused()
    assert state["outline"] or state["shadow"], f"the focused result shows no focus: {state}"
    page.screenshot(path=str(SCREENS / "a11y-unit-picker-keyboard-390.png"), full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"unit={org.commune.pk}" in page.url
    context.close()


def test_the_axe_check_finds_what_it_is_asked_to_find(browser):
    # The check above could pass by running nothing: on a page with known faults it must name them.
    page = browser.new_page()
    page.set_content(
        '<html><body><img src="x.png"><a href="/x"></a>'
        '<p style="color:#bbb;background:#fff">Chữ xám nhạt</p></body></html>'
    )
    found = " ".join(axe_violations(page, "faulty"))
    page.close()
    for rule in ("html-has-lang", "image-alt", "link-name", "color-contrast"):
        assert rule in found, found
