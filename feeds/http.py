"""The feed routes as a plain ASGI application in front of the web app.

``/feeds/{region}.ics``, ``/feeds/all.ics`` and ``/events/{id}.ics`` are answered here
from the current `FeedSet`; every other path, and every non-HTTP scope, goes to
`fallback`. The bytes were rendered when the timeline loaded, and the response
messages (status, header list, validators) are built once per URL and FeedSet, so a
request costs a dictionary lookup, a look in the `BodyCache` and two `send` calls. This
is a bare ASGI callable rather than a Starlette route because routing and Response
objects cost several times that.

Query parameters: ``lang`` (one of `LANGUAGES`; the timeline's default language when
absent) and, on feeds, ``kinds`` (comma-separated kind slugs, repeatable). Unknown
parameters are ignored (calendar clients append cache busters). No gzip: Outlook's
"subscribe from web" has failed on compressed feeds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from feeds.conditional import http_date, is_not_modified
from feeds.prepared import Prepared
from feeds.publish import FeedSet
from feeds.vocabulary import LANGUAGES, Kind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_TYPE = b"text/calendar; charset=utf-8"
CACHE_CONTROL = b"public, max-age=3600"
#: Distinct URLs whose responses are kept per FeedSet; past it the memo starts afresh.
RESPONSE_MEMO_SIZE = 1024

_COMMON: list[tuple[bytes, bytes]] = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag"),
    (b"x-content-type-options", b"nosniff"),
]
_KIND_SLUGS = ", ".join(kind.value for kind in Kind)


@dataclass(frozen=True, slots=True)
class _Response:
    """Everything needed to answer one URL, built once."""

    start: Message
    #: The body message of a plain answer (an error).
    body: Message = field(default_factory=dict)
    #: A 200's file: its body is asked for on each request (it may be joined again after
    #: the `BodyCache` dropped it; the memo must not keep it alive).
    entity: Prepared | None = None
    #: Present for 200 responses: the validators and the 304 to send when they match.
    etag: str = ""
    etag_bytes: bytes = b""
    last_modified: datetime | None = None
    not_modified: Message = field(default_factory=dict)


_EMPTY_BODY: Message = {"type": "http.response.body", "body": b""}


def _entity(prepared: Prepared) -> _Response:
    etag = prepared.etag.encode()
    validators = [
        (b"etag", etag),
        (b"last-modified", http_date(prepared.last_modified).encode()),
        (b"cache-control", CACHE_CONTROL),
        *_COMMON,
    ]
    headers = [
        (b"content-type", CONTENT_TYPE),
        (b"content-length", str(prepared.length).encode()),
        *validators,
    ]
    return _Response(
        start={"type": "http.response.start", "status": 200, "headers": headers},
        entity=prepared,
        etag=prepared.etag,
        etag_bytes=etag,
        last_modified=prepared.last_modified,
        not_modified={"type": "http.response.start", "status": 304, "headers": validators},
    )


def _plain(status: int, text: str, *extra: tuple[bytes, bytes]) -> _Response:
    body = (text + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *_COMMON,
        *extra,
    ]
    return _Response(
        start={"type": "http.response.start", "status": status, "headers": headers},
        body={"type": "http.response.body", "body": body},
    )


_METHOD_NOT_ALLOWED = _plain(405, "method not allowed: use GET or HEAD", (b"allow", b"GET, HEAD"))


class FeedApp:
    """ASGI app serving the prepared feeds of ``feeds()``, delegating the rest to `fallback`."""

    def __init__(
        self,
        feeds: Callable[[], FeedSet],
        fallback: ASGIApp,
        observe: Callable[[int], None] | None = None,
    ) -> None:
        """`observe` is told the status of every feed response (the service counts them)."""
        self._feeds = feeds
        self.fallback = fallback
        self._observe = observe or _ignore
        self._current: FeedSet | None = None
        self._responses: dict[tuple[str, bytes], _Response] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.fallback(scope, receive, send)
        path: str = scope["path"]
        if not (path.endswith(".ics") and path.startswith(("/feeds/", "/events/"))):
            return await self.fallback(scope, receive, send)
        method = scope["method"]
        if method != "GET" and method != "HEAD":
            self._observe(405)
            await send(_METHOD_NOT_ALLOWED.start)
            await send(_METHOD_NOT_ALLOWED.body)
            return None
        feeds = self._feeds()
        if feeds is not self._current:
            self._current = feeds
            self._responses = {}
        memo_key = (path, scope["query_string"])
        response = self._responses.get(memo_key)
        if response is None:
            response = _resolve(feeds, path, scope["query_string"])
            if len(self._responses) >= RESPONSE_MEMO_SIZE:
                self._responses = {}
            self._responses[memo_key] = response
        if response.etag and _not_modified(response, scope["headers"]):
            self._observe(304)
            await send(response.not_modified)
            await send(_EMPTY_BODY)
        else:
            self._observe(response.start["status"])
            await send(response.start)
            if method == "HEAD":
                await send(_EMPTY_BODY)
            elif response.entity is None:
                await send(response.body)
            else:
                await send({"type": "http.response.body", "body": response.entity.body})
        return None


def _ignore(status: int) -> None:
    return None


def _not_modified(response: _Response, headers: list[tuple[bytes, bytes]]) -> bool:
    if_none_match = if_modified_since = None
    for name, value in headers:
        if name == b"if-none-match":
            if value == response.etag_bytes:  # what calendar clients send back
                return True
            if_none_match = value.decode("latin-1")
        elif name == b"if-modified-since":
            if_modified_since = value.decode("latin-1")
    if if_none_match is None and if_modified_since is None:
        return False
    assert response.last_modified is not None
    return is_not_modified(
        etag=response.etag,
        last_modified=response.last_modified,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )


def _resolve(feeds: FeedSet, path: str, query_string: bytes) -> _Response:
    is_feed = path.startswith("/feeds/")
    name = path.removeprefix("/feeds/" if is_feed else "/events/").removesuffix(".ics")
    lang = feeds.timeline.default_language
    kinds: set[Kind] = set()
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if key == "lang":
            if value not in LANGUAGES:
                return _plain(400, f"unknown language {value!r}: use one of {', '.join(LANGUAGES)}")
            lang = value
        elif key == "kinds" and is_feed:
            for slug in filter(None, (part.strip() for part in value.split(","))):
                try:
                    kinds.add(Kind(slug))
                except ValueError:
                    return _plain(400, f"unknown kind {slug!r}: use one of {_KIND_SLUGS}")
    if is_feed:
        prepared = feeds.feed(name, lang, kinds or None)
        if prepared is None:
            return _plain(404, f"no feed {name!r}: feeds are {', '.join(feeds.keys)}")
    else:
        prepared = feeds.event(name, lang)
        if prepared is None:
            return _plain(404, f"no event {name!r}")
    return _entity(prepared)
