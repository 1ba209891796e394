"""The regional timeline as the rest of the service sees it: regions and events, validated."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from feeds.when import When
from feeds.wording import DEFAULT_LANGUAGE, Kind, Modality, Status

GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    names: Mapping[str, str]
    tz: str
    contact: str
    url: str

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names[DEFAULT_LANGUAGE]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class Event:
    id: str
    region: str
    kind: Kind
    titles: Mapping[str, str]
    when: When
    tz: str
    status: Status = Status.CONFIRMED
    place: str = ""
    modality: Modality | None = None
    links: tuple[Link, ...] = ()
    descriptions: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    announced_as: str = ""

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles[DEFAULT_LANGUAGE]

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.descriptions.get(DEFAULT_LANGUAGE, "")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def starts_at(self) -> datetime:
        """Earliest possible start, aware, in the venue's zone."""
        return self.when.earliest(self.zone)

    @property
    def ends_at(self) -> datetime:
        """Latest possible end (exclusive), aware, in the venue's zone."""
        return self.when.latest(self.zone)

    def published(self) -> dict[str, object]:
        """Everything a subscriber sees of this event, as plain data.

        Its digest decides whether the event changed: any difference here is a new
        revision (a new SEQUENCE in the feeds, a change notice by email).
        """
        return {
            "id": self.id,
            "region": self.region,
            "kind": self.kind.value,
            "titles": dict(sorted(self.titles.items())),
            "when": self.when.format(),
            "tz": self.tz,
            "status": self.status.value,
            "place": self.place,
            "modality": self.modality.value if self.modality else "",
            "links": [[link.url, link.label] for link in self.links],
            "descriptions": dict(sorted(self.descriptions.items())),
            "sources": list(self.sources),
        }

    @cached_property
    def digest(self) -> str:
        data = json.dumps(self.published(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Timeline:
    name: str
    default_language: str
    regions: tuple[Region, ...]
    events: tuple[Event, ...]

    @cached_property
    def _regions_by_id(self) -> dict[str, Region]:
        return {region.id: region for region in self.regions}

    @cached_property
    def _events_by_id(self) -> dict[str, Event]:
        return {event.id: event for event in self.events}

    def region(self, region_id: str) -> Region | None:
        return self._regions_by_id.get(region_id)

    def event(self, event_id: str) -> Event | None:
        return self._events_by_id.get(event_id)

    def select(
        self, regions: Iterable[str] | None = None, kinds: Iterable[Kind] | None = None
    ) -> tuple[Event, ...]:
        """Events of the given regions (global events belong to every region) and kinds."""
        wanted_regions = None if regions is None else {*regions, GLOBAL}
        wanted_kinds = None if kinds is None else set(kinds)
        return tuple(
            event
            for event in self.events
            if (wanted_regions is None or event.region in wanted_regions)
            and (wanted_kinds is None or event.kind in wanted_kinds)
        )

    def upcoming(self, now: datetime) -> tuple[Event, ...]:
        """Events not yet over at `now`, soonest first."""
        return tuple(event for event in self.events if event.ends_at > now)
