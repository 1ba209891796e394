"""Entries rendered as a batch elsewhere make the FeedSet one rendered in place makes."""

from __future__ import annotations

from feeds.entry_batch import render_entries
from feeds.ical import in_feed
from feeds.publish import FeedSet
from feeds.vocabulary import LANGUAGES
from tests.support.feed_fixtures import BASE_URL, HOST, NOW, fixture_revisions, fixture_timeline
from tests.unit.feeds.test_incremental_publish import everything

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)


def test_feed_set_with_half_rendered_elsewhere_serves_what_one_rendered_in_place_does() -> None:
    part = TIMELINE.events[len(TIMELINE.events) // 2 :]
    regions = {region.id: region for region in TIMELINE.regions}
    elsewhere = render_entries(part, REVISIONS, HOST, BASE_URL, regions, NOW)

    shared = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW, elsewhere=elsewhere)
    alone = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)

    assert everything(shared) == everything(alone)
    assert shared.rendered == [(e.id, lang) for e in TIMELINE.events for lang in LANGUAGES]


def test_feed_set_takes_the_entries_rendered_elsewhere_as_they_are() -> None:
    event = next(e for e in TIMELINE.events if in_feed(e, NOW))
    marked = (b"BEGIN:VEVENT\r\nX-MARK:elsewhere\r\nEND:VEVENT\r\n", frozenset[str]())
    shared = FeedSet(
        TIMELINE, REVISIONS, BASE_URL, NOW, elsewhere={event.id: dict.fromkeys(LANGUAGES, marked)}
    )

    served = shared.feed("all", "fr")
    assert served is not None
    assert [line for line in served.body.split(b"\r\n") if line.startswith(b"X-MARK")] == [
        b"X-MARK:elsewhere"
    ]
