"""Browser harness for the staff workspace: Playwright (from PyPI) driving Debian's chromium by its path.

Each person signs in through the login form in a browser context of their own (their own cookies, so
several people can take turns on one case). Everything a person does goes through `Person.click`,
`fill`, `select` and `check`, and every full page load in any of their tabs is counted, so a test can
measure how long a job is in clicks, typed fields and page loads. HTMX requests that swap part of a page
are counted apart (`partial_loads`): they cost the user no page change.

Without a browser the tests are skipped, unless REQUIRE_BROWSER=1 (CI), where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Playwright's own --disable-features (playwright-core's chromiumSwitches.ts, Playwright 1.65): Chromium
# keeps only the last --disable-features given, so ours repeats them (test_browser.py checks that it still
# does after an upgrade).
PLAYWRIGHT_DISABLED_FEATURES = [
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
]
# Chromium 15x draws the address bar's pop-ups as web pages (chrome://omnibox-popup.top-chrome/), built
# for every window, headless ones too: two renderer processes started with each browser context, about a
# third of a context's CPU, for a pop-up no test opens.
NO_OMNIBOX_POPUPS = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]
CHROMIUM_ARGS.append("--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + NO_OMNIBOX_POPUPS))
# The language Chromium draws its own controls in (a date field's "dd/mm/yyyy", a file field's "Chọn
# tệp"): the reader's browser, not the page, decides it, from LANGUAGE and the translations in Debian's
# chromium-l10n. The people of these tests use a Vietnamese browser, so the screenshots show what they see.
BROWSER_LANGUAGE = "vi"
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
SCREENS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screens"
# How long a condition may take to become true in the browser before the test fails (milliseconds).
WAIT_MS = 10_000


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists())


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no browser: playwright and {CHROMIUM} are needed.")
        pytest.skip(f"No browser for the end-to-end tests ({CHROMIUM} or playwright missing).")
    from playwright.sync_api import sync_playwright

    # Django refuses ORM calls from a thread that runs an event loop; Playwright's sync API runs one.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "LANGUAGE": BROWSER_LANGUAGE}
        )
        yield browser
        browser.close()


@dataclass
class Counter:
    """What the people of a test did, all together."""

    clicks: int = 0
    fields: int = 0
    page_loads: int = 0
    partial_loads: int = 0
    # Signing in (once a day for an officer) is counted apart: [clicks, fields, page loads].
    sign_in: list[int] = field(default_factory=lambda: [0, 0, 0])
    log: list[str] = field(default_factory=list)

    def figures(self) -> str:
        clicks, fields, loads = self.sign_in
        return (
            f"{self.clicks} clicks, {self.fields} typed or chosen fields, {self.page_loads} page loads "
            f"(+ {self.partial_loads} partial HTMX updates); signing in: {clicks} clicks, {fields} fields, "
            f"{loads} page loads"
        )

    def _snapshot(self) -> tuple[int, int, int]:
        return self.clicks, self.fields, self.page_loads

    def set_apart_as_sign_in(self, before: tuple[int, int, int]) -> None:
        done = [now - then for now, then in zip(self._snapshot(), before, strict=True)]
        self.sign_in = [total + d for total, d in zip(self.sign_in, done, strict=True)]
        self.clicks, self.fields, self.page_loads = before


class Person:
    """One signed-in user in their own browser context; every gesture is counted."""

    def __init__(self, name: str, context, counter: Counter, base_url: str):
        self.name = name
        self.context = context
        self.counter = counter
        self.base_url = base_url
        self.page = context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("framenavigated", self._navigated)
        self.page.on("request", self._request)
        # What the browser's console reports as an error (a script error, an htmx syntax error, a
        # Content-Security-Policy violation): a page that works only by luck fails the test.
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.name}: {e}"))

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.counter.page_loads += 1
            self.counter.log.append(f"{self.name}: load {frame.url.removeprefix(self.base_url)}")

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.errors.append(
                f"{self.name} on {self.page.url.removeprefix(self.base_url)} "
                f"({where.get('url', '')}:{where.get('lineNumber', '')}): {message.text}"
            )

    def _request(self, request) -> None:
        if request.headers.get("hx-request") == "true":
            self.counter.partial_loads += 1

    def _locate(self, target):
        return self.page.locator(target) if isinstance(target, str) else target

    def click(self, target, loads: bool = False, swaps: bool = False) -> None:
        """Click; with loads=True, return only once the page it leads to has loaded; with swaps=True,
        once the HTMX update it sets off has been swapped into the page and settled."""
        self.counter.clicks += 1
        self.counter.log.append(f"{self.name}: click {target if isinstance(target, str) else 'link'}")
        if loads:
            with self.page.expect_navigation():
                self._locate(target).click()
        elif swaps:
            self.page.evaluate(
                "() => { window.__settled = false; document.addEventListener('htmx:afterSettle',"
                " () => { window.__settled = true; }, {once: true}); }"
            )
            self._locate(target).click()
            self.page.wait_for_function("() => window.__settled === true")
        else:
            self._locate(target).click()

    def fill(self, target, value: str) -> None:
        self.counter.fields += 1
        self._locate(target).fill(value)

    def type(self, target, value: str) -> None:
        """Type key by key (for fields that react as one types, like the desk's lookup)."""
        self.counter.fields += 1
        self._locate(target).press_sequentially(value, delay=20)

    def select(self, target, label: str) -> None:
        self.counter.fields += 1
        self._locate(target).select_option(label=label)

    def check(self, target) -> None:
        # Ticking a radio or a box is a click for the person.
        self.counter.clicks += 1
        self._locate(target).check()

    def press_enter(self, target) -> None:
        """Enter in a field (submits its form): a key, not a click."""
        with self.page.expect_navigation():
            self._locate(target).press("Enter")

    def goto(self, path: str) -> None:
        """Typing an address: only for the sign-in page."""
        self.page.goto(self.base_url + path)

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def text(self, target) -> str:
        return self._locate(target).inner_text()


@pytest.fixture
def counter() -> Counter:
    return Counter()


@pytest.fixture
def person(browser, live_server, counter, settings):
    """person(user, viewport=DESKTOP, password="demo") -> a Person signed in through the login form."""
    contexts, people = [], []

    def sign_in(user, viewport=DESKTOP, password: str = "demo") -> Person:
        user.set_password(password)
        user.save(update_fields=["password"])
        before = counter._snapshot()
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        contexts.append(context)
        someone = Person(user.username, context, counter, live_server.url)
        people.append(someone)
        someone.goto("/login/")
        someone.fill("#id_username", user.username)
        someone.fill("#id_password", password)
        someone.click("form button[type=submit].primary", loads=True)
        assert "/login/" not in someone.page.url, f"{user.username} could not sign in"
        counter.set_apart_as_sign_in(before)
        return someone

    yield sign_in
    errors = [error for someone in people for error in someone.errors]
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def screenshot():
    """screenshot(person, name) saves a full-page screenshot under var/test-artifacts/screens/."""

    def take(someone: Person, name: str, full_page: bool = True) -> Path:
        return someone.screenshot(name, full_page=full_page)

    return take
