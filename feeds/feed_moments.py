"""When a feed last changed: its Last-Modified (see `feeds.publish`).

It moves with every change of what the feed holds: the latest revision among the events
it shows, the moment a cancelled or postponed one left it at the end of its retention,
and every moment of the change history of an event that is or was in it (removals
included), so a client that sends only If-Modified-Since gets the new body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from feeds.history import History
from feeds.ical import SHOWN_AFTER_END, in_feed, revision_of
from feeds.revisions import Revision, utc_seconds
from feeds.timeline import GLOBAL, Event

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def last_modified(
    events: Iterable[Event],
    revisions: Mapping[str, Revision],
    now: datetime,
    history: History | None = None,
    regions: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> datetime:
    """When a feed of `events` (those of `regions` and `kinds`; None: all) last changed:
    the latest revision among those it shows, the moment a cancelled or postponed one
    left it at the end of its retention, or the latest history entry of an event that
    is or was in it (removals included)."""
    moments = [_EPOCH]
    for event in events:
        if in_feed(event, now):
            moments.append(utc_seconds(revision_of(revisions, event).modified))
        else:
            moments.append(utc_seconds(event.ends_at + SHOWN_AFTER_END))
    if history:
        moments += touched(history, regions, kinds)
    return max(moments)


def touched(
    history: History, regions: Iterable[str] | None, kinds: Iterable[str] | None
) -> list[datetime]:
    """The moments of history entries that changed a feed of `regions` and `kinds`: an
    entry touches the feeds of the event as it was before it and as it is after it."""
    wanted_regions = None if regions is None else {*regions, GLOBAL}
    wanted_kinds = None if kinds is None else set(kinds)

    def selected(published: Mapping[str, Any] | None) -> bool:
        return published is not None and (
            (wanted_regions is None or published.get("region") in wanted_regions)
            and (wanted_kinds is None or published.get("kind") in wanted_kinds)
        )

    moments = []
    for entries in history.values():
        before: Mapping[str, Any] | None = None
        for entry in entries:
            if selected(before) or selected(entry.published):
                moments.append(utc_seconds(entry.at))
            before = entry.published
    return moments
