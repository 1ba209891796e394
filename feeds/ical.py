"""Timeline events as iCalendar bytes, the same bytes for the same input in every process.

How each kind of date appears in a subscriber's calendar
--------------------------------------------------------

A feed never shows a precise day its source did not give. Every entry is informational,
not a meeting of the subscriber's own, so every entry is ``TRANSP:TRANSPARENT`` (and
``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` for Outlook): a month-long window must not mark a
month as busy.

=====================  ==========================================  ====================
`when` precision       DTSTART / DTEND                             STATUS, SUMMARY
=====================  ==========================================  ====================
timed                  ``DTSTART;TZID=<IANA zone>`` and DTEND,     CONFIRMED; title
                       with a VTIMEZONE for the zone; an instant
                       (a deadline) has DTSTART alone (RFC 5545
                       3.6.1: it ends when it starts; a DTEND
                       equal to DTSTART is forbidden by 3.8.2.2)
day, days              all-day ``VALUE=DATE``, DTEND = last day+1  CONFIRMED; title
alternatives, week,    all-day span over the whole possible        TENTATIVE; "title —
month                  window, DTEND = last possible day + 1       <date label> (date to
                                                                   be confirmed)"
part of year, year,    ONE all-day marker on the window's first    TENTATIVE; "title —
range over a month     day (DTEND = first day + 1); the full       expected late 2024
                       window is written in DESCRIPTION            (date to be confirmed)"
range up to a month    all-day span like a month                   as for a month
=====================  ==========================================  ====================

Part-of-year, year and long range windows are markers rather than spans because a
four-month or twelve-month all-day bar covers every day of the season in month views
(the complaint in indico#6867), burying the events whose dates are known.

Once the whole window is over (`feeds.lapse`), no entry says "to be confirmed": a
superseded announcement reads "Not held as announced: title — <period>", one that was
never confirmed "Never confirmed: title — <period>", and a confirmed vague one just
"title — <period>". They stay in the feed (removing them would delete them from
calendars) with STATUS:TENTATIVE. An event known only from reports by others keeps
STATUS:CONFIRMED but its DESCRIPTION says "Status: reported by …".

Status: ``tentative`` gives STATUS:TENTATIVE and "(tentative)" after the title;
``postponed`` gives STATUS:TENTATIVE and a "Postponed:" prefix; ``cancelled`` gives
STATUS:CANCELLED and a "Cancelled:" prefix (markers in the feed's language). Cancelled
and postponed events stay in feeds until `SHOWN_AFTER_END` (30 days) after the latest moment
the event could have ended, then drop out: long enough for every client to have seen
the change (Google polls about daily), short enough that calendars which show cancelled
entries struck through do not pile them up. Every other event stays in feeds after it
has happened: removing an entry from a feed deletes it from subscribers' calendars.

Determinism: UIDs are ``<event id>@<host>``; DTSTAMP and LAST-MODIFIED are the event's
revision time and SEQUENCE its revision number (`feeds.revisions`); VTIMEZONE blocks are
added in sorted TZID order and cover the calendar years of the events that use them
(`feeds.vtimezone`); no calendar-level UID. Feeds carry no METHOD; single-event files
for email carry ``METHOD:PUBLISH``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from feeds import feed_words
from feeds.all_day_entry import all_day_vevent
from feeds.catalogs import Message
from feeds.folding import component_bytes
from feeds.lapse import (
    Lapse,
    event_date_label,
    lapse,
    reported_by_names,
    status_label,
    window_over,
)
from feeds.revisions import Revision, utc_seconds
from feeds.timeline import Event, Region, Source, localized
from feeds.vtimezone import vtimezone
from feeds.when import Precision, When
from feeds.wording import (
    KIND_NAMES,
    LANGUAGES,
    MODALITY_NAMES,
    STATUS_NAMES,
    Status,
    date_label,
    days_label,
    expected_label,
    period_label,
    phrase,
    to_be_confirmed,
)
from feeds.zones import isolate, zone_label

#: How long cancelled and postponed events stay in feeds after their latest possible end.
SHOWN_AFTER_END = timedelta(days=30)
REFRESH_INTERVAL = timedelta(hours=6)
#: Windows too long to paint: shown as one marker day, see the module docstring.
MARKER_PRECISIONS = frozenset({Precision.PART_OF_YEAR, Precision.YEAR})
#: A range longer than this is a marker too; up to it, a span like a month.
LONGEST_RANGE_SPAN = 31


def is_marker(when: When) -> bool:
    if when.precision is Precision.RANGE:
        return when.day_count > LONGEST_RANGE_SPAN
    return when.precision in MARKER_PRECISIONS


_STATUS_MARKERS: Mapping[Status, Message] = {
    Status.CANCELLED: feed_words.CANCELLED_MARKER,
    Status.POSTPONED: feed_words.POSTPONED_MARKER,
}
_LAPSE_MARKERS: Mapping[Lapse, Message] = {
    Lapse.SUPERSEDED: feed_words.SUPERSEDED_MARKER,
    Lapse.UNCONFIRMED: feed_words.NEVER_CONFIRMED_MARKER,
}


@dataclass(frozen=True)
class FeedMeta:
    """What a calendar says about itself, and where its entries point."""

    #: Names this export in PRODID ("all", a region id, or those plus a kinds filter).
    key: str
    name: str
    description: str
    #: The web page of the feed.
    url: str
    #: Domain of the UIDs; must never change once feeds are out.
    host: str
    #: Event id -> its web page.
    event_url: Callable[[str], str]
    regions: Mapping[str, Region] = field(default_factory=dict)
    refresh: timedelta = REFRESH_INTERVAL

    def prodid(self, lang: str) -> str:
        # Clients de-duplicate subscriptions by PRODID: one per export and language.
        return f"-//gcm-calendar//{self.host}//{self.key}//{lang.upper()}"

    def uid(self, event_id: str) -> str:
        return f"{event_id}@{self.host}"


def in_feed(event: Event, now: datetime) -> bool:
    """False once a cancelled or postponed event is past its retention."""
    if event.status not in _STATUS_MARKERS:
        return True
    return utc_seconds(now) < event.ends_at + SHOWN_AFTER_END


def render_calendar(
    events: Iterable[Event],
    *,
    feed: FeedMeta,
    revisions: Mapping[str, Revision],
    lang: str,
    now: datetime,
) -> bytes:
    """A subscribable calendar of `events` (those past retention left out), no METHOD."""
    _check_language(lang)
    shown = feed_order(events, now)
    entries = [
        render_entry(e, feed=feed, revision=revision_of(revisions, e), lang=lang, now=now)
        for e in shown
    ]
    return assemble(feed, lang, None, entries)


def render_event(
    event: Event,
    *,
    feed: FeedMeta,
    revision: Revision,
    lang: str,
    now: datetime,
    method: str | None = None,
) -> bytes:
    """One event as a calendar file; ``method="PUBLISH"`` for an email attachment."""
    _check_language(lang)
    entry = render_entry(event, feed=feed, revision=revision, lang=lang, now=now)
    return assemble(feed, lang, method, [entry])


def feed_order(events: Iterable[Event], now: datetime) -> list[Event]:
    """The events a feed shows (those past retention left out), in the order it lists them."""
    shown = sorted((e for e in events if in_feed(e, now)), key=lambda e: (e.starts_at, e.id))
    ids = [event.id for event in shown]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate event ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return shown


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One event's VEVENT in one language as bytes, and what a calendar holding it needs."""

    event: Event
    body: bytes
    #: The zones its dates name (each needs a VTIMEZONE in the calendar).
    tzids: frozenset[str]


def render_entry(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> Entry:
    """The entry of `event`; its bytes depend on `now` only through `window_over`."""
    if not event.when.is_timed:
        return Entry(
            event, _all_day(event, feed=feed, revision=revision, lang=lang, now=now), _NO_ZONES
        )
    return icalendar_entry(event, feed=feed, revision=revision, lang=lang, now=now)


_NO_ZONES: frozenset[str] = frozenset()


def icalendar_entry(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> Entry:
    """`render_entry` through icalendar's own objects (timed entries; the reference)."""
    component = _vevent(event, feed=feed, revision=revision, lang=lang, now=now)
    tzids = frozenset(
        tzid
        for _name, value in component.property_items(sorted=False)
        if (tzid := getattr(value, "params", {}).get("TZID"))
    )
    return Entry(event, component_bytes(component), tzids)


def assemble(feed: FeedMeta, lang: str, method: str | None, entries: Sequence[Entry]) -> bytes:
    """The calendar of `entries`, in their order: what icalendar would write for it."""
    head = component_bytes(_calendar(feed, lang, method))
    used = sorted(frozenset[str]().union(*(entry.tzids for entry in entries)))
    years = _years([entry.event for entry in entries]) if used else {}
    zones = b"".join(_zone_bytes(tzid, *years.get(tzid, years[""])) for tzid in used)
    return b"".join([head[: -len(_END)], zones, *(entry.body for entry in entries), _END])


_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def _zone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    return component_bytes(vtimezone(tzid, first_year, last_year))


# Dates and words ------------------------------------------------------------------------


def entry_dates(event: Event) -> tuple[date, date] | tuple[datetime, datetime | None]:
    """DTSTART and the exclusive DTEND of the calendar entry for `event` (None: an instant)."""
    when = event.when
    if when.is_timed:
        start = _unambiguous(event.starts_at)
        return start, None if when.end_time is None else _unambiguous(event.ends_at)
    if is_marker(when):
        return when.first_day, when.first_day + timedelta(days=1)
    return when.first_day, when.last_day + timedelta(days=1)


def _unambiguous(moment: datetime) -> datetime:
    """A local time that happens twice is read as the first (RFC 5545 3.3.5): the
    second one is written in UTC."""
    if moment.fold and moment.utcoffset() != moment.replace(fold=0).utcoffset():
        return moment.astimezone(UTC)
    return moment


def ical_status(event: Event) -> str:
    if event.status is Status.CANCELLED:
        return "CANCELLED"
    if event.status is Status.CONFIRMED and event.when.is_exact_day:
        return "CONFIRMED"
    return "TENTATIVE"


def summary(event: Event, lang: str, now: datetime) -> str:
    title = _line(event.title(lang))
    when = event.when
    lapsed = lapse(event, now)
    if lapsed is not None:
        period = period_label(when, lang)
        text = (
            title
            if when.is_exact_day
            else phrase(feed_words.TITLE_AND_DATE, lang, title=title, date=period)
        )
        return phrase(_LAPSE_MARKERS[lapsed], lang, title=text)
    if window_over(event, now) and not when.is_exact_day:
        period = period_label(when, lang)
        text = phrase(feed_words.TITLE_AND_DATE, lang, title=title, date=period)
    elif is_marker(when):
        expected = to_be_confirmed(expected_label(when, lang), lang)
        text = phrase(feed_words.TITLE_AND_DATE, lang, title=title, date=expected)
    elif not when.is_exact_day:
        text = phrase(feed_words.TITLE_AND_DATE, lang, title=title, date=date_label(when, lang))
    elif event.status is Status.TENTATIVE:
        text = phrase(feed_words.TENTATIVE_NOTE, lang, title=title)
    else:
        text = title
    marker = _STATUS_MARKERS.get(event.status)
    return text if marker is None else phrase(marker, lang, title=text)


def location(event: Event, lang: str) -> str:
    place = _line(event.place(lang))
    if event.modality is None:
        return place
    modality = phrase(MODALITY_NAMES[event.modality], lang)
    if not place:
        return modality[:1].upper() + modality[1:]
    return phrase(feed_words.PLACE_AND_MODALITY, lang, place=place, modality=modality)


def description(event: Event, *, feed: FeedMeta, lang: str, now: datetime) -> str:
    when = event.when
    head = event_date_label(event, lang, now)
    if when.is_timed:
        zone = zone_label(event.tz, event.starts_at, lang)
        head = phrase(feed_words.IN_ZONE, lang, date=head, zone=zone)
    lines = [head]
    if not when.is_exact_day and when.precision is not Precision.ALTERNATIVES:
        window = days_label(when.first_day, when.last_day, lang)
        lines.append(phrase(feed_words.POSSIBLE_DATES, lang, dates=window))
    status = status_label(event, lang, now)
    if status != phrase(STATUS_NAMES[Status.CONFIRMED], lang):
        lines.append(phrase(feed_words.STATUS_LINE, lang, status=status))
    if event.superseded_by:
        overtaken = isolate(feed.event_url(event.superseded_by), lang)
        lines.append(phrase(feed_words.OVERTAKEN_BY, lang, url=overtaken))
    if text := _text(event.description(lang)):
        lines += ["", text]
    lines.append("")
    if where := location(event, lang):
        lines.append(phrase(feed_words.WHERE, lang, place=where))
    region = feed.regions.get(event.region)
    if region is not None and (contact := _line(region.contact)):
        lines.append(phrase(feed_words.CONTACT, lang, contact=isolate(contact, lang)))
    if event.links:
        lines.append(phrase(feed_words.LINKS, lang))
        for link in event.links:
            label = _line(localized(link.labels, lang).text)
            url = isolate(link.url, lang)
            lines.append(f"- {label}: {url}" if label else f"- {url}")
    lines += _registration_lines(event, lang)
    if event.sources:
        lines.append(phrase(feed_words.SOURCES, lang))
        lines += [_source_line(source, lang) for source in event.sources]
    page = isolate(feed.event_url(event.id), lang)
    lines.append(phrase(feed_words.EVENT_PAGE, lang, url=page))
    return "\n".join(lines)


def _registration_lines(event: Event, lang: str) -> list[str]:
    registration = event.registration
    if registration is None:
        return []
    lines = []
    if registration.url:
        lines.append(phrase(feed_words.REGISTRATION, lang, url=isolate(registration.url, lang)))
    deadline = (
        date_label(registration.deadline, lang)
        if registration.deadline
        else phrase(feed_words.DEADLINE_NOT_PUBLISHED, lang)
    )
    lines.append(phrase(feed_words.REGISTRATION_DEADLINE, lang, date=deadline))
    if note := _line(registration.note(lang).text):
        lines.append(note)
    return lines


def _source_line(source: Source, lang: str) -> str:
    author = _line(source.author(lang))
    if not author:
        return f"- {source.url}"
    return f"- {source.url} ({reported_by_names([author], lang)})"


# Assembly -------------------------------------------------------------------------------


def _vevent(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> VEvent:
    stamp = utc_seconds(revision.modified)
    start, end = entry_dates(event)
    component = VEvent()
    component.add("uid", feed.uid(event.id))
    component.add("dtstamp", stamp)
    component.add("last-modified", stamp)
    component.add("sequence", revision.sequence)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    component.add("summary", summary(event, lang, now))
    component.add("status", ical_status(event))
    component.add("transp", "TRANSPARENT")
    component.add("x-microsoft-cdo-busystatus", "FREE")
    component.add("categories", [phrase(KIND_NAMES[event.kind], lang)])
    if where := location(event, lang):
        component.add("location", where)
    component.add("url", feed.event_url(event.id))
    component.add("description", description(event, feed=feed, lang=lang, now=now))
    return component


def _all_day(
    event: Event, *, feed: FeedMeta, revision: Revision, lang: str, now: datetime
) -> bytes:
    start, end = entry_dates(event)
    assert end is not None  # an all-day entry always ends
    return all_day_vevent(
        uid=feed.uid(event.id),
        stamp=utc_seconds(revision.modified),
        sequence=revision.sequence,
        start=start,
        end=end,
        summary=summary(event, lang, now),
        status=ical_status(event),
        category=phrase(KIND_NAMES[event.kind], lang),
        location=location(event, lang),
        url=feed.event_url(event.id),
        description=description(event, feed=feed, lang=lang, now=now),
    )


def _calendar(feed: FeedMeta, lang: str, method: str | None) -> Calendar:
    """The calendar's own properties; entries and zones are added as bytes (`assemble`)."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", feed.prodid(lang))
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    # icalendar types NAME and the X-WR-* properties as unknown, which skips escaping.
    name, about = vText(_line(feed.name)), vText(_text(feed.description))
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", about)
    calendar.add("x-wr-caldesc", about)
    calendar.add("url", feed.url)
    calendar.add("refresh-interval", feed.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(feed.refresh))
    return calendar


def _years(events: list[Event]) -> dict[str, tuple[int, int]]:
    """Per zone, the calendar years its definition must cover: those of its events
    (under "", those of all the events, for a zone no event is in)."""
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        first, last = event.when.first_day.year, event.when.last_day.year
        for zone in (event.tz, ""):
            low, high = years.get(zone, (first, last))
            years[zone] = (min(low, first), max(high, last))
    return years


def revision_of(revisions: Mapping[str, Revision], event: Event) -> Revision:
    revision = revisions.get(event.id)
    if revision is None:
        raise ValueError(f"event {event.id!r} has no revision: run feeds.revisions.advance first")
    return revision


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use one of {', '.join(LANGUAGES)})")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(text: str) -> str:
    """Multi-line text without control characters, which clients reject or mangle."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def _line(text: str) -> str:
    return " ".join(_text(text).split())
