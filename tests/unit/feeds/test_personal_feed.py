"""A subscriber's own feed, built by the FeedSet from its kept entries."""

from __future__ import annotations

from urllib.parse import quote

from feeds import feed_words
from feeds.ical import FeedMeta, render_calendar
from feeds.publish import FeedSet, last_modified, personal_feed_name
from feeds.vocabulary import Kind, phrase
from tests.support.feed_fixtures import BASE_URL, HOST, NOW, fixture_revisions, fixture_timeline
from tests.support.ics_reading import uids

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)


def feeds() -> FeedSet:
    return FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)


def test_personal_feed_is_the_selection_rendered_whole() -> None:
    regions, kinds = ["latin-america-caribbean"], ["registration-deadline", "imrf"]
    events = TIMELINE.select(regions=regions, kinds=[Kind(kind) for kind in kinds])
    meta = FeedMeta(
        key="personal+latin-america-caribbean+imrf+registration-deadline",
        name=personal_feed_name(TIMELINE, regions, "fr"),
        description=phrase(feed_words.CALENDAR_DESCRIPTION, "fr"),
        url=f"{BASE_URL}/",
        host=HOST,
        event_url=lambda event_id: f"{BASE_URL}/events/{quote(event_id)}",
        regions={region.id: region for region in TIMELINE.regions},
    )

    personal = feeds().personal(regions, kinds, "fr")

    assert (personal.body, personal.last_modified) == (
        render_calendar(events, feed=meta, revisions=REVISIONS, lang="fr", now=NOW),
        last_modified(events, REVISIONS, NOW, None, regions, ["imrf", "registration-deadline"]),
    )
    assert uids(personal.body) == [f"{event}@{HOST}" for event in ("lac-deadline", "imrf-year")]


def test_personal_feed_leaves_out_regions_no_longer_in_the_timeline() -> None:
    feed_set = feeds()
    assert feed_set.personal(["atlantis", "arab-states"], [], "en") == feed_set.personal(
        ["arab-states"], [], "en"
    )


def test_personal_feed_kept_per_selection_whatever_the_order() -> None:
    feed_set = feeds()
    first = feed_set.personal(["arab-states", "asia-pacific"], ["imrf"], "ar")
    assert feed_set.personal(["asia-pacific", "arab-states"], ["imrf"], "ar") is first


def test_personal_feed_without_choices_is_every_event() -> None:
    feed_set = feeds()
    everything = feed_set.feed("all", "en")
    assert everything is not None
    assert uids(feed_set.personal([], [], "en").body) == uids(everything.body)
