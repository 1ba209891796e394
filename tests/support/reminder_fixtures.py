"""Small timelines and subscribers for the reminder tests, built in code.

Independent of config/timeline.toml so that editing the shipped data never breaks them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime

from feeds import when as w
from feeds.revisions import Revision, advance
from feeds.timeline import GLOBAL, Event, Link, Region, Timeline
from feeds.vocabulary import LANGUAGES, Kind, Modality, Status
from reminders.subscriber_profiles import SubscriberView

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)

REGIONS = (
    Region(
        id="europe",
        names={"en": "Europe and North America", "fr": "Europe et Amérique du Nord"},
        tz="Europe/Zurich",
        contact="mignet@example.org",
        url="https://example.org/europe",
    ),
    Region(
        id="lac",
        names={"en": "Latin America and the Caribbean", "es": "América Latina y el Caribe"},
        tz="America/Santiago",
        contact="lac@example.org",
        url="https://example.org/lac",
    ),
    Region(
        id="arab",
        names={"en": "Arab States", "ar": "الدول العربية"},
        tz="Asia/Beirut",
        contact="arab@example.org",
        url="https://example.org/arab",
    ),
)
_REGION_TZ = {region.id: region.tz for region in REGIONS}


def event(
    event_id: str,
    when: str,
    *,
    region: str = "europe",
    kind: Kind = Kind.REGIONAL_REVIEW,
    tz: str | None = None,
    status: Status = Status.CONFIRMED,
    place: str = "",
    modality: Modality | None = None,
    links: Iterable[Link] = (),
    title: str | None = None,
) -> Event:
    text = title or f"Event {event_id}"
    return Event(
        id=event_id,
        region=region,
        kind=kind,
        titles={lang: f"{text} ({lang})" for lang in LANGUAGES} | {"en": text},
        when=w.parse(when),
        tz=tz or _REGION_TZ.get(region, "America/New_York"),
        status=status,
        places={"en": place} if place else {},
        modality=modality,
        links=tuple(links),
    )


def timeline(*events: Event) -> Timeline:
    return Timeline(name="Test", default_language="en", regions=REGIONS, events=events)


def revisions(tl: Timeline, now: datetime = LONG_AGO) -> dict[str, Revision]:
    return advance({}, tl, now)[0]


def replaced(tl: Timeline, event_id: str, **changes: object) -> Timeline:
    events = tuple(dataclasses.replace(e, **changes) if e.id == event_id else e for e in tl.events)
    return dataclasses.replace(tl, events=events)


def subscriber(
    subscription_id: int = 1,
    *,
    regions: Iterable[str] = (),
    kinds: Iterable[str] = (),
    leads: Iterable[str] = ("3w", "1w", "1d", "1h"),
    language: str = "en",
    tz: str = "Europe/Zurich",
    hour: int = 9,
    since: datetime = LONG_AGO,
) -> SubscriberView:
    return SubscriberView.create(
        subscription_id,
        regions=regions,
        kinds=kinds,
        leads=leads,
        language=language,
        tz=tz,
        delivery_hour=hour,
        active_since=since,
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


__all__ = ["GLOBAL", "LONG_AGO", "event", "replaced", "revisions", "subscriber", "timeline", "utc"]
