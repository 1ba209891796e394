"""A subscriber's own calendar feed: exactly their regions and kinds, in their language.

The bytes come from the same renderer and rules as the public feeds
(`feeds.ical.render_calendar`: retention of cancelled events, UIDs, SEQUENCE from the
timeline's revisions), so an event looks the same in both. A rendered feed is kept
per (regions, kinds, language) until the timeline is reloaded: thousands of
subscribers share a few selections.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import quote

from babel.lists import format_list

from feeds import feed_words
from feeds.ical import FeedMeta, render_calendar
from feeds.publish import FeedSet, Prepared, calendar_name, last_modified, prepared
from feeds.timeline import Timeline
from feeds.wording import Kind, babel_locale, phrase
from reminders.timeline_source import Snapshot

_KEY = "personal"
_KIND_SLUGS = frozenset(kind.value for kind in Kind)
Selection = tuple[tuple[str, ...], tuple[str, ...], str]  # regions, kinds, language


def personal_feed_name(timeline: Timeline, regions: Iterable[str], lang: str) -> str:
    """The personal feed's name, wholly in `lang`: "GCM regional reviews — Africa and Asia"."""
    wanted = set(regions)
    names = [r.name(lang) for r in timeline.regions if r.id in wanted]
    where = (
        format_list(names, locale=babel_locale(lang))
        if names
        else phrase(feed_words.ALL_REGIONS, lang)
    )
    return calendar_name(lang, where)


class PersonalFeeds:
    """Prepared personal feeds of the FeedSet currently served."""

    def __init__(
        self, snapshot: Callable[[], Snapshot[FeedSet] | None], base_url: str, size: int = 256
    ) -> None:
        self._snapshot = snapshot
        self._base = base_url.rstrip("/")
        self._size = size
        self._current: Snapshot[FeedSet] | None = None
        self._memo: OrderedDict[Selection, Prepared] = OrderedDict()

    def feed(self, regions: Iterable[str], kinds: Iterable[str], lang: str) -> Prepared:
        snapshot = self._snapshot()
        if snapshot is None:
            raise RuntimeError("no timeline loaded yet")
        if snapshot is not self._current:
            self._current = snapshot
            self._memo = OrderedDict()
        key: Selection = (tuple(sorted(regions)), tuple(sorted(kinds)), lang)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._render(snapshot, *key)
            if len(self._memo) > self._size:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(key)
        return found

    def _render(
        self,
        snapshot: Snapshot[FeedSet],
        regions: tuple[str, ...],
        kinds: tuple[str, ...],
        lang: str,
    ) -> Prepared:
        timeline, feeds = snapshot.timeline, snapshot.served
        known = [region for region in regions if timeline.region(region) is not None]
        wanted_kinds = [Kind(kind) for kind in kinds if kind in _KIND_SLUGS]
        events = timeline.select(
            regions=known if regions else None, kinds=wanted_kinds if kinds else None
        )
        body = render_calendar(
            events,
            feed=self._meta(timeline, feeds.host, known, kinds, lang),
            revisions=snapshot.revisions,
            lang=lang,
            now=feeds.now,
        )
        modified = last_modified(
            events,
            snapshot.revisions,
            feeds.now,
            snapshot.history,
            known if regions else None,
            kinds or None,
        )
        return prepared(body, modified)

    def _meta(
        self, timeline: Timeline, host: str, regions: list[str], kinds: tuple[str, ...], lang: str
    ) -> FeedMeta:
        base = self._base
        return FeedMeta(
            key="+".join([_KEY, *(regions or ["all"]), *kinds]),
            name=personal_feed_name(timeline, regions, lang),
            description=phrase(feed_words.CALENDAR_DESCRIPTION, lang),
            url=f"{base}/",
            host=host,
            event_url=lambda event_id: f"{base}/events/{quote(event_id)}",
            regions={region.id: region for region in timeline.regions},
        )
