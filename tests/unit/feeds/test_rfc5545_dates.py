"""Every calendar the service writes keeps RFC 5545's rules on DTSTART, DTEND and DURATION."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from feeds import LANGUAGES, load_timeline, parse_timeline
from feeds.publish import ALL_KINDS, FeedSet
from feeds.revisions import advance
from tests.support.feed_fixtures import BASE_URL, FIXTURE_TOML, NOW
from tests.support.ics_reading import component_lines, date_rule_problems

ROOT = Path(__file__).resolve().parents[3]

#: Instants, and times on both sides of the clock changes of a zone.
EDGE_EVENTS = """
[[events]]
id = "deadline-at-midnight"
region = "asia-pacific"
kind = "registration-deadline"
when = "2024-03-01T00:00"
title = { en = "Deadline at midnight" }

[[events]]
id = "second-one-thirty"
region = "global"
kind = "other"
tz = "America/New_York"
when = "2024-11-03T01:30-05:00/03:00"
title = { en = "Second 01:30" }

[[events]]
id = "first-one-thirty-deadline"
region = "global"
kind = "other"
tz = "America/New_York"
when = "2024-11-03T01:30-04:00"
title = { en = "First 01:30" }
"""


def _every_calendar(feed_set: FeedSet) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for key in feed_set.keys:
        for lang in LANGUAGES:
            prepared = feed_set.feed(key, lang)
            assert prepared is not None
            found[f"feed {key} {lang}"] = prepared.body
            for kind in ALL_KINDS:
                filtered = feed_set.feed(key, lang, {kind})
                assert filtered is not None
                found[f"feed {key} {lang} {kind}"] = filtered.body
    for event in feed_set.timeline.events:
        for lang in LANGUAGES:
            single = feed_set.event(event.id, lang)
            attachment = feed_set.attachment(event.id, lang)
            assert single is not None
            assert attachment is not None
            found[f"event {event.id} {lang}"] = single.body
            found[f"attachment {event.id} {lang}"] = attachment
    return found


def _feed_set(text: str, now: datetime = NOW) -> FeedSet:
    timeline = parse_timeline(text, "test")
    return FeedSet(timeline, advance({}, timeline, now)[0], BASE_URL, now)


def test_instants_every_feed_keeps_the_dtend_and_duration_rules() -> None:
    shipped = load_timeline(ROOT / "config" / "timeline.toml")
    calendars = {
        **_every_calendar(_feed_set(FIXTURE_TOML + EDGE_EVENTS)),
        **{
            f"shipped {name}": body
            for name, body in _every_calendar(
                FeedSet(shipped, advance({}, shipped, NOW)[0], BASE_URL, NOW)
            ).items()
        },
    }
    problems = {
        name: found for name, body in calendars.items() if (found := date_rule_problems(body))
    }
    assert problems == {}


def test_instants_are_written_as_dtstart_alone() -> None:
    body = _feed_set(FIXTURE_TOML + EDGE_EVENTS).feed("all", "en")
    assert body is not None
    dates = [
        line
        for line in component_lines(body.body, "lac-deadline@gcm.example.org")
        if line.startswith(("DTSTART", "DTEND", "DURATION"))
    ]
    assert dates == ["DTSTART;TZID=America/Santiago:20240301T235900"]


def test_instants_second_of_a_repeated_local_time_is_written_in_utc() -> None:
    body = _feed_set(FIXTURE_TOML + EDGE_EVENTS).feed("all", "en")
    assert body is not None
    second = [
        line
        for line in component_lines(body.body, "second-one-thirty@gcm.example.org")
        if line.startswith(("DTSTART", "DTEND"))
    ]
    first = [
        line
        for line in component_lines(body.body, "first-one-thirty-deadline@gcm.example.org")
        if line.startswith(("DTSTART", "DTEND"))
    ]
    # 01:30 EST is 06:30 UTC; a TZID form would be read as 01:30 EDT, an hour earlier.
    assert (second, first) == (
        ["DTSTART:20241103T063000Z", "DTEND;TZID=America/New_York:20241103T030000"],
        ["DTSTART;TZID=America/New_York:20241103T013000"],
    )
    event = parse_timeline(FIXTURE_TOML + EDGE_EVENTS).event("second-one-thirty")
    assert event is not None
    assert event.starts_at.astimezone(UTC) == datetime(2024, 11, 3, 6, 30, tzinfo=UTC)
