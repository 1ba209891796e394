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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from feeds.timeline import Timeline


@dataclass(frozen=True, slots=True)
class Revision:
    sequence: int
    #: Aware, UTC, whole seconds: iCalendar and HTTP dates carry no fractions.
    modified: datetime
    digest: str
    #: `Timeline.surroundings` of the event when last recorded (None in records made
    #: before they were kept). Not part of the revision's identity: they only decide
    #: when an edit outside the event (a region's contact or names) moves it.
    contact: str | None = field(default=None, compare=False)
    names: str | None = field(default=None, compare=False)


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
    revision gets sequence + 1; both are stamped `now`. So does an event whose region's
    contact changed: its entry's text did, and clients apply an edit only with a higher
    SEQUENCE. When only the region names in the names of the feeds carrying it changed,
    the event keeps its sequence but is stamped `now`, which moves those feeds'
    Last-Modified. Everything else, including the revisions of events no longer in the
    timeline, is carried over as it is. The changed ids (a new sequence) come in
    timeline order; the caller stores every revision that is not `previous`'s own.
    """
    stamp = utc_seconds(now)
    revisions = dict(previous)
    changed: list[str] = []
    for event in timeline.events:
        old = previous.get(event.id)
        contact, names = timeline.surroundings(event)
        if old is None or old.digest != event.digest:
            sequence = 0 if old is None else old.sequence + 1
            revisions[event.id] = Revision(sequence, stamp, event.digest, contact, names)
            changed.append(event.id)
        elif old.contact is None or old.names is None:
            # Recorded before surroundings were kept: nothing to compare with yet.
            revisions[event.id] = replace(old, contact=contact, names=names)
        elif old.contact != contact:
            revisions[event.id] = Revision(old.sequence + 1, stamp, event.digest, contact, names)
            changed.append(event.id)
        elif old.names != names:
            revisions[event.id] = Revision(old.sequence, stamp, event.digest, contact, names)
    return revisions, changed
