"""Whatever text organisers type, the file folds and escapes it so parsers read it back."""

from __future__ import annotations

import dataclasses

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import ical
from feeds.entry_text import location, summary
from feeds.ical import FeedMeta, render_event
from tests.support.feed_fixtures import HOST, NOW, fixture_revisions, fixture_timeline

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)
EVENT = TIMELINE.event("ap-timed")
META = FeedMeta(
    key="all",
    name="name",
    description="description",
    url="https://gcm.example.org/",
    host=HOST,
    event_url=lambda event_id: f"https://gcm.example.org/events/{event_id}",
)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=150, deadline=None)
@given(title=TEXT, description=TEXT, place=TEXT)
def test_any_text_folds_and_reads_back(title: str, description: str, place: str) -> None:
    assert EVENT is not None
    event = dataclasses.replace(
        EVENT, titles={"en": title}, descriptions={"en": description}, places={"en": place}
    )

    body = render_event(event, feed=META, revision=REVISIONS[event.id], lang="en", now=NOW)

    physical = body.split(b"\r\n")
    assert [line for line in physical if len(line) > 75] == []
    assert [line.decode() for line in physical] == body.decode().split("\r\n")
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert (
        str(parsed["SUMMARY"]),
        str(parsed.get("LOCATION", "")),
        str(parsed["DESCRIPTION"]),
        parsed.errors,
    ) == (
        summary(event, "en", NOW),
        location(event, "en"),
        ical.description(event, feed=META, lang="en", now=NOW),
        [],
    )
