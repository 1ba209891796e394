"""`gcmcal impact`: what an edit will do, computed with the service's own rules."""

from __future__ import annotations

import dataclasses

from feeds import when as w
from feeds.history import Effect
from feeds.revisions import advance
from feeds.timeline import Timeline
from feeds.vocabulary import Status
from reminders.changes import Change
from reminders.impact import EventImpact, Impact, StoredEvent, assess, lines
from tests.support.reminder_fixtures import event, replaced, subscriber, timeline, utc

LOADED = utc(2024, 1, 1)
NOW = utc(2024, 2, 1)


def in_service(tl: Timeline) -> dict[str, StoredEvent]:
    revisions = advance({}, tl, LOADED)[0]
    return {e.id: StoredEvent(revisions[e.id], e.published(), e.published()) for e in tl.events}


def served() -> Timeline:
    return timeline(
        event("review", "2024-03"),
        event("hearing", "2024-03-10", region="lac"),
        event("talk", "2024-04-02"),
        event("old", "2023-05-01"),
        event("dropped", "2024-05-01", region="arab"),
    )


SUBSCRIBERS = (
    subscriber(1, regions=["europe"], language="en"),
    subscriber(2, regions=["europe"], language="fr"),
    subscriber(3, language="ar"),
    subscriber(4, regions=["lac"], language="es"),
    # Not active yet at NOW: follows nothing so far.
    subscriber(5, language="ru", since=utc(2024, 3, 1)),
)


def edited() -> Timeline:
    tl = served()
    tl = replaced(tl, "review", when=w.parse("2024-03-11..2024-03-12"))
    tl = replaced(tl, "hearing", status=Status.CANCELLED)
    tl = replaced(tl, "talk", descriptions={"en": "Now with an outline."})
    tl = replaced(tl, "old", when=w.parse("2023-05-02"))
    tl = dataclasses.replace(
        tl, events=(*[e for e in tl.events if e.id != "dropped"], event("new", "2024-06-01"))
    )
    return tl


def test_assess_edit_of_every_effect_whole_value() -> None:
    found = assess(edited(), in_service(served()), (), SUBSCRIBERS, NOW)

    everyone = {"ar": 1, "en": 1, "fr": 1}
    assert found == Impact(
        events=(
            EventImpact(
                "review",
                Effect.CONFIRMED,
                0,
                1,
                (Change("date", "2024-03", "2024-03-11..2024-03-12"),),
                {"confirmed": everyone},
                everyone,
            ),
            EventImpact(
                "hearing",
                Effect.CANCELLED,
                0,
                1,
                (Change("status", "confirmed", "cancelled"),),
                {"cancelled": {"ar": 1, "es": 1}},
                {"ar": 1, "es": 1},
            ),
            EventImpact("talk", Effect.TEXT, 0, 1, (), {}, everyone),
            EventImpact(
                "old",
                Effect.MOVED,
                0,
                1,
                (Change("date", "2023-05-01", "2023-05-02"),),
                {},
                everyone,
                over=True,
            ),
            EventImpact("new", Effect.ADDED, None, 0, (), {}, everyone),
            EventImpact("dropped", Effect.REMOVED, 0, None, (), {}, {"ar": 1}),
        ),
        unchanged=0,
        subscribers=5,
    )


def test_assess_notice_follows_what_subscribers_were_last_told() -> None:
    # The service owes a notice already (told "2024-03"); the edit moves the day again.
    first = replaced(served(), "review", when=w.parse("2024-03-11"))
    stored = in_service(first)
    stored["review"] = dataclasses.replace(
        stored["review"],
        told=served().event("review").published(),  # type: ignore[union-attr]
    )
    second = replaced(first, "review", when=w.parse("2024-03-12"))

    found = assess(second, stored, (), SUBSCRIBERS[:1], NOW)

    assert found.events == (
        EventImpact(
            "review",
            Effect.MOVED,
            0,
            1,
            (Change("date", "2024-03-11", "2024-03-12"),),
            {"confirmed": {"en": 1}},
            {"en": 1},
        ),
    )


def test_assess_event_back_after_removal_is_new_with_its_old_sequence() -> None:
    stored = in_service(served())

    found = assess(served(), stored, {"dropped"}, (), NOW)

    assert (found.events, found.unchanged) == (
        (EventImpact("dropped", Effect.ADDED, None, 0, (), {}, {}),),
        4,
    )


def test_lines_text_for_organisers() -> None:
    found = assess(edited(), in_service(served()), (), SUBSCRIBERS, NOW)

    assert lines(found, "edited.toml") == [
        "edited.toml compared with the timeline in service (5 active subscribers). "
        "Nothing was changed.",
        "",
        "review: confirmed, SEQUENCE 0 → 1",
        "  date: 2024-03 → 2024-03-11..2024-03-12",
        "  email “confirmed” to 3 subscribers (ar 1, en 1, fr 1)",
        "",
        "hearing: cancelled, SEQUENCE 0 → 1",
        "  status: confirmed → cancelled",
        "  email “cancelled” to 2 subscribers (ar 1, es 1)",
        "",
        "talk: text only, SEQUENCE 0 → 1",
        "  no email; calendars of 3 subscribers (ar 1, en 1, fr 1) update",
        "",
        "old: moved, SEQUENCE 0 → 1",
        "  date: 2023-05-01 → 2023-05-02",
        "  no email (the event is over); calendars of 3 subscribers (ar 1, en 1, fr 1) update",
        "",
        "new: new, SEQUENCE 0",
        "  no email now; reminders as planned for 3 subscribers (ar 1, en 1, fr 1)",
        "",
        "dropped: removed, leaves the feeds (SEQUENCE stays 0)",
        "  no email; the entry leaves the calendars of 1 subscriber (ar 1)",
        "",
        "0 events unchanged.",
    ]
