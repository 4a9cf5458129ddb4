"""The browser harness itself: the switches it gives Chromium keep Playwright's and leave out the
address bar's pop-ups, and the browser draws its own controls in Vietnamese."""

import re
from pathlib import Path

from .conftest import NO_OMNIBOX_POPUPS, PLAYWRIGHT_DISABLED_FEATURES


def test_our_disabled_features_keep_every_one_playwright_disables():
    # Ours replace Playwright's --disable-features (Chromium keeps the last one), so an upgrade of
    # Playwright that disables another feature must be followed here.
    import playwright

    bundles = (Path(playwright.__file__).parent / "driver" / "package" / "lib").rglob("*.js")
    lists = []
    for bundle in bundles:
        text = bundle.read_text(encoding="utf-8", errors="replace")
        lists += re.findall(r"disabledFeatures = \[(.*?)\]", text, re.S)
    assert lists, "Playwright's list of disabled features was not found in its driver"
    theirs = {name for found in lists for name in re.findall(r'^\s*"(\w+)"', found, re.M)}
    assert "PaintHolding" in theirs  # the list was read, not something else
    assert theirs <= set(PLAYWRIGHT_DISABLED_FEATURES), theirs - set(PLAYWRIGHT_DISABLED_FEATURES)


def test_a_new_browser_context_opens_no_address_bar_pop_ups(browser):
    context = browser.new_context()
    context.new_page().goto("data:text/html,<title>t</title>")
    session = browser.new_browser_cdp_session()
    urls = [target["url"] for target in session.send("Target.getTargets")["targetInfos"]]
    session.detach()
    context.close()
    assert urls and not [url for url in urls if "omnibox-popup" in url], (urls, NO_OMNIBOX_POPUPS)


def test_the_browser_draws_its_own_date_and_file_controls_in_vietnamese(browser):
    # Without chromium-l10n (or without LANGUAGE) Chromium falls back to English: "mm/dd/yyyy",
    # "Choose File", which the screenshots of the Vietnamese pages would then show.
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_content('<label>Ngày nộp <input type="date"></label>')
    session = context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    context.close()
    named = [(node.get("role", {}).get("value"), node.get("name", {}).get("value", "")) for node in nodes]
    parts = [name.split()[0] for role, name in named if role == "spinbutton"]
    assert parts == ["Ngày", "Tháng", "Năm"], named  # day first, in Vietnamese
    assert any(role == "button" and "chọn ngày" in name for role, name in named), named
