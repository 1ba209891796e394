"""A served calendar file: its validators, always kept, and its bytes, kept while there is room.

The feeds of a long timeline are large (at 10,000 events each all-regions feed is 13 MB,
the 36 feeds of a load 206 MB) and mostly repeat the same entries. So a feed's ETag,
Last-Modified and length are worked out when the timeline loads, from its parts and
without joining them (SHA-256 fed part by part is the digest of the whole); the joined
bytes are made on the first request that needs them (a 304 never does) and kept in a
`BodyCache`, bounded in bytes and shared by every load, which drops the least recently
used. A dropped body is joined again on its next request: a few milliseconds for the
longest feed, where sending it takes longer.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime

from feeds.revisions import utc_seconds

#: What the bodies of every feed may take together, unless the service is told otherwise
#: (``GCMCAL_FEED_CACHE_MB``). The shipped timeline's 36 feeds take about 1 MB, those of
#: 1,000 events 21 MB: they stay. At 10,000 events two of the 13 MB all-regions feeds fit
#: beside the region feeds in demand.
BODY_BUDGET = 32 * 1024 * 1024


class BodyCache:
    """Bodies by their ETag (a digest of the bytes, so a body is the same in every load
    that has it), the least recently used dropped beyond `budget` bytes. The serving
    loop and the threads that prepare a load or export the feeds share it."""

    def __init__(self, budget: int = BODY_BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
                return body
        # Joined outside the lock: a long feed takes milliseconds.
        body = make()
        if len(body) <= self.budget:
            with self._lock:
                if self._bodies.setdefault(etag, body) is body:
                    self.size += len(body)
                while self.size > self.budget:
                    _, dropped = self._bodies.popitem(last=False)
                    self.size -= len(dropped)
        return body

    def __len__(self) -> int:
        return len(self._bodies)


class Prepared:
    """A calendar file as HTTP serves it: strong ETag (quoted base64url of the SHA-256 of
    the body), Last-Modified (aware UTC, whole seconds), length, and the body."""

    __slots__ = ("_held", "etag", "last_modified", "length")

    def __init__(self, etag: str, last_modified: datetime, length: int, body: bytes) -> None:
        self.etag = etag
        self.last_modified = last_modified
        self.length = length
        self._held = body

    @property
    def body(self) -> bytes:
        return self._held

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prepared):
            return NotImplemented
        return (self.etag, self.last_modified, self.body) == (
            other.etag,
            other.last_modified,
            other.body,
        )

    def __hash__(self) -> int:
        return hash(self.etag)

    def __repr__(self) -> str:
        return f"Prepared({self.etag}, {self.last_modified.isoformat()}, {self.length} bytes)"


class _Joined(Prepared):
    """A file whose body is joined from its parts into a `BodyCache` when asked for."""

    __slots__ = ("_cache", "_parts")

    def __init__(
        self,
        etag: str,
        last_modified: datetime,
        length: int,
        parts: Callable[[], Iterable[bytes]],
        cache: BodyCache,
    ) -> None:
        super().__init__(etag, last_modified, length, b"")
        self._parts = parts
        self._cache = cache

    @property
    def body(self) -> bytes:
        return self._cache.get(self.etag, self._join)

    def _join(self) -> bytes:
        return b"".join(self._parts())


def prepared(body: bytes, last_modified: datetime) -> Prepared:
    """A small file, its body held."""
    return Prepared(_etag(hashlib.sha256(body)), utc_seconds(last_modified), len(body), body)


def prepared_parts(
    parts: Callable[[], Iterable[bytes]], last_modified: datetime, cache: BodyCache
) -> Prepared:
    """A file of the bytes `parts()` gives (asked again whenever the body is joined), its
    validators worked out now and its body left to `cache`."""
    digest = hashlib.sha256()
    length = 0
    for part in parts():
        digest.update(part)
        length += len(part)
    return _Joined(_etag(digest), utc_seconds(last_modified), length, parts, cache)


def _etag(digest: hashlib._Hash) -> str:
    return '"' + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode() + '"'
