"""The timeline picture in headless Chromium, against the real service: in English and
Arabic, at 320 px and 1280 px wide, the page never scrolls sideways (the picture scrolls
inside its frame), axe-core finds no serious violation, and every mark is a link.

Screenshots go to ``var/screenshots/timeline/`` (kept after the run, to be looked at):
``{page}-{lang}-{width}.png`` is the picture's section, ``{page}-{lang}-{width}-screen.png``
the first screen of the page, for page ``home`` and ``africa`` (a region page).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from feeds import load_timeline
from tests.components import chromium, node_modules
from tests.e2e.live_service import CHROMIUM_ARGS, ROOT, Live, live_service

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots" / "timeline"
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")
PAGES = {"home": "/", "africa": "/regions/africa"}
WIDTHS = (320, 1280)
BAD_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_service(tmp_path_factory.mktemp("picture")) as service:
        yield service


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(Path(node_modules()) / "axe-core" / "axe.min.js"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [
        f"axe {v['impact']} {v['id']}: {v['nodes']}" for v in violations if v["impact"] in BAD_IMPACTS
    ]


def _measure(page: Page) -> dict[str, object]:
    return page.evaluate(
        """() => {
            const frame = document.querySelector('.tl-scroll');
            const svg = frame.querySelector('svg.tl');
            return {
                page_overflow: document.documentElement.scrollWidth
                    - document.documentElement.clientWidth,
                frame_within_page: frame.getBoundingClientRect().right
                    <= document.documentElement.clientWidth
                    && frame.getBoundingClientRect().left >= 0,
                frame_scrolls: frame.scrollWidth > frame.clientWidth,
                links: svg.querySelectorAll('a').length,
            };
        }"""
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_picture_fits_and_is_accessible(live: Live, browser: Browser, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, object] = {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        for name, path in PAGES.items():
            page.goto(f"{live.base_url}{path}?lang={lang}")
            section = page.locator("section.timeline")
            section.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"))
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}-screen.png"))
            measured = _measure(page)
            shown = (
                len(TIMELINE.events) + len(TIMELINE.regions)  # marks and region headings
                if name == "home"
                else len(TIMELINE.select(regions=[path.rsplit("/", 1)[1]]))
            )
            expected = {
                "page_overflow": 0,
                "frame_within_page": True,
                # Wide screens show the whole picture; at 320 px it scrolls in its frame.
                "frame_scrolls": width == 320,
                "links": shown,
            }
            if measured != expected:
                problems[f"{name} {width}px"] = measured
            if found := _axe(page):
                problems[f"{name} {width}px axe"] = found
        context.close()
    assert problems == {}
