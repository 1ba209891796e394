"""Rate limits on sign-up and link requests.

Two limits guard the forms that make us send email:

* per client address, in this process: a sliding window (`SlidingWindow`) keyed by the
  client's IP address (an IPv6 client by its /64 network, which one household or
  phone usually holds whole). Each instance keeps its own window; this limit is about
  one client hammering one server, so instances need not agree.
* per email address, in the database, so that every instance agrees, under a keyed
  hash of the address whether it is known or not (`reminders.mail_quota`).

The clock is passed in; memory is bounded by `max_keys`.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Sign-up and link requests one client address may make per window.
REQUESTS_PER_CLIENT = 10
CLIENT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


class SlidingWindow:
    """At most `limit` hits per key within any `window`."""

    def __init__(
        self,
        limit: int,
        window: timedelta,
        clock: Callable[[], datetime],
        max_keys: int = 10_000,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[datetime]] = {}

    def hit(self, key: str) -> Decision:
        now = self._clock()
        start = now - self.window
        hits = self._hits.get(key)
        if hits is None:
            self._make_room(start)
            hits = self._hits[key] = deque(maxlen=self.limit)
        while hits and hits[0] <= start:
            hits.popleft()
        if len(hits) >= self.limit:
            wait = hits[0] + self.window - now
            return Decision(False, max(1, int(wait.total_seconds() + 0.999)))
        hits.append(now)
        return Decision(True)

    def _make_room(self, start: datetime) -> None:
        if len(self._hits) < self._max_keys:
            return
        # Forget keys whose hits are all outside the window, then the oldest keys.
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= start]:
            del self._hits[key]
        excess = len(self._hits) - self._max_keys + 1
        for key in list(self._hits)[: max(0, excess)]:
            del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


def client_key(host: str | None) -> str:
    """The rate-limit key of a client address: the IP, or its /64 for IPv6."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
