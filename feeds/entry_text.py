"""The words of a feed entry in one language: SUMMARY, LOCATION and DESCRIPTION.

How each `when` form reads is described in `feeds.ical`; the texts are the same whether
the entry is written directly (`feeds.vevent_bytes`) or through icalendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from feeds import feed_words
from feeds.catalogs import Message
from feeds.date_labels import date_label, days_label, expected_label, period_label, to_be_confirmed
from feeds.feed_meta import FeedMeta
from feeds.lapse import (
    Lapse,
    event_date_label,
    lapse,
    reported_by_names,
    status_label,
    window_over,
)
from feeds.timeline import Event, Source, localized
from feeds.vocabulary import MODALITY_NAMES, STATUS_NAMES, Status, phrase
from feeds.when import Precision, When
from feeds.zones import isolate, zone_label

#: Windows too long to paint: shown as one marker day (see `feeds.ical`).
MARKER_PRECISIONS = frozenset({Precision.PART_OF_YEAR, Precision.YEAR})
#: A range longer than this is a marker too; up to it, a span like a month.
LONGEST_RANGE_SPAN = 31


def is_marker(when: When) -> bool:
    if when.precision is Precision.RANGE:
        return when.day_count > LONGEST_RANGE_SPAN
    return when.precision in MARKER_PRECISIONS


STATUS_MARKERS: Mapping[Status, Message] = {
    Status.CANCELLED: feed_words.CANCELLED_MARKER,
    Status.POSTPONED: feed_words.POSTPONED_MARKER,
}
_LAPSE_MARKERS: Mapping[Lapse, Message] = {
    Lapse.SUPERSEDED: feed_words.SUPERSEDED_MARKER,
    Lapse.UNCONFIRMED: feed_words.NEVER_CONFIRMED_MARKER,
}


def summary(event: Event, lang: str, now: datetime) -> str:
    title = one_line(event.title(lang))
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
    marker = STATUS_MARKERS.get(event.status)
    return text if marker is None else phrase(marker, lang, title=text)


def location(event: Event, lang: str) -> str:
    place = one_line(event.place(lang))
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
    if text := clean_text(event.description(lang)):
        lines += ["", text]
    lines.append("")
    if where := location(event, lang):
        lines.append(phrase(feed_words.WHERE, lang, place=where))
    region = feed.regions.get(event.region)
    if region is not None and (contact := one_line(region.contact)):
        lines.append(phrase(feed_words.CONTACT, lang, contact=isolate(contact, lang)))
    if event.links:
        lines.append(phrase(feed_words.LINKS, lang))
        for link in event.links:
            label = one_line(localized(link.labels, lang).text)
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
    if note := one_line(registration.note(lang).text):
        lines.append(note)
    return lines


def _source_line(source: Source, lang: str) -> str:
    author = one_line(source.author(lang))
    if not author:
        return f"- {source.url}"
    return f"- {source.url} ({reported_by_names([author], lang)})"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Multi-line text without control characters, which clients reject or mangle."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())
