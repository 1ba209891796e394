"""What is next, at a glance: the home page's "Coming up" and a region's next event (pure).

The five reviews of one round share a stage and a window; listed one by one they are
five rows a reader cannot tell apart. So a row is one stage in one window as the reader
sees it (the date label), naming each region it concerns. A cancelled or postponed event
keeps its own row, marked, and is never a region's "next".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from babel.lists import format_list

from feeds import Event, Timeline
from feeds.feed_words import CANCELLED_MARKER, POSTPONED_MARKER
from feeds.lapse import event_date_label
from feeds.vocabulary import KIND_NAMES, Phrases, Status, babel_locale, phrase

_MARKERS: Mapping[Status, Phrases] = {
    Status.CANCELLED: CANCELLED_MARKER,
    Status.POSTPONED: POSTPONED_MARKER,
}


@dataclass(frozen=True, slots=True)
class Member:
    """One event of a row, named by its region (or by its title when it has none)."""

    event_id: str
    name: str
    #: The text before this name in the list: "" first, then ", " / " and " / "، "…
    joint: str


@dataclass(frozen=True, slots=True)
class ComingRow:
    #: The event's title, or the stage's name when the row holds several regions; led by
    #: "Cancelled:" or "Postponed:" when that is what the events are.
    label: str
    date: str
    #: "cancelled" / "postponed" (a CSS hook), else "".
    status: str
    #: The one event of a single row; several events are `members` instead.
    event_id: str
    members: tuple[Member, ...]


def list_joints(count: int, lang: str) -> tuple[str, ...]:
    """What comes before each of `count` list items in `lang` ("", ", ", " and ")."""
    if count < 2:
        return ("",) * count
    listed = format_list([f"\x00{i}\x00" for i in range(count)], locale=babel_locale(lang))
    return ("", *re.split(r"\x00\d+\x00", listed)[1:-1])


def next_event(events: Iterable[Event]) -> Event | None:
    """The first event a reader can still go to: never a cancelled or overtaken one."""
    for event in events:
        if event.status is not Status.CANCELLED and not event.superseded_by:
            return event
    return None


def coming_up(timeline: Timeline, lang: str, now: datetime, limit: int) -> list[ComingRow]:
    """The first `limit` rows of what is still to come, soonest first."""
    groups: dict[tuple[str, str, str], list[Event]] = {}
    for event in timeline.upcoming(now):
        if event.superseded_by:
            continue  # its successor is listed in its place
        marked = event.status.value if event.status in _MARKERS else ""
        key = (event.kind.value, event_date_label(event, lang, now), marked)
        groups.setdefault(key, []).append(event)
    return [_row(timeline, events, lang, now) for events in list(groups.values())[:limit]]


def _row(timeline: Timeline, events: list[Event], lang: str, now: datetime) -> ComingRow:
    first = events[0]
    single = len(events) == 1
    # Members in the order the timeline lists its regions, as the home page does.
    order = {region.id: index for index, region in enumerate(timeline.regions)}
    events = sorted(events, key=lambda event: order.get(event.region, len(order)))
    text = first.title(lang) if single else phrase(KIND_NAMES[first.kind], lang)
    marker = _MARKERS.get(first.status)
    joints = list_joints(len(events), lang)
    return ComingRow(
        label=phrase(marker, lang, title=text) if marker else text,
        date=event_date_label(first, lang, now),
        status=first.status.value if marker else "",
        event_id=first.id if single else "",
        members=()
        if single
        else tuple(
            Member(event.id, _name(timeline, event, lang), joint)
            for event, joint in zip(events, joints, strict=True)
        ),
    )


def _name(timeline: Timeline, event: Event, lang: str) -> str:
    region = timeline.region(event.region)
    return region.name(lang) if region else event.title(lang)
