"""Arabic and Chinese as readers see them: a region page and a reminder email, drawn by
headless Chromium with Debian's Noto fonts, 320 px wide.

Screenshots are taken (kept in the test's tmp folder); the assertions are that nothing
sticks out of the 320 px viewport and that isolated Latin fragments — ".ics", URLs —
keep their own left-to-right order inside right-to-left text.
"""

from __future__ import annotations

import email
import email.policy
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.components import require
from tests.support.live_service import Live, live_service
from tests.support.reminder_mail_fixtures import mail_setup, message_bytes

pytestmark = pytest.mark.browser
WIDTH = 320
PNG = b"\x89PNG\r\n\x1a\n"
#: A region whose page each language's readers would open.
REGION = {"ar": "arab-states", "zh": "asia-pacific"}

# Elements drawn outside the viewport: what a 320 px screen would cut off or scroll to.
# Content of a box that scrolls on its own (the timeline picture) is meant to be wider.
_OVERFLOWING = """
() => {
  const inScroller = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll('*')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5)
                        && !inScroller(e); })
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' '
            + (e.textContent || '').trim().slice(0, 40));
}
"""

# The left edges, in order, of each visible character of the first text containing
# `fragment` inside `selector` elements: increasing means drawn left to right as written.
_CHARACTER_LEFTS = """
([selector, fragment]) => {
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(fragment);
      if (at < 0) continue;
      const lefts = [];
      for (let i = at; i < at + fragment.length; i++) {
        if ('\\u2066\\u2069'.includes(node.data[i])) continue;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        lefts.push(range.getBoundingClientRect().left);
      }
      return lefts;
    }
  }
  return null;
}
"""


def _fonts(lang: str) -> None:
    found = subprocess.run(
        ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, check=False
    ).stdout
    require(f"a Noto font for {lang} (fonts-noto-ui-core, fonts-noto-cjk)", found.strip())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_service(tmp_path_factory.mktemp("rtl-cjk")) as service:
        yield service


def _narrow_page(browser: Browser, lang: str) -> Page:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, locale=lang, timezone_id="Asia/Beirut"
    )
    return context.new_page()


def _in_order(lefts: list[float] | None) -> bool:
    return bool(lefts) and lefts == sorted(lefts) and len(set(lefts)) == len(lefts)


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_region_page_fits_320_px_and_keeps_fragments_in_order(
    lang: str, live: Live, browser: Browser, tmp_path: Path
) -> None:
    _fonts(lang)
    page = _narrow_page(browser, lang)
    page.goto(f"{live.base_url}/regions/{REGION[lang]}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    shot = page.screenshot(path=str(tmp_path / f"region-{lang}.png"), full_page=True)
    fragments = {
        text: _in_order(page.evaluate(_CHARACTER_LEFTS, ["a", text]))
        for text in (".ics", "https://")
    }
    overflowing = page.evaluate(_OVERFLOWING)
    page.context.close()
    assert (shot[:8], overflowing, fragments) == (PNG, [], {".ics": True, "https://": True})


def _html_part(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_reminder_email_fits_320_px_and_keeps_urls_in_order(
    lang: str, browser: Browser, tmp_path: Path
) -> None:
    _fonts(lang)
    html = _html_part(message_bytes(mail_setup(), "reminder", lang))
    page = _narrow_page(browser, lang)
    page.set_content(html)
    shot = page.screenshot(path=str(tmp_path / f"reminder-{lang}.png"), full_page=True)
    url_order = _in_order(page.evaluate(_CHARACTER_LEFTS, ["a[dir=ltr]", "https://gcm."]))
    overflowing = page.evaluate(_OVERFLOWING)
    page.context.close()
    assert (shot[:8], overflowing, url_order) == (PNG, [], True)
