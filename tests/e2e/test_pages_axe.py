"""Every page in every language, in headless Chromium against the real service:
no serious or critical axe-core violation, under 60 KB transferred, no request to
another site, and no horizontal scrolling at 320 px width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright

from feeds import LANGUAGES, load_timeline
from reminders.tokens import manage_token
from tests.support.components import chromium, node_modules
from tests.support.live_service import CHROMIUM_ARGS, ROOT, SECRET, Live, live_service

pytestmark = pytest.mark.browser
MAX_PAGE_BYTES = 60 * 1024
WIDTH = 320
BAD_IMPACTS = ("serious", "critical")
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")


@pytest.fixture(scope="module", params=LANGUAGES)
def lang_and_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Live]]:
    # One service per language: each signs up through the forms, under the per-client limit.
    lang: str = request.param
    with live_service(tmp_path_factory.mktemp(f"axe-{lang}")) as service:
        yield lang, service


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_script() -> Path:
    return Path(node_modules()) / "axe-core" / "axe.min.js"


class Audit:
    """Loads pages in one tab and notes every problem found, per page."""

    def __init__(self, page: Page, live: Live, axe: Path) -> None:
        self.page = page
        self.live = live
        self.axe = axe
        self.problems: dict[str, list[str]] = {}
        self.requests: list[Request] = []
        page.on("requestfinished", self._note)
        page.on("requestfailed", self._note)

    def _note(self, request: Request) -> None:
        self.requests.append(request)

    def visit(self, name: str, action: Callable[[], object]) -> None:
        self.requests.clear()
        action()
        self.page.wait_for_load_state("load")
        found: list[str] = []
        size = 0
        for request in list(self.requests):
            if not request.url.startswith(self.live.base_url):
                found.append(f"third-party request {request.url}")
            sizes = request.sizes()
            size += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if size >= MAX_PAGE_BYTES:
            found.append(f"{size} bytes transferred")
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            found.append(f"scrolls {overflow} px sideways at {WIDTH} px")
        self.page.add_script_tag(path=str(self.axe))
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
        )
        found += [
            f"axe {v['impact']} {v['id']}: {v['nodes']}"
            for v in violations
            if v["impact"] in BAD_IMPACTS
        ]
        if found:
            self.problems[name] = found


def _token(live: Live, email: str) -> str:
    [(subscription_id, generation)] = live.rows(
        "SELECT id, feed_generation FROM subscriptions WHERE email = ?", email
    )
    return manage_token(SECRET, subscription_id, generation)


def test_every_page_accessible_light_and_narrow(
    lang_and_live: tuple[str, Live], browser: Browser, axe_script: Path
) -> None:
    lang, live = lang_and_live
    base = live.base_url
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 800}, bypass_csp=True, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    audit = Audit(page, live, axe_script)
    email = f"axe-{lang}@example.org"

    audit.visit("index", lambda: page.goto(f"{base}/?lang={lang}"))
    for region in TIMELINE.regions:
        audit.visit(region.id, lambda r=region.id: page.goto(f"{base}/regions/{r}?lang={lang}"))
    event = TIMELINE.events[0].id
    audit.visit("event", lambda: page.goto(f"{base}/events/{event}?lang={lang}"))
    audit.visit("not found", lambda: page.goto(f"{base}/no-such-page?lang={lang}"))
    audit.visit("bad link", lambda: page.goto(f"{base}/manage/{'A' * 43}?lang={lang}"))
    audit.visit("link form", lambda: page.goto(f"{base}/link?lang={lang}"))
    audit.visit("subscribe", lambda: page.goto(f"{base}/subscribe?lang={lang}"))

    def invalid_signup() -> None:
        field = page.locator("#f-email")
        field.evaluate("(input) => { input.type = 'text'; input.required = false; }")
        field.fill("not an address")
        page.locator("form.signup button[type=submit]").click()

    audit.visit("form errors", invalid_signup)

    def signup() -> None:
        page.goto(f"{base}/subscribe?lang={lang}")
        page.locator("#f-email").fill(email)
        page.locator("form.signup button[type=submit]").click()

    audit.visit("check your inbox", signup)
    token = _token(live, email)
    audit.visit("confirm", lambda: page.goto(f"{base}/confirm/{token}"))
    audit.visit("manage", lambda: page.locator("form[action^='/confirm/'] button").click())
    audit.visit("unsubscribe", lambda: page.goto(f"{base}/unsubscribe/{token}"))
    audit.visit(
        "unsubscribed", lambda: page.locator("form[action^='/unsubscribe/'] button").click()
    )
    context.close()
    assert audit.problems == {}


def test_time_zone_prefilled_by_script_under_csp(
    lang_and_live: tuple[str, Live], browser: Browser
) -> None:
    lang, live = lang_and_live
    context = browser.new_context(timezone_id="America/Bogota")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live.base_url}/subscribe?lang={lang}")
    page.wait_for_load_state("load")
    assert page.locator("#f-tz").input_value() == "America/Bogota"
    assert errors == []
    context.close()
