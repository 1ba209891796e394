"""The events a timeline picture draws: the next ones and a few of the latest past ones,
so that a picture's size does not grow with the timeline."""

from __future__ import annotations

from datetime import date

from feeds import parse_timeline
from feeds.picture_reach import Reach, nearest

TODAY = date(2026, 6, 15)


def _timeline(days: list[str]) -> str:
    events = "".join(
        f"""
[[events]]
id = "e{number}"
region = "r"
kind = "gcm-talk"
when = "{day}"
title = {{ en = "Talk {number}" }}
"""
        for number, day in enumerate(days)
    )
    return f"""
[timeline]
name = "Talks"

[[regions]]
id = "r"
tz = "UTC"
name = {{ en = "Region" }}
{events}"""


def _nearest(days: list[str], reach: Reach) -> list[str]:
    events = parse_timeline(_timeline(days), "talks.toml").events
    return [event.id for event in nearest(events, TODAY, reach)]


def test_nearest_draws_every_event_when_they_fit() -> None:
    assert _nearest(["2024-01-10", "2026-06-15", "2030"], Reach(drawn=3, past=1)) == [
        "e0",
        "e1",
        "e2",
    ]


def test_nearest_keeps_the_latest_past_and_the_soonest_next() -> None:
    days = ["2026-09-01", "2025-01-01", "2026-07-01", "2026-06-14", "2026-06-15", "2027"]
    # Past: e3 (yesterday), e1. Next: e4 (today), e2, e0, e5. In the timeline's order.
    assert _nearest(days, Reach(drawn=3, past=1)) == ["e3", "e4", "e2"]


def test_nearest_gives_unused_places_to_the_past() -> None:
    days = ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2026-12-01"]
    assert _nearest(days, Reach(drawn=3, past=1)) == ["e2", "e3", "e4"]


def test_nearest_gives_unused_past_places_to_the_next() -> None:
    days = ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-01-01"]
    assert _nearest(days, Reach(drawn=3, past=2)) == ["e4", "e0", "e1"]
