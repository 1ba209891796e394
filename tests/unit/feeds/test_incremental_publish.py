"""A FeedSet built from the previous one renders only the entries whose content changed,
and serves exactly what one built afresh would."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from feeds import Timeline
from feeds.history import Effect, HistoryEntry
from feeds.prepared import Prepared
from feeds.publish import FeedSet
from feeds.revisions import advance
from feeds.vocabulary import LANGUAGES
from tests.support.feed_fixtures import BASE_URL, NOW, fixture_revisions, fixture_timeline

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)
LATER = NOW + timedelta(days=3)


def everything(feed_set: FeedSet) -> dict[tuple[str, ...], Prepared | None]:
    """Every feed and event file in every language."""
    served: dict[tuple[str, ...], Prepared | None] = {
        ("feed", key, lang): feed_set.feed(key, lang) for key in feed_set.keys for lang in LANGUAGES
    }
    for event in feed_set.timeline.events:
        for lang in LANGUAGES:
            served[("event", event.id, lang)] = feed_set.event(event.id, lang)
    return served


def last_modified(feed_set: FeedSet, key: str) -> datetime:
    prepared = feed_set.feed(key, "en")
    assert prepared is not None
    return prepared.last_modified


def retitled(timeline: Timeline, event_id: str, title: str) -> Timeline:
    events = tuple(
        replace(event, titles={**event.titles, "en": title}) if event.id == event_id else event
        for event in timeline.events
    )
    return replace(timeline, events=events)


def test_feed_set_after_one_event_edit_renders_only_that_events_entries() -> None:
    before = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)
    edited = retitled(TIMELINE, "lac-month", "Edited regional consultation")
    revisions, _ = advance(REVISIONS, edited, LATER)

    after = FeedSet(edited, revisions, BASE_URL, LATER, previous=before)

    assert after.rendered == [("lac-month", lang) for lang in LANGUAGES]


def test_feed_set_after_one_event_edit_serves_what_a_fresh_build_serves() -> None:
    before = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)
    everything(before)  # event files assembled, so that some are carried over
    edited = retitled(TIMELINE, "lac-month", "Edited regional consultation")
    revisions, _ = advance(REVISIONS, edited, LATER)

    after = FeedSet(edited, revisions, BASE_URL, LATER, previous=before)

    assert everything(after) == everything(FeedSet(edited, revisions, BASE_URL, LATER))


def test_feed_set_reloaded_unchanged_renders_nothing_and_keeps_every_feed() -> None:
    before = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)

    after = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW, previous=before)

    assert (after.rendered, everything(after)) == ([], everything(before))


def test_feed_set_first_build_renders_every_entry_once() -> None:
    feed_set = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)

    assert sorted(feed_set.rendered) == sorted(
        (event.id, lang) for event in TIMELINE.events for lang in LANGUAGES
    )


def test_feed_set_on_a_later_day_renders_the_entries_whose_window_ended() -> None:
    ending = {e.id for e in TIMELINE.events if NOW < e.ends_at <= NOW + timedelta(days=200)}
    before = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)
    later = NOW + timedelta(days=200)

    after = FeedSet(TIMELINE, REVISIONS, BASE_URL, later, previous=before)

    assert (sorted(after.rendered), everything(after)) == (
        sorted((event_id, lang) for event_id in ending for lang in LANGUAGES),
        everything(FeedSet(TIMELINE, REVISIONS, BASE_URL, later)),
    )


def test_feed_set_after_a_removal_moves_last_modified_of_the_feeds_that_held_it() -> None:
    before = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)
    gone = TIMELINE.event("lac-month")
    assert gone is not None
    remaining = replace(TIMELINE, events=tuple(e for e in TIMELINE.events if e is not gone))
    removal = HistoryEntry(
        "lac-month", REVISIONS["lac-month"].sequence, LATER, Effect.REMOVED, (), gone.published()
    )

    after = FeedSet(
        remaining, REVISIONS, BASE_URL, LATER, history={"lac-month": (removal,)}, previous=before
    )

    assert {key: last_modified(after, key) for key in after.keys} == {
        "all": LATER,
        "asia-pacific": last_modified(before, "asia-pacific"),
        "arab-states": last_modified(before, "arab-states"),
        "latin-america-caribbean": LATER,
    }
    assert after.rendered == []
