"""`PageCache` builds a page once per timeline load, key and moment."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, timedelta
from typing import Any

import pytest

from reminders.web.page_cache import PageCache, PreparedPages
from tests.support.feed_fixtures import NOW, fixture_timeline

TIMELINE = fixture_timeline()
DAY = timedelta(days=1)


def test_page_cache_builds_each_page_once_per_load_and_moment() -> None:
    cache = PageCache()
    builds: list[str] = []

    def build(text: str) -> str:
        builds.append(text)
        return text

    first = cache.get(("index", "en"), TIMELINE, NOW, lambda: build("one"))
    same = cache.get(("index", "en"), TIMELINE, NOW + timedelta(minutes=1), lambda: build("x"))
    other_language = cache.get(("index", "fr"), TIMELINE, NOW, lambda: build("un"))
    reloaded = cache.get(("index", "en"), fixture_timeline(), NOW, lambda: build("one"))

    assert (builds, same, reloaded) == (["one", "un", "one"], first, first)
    assert other_language.body == b"un"


def test_page_cache_builds_again_when_an_event_ends_or_the_day_turns() -> None:
    cache = PageCache()
    end = min(e.ends_at for e in TIMELINE.events if e.ends_at > NOW).astimezone(UTC)
    moments = [NOW, NOW + timedelta(minutes=1), end, end + timedelta(seconds=1), end + DAY]
    built = []
    for moment in moments:
        cache.get("page", TIMELINE, moment, lambda: "page")
        built.append(cache.built)

    assert built == [1, 1, 2, 2, 3]


def _scope(path: str, query: bytes = b"", *headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"gcm.example.org"), *headers],
    }


async def _call(app: PreparedPages, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    await app(scope, receive, send)
    return sent


async def _inner(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 299, "headers": []})


@pytest.mark.anyio
async def test_prepared_pages_answer_kept_pages_and_pass_on_the_rest() -> None:
    cache = PageCache()
    for key in [("index", "ar"), ("region", "arab-states", "fr"), ("event", "lac-month", "en")]:
        cache.get(key, TIMELINE, NOW, lambda key=key: "|".join(key))
    app = PreparedPages(_inner, cache, lambda: TIMELINE, lambda: NOW)

    answers = {
        label: [(m.get("status"), m.get("body")) for m in await _call(app, scope)]
        for label, scope in {
            "index by header": _scope("/", b"", (b"accept-language", b"ar, en;q=0.5")),
            "region by query": _scope("/regions/arab-states", b"lang=es&lang=fr"),
            "event": _scope("/events/lac-month"),
            "region not kept": _scope("/regions/arab-states"),
            "other page": _scope("/subscribe"),
            "deeper path": _scope("/events/lac-month/x"),
        }.items()
    }

    assert answers == {
        "index by header": [(200, None), (None, b"index|ar")],
        "region by query": [(200, None), (None, b"region|arab-states|fr")],
        "event": [(200, None), (None, b"event|lac-month|en")],
        "region not kept": [(299, None)],
        "other page": [(299, None)],
        "deeper path": [(299, None)],
    }


@pytest.mark.anyio
async def test_prepared_pages_answer_304_to_the_kept_pages_etag() -> None:
    cache = PageCache()
    page = cache.get(("index", "en"), TIMELINE, NOW, lambda: "home")
    app = PreparedPages(_inner, cache, lambda: TIMELINE, lambda: NOW)

    sent = await _call(app, _scope("/", b"", (b"if-none-match", page.etag.encode())))

    assert [(m.get("status"), m.get("body")) for m in sent] == [(304, None), (None, b"")]
    assert dict(sent[0]["headers"])[b"etag"] == page.etag.encode()
