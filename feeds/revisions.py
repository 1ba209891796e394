"""Revisions: the SEQUENCE and LAST-MODIFIED every feed entry carries.

Calendar clients (Google above all) apply an edit to an event they already hold only
when its SEQUENCE grows, so each event keeps a revision that moves forward exactly when
what subscribers see of it (`Event.digest`) changes. The service stores the mapping in
its database and calls `advance` on every timeline load; this module only computes.

An event that leaves the timeline keeps its last revision in the mapping, so that if it
comes back with different content its SEQUENCE continues instead of restarting at 0
(a client that still holds the old copy would ignore a lower number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from feeds.timeline import Timeline


@dataclass(frozen=True, slots=True)
class Revision:
    sequence: int
    #: Aware, UTC, whole seconds: iCalendar and HTTP dates carry no fractions.
    modified: datetime
    digest: str


def utc_seconds(moment: datetime) -> datetime:
    """`moment` in UTC without microseconds; refuses a naive value (its zone is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware one")
    return moment.astimezone(UTC).replace(microsecond=0)


def advance(
    previous: Mapping[str, Revision], timeline: Timeline, now: datetime
) -> tuple[dict[str, Revision], list[str]]:
    """The revisions after loading `timeline` at `now`, and the ids that got a new one.

    New events start at sequence 0; an event whose digest differs from its stored
    revision gets sequence + 1; both are stamped `now`. Everything else, including the
    revisions of events no longer in the timeline, is carried over unchanged. The
    changed ids come in timeline order.
    """
    stamp = utc_seconds(now)
    revisions = dict(previous)
    changed: list[str] = []
    for event in timeline.events:
        old = previous.get(event.id)
        if old is not None and old.digest == event.digest:
            continue
        sequence = 0 if old is None else old.sequence + 1
        revisions[event.id] = Revision(sequence, stamp, event.digest)
        changed.append(event.id)
    return revisions, changed
