"""Entries written directly are the bytes icalendar writes for them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Event as VEvent
from icalendar import vText

from bench.synthetic_timeline import synthetic_timeline
from feeds import parse_timeline
from feeds.folding import component_bytes
from feeds.ical import FeedMeta, render_entry
from feeds.revisions import advance
from feeds.vevent_bytes import datetime_line, escape
from feeds.vocabulary import LANGUAGES
from tests.support.feed_fixtures import BASE_URL, FIXTURE_TOML, HOST, fixture_timeline
from tests.support.icalendar_entry import icalendar_entry
from tests.unit.feeds.test_rfc5545_dates import EDGE_EVENTS

#: The fixture, a long synthetic one (every `when` form) and the edge cases of RFC 5545
#: dates (a repeated local time written in UTC, instants, zones at the date line).
TIMELINES = (
    fixture_timeline(),
    parse_timeline(synthetic_timeline(100)),
    parse_timeline(FIXTURE_TOML + EDGE_EVENTS),
)
#: Before the synthetic timeline's windows, in the middle of them, after all of them.
MOMENTS = (
    datetime(2022, 1, 1, tzinfo=UTC),
    datetime(2027, 1, 1, tzinfo=UTC),
    datetime(2035, 1, 1, tzinfo=UTC),
)


def test_render_entry_of_every_event_language_and_moment_is_icalendars() -> None:
    differing = []
    for timeline in TIMELINES:
        feed = FeedMeta(
            key="all",
            name="All",
            description="Every event",
            url=f"{BASE_URL}/",
            host=HOST,
            event_url=lambda event_id: f"{BASE_URL}/events/{event_id}",
            regions={region.id: region for region in timeline.regions},
        )
        for now in MOMENTS:
            revisions, _ = advance({}, timeline, now)
            for event in timeline.events:
                for lang in LANGUAGES:
                    found = [
                        write(event, feed=feed, revision=revisions[event.id], lang=lang, now=now)
                        for write in (render_entry, icalendar_entry)
                    ]
                    if (found[0].body, found[0].tzids) != (found[1].body, found[1].tzids):
                        differing.append((event.id, lang, now))

    assert differing == []


@given(st.text(alphabet=st.sampled_from("\\N;,\r\n a\t:é"), max_size=50) | st.text())
def test_escape_of_any_text_is_icalendars(text: str) -> None:
    assert escape(text) == vText(text).to_ical().decode()


def _icalendar_line(name: str, moment: datetime) -> tuple[str, str | None]:
    component = VEvent()
    component.add(name, moment)
    return component_bytes(component).decode().split("\r\n")[1], component[name].params.get("TZID")


def test_datetime_line_in_every_zone_is_icalendars() -> None:
    moments = [
        datetime(2026, month, 9, 7, 5, 3, tzinfo=ZoneInfo(zone))
        for zone in sorted(available_timezones())
        for month in (1, 7)
    ]
    moments += [datetime(2026, 3, 1, 23, 59, tzinfo=UTC)]
    differing = [
        moment
        for moment in moments
        for name in ("DTSTART", "DTEND")
        if datetime_line(name, moment) != _icalendar_line(name, moment)
    ]

    assert differing == []
