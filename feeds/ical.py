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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import Protocol

from icalendar import Calendar, vDuration, vText

from feeds.entry_text import (
    STATUS_MARKERS,
    clean_text,
    description,
    is_marker,
    location,
    one_line,
    summary,
)
from feeds.feed_meta import REFRESH_INTERVAL as REFRESH_INTERVAL
from feeds.feed_meta import FeedMeta as FeedMeta
from feeds.folding import component_bytes
from feeds.revisions import Revision, utc_seconds
from feeds.timeline import Event
from feeds.vevent_bytes import date_line, datetime_line, vevent_bytes
from feeds.vocabulary import KIND_NAMES, LANGUAGES, Status, phrase
from feeds.vtimezone import vtimezone

#: How long cancelled and postponed events stay in feeds after their latest possible end.
SHOWN_AFTER_END = timedelta(days=30)


def in_feed(event: Event, now: datetime) -> bool:
    """False once a cancelled or postponed event is past its retention."""
    if event.status not in STATUS_MARKERS:
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
    start, end = entry_dates(event)
    zones = []
    if isinstance(start, datetime):
        start_line, zone = datetime_line("DTSTART", start)
        zones.append(zone)
        end_line = None
        if end is not None:
            assert isinstance(end, datetime)
            end_line, zone = datetime_line("DTEND", end)
            zones.append(zone)
    else:
        assert end is not None  # an all-day entry always ends
        start_line, end_line = date_line("DTSTART", start), date_line("DTEND", end)
    body = vevent_bytes(
        uid=feed.uid(event.id),
        stamp=utc_seconds(revision.modified),
        sequence=revision.sequence,
        start=start_line,
        end=end_line,
        summary=summary(event, lang, now),
        status=ical_status(event),
        category=phrase(KIND_NAMES[event.kind], lang),
        location=location(event, lang),
        url=feed.event_url(event.id),
        description=description(event, feed=feed, lang=lang, now=now),
    )
    return Entry(event, body, frozenset(zone for zone in zones if zone is not None))


_END = b"END:VCALENDAR\r\n"


def assemble(
    feed: FeedMeta,
    lang: str,
    method: str | None,
    entries: Sequence[Entry],
    zones: bytes | None = None,
) -> bytes:
    """The calendar of `entries`, in their order: what icalendar would write for it.
    `zones` is their `zone_block`, when the caller has it already."""
    if zones is None:
        zones = zone_block(entries)
    head = calendar_head(feed, lang, method)
    return b"".join(calendar_parts(head, zones, [entry.body for entry in entries]))


def calendar_head(feed: FeedMeta, lang: str, method: str | None) -> bytes:
    """A calendar's bytes before its zones and entries."""
    return component_bytes(_calendar(feed, lang, method))[: -len(_END)]


def calendar_parts(head: bytes, zones: bytes, bodies: Iterable[bytes]) -> Iterator[bytes]:
    """A calendar's bytes in order, from its head, zones and entries' bytes."""
    return chain((head, zones), bodies, (_END,))


class Zoned(Protocol):
    """An entry, or an event's entries in every language: what its dates need."""

    @property
    def event(self) -> Event: ...

    @property
    def tzids(self) -> frozenset[str]: ...


def zone_block(entries: Sequence[Zoned]) -> bytes:
    """The VTIMEZONEs a calendar of `entries` needs, in TZID order: the same in every
    language, since an entry's dates do not depend on it."""
    used = sorted(frozenset[str]().union(*(entry.tzids for entry in entries)))
    if not used:
        return b""
    years = _years([entry.event for entry in entries])
    return b"".join(_zone_bytes(tzid, *years.get(tzid, years[""])) for tzid in used)


@lru_cache(maxsize=256)
def _zone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    return component_bytes(vtimezone(tzid, first_year, last_year))


# Dates ----------------------------------------------------------------------------------


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


def _calendar(feed: FeedMeta, lang: str, method: str | None) -> Calendar:
    """The calendar's own properties; entries and zones are added as bytes (`assemble`)."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", feed.prodid(lang))
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    # icalendar types NAME and the X-WR-* properties as unknown, which skips escaping.
    name, about = vText(one_line(feed.name)), vText(clean_text(feed.description))
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
