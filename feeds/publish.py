"""Every feed of a timeline load, with the validators HTTP needs.

A `FeedSet` works out, when the timeline loads, the ETag, Last-Modified and length of
each region feed and of the all-regions feed in each language; their bytes are joined
from the kept entries (`feeds.kept_entries`) on the first request that needs them and
kept in a cache bounded in bytes (`feeds.prepared`). Feeds filtered by kind, subscribers'
own feeds (`FeedSet.personal`: their regions and kinds) and each event's own file are
made on first request and kept in bounded LRUs inside the set, which is replaced as a
whole on the next load.

Last-Modified of a feed moves with every change of what it holds: it is the latest of
the revision times of its events, the moment a cancelled or postponed event left it at
the end of its retention, and every moment of the change history (`feeds.history`) of
an event that is or was in it — so deleting an event from the timeline file, moving it
to another region or kind, or bringing it back all move it, and a client that sends
only If-Modified-Since gets the new body.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any
from urllib.parse import quote, urlsplit

from babel.lists import format_list

from feeds import feed_words
from feeds.entry_batch import Rendered, event_page_url
from feeds.feed_moments import last_modified
from feeds.history import History
from feeds.ical import (
    FeedMeta,
    assemble,
    calendar_head,
    calendar_parts,
    feed_order,
    revision_of,
    zone_block,
)
from feeds.kept_entries import LANGUAGE_INDEX, KeptEntries, take_entries
from feeds.prepared import BODY_BUDGET, BodyCache, Prepared, prepared, prepared_parts
from feeds.revisions import Revision, utc_seconds
from feeds.timeline import Event, Timeline
from feeds.vocabulary import LANGUAGES, Kind, babel_locale, phrase

ALL = "all"
ALL_KINDS = frozenset(Kind)
_KIND_VALUES = frozenset(kind.value for kind in Kind)
#: Selections of regions, kinds and language, as `FeedSet.personal` keeps them.
Selection = tuple[tuple[str, ...], tuple[str, ...], str]


def calendar_name(lang: str, where: str) -> str:
    """A feed's whole name in `lang` (what calendar apps and Outlook show for it)."""
    calendar = phrase(feed_words.CALENDAR_NAME, lang)
    return phrase(feed_words.CALENDAR_NAME_FOR, lang, calendar=calendar, where=where)


def personal_feed_name(timeline: Timeline, regions: Iterable[str], lang: str) -> str:
    """A subscriber's own feed's name, wholly in `lang`: "GCM regional reviews — Africa
    and Asia" (every region when none is chosen)."""
    wanted = set(regions)
    names = [region.name(lang) for region in timeline.regions if region.id in wanted]
    if not names:
        return calendar_name(lang, phrase(feed_words.ALL_REGIONS, lang))
    return calendar_name(lang, format_list(names, locale=babel_locale(lang)))


class FeedSet:
    """The feeds of one timeline load, assembled from entries kept across loads.

    Each entry (one event's VEVENT in one language) is rendered once per `EntryKey`;
    a FeedSet built with `previous` takes over every entry whose key did not change, and
    every feed whose entries and validators did not, so a one-event edit renders that
    event's six entries and works out again (never re-renders) the feeds that hold it.
    Every feed's validators are worked out at load; bodies are joined on request and kept
    in a `BodyCache` bounded in bytes, shared with the previous load (`feeds.prepared`).
    Single-event files are made on first request and kept (bounded LRU).
    """

    def __init__(
        self,
        timeline: Timeline,
        revisions: Mapping[str, Revision],
        base_url: str,
        now: datetime,
        *,
        uid_host: str | None = None,
        event_page: Callable[[str], str] | None = None,
        feed_page: Callable[[str], str] | None = None,
        filtered_cache_size: int = 256,
        event_cache_size: int = 4096,
        body_budget: int = BODY_BUDGET,
        history: History | None = None,
        previous: FeedSet | None = None,
        elsewhere: Rendered | None = None,
    ) -> None:
        base = base_url.rstrip("/")
        host = uid_host or urlsplit(base).hostname
        if not host:
            raise ValueError(f"base URL {base_url!r} has no host name (needed for event UIDs)")
        self.timeline = timeline
        self.now = utc_seconds(now)
        self.host = host
        self._revisions = revisions
        self.history: History = history or {}
        self._event_page = event_page or partial(event_page_url, base)
        self._feed_page = feed_page or (
            lambda key: f"{base}/" if key == ALL else f"{base}/regions/{quote(key)}"
        )
        self._regions = {region.id: region for region in timeline.regions}
        #: "all" first, then the region ids in timeline order.
        self.keys: tuple[str, ...] = (ALL, *self._regions)
        self._bodies: BodyCache = (
            previous._bodies if previous is not None else BodyCache(body_budget)
        )
        # An entry names no feed: only the host, event pages and regions reach it.
        metas = {lang: self._meta(ALL, lang, ALL_KINDS) for lang in LANGUAGES}
        self._entries: dict[str, KeptEntries]
        self._entries, rendered = take_entries(
            timeline.events,
            revisions,
            self._regions,
            self.now,
            metas,
            {} if previous is None else previous._entries,
            elsewhere,
        )
        #: (event id, language) of every entry this load rendered, in rendering order.
        self.rendered: list[tuple[str, str]] = rendered
        self._assembled: dict[tuple[str, str], _Assembled] = {}
        self._selections: dict[str, tuple[list[Event], datetime]] = {}
        #: Per feed key, the kept entries of the events it shows, in order.
        self._shown: dict[str, tuple[KeptEntries, ...]] = {}
        #: Per feed key, its VTIMEZONE block (the same in every language).
        self._zones: dict[str, bytes] = {}
        self._feeds = {
            (key, lang): self._feed(key, lang, previous) for key in self.keys for lang in LANGUAGES
        }
        self._events: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
        self._event_cache_size = event_cache_size
        self._filtered: OrderedDict[tuple[str, str, frozenset[Kind]], Prepared] = OrderedDict()
        self._personal: OrderedDict[Selection, Prepared] = OrderedDict()
        self._filtered_cache_size = filtered_cache_size

    @property
    def kept_bytes(self) -> int:
        """What the bodies kept for requests take (at most the body budget)."""
        return self._bodies.size

    def feed(self, key: str, lang: str, kinds: Iterable[Kind] | None = None) -> Prepared | None:
        """The feed of region `key` (or "all"); None when there is no such region."""
        wanted = ALL_KINDS if kinds is None else frozenset(kinds)
        if wanted == ALL_KINDS:
            return self._feeds.get((key, lang))
        if key not in self.keys or lang not in LANGUAGES:
            return None
        return _kept(
            self._filtered,
            (key, lang, wanted),
            lambda: self._render(key, lang, wanted).prepared,
            self._filtered_cache_size,
        )

    def personal(self, regions: Iterable[str], kinds: Iterable[str], lang: str) -> Prepared:
        """A subscriber's own feed: the events of `regions` and `kinds` (none: all; ids the
        timeline no longer has are left out) in `lang`, assembled from the kept entries
        like every feed. Thousands of subscribers share a few selections, so each is kept
        (bounded LRU) until the next load."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        selection: Selection = (tuple(sorted(set(regions))), tuple(sorted(set(kinds))), lang)
        return _kept(
            self._personal,
            selection,
            lambda: self._personal_feed(*selection),
            self._filtered_cache_size,
        )

    def event(self, event_id: str, lang: str) -> Prepared | None:
        """One event's own calendar file; None when there is no such event."""
        kept = self._entries.get(event_id) if lang in LANGUAGES else None
        if kept is None:
            return None
        return _kept(
            self._events,
            (event_id, lang),
            lambda: self._event_file(kept, lang),
            self._event_cache_size,
        )

    def attachment(self, event_id: str, lang: str) -> bytes | None:
        """One event as an email attachment (``METHOD:PUBLISH``)."""
        kept = self._entries.get(event_id) if lang in LANGUAGES else None
        if kept is None:
            return None
        return assemble(self._event_meta(kept.event, lang), lang, "PUBLISH", [kept.entry(lang)])

    # Rendering ------------------------------------------------------------------------

    def _event_file(self, kept: KeptEntries, lang: str) -> Prepared:
        body = assemble(self._event_meta(kept.event, lang), lang, None, [kept.entry(lang)])
        return prepared(body, revision_of(self._revisions, kept.event).modified)

    def _feed(self, key: str, lang: str, previous: FeedSet | None) -> Prepared:
        made = self._render(key, lang, ALL_KINDS, previous)
        self._assembled[(key, lang)] = made
        return made.prepared

    def _render(
        self, key: str, lang: str, kinds: frozenset[Kind], previous: FeedSet | None = None
    ) -> _Assembled:
        shown, modified = self._selection(key, kinds)
        kept = self._shown.get(key) if kinds == ALL_KINDS else None
        if kept is None:
            kept = tuple(map(self._entries.__getitem__, map(_ID, shown)))
            if kinds == ALL_KINDS:
                self._shown[key] = kept
        meta = self._meta(key, lang, kinds)
        said = (meta.name, meta.description, meta.url)
        before = None if previous is None else previous._assembled.get((key, lang))
        if (
            before is not None
            and before.meta == said
            and before.prepared.last_modified == modified
            and before.kept == kept  # records compare by identity
        ):
            return before
        zones = self._zones.get(key) if kinds == ALL_KINDS else None
        if zones is None:
            zones = zone_block(kept)
            if kinds == ALL_KINDS:
                self._zones[key] = zones
        parts = partial(_calendar_parts, calendar_head(meta, lang, None), zones, kept, lang)
        return _Assembled(kept, said, prepared_parts(parts, modified, self._bodies))

    def _selection(self, key: str, kinds: frozenset[Kind]) -> tuple[list[Event], datetime]:
        """The events a feed lists, in order, and its Last-Modified: the same in every
        language, so worked out once per region (kind filters: on each request)."""
        found = self._selections.get(key) if kinds == ALL_KINDS else None
        if found is None:
            regions = None if key == ALL else [key]
            events = self.timeline.select(regions=regions, kinds=kinds)
            modified = last_modified(
                events,
                self._revisions,
                self.now,
                self.history,
                regions,
                None if kinds == ALL_KINDS else [kind.value for kind in kinds],
            )
            found = (feed_order(events, self.now), utc_seconds(modified))
            if kinds == ALL_KINDS:
                self._selections[key] = found
        return found

    def _personal_feed(
        self, regions: tuple[str, ...], kinds: tuple[str, ...], lang: str
    ) -> Prepared:
        known = [region for region in regions if region in self._regions]
        chosen = known if regions else None
        wanted = [Kind(kind) for kind in kinds if kind in _KIND_VALUES] if kinds else None
        events = self.timeline.select(regions=chosen, kinds=wanted)
        modified = last_modified(
            events, self._revisions, self.now, self.history, chosen, kinds or None
        )
        meta = FeedMeta(
            key="+".join(["personal", *(known or [ALL]), *kinds]),
            name=personal_feed_name(self.timeline, known, lang),
            description=phrase(feed_words.CALENDAR_DESCRIPTION, lang),
            url=self._feed_page(ALL),
            host=self.host,
            event_url=self._event_page,
            regions=self._regions,
        )
        kept = tuple(self._entries[event.id] for event in feed_order(events, self.now))
        head = calendar_head(meta, lang, None)
        parts = partial(_calendar_parts, head, zone_block(kept), kept, lang)
        return prepared_parts(parts, modified, self._bodies)

    def _meta(self, key: str, lang: str, kinds: frozenset[Kind]) -> FeedMeta:
        region = self._regions.get(key)
        where = phrase(feed_words.ALL_REGIONS, lang) if region is None else region.name(lang)
        export = key if kinds == ALL_KINDS else "+".join([key, *sorted(kinds)])
        return FeedMeta(
            key=export,
            name=calendar_name(lang, where),
            description=phrase(feed_words.CALENDAR_DESCRIPTION, lang),
            url=self._feed_page(key),
            host=self.host,
            event_url=self._event_page,
            regions=self._regions,
        )

    def _event_meta(self, event: Event, lang: str) -> FeedMeta:
        return FeedMeta(
            key=f"event-{event.id}",
            name=event.title(lang),
            description=phrase(feed_words.CALENDAR_DESCRIPTION, lang),
            url=self._event_page(event.id),
            host=self.host,
            event_url=self._event_page,
            regions=self._regions,
        )


def _kept(
    cache: OrderedDict[Any, Prepared], key: Any, make: Callable[[], Prepared], size: int
) -> Prepared:
    """`cache[key]`, made first if missing; the least recently used goes beyond `size`."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
        if len(cache) > size:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found


def _calendar_parts(
    head: bytes, zones: bytes, kept: tuple[KeptEntries, ...], lang: str
) -> Iterator[bytes]:
    """A calendar's bytes in order, from the kept entries in `lang`."""
    return calendar_parts(head, zones, map(itemgetter(LANGUAGE_INDEX[lang]), map(_BODIES, kept)))


_ID = attrgetter("id")
_BODIES = attrgetter("bodies")


@dataclass(frozen=True, slots=True)
class _Assembled:
    #: The events' kept entries, in the feed's order (the same in every language).
    kept: tuple[KeptEntries, ...]
    meta: tuple[str, str, str]
    prepared: Prepared
