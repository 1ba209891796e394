"""The regional timeline as the rest of the service sees it: regions and events, validated."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from feeds.vocabulary import DEFAULT_LANGUAGE, RTL_LANGUAGES, Kind, Modality, SourceKind, Status
from feeds.when import When

GLOBAL = "global"

#: One human-readable text of the timeline in each language it is written in.
Texts = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Localized:
    """A timeline text as shown to a reader of `wanted`, and the language it is really in.

    When no translation exists the text falls back to the default language; in HTML it
    then carries ``lang`` and ``dir`` so that screen readers switch voice (WCAG 3.1.2).
    Plain-text uses (feeds, text emails, subjects) see only the words.
    """

    text: str
    lang: str
    wanted: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.lang != self.wanted

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RTL_LANGUAGES else "ltr"

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __html__(self) -> str:
        # Jinja's autoescape calls this, so every page and HTML email marks fallbacks.
        text = html.escape(self.text)
        if not self.is_fallback:
            return text
        return f'<span lang="{self.lang}" dir="{self.direction}">{text}</span>'


def localized(texts: Texts, lang: str, default: str = DEFAULT_LANGUAGE) -> Localized:
    """`texts` in `lang`, else in `default` (marked as a fallback), else empty."""
    if text := texts.get(lang):
        return Localized(text, lang, lang)
    return Localized(texts.get(default, ""), default, lang)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    labels: Texts = field(default_factory=dict)

    def label(self, lang: str) -> Localized:
        """The label in `lang`; the address itself when the link has no label."""
        found = localized(self.labels, lang)
        return found if found else Localized(self.url, lang, lang)

    def default_label(self) -> str:
        return self.labels.get(DEFAULT_LANGUAGE, "")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a date was read, and whose word it is."""

    url: str
    kind: SourceKind = SourceKind.ORGANISER
    #: Who reported it (a report's author), per language.
    by: Mapping[str, str] = field(default_factory=dict)

    def author(self, lang: str) -> str:
        # No fallback: a name left in another script would break the reader's text; the
        # report then reads "reported by others" until the name is translated.
        return self.by.get(lang, "")

    def published(self) -> list[object]:
        return [self.url, self.kind.value, dict(sorted(self.by.items()))]


@dataclass(frozen=True, slots=True)
class Registration:
    """How to register and get accredited for an event; empty fields are not published."""

    url: str = ""
    deadline: When | None = None
    notes: Mapping[str, str] = field(default_factory=dict)

    def note(self, lang: str) -> Localized:
        return localized(self.notes, lang)

    def published(self) -> dict[str, object]:
        return {
            "url": self.url,
            "deadline": self.deadline.format() if self.deadline else "",
            "notes": dict(sorted(self.notes.items())),
        }


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    names: Mapping[str, str]
    tz: str
    contact: str
    url: str

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names[DEFAULT_LANGUAGE]

    def name_in(self, lang: str) -> Localized:
        return localized(self.names, lang)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True, slots=True)
class Event:
    """One event of the timeline. Its start, end and digest are worked out on first use
    and kept (a copy made with `dataclasses.replace` works them out again)."""

    id: str
    region: str
    kind: Kind
    titles: Mapping[str, str]
    when: When
    tz: str
    status: Status = Status.CONFIRMED
    places: Texts = field(default_factory=dict)
    modality: Modality | None = None
    links: tuple[Link, ...] = ()
    descriptions: Texts = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    #: The date as the organisers first announced it, when it has moved since.
    announced: When | None = None
    #: UIDs of this event in organisers' calendars (Indico's ``indico-event-…@host``);
    #: only `gcmcal import` reads them, so they are not part of what subscribers see.
    external_uids: tuple[str, ...] = ()
    #: The id of the event that overtook this announcement; it did not happen as announced.
    superseded_by: str = ""
    registration: Registration | None = None

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles[DEFAULT_LANGUAGE]

    def title_in(self, lang: str) -> Localized:
        return localized(self.titles, lang)

    def description(self, lang: str) -> str:
        return self.description_in(lang).text

    def description_in(self, lang: str) -> Localized:
        return localized(self.descriptions, lang)

    def place(self, lang: str) -> str:
        return self.place_in(lang).text

    def place_in(self, lang: str) -> Localized:
        return localized(self.places, lang)

    def texts(self) -> dict[str, Texts]:
        """Every human-readable field, by the name the timeline file gives it."""
        found: dict[str, Texts] = {"title": self.titles}
        if self.descriptions:
            found["description"] = self.descriptions
        if self.places:
            found["place"] = self.places
        for n, link in enumerate(self.links):
            if link.labels:
                found[f"links.{n}.label"] = link.labels
        return found

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def reported_only(self) -> bool:
        """Known only from reports by others: no organiser's page gives it."""
        return bool(self.sources) and all(s.kind is SourceKind.REPORT for s in self.sources)

    def reporters(self, lang: str) -> list[str]:
        """Who reported the event, each once, in the order of the sources."""
        return list(dict.fromkeys(s.author(lang) for s in self.sources if s.author(lang)))

    # Slots rather than an instance dictionary: 10,000 events took 10 MB less.
    _known_start: datetime | None = field(default=None, init=False, repr=False, compare=False)
    _known_end: datetime | None = field(default=None, init=False, repr=False, compare=False)
    _known_digest: str = field(default="", init=False, repr=False, compare=False)

    @property
    def starts_at(self) -> datetime:
        """Earliest possible start, aware, in the venue's zone."""
        found = self._known_start
        if found is None:
            found = self.when.earliest(self.zone)
            object.__setattr__(self, "_known_start", found)
        return found

    @property
    def ends_at(self) -> datetime:
        """Latest possible end (exclusive), aware, in the venue's zone."""
        found = self._known_end
        if found is None:
            found = self.when.latest(self.zone)
            object.__setattr__(self, "_known_end", found)
        return found

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
            # "place" and "links" keep the default language only, as before texts were
            # per language: a new translation is not a change subscribers must act on.
            "place": self.places.get(DEFAULT_LANGUAGE, ""),
            "places": dict(sorted(self.places.items())),
            "modality": self.modality.value if self.modality else "",
            "links": [[link.url, link.default_label()] for link in self.links],
            "link_labels": [dict(sorted(link.labels.items())) for link in self.links],
            "descriptions": dict(sorted(self.descriptions.items())),
            "sources": [source.published() for source in self.sources],
            "announced": self.announced.format() if self.announced else "",
            "superseded_by": self.superseded_by,
            "registration": self.registration.published() if self.registration else {},
        }

    @property
    def digest(self) -> str:
        found = self._known_digest
        if not found:
            found = _digest(self.published())
            object.__setattr__(self, "_known_digest", found)
        return found


def _digest(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Timeline:
    name: str
    default_language: str
    regions: tuple[Region, ...]
    events: tuple[Event, ...]
    #: Ids the organiser confirms may leave the feeds (`feeds.removal_guard`).
    confirm_removal: tuple[str, ...] = ()

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

    def surroundings(self, event: Event) -> tuple[str, str]:
        """Digests of what the calendars holding `event` show that is not the event's own
        data: its region's contact (in the entry's text), and the region names in the
        names of the feeds that carry it (region and personal feeds; a global event is
        in every region's feed).

        `feeds.revisions.advance` compares them between loads, so that an edit of a
        region moves the SEQUENCE or the Last-Modified of what it changes.
        """
        found = self._surroundings.get(event.region)
        if found is None:
            region = self.region(event.region)
            regions = self.regions if event.region == GLOBAL else (region,) if region else ()
            names = {r.id: dict(sorted(r.names.items())) for r in regions}
            found = _digest(region.contact if region else ""), _digest(names)
            self._surroundings[event.region] = found
        return found

    @cached_property
    def _surroundings(self) -> dict[str, tuple[str, str]]:
        """Region id -> `surroundings` of its events (they depend on nothing else)."""
        return {}

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
