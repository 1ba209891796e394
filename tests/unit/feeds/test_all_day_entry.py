"""All-day entries written directly are the bytes icalendar writes for them."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from icalendar import vText

from bench.synthetic_timeline import synthetic_timeline
from feeds import parse_timeline
from feeds.all_day_entry import escape
from feeds.ical import FeedMeta, icalendar_entry, render_entry
from feeds.revisions import advance
from feeds.wording import LANGUAGES
from tests.support.feed_fixtures import BASE_URL, HOST, fixture_timeline

TIMELINES = (fixture_timeline(), parse_timeline(synthetic_timeline(100)))
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
