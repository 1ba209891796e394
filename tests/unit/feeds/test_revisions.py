from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from feeds import Timeline
from feeds.revisions import Revision, advance
from tests.support.feed_fixtures import fixture_timeline

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def retitled(timeline: Timeline, event_id: str, title: str) -> Timeline:
    events = tuple(
        dataclasses.replace(e, titles={**e.titles, "en": title}) if e.id == event_id else e
        for e in timeline.events
    )
    return dataclasses.replace(timeline, events=events)


def without(timeline: Timeline, event_id: str) -> Timeline:
    kept = tuple(e for e in timeline.events if e.id != event_id)
    return dataclasses.replace(timeline, events=kept)


def digest(timeline: Timeline, event_id: str) -> str:
    event = timeline.event(event_id)
    assert event is not None
    return event.digest


def test_advance_new_timeline_starts_every_event_at_zero() -> None:
    timeline = fixture_timeline()

    revisions, changed = advance({}, timeline, T0)

    assert revisions == {e.id: Revision(0, T0, e.digest) for e in timeline.events}
    assert changed == [e.id for e in timeline.events]


def test_advance_unchanged_timeline_keeps_every_revision() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)

    second, changed = advance(first, timeline, T1)

    assert (second, changed) == (first, [])


def test_advance_bumps_exactly_the_changed_event() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)
    edited = retitled(timeline, "ap-day", "Asia-Pacific pre-consultation (moved online)")

    second, changed = advance(first, edited, T1)

    assert changed == ["ap-day"]
    assert second == {**first, "ap-day": Revision(1, T1, digest(edited, "ap-day"))}


def test_advance_removed_event_keeps_its_revision_and_readding_continues() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)
    second, changed_on_removal = advance(first, without(timeline, "ap-day"), T1)
    readded = retitled(timeline, "ap-day", "Asia-Pacific pre-consultation, second call")

    third, changed_on_readd = advance(second, readded, T2)

    assert (second, changed_on_removal) == (first, [])
    assert changed_on_readd == ["ap-day"]
    assert third["ap-day"] == Revision(1, T2, digest(readded, "ap-day"))


def test_advance_stamps_whole_seconds_in_utc() -> None:
    timeline = fixture_timeline()
    local = datetime(2024, 1, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))

    revisions, _ = advance({}, timeline, local)

    assert {r.modified for r in revisions.values()} == {T0}


def test_advance_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        advance({}, fixture_timeline(), datetime(2024, 1, 1))


def with_region(timeline: Timeline, region_id: str, **changes: object) -> Timeline:
    regions = tuple(
        dataclasses.replace(r, **changes) if r.id == region_id else r  # type: ignore[arg-type]
        for r in timeline.regions
    )
    return dataclasses.replace(timeline, regions=regions)


def of_region(timeline: Timeline, *region_ids: str) -> list[str]:
    return [e.id for e in timeline.events if e.region in region_ids]


def test_surroundings_region_contact_gives_its_events_a_new_sequence() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)
    edited = with_region(timeline, "arab-states", contact="arab-states@example.org")

    second, changed = advance(first, edited, T1)

    # The contact is in the text of the region's entries, not of global ones.
    arab = of_region(timeline, "arab-states")
    assert changed == arab
    assert second == {
        **first,
        **{i: Revision(first[i].sequence + 1, T1, first[i].digest) for i in arab},
    }


def test_surroundings_region_name_moves_modified_of_the_feeds_carrying_it() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)
    names = {"en": "Arab region", "ar": "المنطقة العربية"}
    edited = with_region(timeline, "arab-states", names=names)

    second, changed = advance(first, edited, T1)

    # Same SEQUENCE (no entry's text changed); the region's feeds (its events, and the
    # global ones every region feed carries) are stamped with the rename.
    moved = of_region(timeline, "arab-states", "global")
    assert changed == []
    assert second == {**first, **{i: dataclasses.replace(first[i], modified=T1) for i in moved}}


def test_surroundings_not_recorded_yet_are_filled_without_moving() -> None:
    timeline = fixture_timeline()
    first, _ = advance({}, timeline, T0)
    older = {i: dataclasses.replace(r, contact=None, names=None) for i, r in first.items()}

    second, changed = advance(older, timeline, T1)

    def around(revisions: dict[str, Revision]) -> list[tuple[str | None, str | None]]:
        return [(r.contact, r.names) for r in revisions.values()]

    assert (second, changed, around(second)) == (first, [], around(first))
