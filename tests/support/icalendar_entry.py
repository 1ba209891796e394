"""A feed entry built with icalendar's own objects: the reference `feeds.vevent_bytes`
is compared with (the service wrote every entry this way before it wrote bytes)."""

from __future__ import annotations

from datetime import datetime

from icalendar import Event as VEvent

from feeds.entry_text import description, location, summary
from feeds.folding import component_bytes
from feeds.ical import Entry, FeedMeta, entry_dates, ical_status
from feeds.revisions import Revision, utc_seconds
from feeds.timeline import Event
from feeds.vocabulary import KIND_NAMES, phrase


def _vevent(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> VEvent:
    stamp = utc_seconds(revision.modified)
    start, end = entry_dates(event)
    component = VEvent()
    component.add("uid", feed.uid(event.id))
    component.add("dtstamp", stamp)
    component.add("last-modified", stamp)
    component.add("sequence", revision.sequence)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    component.add("summary", summary(event, lang, now))
    component.add("status", ical_status(event))
    component.add("transp", "TRANSPARENT")
    component.add("x-microsoft-cdo-busystatus", "FREE")
    component.add("categories", [phrase(KIND_NAMES[event.kind], lang)])
    if where := location(event, lang):
        component.add("location", where)
    component.add("url", feed.event_url(event.id))
    component.add("description", description(event, feed=feed, lang=lang, now=now))
    return component


def icalendar_entry(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> Entry:
    """`feeds.ical.render_entry` through icalendar's objects."""
    component = _vevent(event, feed=feed, revision=revision, lang=lang, now=now)
    tzids = frozenset(
        tzid
        for _name, value in component.property_items(sorted=False)
        if (tzid := getattr(value, "params", {}).get("TZID"))
    )
    return Entry(event, component_bytes(component), tzids)
