"""The timeline picture in headless Chromium, against the real service: in English and
Arabic, at 320 px and 1280 px wide, the page never scrolls sideways (the picture scrolls
inside its frame), axe-core finds no serious violation, and every mark is a link.

Screenshots go to ``var/screenshots/timeline/`` (kept after the run, to be looked at):
``{page}-{lang}-{width}.png`` is the picture's section, ``{page}-{lang}-{width}-screen.png``
the first screen of the page, ``{page}-{lang}-320-scrolled.png`` the section at 320 px with
the picture scrolled to its latest dates (the lane names stay pinned), for page ``home``
and ``africa`` (a region page).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page

from feeds import GLOBAL, load_timeline
from reminders.web.timeline_picture import home_events
from tests.support.browser import serious_axe_violations
from tests.support.live_service import ROOT, Live, live_service

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots" / "timeline"
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")
PAGES = {"home": "/", "africa": "/regions/africa"}
WIDTHS = (320, 1280)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_service(tmp_path_factory.mktemp("picture")) as service:
        yield service


def _measure(page: Page) -> dict[str, object]:
    return page.evaluate(
        """() => {
            const frame = document.querySelector('.tl-scroll');
            const svg = frame.querySelector('svg.tl:not(.pin)');
            const box = frame.getBoundingClientRect();
            return {
                page_overflow: document.documentElement.scrollWidth
                    - document.documentElement.clientWidth,
                frame_within_page: box.right <= document.documentElement.clientWidth
                    && box.left >= 0,
                frame_scrolls: frame.scrollWidth > frame.clientWidth,
                links: svg.querySelectorAll('a').length,
            };
        }"""
    )


def _scroll_to_the_end(page: Page) -> bool:
    """Scroll the picture to its latest dates; True when the lane names stayed in view."""
    return bool(
        page.evaluate(
            """() => {
                const frame = document.querySelector('.tl-scroll');
                const rtl = getComputedStyle(frame).direction === 'rtl';
                frame.scrollLeft = rtl ? -frame.scrollWidth : frame.scrollWidth;
                const box = frame.getBoundingClientRect();
                const pin = frame.querySelector('svg.pin').getBoundingClientRect();
                return frame.scrollLeft !== 0
                    && Math.round(rtl ? pin.right : pin.left)
                        === Math.round(rtl ? box.right : box.left);
            }"""
        )
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_picture_fits_and_is_accessible(live: Live, browser: Browser, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, object] = {}
    for width in WIDTHS:
        # Screenshots under the pages' real Content-Security-Policy; axe needs it lifted.
        shown_context = browser.new_context(viewport={"width": width, "height": 900})
        axe_context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page, axe_page = shown_context.new_page(), axe_context.new_page()
        for name, path in PAGES.items():
            url = f"{live.base_url}{path}?lang={lang}"
            page.goto(url)
            page.locator("section.timeline").screenshot(
                path=str(SHOTS / f"{name}-{lang}-{width}.png")
            )
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}-screen.png"))
            measured = _measure(page)
            if name == "home":  # marks, and the headings of the regions that have some
                drawn = home_events(TIMELINE, datetime.now(UTC).date())
                shown = len(drawn) + len({e.region for e in drawn} - {GLOBAL})
            else:
                shown = len(TIMELINE.select(regions=[path.rsplit("/", 1)[1]]))
            expected = {
                "page_overflow": 0,
                "frame_within_page": True,
                # Wide screens show the whole picture; at 320 px it scrolls in its frame.
                "frame_scrolls": width == 320,
                "links": shown,
            }
            if measured != expected:
                problems[f"{name} {width}px"] = measured
            if width == 320:
                if not _scroll_to_the_end(page):
                    problems[f"{name} {width}px scrolled"] = "lane names scrolled away"
                page.locator("section.timeline").screenshot(
                    path=str(SHOTS / f"{name}-{lang}-{width}-scrolled.png")
                )
            axe_page.goto(url)
            if found := serious_axe_violations(axe_page):
                problems[f"{name} {width}px axe"] = found
        shown_context.close()
        axe_context.close()
    assert problems == {}
