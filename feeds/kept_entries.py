"""Each event's entries in every language, kept from one timeline load to the next.

An entry's bytes depend on the event, its revision, whether its window is over and its
region's contact (`EntryKey`); a load takes over every event whose key did not change
and renders the others. The six entries of an event are kept together, in `LANGUAGES`
order, with the zones their dates name (the same in every language): at 10,000 events
that is one small record per event beside the bytes, where one object per entry and
language cost 16 MB.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from feeds.entry_batch import Rendered
from feeds.ical import Entry, FeedMeta, render_entry, revision_of
from feeds.lapse import window_over
from feeds.revisions import Revision
from feeds.timeline import Event, Region
from feeds.vocabulary import LANGUAGES

#: Language -> its place in `KeptEntries.bodies`.
LANGUAGE_INDEX = {lang: index for index, lang in enumerate(LANGUAGES)}


@dataclass(frozen=True, slots=True)
class EntryKey:
    """Everything an entry's bytes depend on besides the event id and language."""

    digest: str
    revision: Revision
    #: The only way `now` reaches an entry (`feeds.lapse`).
    over: bool
    #: The region's contact, written in the description.
    contact: str | None


@dataclass(frozen=True, slots=True, eq=False)
class KeptEntries:
    """One event's entries; records compare by identity (a load that keeps an event keeps
    its record)."""

    key: EntryKey
    event: Event
    #: The event's VEVENT in each language, in `LANGUAGES` order.
    bodies: tuple[bytes, ...]
    #: The zones its dates name (each needs a VTIMEZONE in a calendar holding it).
    tzids: frozenset[str]

    def entry(self, lang: str) -> Entry:
        return Entry(self.event, self.bodies[LANGUAGE_INDEX[lang]], self.tzids)


def take_entries(
    events: tuple[Event, ...],
    revisions: Mapping[str, Revision],
    regions: Mapping[str, Region],
    now: datetime,
    metas: Mapping[str, FeedMeta],
    carried: Mapping[str, KeptEntries],
    elsewhere: Rendered | None,
) -> tuple[dict[str, KeptEntries], list[tuple[str, str]]]:
    """Every event's entries (by event id): `carried` over where the key holds, else
    those rendered `elsewhere` for this load (`feeds.entry_batch`; asked only for the
    events it holds), else rendered here with `metas` (per language); and the (event id,
    language) of each entry rendered for this load, in order."""
    kept: dict[str, KeptEntries] = {}
    rendered: list[tuple[str, str]] = []
    for event in events:
        revision = revision_of(revisions, event)
        region = regions.get(event.region)
        key = EntryKey(
            event.digest, revision, window_over(event, now), region.contact if region else None
        )
        found = carried.get(event.id)
        if found is None or found.key != key:
            done = elsewhere.get(event.id) if elsewhere and event.id in elsewhere else None
            if done is not None:
                bodies = tuple(done[lang][0] for lang in LANGUAGES)
                tzids = done[LANGUAGES[0]][1]
            else:
                entries = [
                    render_entry(event, feed=metas[lang], revision=revision, lang=lang, now=now)
                    for lang in LANGUAGES
                ]
                bodies = tuple(entry.body for entry in entries)
                tzids = entries[0].tzids
            found = KeptEntries(key, event, bodies, _shared(tzids))
            rendered += [(event.id, lang) for lang in LANGUAGES]
        kept[event.id] = found
    return kept, rendered


@lru_cache(maxsize=1024)
def _shared(tzids: frozenset[str]) -> frozenset[str]:
    """One object for every entry naming the same zones."""
    return tzids
