"""End to end in headless Chromium against the real service and a real SMTP server:
sign up → confirmation email → Confirm → manage page → change choices → new link →
one-click unsubscribe as a mail provider posts it → nothing left in the database.
Once in English and once in Arabic (right to left).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from reminders.web.manage import DONE
from reminders.web.translations import translate
from tests.support.components import chromium
from tests.support.live_service import CHROMIUM_ARGS, Live, html_of, link, live_service

pytestmark = pytest.mark.browser
TAB_STOPS = 400  # more than any page has


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_service(tmp_path_factory.mktemp("e2e-flow")) as service:
        yield service


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _h1(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def _tab_to(page: Page, selector: str) -> None:
    """Move the keyboard focus to `selector` with Tab alone."""
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def _mail(live: Live, email: str, kind: str) -> Message:
    rows = live.rows_soon(
        "SELECT o.message_id FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id"
        " WHERE s.email = ? AND o.kind = ? ORDER BY o.id DESC LIMIT 1",
        email,
        kind,
    )
    assert len(rows) == 1
    return live.inbox.wait(rows[0][0])


def _subscription(live: Live, email: str, *, soon: bool = False) -> list[tuple[object, ...]]:
    read = live.rows_soon if soon else live.rows
    return read(
        "SELECT state, regions, delivery_hour, language FROM subscriptions WHERE email = ?", email
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_subscribe_confirm_manage_unsubscribe(live: Live, browser: Browser, lang: str) -> None:
    email = f"e2e-{lang}@example.org"
    direction = "rtl" if lang == "ar" else "ltr"
    context = browser.new_context(locale="ar-EG" if lang == "ar" else "en-GB")
    page = context.new_page()

    # Sign up from the home page with the keyboard alone: an address and Enter.
    page.goto(f"{live.base_url}/?lang={lang}")
    assert page.evaluate("document.documentElement.dir") == direction
    _tab_to(page, "#f-email")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.base_url}/subscribe?lang={lang}")
    assert _h1(page) == translate(lang, "Check your inbox")
    assert _subscription(live, email, soon=True) == [("pending", "[]", 9, lang)]

    # The confirmation arrives at the SMTP server, in the chosen language.
    confirmation = _mail(live, email, "confirm-subscription")
    assert str(confirmation["Content-Language"]) == lang
    assert re.findall(r"<html[^>]*\bdir=\"(\w+)\"", html_of(confirmation)) == [direction]
    confirm_url = link(confirmation, live.base_url, "confirm")

    # Opening the link changes nothing; the Confirm button does.
    page.goto(confirm_url)
    assert _h1(page) == translate(lang, "Confirm your subscription")
    assert _subscription(live, email)[0][0] == "pending"
    _tab_to(page, "form[action^='/confirm/'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/manage/[A-Za-z0-9_-]{43}\?lang=\w+&done=confirmed$"))
    assert page.locator(".notice").inner_text() == translate(lang, DONE["confirmed"])
    assert _subscription(live, email)[0][0] == "active"

    # Change the choices on the manage page.
    page.locator("input[name=regions][value=asia-pacific]").check()
    page.select_option("#f-delivery_hour", "7")
    page.locator("form[action^='/manage/'] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*done=saved$"))
    assert page.locator(".notice").inner_text() == translate(lang, DONE["saved"])
    assert _subscription(live, email) == [("active", '["asia-pacific"]', 7, lang)]

    # A new link: the old one stops working; the email brings the new one.
    old_manage = page.url.split("?")[0]
    page.locator("form[action$='/new-link?lang=" + lang + "'] button").click()
    assert _h1(page) == translate(lang, "Check your inbox")
    assert httpx.get(old_manage).status_code == 404
    manage_mail = _mail(live, email, "manage-link")
    new_manage = link(manage_mail, live.base_url, "manage")
    assert httpx.get(new_manage).status_code == 200
    assert str(manage_mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    targets = re.findall(r"<(https?://[^>]+)>", str(manage_mail["List-Unsubscribe"]))
    subscription_id, handle = live.rows(
        "SELECT id, handle FROM subscriptions WHERE email = ?", email
    )[0]
    # The header carries a token that can only unsubscribe, named by the public handle:
    # whoever reads the header (a mail provider) cannot open the manage page with it.
    assert len(targets) == 1
    assert re.fullmatch(
        re.escape(f"{live.base_url}/unsubscribe/{handle}.") + r"[A-Za-z0-9_-]{43}", targets[0]
    )
    assert httpx.get(targets[0].replace("/unsubscribe/", "/manage/")).status_code == 404

    # One-click unsubscribe, posted as a mail provider does: no cookies, no Origin.
    with httpx.Client() as provider:
        response = provider.post(targets[0], data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _subscription(live, email) == []
    assert live.rows("SELECT id FROM outbox WHERE subscription_id = ?", subscription_id) == []
    assert live.rows("SELECT count(*) FROM unsubscribed") == [(1 if lang == "en" else 2,)]
    page.goto(new_manage)
    assert _h1(page) == translate(lang, "This link does not work")
    context.close()


def test_service_log_has_no_addresses_or_tokens(live: Live) -> None:
    log = Path(live.database).with_name("service.log").read_text(errors="replace")
    assert re.findall(r"e2e-\w+@example\.org", log) == []
    assert re.findall(r"/(?:manage|confirm|unsubscribe)/[A-Za-z0-9_-]{43}", log) == []
