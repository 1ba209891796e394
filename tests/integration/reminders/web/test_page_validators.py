"""Public pages are prepared like feeds: kept per load, language and moment, with an
ETag and Last-Modified, and 304 to a request that holds them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from feeds.conditional import http_date
from reminders.service import Service
from tests.integration.reminders.web.web_support import NOW, ROOT, Clock

pytestmark = pytest.mark.anyio

SHIPPED = (ROOT / "config" / "timeline.toml").read_text(encoding="utf-8")
PAGES = ("/", "/regions/africa?lang=fr", "/events/global-2026-imrf?lang=ar")


async def test_public_pages_answer_304_to_their_etag(client: httpx.AsyncClient) -> None:
    answers = {}
    for path in PAGES:
        first = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        answers[path] = (again.status_code, again.content, again.headers["etag"])

    assert answers == {path: (304, b"", (await client.get(path)).headers["etag"]) for path in PAGES}


async def test_public_pages_answer_304_to_their_last_modified(
    client: httpx.AsyncClient,
) -> None:
    statuses = {}
    for path in PAGES:
        first = await client.get(path)
        since = first.headers["last-modified"]
        again = await client.get(path, headers={"If-Modified-Since": since})
        statuses[path] = (first.status_code, again.status_code, since)

    assert statuses == {path: (200, 304, http_date(NOW)) for path in PAGES}


async def test_public_page_after_a_timeline_edit_is_new(
    service: Service, clock: Clock, client: httpx.AsyncClient
) -> None:
    first = await client.get("/regions/africa")
    clock.now = NOW + timedelta(minutes=5)
    edited = SHIPPED.replace('en = "Africa"', 'en = "Africa (edited)"', 1)
    service.settings.timeline.write_text(edited, encoding="utf-8")
    await service.source.refresh()

    again = await client.get("/regions/africa", headers={"If-None-Match": first.headers["etag"]})

    assert (again.status_code, "Africa (edited)" in again.text, again.headers["last-modified"]) == (
        200,
        True,
        http_date(NOW + timedelta(minutes=5)),
    )


async def test_public_page_once_an_event_is_over_is_built_again(
    clock: Clock, client: httpx.AsyncClient
) -> None:
    first = await client.get("/")
    later = NOW + timedelta(days=400)
    clock.now = later

    again = await client.get("/", headers={"If-None-Match": first.headers["etag"]})

    assert (again.status_code, again.headers["last-modified"]) == (200, http_date(later))
    assert again.headers["etag"] != first.headers["etag"]
