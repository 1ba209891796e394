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
from dataclasses import dataclass
from datetime import date, datetime

from starlette.requests import Request
from starlette.responses import Response

from feeds import Timeline
from feeds.conditional import http_date, is_not_modified
from feeds.revisions import utc_seconds

#: Pages kept at once; past it the least recently asked for is dropped.
PAGES_KEPT = 2048
#: Browsers and proxies may keep a page but must ask again before showing it.
CACHE_CONTROL = "no-cache"


@dataclass(frozen=True, slots=True)
class PreparedPage:
    body: bytes
    etag: str
    last_modified: datetime


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
        self._ends: tuple[Timeline | None, list[datetime]] = (None, [])
        #: How many pages were built (not found kept): what tests count.
        self.built = 0

    def moment(self, timeline: Timeline, now: datetime) -> tuple[date, int]:
        """What of `now` a page can show: the date and how many events are over."""
        known, ends = self._ends
        if known is not timeline:
            ends = sorted(event.ends_at for event in timeline.events)
            self._ends = (timeline, ends)
        return now.date(), bisect_right(ends, now)

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
    headers = {
        "ETag": page.etag,
        "Last-Modified": http_date(page.last_modified),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Language",
    }
    if is_not_modified(
        etag=page.etag,
        last_modified=page.last_modified,
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    ):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="text/html; charset=utf-8", headers=headers)
