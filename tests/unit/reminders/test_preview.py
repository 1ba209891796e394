from __future__ import annotations

from datetime import timedelta

import pytest

from feeds.vocabulary import Kind
from reminders.preview import preview_lines
from tests.support.reminder_fixtures import event, revisions, subscriber, timeline, utc


def test_preview_lines_what_who_why() -> None:
    tl = timeline(
        event("review", "2024-03-11T10:00/18:00"),
        event("pre", "2024-03", region="lac", kind=Kind.PRE_CONSULTATION),
    )
    subs = [
        subscriber(1, leads=["1w"], tz="Europe/Zurich", hour=9),
        subscriber(2, leads=["8w", "1d"], tz="Europe/Zurich", hour=9, language="fr"),
        subscriber(3, leads=["1w"], tz="Asia/Tokyo", hour=9),
    ]
    lines = preview_lines(
        subs, tl, revisions(tl), utc(2024, 3, 4, 8), addresses={1: "one@example.org"}
    )
    assert lines == [
        "Dry run for 2024-03-04 07:00 UTC to 2024-03-04 08:00 UTC: 1 item(s) for 1 subscriber(s).",
        "#1 one@example.org (en, Europe/Zurich): 1 item(s)",
        "  2024-03-04 08:00 UTC  reminder 1w  review: 1w before 11 March 2024, 10:00–18:00, "
        "at 09:00 Europe/Zurich; not after 2024-03-11 09:00 UTC",
    ]


def test_preview_lines_expected_notice_explained() -> None:
    tl = timeline(event("pre", "2024-03", region="lac", kind=Kind.PRE_CONSULTATION))
    subs = [subscriber(2, leads=["8w", "1d"], tz="America/Santiago", hour=9)]
    assert preview_lines(subs, tl, revisions(tl), utc(2024, 1, 5, 12, 30)) == [
        "Dry run for 2024-01-05 11:30 UTC to 2024-01-05 12:30 UTC: 1 item(s) for 1 subscriber(s).",
        "#2 (en, America/Santiago): 1 item(s)",
        "  2024-01-05 12:00 UTC  expected 8w  pre: date not confirmed (March 2024 (date to be "
        "confirmed)): one notice, 8w before the window opens, at 09:00 America/Santiago; "
        "not after 2024-03-01 03:00 UTC",
    ]


def test_preview_lines_only_chosen_subscriber_nothing_due() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1w"]), subscriber(2, leads=["1w"])]
    at = utc(2024, 3, 4, 8)
    assert preview_lines(subs, tl, revisions(tl), at, only={3}) == [
        "Dry run for 2024-03-04 07:00 UTC to 2024-03-04 08:00 UTC: nothing due."
    ]
    assert len(preview_lines(subs, tl, revisions(tl), at, window=timedelta(days=1))) == 5


def test_preview_lines_refuses_naive_moment() -> None:
    tl = timeline(event("review", "2024-03-11"))
    with pytest.raises(ValueError, match="time zone"):
        preview_lines([], tl, revisions(tl), utc(2024, 3, 4).replace(tzinfo=None))
