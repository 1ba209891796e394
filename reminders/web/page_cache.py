"""Public pages prepared like feeds: built once per timeline load, language and moment.

What a public page shows depends on the timeline in service (and its change history,
which only moves when a new timeline object is loaded), the reader's language and
`now` — but `now` only through which events are over
(`Event.ends_at`) and the date (the timeline picture). So a page built once is kept
until one of those moves, and answered with a strong ETag (SHA-256 of the bytes) and
Last-Modified (when it was built), 304 to a matching If-None-Match or If-Modified-Since
by the rules feeds follow (`feeds.conditional`). Event pages, one per event and
language, are kept in a bounded LRU; the others always fit.
"""

from __future__ import annotations

import base64
import hashlib
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from feeds import Timeline
from feeds.conditional import http_date, is_not_modified
from feeds.revisions import utc_seconds
from reminders.web.language import negotiate

#: Pages kept at once; past it the least recently asked for is dropped.
PAGES_KEPT = 2048
#: Browsers and proxies may keep a page but must ask again before showing it.
CACHE_CONTROL = "no-cache"
_HTML = b"text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class PreparedPage:
    body: bytes
    etag: str
    last_modified: datetime
    #: The header lines of a 200 and of a 304, written once: a request only picks one.
    ok_headers: list[tuple[bytes, bytes]] = field(init=False, compare=False, repr=False)
    not_modified_headers: list[tuple[bytes, bytes]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        validators = [
            (b"etag", self.etag.encode()),
            (b"last-modified", http_date(self.last_modified).encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"vary", b"Accept-Language"),
        ]
        length = str(len(self.body)).encode()
        ok = [(b"content-length", length), (b"content-type", _HTML), *validators]
        object.__setattr__(self, "ok_headers", ok)
        object.__setattr__(self, "not_modified_headers", validators)


@dataclass(frozen=True, slots=True)
class _Kept:
    timeline: Timeline
    moment: tuple[date, int]
    page: PreparedPage


class PageCache:
    """The prepared pages of the timeline in service (a new load starts afresh)."""

    def __init__(self, size: int = PAGES_KEPT) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        #: The end of each event of the timeline in service, as POSIX seconds in order:
        #: comparing aware datetimes of many zones costs a zone look-up each time.
        self._ends: tuple[Timeline | None, list[float]] = (None, [])
        #: How many pages were built (not found kept): what tests count.
        self.built = 0

    def moment(self, timeline: Timeline, now: datetime) -> tuple[date, int]:
        """What of `now` a page can show: the date and how many events are over."""
        known, ends = self._ends
        if known is not timeline:
            ends = sorted(event.ends_at.timestamp() for event in timeline.events)
            self._ends = (timeline, ends)
        return now.date(), bisect_right(ends, now.timestamp())

    def find(self, key: Hashable, timeline: Timeline, now: datetime) -> PreparedPage | None:
        """The page `key` if it is kept and still current; None: build it (`get`)."""
        kept = self._pages.get(key)
        if kept is None or kept.timeline is not timeline:
            return None
        if kept.moment != self.moment(timeline, now):
            return None
        return kept.page

    def get(
        self,
        key: Hashable,
        timeline: Timeline,
        now: datetime,
        build: Callable[[], str],
    ) -> PreparedPage:
        """The page `key` (kind, id, language) as `build` makes it, built only when its
        inputs moved since it was last built."""
        moment = self.moment(timeline, now)
        kept = self._pages.get(key)
        if kept is not None and kept.timeline is timeline and kept.moment == moment:
            self._pages.move_to_end(key)
            return kept.page
        body = build().encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
        page = PreparedPage(body, f'"{digest}"', utc_seconds(now))
        if kept is not None and kept.page.etag == page.etag:
            page = kept.page  # same bytes: keep the older Last-Modified
        self.built += 1
        self._pages[key] = _Kept(timeline, moment, page)
        self._pages.move_to_end(key)
        if len(self._pages) > self._size:
            self._pages.popitem(last=False)
        return page


def page_response(request: Request, page: PreparedPage) -> Response:
    """200 with the page, or 304 when the request's validators match it."""
    status, headers, body = _answer(
        page, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    )
    return Response(body, status, {name.decode(): value.decode() for name, value in headers})


def _answer(
    page: PreparedPage, if_none_match: str | None, if_modified_since: str | None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    # The ETag itself, as a browser sends it back, needs no parsing of lists or dates.
    if (if_none_match == page.etag) or (
        (if_none_match or if_modified_since)
        and is_not_modified(
            etag=page.etag,
            last_modified=page.last_modified,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
        )
    ):
        return 304, list(page.not_modified_headers), b""
    return 200, list(page.ok_headers), page.body


class PreparedPages:
    """Answers a request for a kept, current public page before the web framework sees it
    (routing, request and response objects cost several times the lookup); anything
    else, and a page not kept yet, goes on to `app`, whose routes build and keep pages.

    Placed inside the host gate, security headers and request id, like every page."""

    def __init__(
        self,
        app: ASGIApp,
        pages: PageCache,
        timeline: Callable[[], Timeline],
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self._pages, self._timeline, self._clock = pages, timeline, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            key, headers = self._key(scope)
            page = None if key is None else self._pages.find(key, self._timeline(), self._clock())
            if page is not None:
                status, fields, body = _answer(
                    page, headers.get(b"if-none-match"), headers.get(b"if-modified-since")
                )
                await send({"type": "http.response.start", "status": status, "headers": fields})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _key(scope: Scope) -> tuple[tuple[str, ...] | None, dict[bytes, str]]:
        path: str = scope["path"]
        if path == "/":
            kind, name = "index", ""
        elif path.startswith(("/regions/", "/events/")) and path.count("/") == 2:
            kind, _, name = path[1:].partition("/")
            kind = kind[:-1]  # "regions" -> "region", as the routes key them
            if not name:
                return None, {}
        else:
            return None, {}
        headers: dict[bytes, str] = {}
        for header, value in scope["headers"]:
            headers.setdefault(header, value.decode("latin-1"))  # the first, as Starlette's
        chosen = None
        query = scope["query_string"].decode("latin-1")
        # Most requests have no query at all; parsing one costs a tenth of the request.
        for parameter, given in parse_qsl(query, keep_blank_values=True) if query else ():
            if parameter == "lang":
                chosen = given  # the last one, as Starlette's query_params.get
        lang = negotiate(chosen, headers.get(b"accept-language"))
        return ((kind, lang) if kind == "index" else (kind, name, lang)), headers
