"""A batch of entries rendered as plain data, so another process can render part of a load.

A first load of a long timeline renders every entry; `render_entries` does it for some of
the events with nothing but picklable inputs (no callables), returning each entry's bytes
and zones, and `FeedSet` takes them (`elsewhere=`) exactly as if it had rendered them: the
inputs are the ones `FeedSet` renders with, and the event pages are `event_page_url`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from urllib.parse import quote

from feeds.feed_meta import FeedMeta
from feeds.ical import render_entry
from feeds.revisions import Revision
from feeds.timeline import Event, Region
from feeds.vocabulary import LANGUAGES

#: Event id -> language -> (the entry's bytes, the zones it names).
Rendered = Mapping[str, Mapping[str, tuple[bytes, frozenset[str]]]]


def event_page_url(base: str, event_id: str) -> str:
    """The web page of an event under the service's public URL `base` (no trailing /)."""
    return f"{base}/events/{quote(event_id)}"


def render_entries(
    events: Sequence[Event],
    revisions: Mapping[str, Revision],
    host: str,
    base: str,
    regions: Mapping[str, Region],
    now: datetime,
) -> dict[str, dict[str, tuple[bytes, frozenset[str]]]]:
    """Every language's entry of each of `events`, as `FeedSet` renders them."""
    # An entry reads only the UID host, the event pages and the regions of its feed.
    feed = FeedMeta(
        key="all",
        name="",
        description="",
        url="",
        host=host,
        event_url=partial(event_page_url, base),
        regions=regions,
    )
    found = {}
    for event in events:
        revision = revisions[event.id]
        entries = {}
        for lang in LANGUAGES:
            entry = render_entry(event, feed=feed, revision=revision, lang=lang, now=now)
            entries[lang] = (entry.body, entry.tzids)
        found[event.id] = entries
    return found
