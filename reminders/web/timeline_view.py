"""What the public pages show of a timeline, in one language (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel import Locale

from feeds import Event, Localized, Region, Timeline
from feeds import when as w
from feeds.date_labels import date_label, period_label
from feeds.feed_words import DEADLINE_NOT_PUBLISHED
from feeds.lapse import event_date_label, lapse, reported_by_names, status_label
from feeds.vocabulary import KIND_NAMES, LANGUAGES, MODALITY_NAMES, phrase
from feeds.when import Precision
from feeds.zones import city_time, zone_label
from reminders.web.coming_up import next_event
from reminders.web.links import event_path

#: Each language named in itself, for the language menu.
LANGUAGE_MENU: tuple[tuple[str, str], ...] = tuple(
    (lang, (Locale.parse(lang).get_display_name(lang) or lang)) for lang in LANGUAGES
)


@dataclass(frozen=True, slots=True)
class LinkItem:
    url: str
    label: Localized


@dataclass(frozen=True, slots=True)
class SourceItem:
    url: str
    #: "" for the organisers' own page, else "reported by …".
    reported_by: str


@dataclass(frozen=True, slots=True)
class RegistrationItem:
    url: str
    #: The deadline's label, or "not published".
    deadline: str
    note: Localized


@dataclass(frozen=True, slots=True)
class EventItem:
    id: str
    title: Localized
    date: str
    #: Timed events: the venue's zone as people say it ("Zurich time, UTC+1"), and the
    #: start and end as ISO 8601 for the script that adds the reader's own time.
    zone: str
    starts_iso: str
    ends_iso: str
    window: str  # the full possible window when the date is vague
    kind: str
    #: A CSS hook: the status, or "superseded" / "unconfirmed" once that is what it is.
    status: str
    status_name: str
    place: Localized
    modality: str
    #: "First announced as": the announced date, same label code as `date`.
    announced: str
    description: Localized
    links: tuple[LinkItem, ...]
    sources: tuple[SourceItem, ...]
    ics: str
    registration: RegistrationItem | None
    #: The page of the event that overtook this announcement, if any.
    superseded_by: str


@dataclass(frozen=True, slots=True)
class RegionItem:
    id: str
    name: Localized
    tz: str
    #: The venue's zone as people say it: "Addis Ababa time".
    zone: str
    contact: str
    url: str
    next: EventItem | None


def _window(event: Event, lang: str) -> str:
    """The first to last possible day, shown where the label alone does not give them."""
    if event.when.is_exact_day or event.when.precision is Precision.MONTH:
        return ""
    return period_label(w.days(event.when.first_day, event.when.last_day), lang)


def _registration(event: Event, lang: str) -> RegistrationItem | None:
    found = event.registration
    if found is None:
        return None
    deadline = (
        date_label(found.deadline, lang) if found.deadline else phrase(DEADLINE_NOT_PUBLISHED, lang)
    )
    return RegistrationItem(found.url, deadline, found.note(lang))


def status_class(event: Event, now: datetime) -> str:
    """The status, or "superseded" / "unconfirmed" once that is what it is (a CSS hook)."""
    lapsed = lapse(event, now)
    return lapsed.value if lapsed else event.status.value


def event_item(event: Event, lang: str, now: datetime) -> EventItem:
    return EventItem(
        id=event.id,
        title=event.title_in(lang),
        date=event_date_label(event, lang, now),
        zone=zone_label(event.tz, event.starts_at, lang) if event.when.is_timed else "",
        starts_iso=event.starts_at.isoformat() if event.when.is_timed else "",
        ends_iso=(
            event.ends_at.isoformat()
            if event.when.is_timed and event.when.end_time is not None
            else ""
        ),
        window=_window(event, lang) if event.when.day_count > 1 else "",
        kind=phrase(KIND_NAMES[event.kind], lang),
        status=status_class(event, now),
        status_name=status_label(event, lang, now),
        place=event.place_in(lang),
        modality=phrase(MODALITY_NAMES[event.modality], lang) if event.modality else "",
        announced=period_label(event.announced, lang) if event.announced else "",
        description=event.description_in(lang),
        links=tuple(LinkItem(link.url, link.label(lang)) for link in event.links),
        sources=tuple(
            SourceItem(s.url, reported_by_names([s.author(lang)], lang) if s.author(lang) else "")
            for s in event.sources
        ),
        ics=event_path(event.id, lang),
        registration=_registration(event, lang),
        superseded_by=event.superseded_by,
    )


def region_item(region: Region, timeline: Timeline, lang: str, now: datetime) -> RegionItem:
    found = next_event(e for e in timeline.upcoming(now) if e.region == region.id)
    return RegionItem(
        id=region.id,
        name=region.name_in(lang),
        tz=region.tz,
        zone=city_time(region.tz, lang),
        contact=region.contact,
        url=region.url,
        next=event_item(found, lang, now) if found else None,
    )


def split_by_time(events: tuple[Event, ...], now: datetime) -> tuple[list[Event], list[Event]]:
    """(upcoming soonest first, past most recent first)."""
    upcoming = [event for event in events if event.ends_at > now]
    past = [event for event in events if event.ends_at <= now]
    return upcoming, past[::-1]


#: Events a region page lists in one line each (past ones most recent first, later ones
#: soonest first); the rest are counted and left to the region's calendar file, so a page
#: stays within its 60 KB budget however long the timeline, in every language (a Russian
#: or Arabic page takes half as many bytes again as an English one).
PAST_LISTED = 15
#: Upcoming events a region page shows in full; the following ones get a line each.
UPCOMING_IN_FULL = 5


@dataclass(frozen=True, slots=True)
class LineItem:
    """An event in one line: its page holds the rest."""

    id: str
    title: Localized
    date: str
    status: str
    status_name: str


@dataclass(frozen=True, slots=True)
class Fold:
    items: tuple[LineItem, ...]
    total: int

    @property
    def earlier(self) -> int:
        return self.total - len(self.items)


def fold(past: list[Event], lang: str, now: datetime, listed: int = PAST_LISTED) -> Fold:
    """The most recent `listed` of `past` (most recent first), and how many there are."""
    return Fold(
        tuple(
            LineItem(
                event.id,
                event.title_in(lang),
                event_date_label(event, lang, now),
                status_class(event, now),
                # A lapsed date already says "never confirmed" or "not held as announced".
                "" if lapse(event, now) else status_label(event, lang, now),
            )
            for event in past[:listed]
        ),
        len(past),
    )
