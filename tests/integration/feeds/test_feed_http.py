from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping

import httpx

from feeds import Kind
from feeds.http import FeedApp, Receive, Scope, Send
from feeds.prepared import Prepared
from feeds.publish import FeedSet
from feeds.revisions import advance
from tests.support.feed_fixtures import (
    BASE_URL,
    NOW,
    fixture_feeds,
    fixture_revisions,
    fixture_timeline,
)

FEEDS = fixture_feeds()


async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"fallback {scope['path']}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def request(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    app: FeedApp | None = None,
    drop_accept: bool = False,
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app or FeedApp(lambda: FEEDS, fallback))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            built = client.build_request(method, url, headers=headers)
            if drop_accept:
                del built.headers["accept"]
            return await client.send(built)

    return asyncio.run(go())


def prepared(key: str, lang: str = "en", kinds: set[Kind] | None = None) -> Prepared:
    found = FEEDS.feed(key, lang, kinds)
    assert found is not None
    return found


def http_date_of(feed: Prepared) -> str:
    return feed.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")


def entity_headers(feed: Prepared) -> dict[str, str]:
    return {
        "content-type": "text/calendar; charset=utf-8",
        "content-length": str(len(feed.body)),
        "etag": feed.etag,
        "last-modified": http_date_of(feed),
        "cache-control": "public, max-age=3600",
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "ETag",
        "x-content-type-options": "nosniff",
    }


def test_feed_get_serves_the_prepared_bytes_with_validators() -> None:
    response = request("/feeds/all.ics")

    assert (response.status_code, dict(response.headers), response.content) == (
        200,
        entity_headers(prepared("all")),
        prepared("all").body,
    )


def test_feed_get_without_accept_header_is_served() -> None:
    response = request("/feeds/asia-pacific.ics", drop_accept=True)

    assert (response.status_code, response.content) == (200, prepared("asia-pacific").body)


def test_feed_get_is_never_compressed() -> None:
    response = request("/feeds/all.ics", headers={"accept-encoding": "gzip, br"})

    assert (response.headers.get("content-encoding"), response.content) == (
        None,
        prepared("all").body,
    )


def test_feed_query_selects_language_and_kinds() -> None:
    response = request("/feeds/asia-pacific.ics?lang=fr&kinds=gcm-talk,imrf&kinds=other")

    wanted = prepared("asia-pacific", "fr", {Kind.GCM_TALK, Kind.IMRF, Kind.OTHER})
    assert (response.status_code, response.content) == (200, wanted.body)


def test_event_file_is_served_in_the_asked_language() -> None:
    response = request("/events/ap-timed.ics?lang=zh")

    event = FEEDS.event("ap-timed", "zh")
    assert event is not None
    assert (response.status_code, dict(response.headers), response.content) == (
        200,
        entity_headers(event),
        event.body,
    )


def test_head_sends_the_get_headers_without_body() -> None:
    response = request("/feeds/all.ics", method="HEAD")

    assert (response.status_code, dict(response.headers), response.content) == (
        200,
        entity_headers(prepared("all")),
        b"",
    )


def not_modified_headers(feed: Prepared) -> dict[str, str]:
    headers = entity_headers(feed)
    del headers["content-type"], headers["content-length"]
    return headers


def test_if_none_match_with_the_etag_answers_304() -> None:
    feed = prepared("all")

    response = request("/feeds/all.ics", headers={"if-none-match": feed.etag})

    assert (response.status_code, dict(response.headers), response.content) == (
        304,
        not_modified_headers(feed),
        b"",
    )


def test_if_none_match_list_with_weak_etag_answers_304() -> None:
    feed = prepared("all")

    response = request("/feeds/all.ics", headers={"if-none-match": f'"old", W/{feed.etag}'})

    assert response.status_code == 304


def test_if_none_match_other_etag_answers_200_despite_if_modified_since() -> None:
    feed = prepared("all")
    headers = {"if-none-match": '"old"', "if-modified-since": http_date_of(feed)}

    response = request("/feeds/all.ics", headers=headers)

    assert (response.status_code, response.content) == (200, feed.body)


def test_if_modified_since_last_modified_answers_304() -> None:
    feed = prepared("arab-states")

    response = request("/feeds/arab-states.ics", headers={"if-modified-since": http_date_of(feed)})

    assert (response.status_code, response.content) == (304, b"")


def test_if_modified_since_earlier_answers_200() -> None:
    response = request(
        "/feeds/arab-states.ics", headers={"if-modified-since": "Mon, 01 Jan 2024 00:00:00 GMT"}
    )

    assert (response.status_code, response.content) == (200, prepared("arab-states").body)


def test_head_with_matching_etag_answers_304() -> None:
    feed = prepared("all")

    response = request("/feeds/all.ics", method="HEAD", headers={"if-none-match": feed.etag})

    assert (response.status_code, response.content) == (304, b"")


def plain(response: httpx.Response) -> tuple[int, str, str, str]:
    return (
        response.status_code,
        response.headers["content-type"],
        response.headers["access-control-allow-origin"],
        response.text,
    )


def test_unknown_language_is_a_400_naming_it() -> None:
    assert plain(request("/feeds/all.ics?lang=de")) == (
        400,
        "text/plain; charset=utf-8",
        "*",
        "unknown language 'de': use one of en, fr, es, ar, ru, zh\n",
    )


def test_unknown_kind_is_a_400_naming_it() -> None:
    assert plain(request("/feeds/all.ics?kinds=imrf,webinar")) == (
        400,
        "text/plain; charset=utf-8",
        "*",
        "unknown kind 'webinar': use one of pre-consultation, multi-stakeholder-consultation, "
        "multi-stakeholder-hearing, registration-deadline, discussion-space, gcm-talk, "
        "regional-review, imrf, other\n",
    )


def test_unknown_region_is_a_404_listing_the_feeds() -> None:
    assert plain(request("/feeds/mars.ics")) == (
        404,
        "text/plain; charset=utf-8",
        "*",
        "no feed 'mars': feeds are all, asia-pacific, arab-states, latin-america-caribbean\n",
    )


def test_unknown_event_is_a_404() -> None:
    assert plain(request("/events/nope.ics")) == (
        404,
        "text/plain; charset=utf-8",
        "*",
        "no event 'nope'\n",
    )


def test_other_methods_are_405() -> None:
    response = request("/feeds/all.ics", method="POST")

    assert (response.status_code, response.headers["allow"], response.text) == (
        405,
        "GET, HEAD",
        "method not allowed: use GET or HEAD\n",
    )


def test_other_paths_go_to_the_fallback_app() -> None:
    responses = [request(path) for path in ("/", "/feeds/all.json", "/regions/asia-pacific")]

    assert [(r.status_code, r.text) for r in responses] == [
        (200, "fallback /"),
        (200, "fallback /feeds/all.json"),
        (200, "fallback /regions/asia-pacific"),
    ]


def test_non_http_scopes_go_to_the_fallback_app() -> None:
    seen: list[str] = []

    async def recorder(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> dict[str, str]:
        return {"type": "lifespan.startup"}

    async def ignore(message: object) -> None:
        return None

    app = FeedApp(lambda: FEEDS, recorder)
    asyncio.run(app({"type": "lifespan"}, nothing, ignore))
    asyncio.run(app({"type": "websocket", "path": "/feeds/all.ics"}, nothing, ignore))

    assert seen == ["lifespan", "websocket"]


def test_swapped_feed_set_is_served_with_its_own_etag() -> None:
    timeline = fixture_timeline()
    current = [FEEDS]
    app = FeedApp(lambda: current[0], fallback)
    before = request("/feeds/all.ics", app=app)
    edited = dataclasses.replace(
        timeline,
        events=tuple(
            dataclasses.replace(e, titles={"en": "Moved online"}) if e.id == "ap-day" else e
            for e in timeline.events
        ),
    )
    revisions, _ = advance(fixture_revisions(timeline), edited, NOW)
    current[0] = FeedSet(edited, revisions, BASE_URL, NOW)
    new = current[0].feed("all", "en")
    assert new is not None

    after = request("/feeds/all.ics", app=app, headers={"if-none-match": before.headers["etag"]})

    assert (after.status_code, after.headers["etag"], after.content) == (200, new.etag, new.body)
    assert before.headers["etag"] != new.etag


def test_feeds_beyond_the_body_budget_are_served_whole_and_not_kept() -> None:
    timeline = fixture_timeline()
    revisions = fixture_revisions(timeline)
    largest = max(len(prepared(key, "ar").body) for key in FEEDS.keys)
    small = FeedSet(timeline, revisions, BASE_URL, NOW, body_budget=largest)
    app = FeedApp(lambda: small, fallback)
    urls = [f"/feeds/{key}.ics?lang={lang}" for key in FEEDS.keys for lang in ("en", "ar", "zh")]

    served = [request(url, app=app) for url in urls + urls]

    assert [(r.status_code, r.headers["etag"], r.content) for r in served] == [
        (200, feed.etag, feed.body)
        for feed in [prepared(key, lang) for key in FEEDS.keys for lang in ("en", "ar", "zh")] * 2
    ]
    assert [int(r.headers["content-length"]) for r in served] == [len(r.content) for r in served]
    assert small.kept_bytes <= largest
