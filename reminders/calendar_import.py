"""What an organiser's calendar export suggests for the timeline (``gcmcal import``).

Pure: bytes of an iCalendar file and the timeline in, suggestions out; the timeline file
is never written. Indico's exports are the main case (``/event/<id>/event.ics``,
``/category/<id>/events.ics``, the ``/export/categ/<id>.ics`` API), laid out as Indico's
``indico/modules/events/ical.py`` writes them: ``PRODID:-//CERN//INDICO//EN``, one VEVENT
per event with ``UID:indico-event-<id>@<host>``, ``DTSTART``/``DTEND`` in UTC,
``SUMMARY`` with the event's label appended in brackets ("… [Postponed]"), ``URL`` (the
event page), ``LOCATION`` as "room (venue)", and, in detailed exports, contributions and
session blocks that point to their event with ``RELATED-TO`` (left out here).

An exported event matches a timeline event when its UID is among the event's
``external_uids``, else when its URL and one of the event's links or sources name the
same page (Indico: the same ``/event/<id>`` on the same host, whatever page below it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from feeds.timeline import GLOBAL, Event, Timeline
from feeds.vocabulary import DEFAULT_LANGUAGE, Kind, Status


class ImportProblem(ValueError):
    """The file cannot be read as an iCalendar export; the message says why."""


@dataclass(frozen=True, slots=True)
class Exported:
    """One VEVENT of the export, as the timeline needs it."""

    uid: str
    title: str
    label: str  # Indico's event label ("Postponed"), without the brackets
    start: date | datetime
    end: date | datetime | None
    location: str
    url: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    exported: Exported
    event_id: str | None  # None: a new event
    matched_by: str  # "UID", "URL" or ""
    #: (field, value now, suggested TOML value) for a matched event.
    changes: tuple[tuple[str, str, str], ...] = ()
    #: A block to paste, for a new event.
    toml: str = ""


# Reading ----------------------------------------------------------------------------------

_LABEL = re.compile(r"^(?P<title>.*?)\s*\[(?P<label>[^\[\]]+)\]$")


def _text(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def read_export(data: bytes, source: str) -> tuple[list[Exported], int]:
    """The exported events, and how many sub-entries (contributions, sessions) were left out."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise ImportProblem(f"{source}: not an iCalendar file ({exc})") from None
    if calendar.name != "VCALENDAR":
        raise ImportProblem(f"{source}: not an iCalendar file (no VCALENDAR)")
    found: list[Exported] = []
    skipped = 0
    for n, component in enumerate(calendar.walk("VEVENT"), start=1):
        if component.get("RELATED-TO") is not None:
            skipped += 1  # a contribution or session block of an event
            continue
        start = component.get("DTSTART")
        if start is None:
            raise ImportProblem(f"{source}: event {n} ({_text(component, 'UID')}) has no DTSTART")
        end = component.get("DTEND")
        summary = _text(component, "SUMMARY")
        labelled = _LABEL.match(summary)
        found.append(
            Exported(
                uid=_text(component, "UID"),
                title=labelled["title"] if labelled else summary,
                label=labelled["label"].strip() if labelled else "",
                start=start.dt,
                end=end.dt if end is not None else None,
                location=_text(component, "LOCATION"),
                url=_text(component, "URL"),
            )
        )
    return found, skipped


# Matching ---------------------------------------------------------------------------------

_INDICO_EVENT = re.compile(r"^(/event/[0-9]+)(/|$)")


def page_key(url: str) -> str:
    """What makes two URLs name the same page: host and path, Indico events by id."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    indico = _INDICO_EVENT.match(path + "/")
    if indico:
        path = indico[1]
    return f"{(parts.hostname or '').lower()}{path}"


def match(exported: Exported, events: Iterable[Event]) -> tuple[Event | None, str]:
    candidates = list(events)
    for event in candidates:
        if exported.uid and exported.uid in event.external_uids:
            return event, "UID"
    if exported.url:
        key = page_key(exported.url)
        for event in candidates:
            urls = [link.url for link in event.links] + [source.url for source in event.sources]
            if any(page_key(url) == key for url in urls):
                return event, "URL"
    return None, ""


# Suggesting -------------------------------------------------------------------------------


def when_text(exported: Exported, zone: ZoneInfo) -> str:
    """The export's dates in the timeline's `when` grammar, times in `zone`."""
    start, end = exported.start, exported.end
    if not isinstance(start, datetime):
        last = start
        if isinstance(end, date) and not isinstance(end, datetime) and end > start:
            last = end - timedelta(days=1)  # DTEND of a date is exclusive
        return start.isoformat() if last == start else f"{start.isoformat()}..{last.isoformat()}"
    first = (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(zone)
    if not isinstance(end, datetime) or end == start:
        return f"{first:%Y-%m-%dT%H:%M}"
    until = (end if end.tzinfo else end.replace(tzinfo=zone)).astimezone(zone)
    if until.date() == first.date():
        return f"{first:%Y-%m-%dT%H:%M}/{until:%H:%M}"
    return f"{first:%Y-%m-%dT%H:%M}/{until:%Y-%m-%dT%H:%M}"


def status_of(label: str) -> Status | None:
    word = label.lower()
    if "cancel" in word:
        return Status.CANCELLED
    if "postpone" in word:
        return Status.POSTPONED
    return None


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _changes(exported: Exported, event: Event, matched_by: str) -> tuple[tuple[str, str, str], ...]:
    changes: list[tuple[str, str, str]] = []
    when = when_text(exported, event.zone)
    if when != event.when.format():
        changes.append(("when", event.when.format(), _toml(when)))
    place = event.place(DEFAULT_LANGUAGE)
    if exported.location and exported.location != place:
        changes.append(("place", place, _toml(exported.location)))
    status = status_of(exported.label)
    if status is not None and status is not event.status:
        changes.append(("status", event.status.value, _toml(status.value)))
    urls = [link.url for link in event.links]
    known = {page_key(url) for url in [*urls, *(source.url for source in event.sources)]}
    if exported.url and page_key(exported.url) not in known:
        added = [{"url": link.url, "label": link.default_label()} for link in event.links]
        added.append({"url": exported.url, "label": "Indico"})
        inline = ", ".join(
            f"{{ url = {_toml(a['url'])}, label = {_toml(a['label'])} }}" for a in added
        )
        changes.append(("links", "; ".join(urls) or "(none)", f"[{inline}]"))
    if matched_by == "URL" and exported.uid:
        kept = [*event.external_uids, exported.uid]
        changes.append(("external_uids", ", ".join(event.external_uids) or "(none)", _toml(kept)))
    return tuple(changes)


_KIND_WORDS: tuple[tuple[str, Kind], ...] = (
    ("pre-consultation", Kind.PRE_CONSULTATION),
    ("hearing", Kind.HEARING),
    ("consultation", Kind.CONSULTATION),
    ("deadline", Kind.REGISTRATION_DEADLINE),
    ("discussion space", Kind.DISCUSSION_SPACE),
    ("gcm talk", Kind.GCM_TALK),
    ("international migration review forum", Kind.IMRF),
    ("imrf", Kind.IMRF),
    ("review", Kind.REGIONAL_REVIEW),
)


def kind_of(title: str) -> Kind:
    lowered = title.lower()
    return next((kind for word, kind in _KIND_WORDS if word in lowered), Kind.OTHER)


def slug(text: str, limit: int = 60) -> str:
    """A timeline id from `text`, cut at a word boundary."""
    whole = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(whole) > limit:
        whole = whole[: limit + 1].rsplit("-", 1)[0]
    return whole or "event"


def new_block(exported: Exported, region: str, tz: str) -> str:
    start_year = exported.start.year
    lines = [
        "[[events]]",
        f"id = {_toml(slug(f'{region} {start_year} {exported.title}'))}",
        f"region = {_toml(region)}",
        f"kind = {_toml(kind_of(exported.title).value)}  # check",
        f"when = {_toml(when_text(exported, ZoneInfo(tz)))}",
        f"tz = {_toml(tz)}",
    ]
    status = status_of(exported.label)
    if status is not None:
        lines.append(f"status = {_toml(status.value)}")
    if exported.location:
        lines.append(f"place = {_toml(exported.location)}")
    if exported.url:
        lines.append(f"sources = [{_toml(exported.url)}]")
        lines.append(f'links = [{{ url = {_toml(exported.url)}, label = "Indico" }}]')
    if exported.uid:
        lines.append(f"external_uids = [{_toml(exported.uid)}]")
    lines.append(f"title = {{ en = {_toml(exported.title)} }}")
    return "\n".join(lines)


def suggest(
    timeline: Timeline, exported: Sequence[Exported], region: str | None = None
) -> list[Suggestion]:
    """One suggestion per exported event; new events go to `region` (default: global)."""
    found = timeline.region(region) if region else None
    target, tz = (found.id, found.tz) if found else (GLOBAL, "UTC")
    suggestions = []
    for item in exported:
        event, matched_by = match(item, timeline.events)
        if event is None:
            suggestions.append(Suggestion(item, None, "", toml=new_block(item, target, tz)))
        else:
            suggestions.append(
                Suggestion(item, event.id, matched_by, _changes(item, event, matched_by))
            )
    return suggestions


def lines(suggestions: Sequence[Suggestion], source: str, skipped: int) -> list[str]:
    """What `gcmcal import` prints: changes for matched events, TOML for new ones."""
    matched = [s for s in suggestions if s.event_id is not None]
    new = [s for s in suggestions if s.event_id is None]
    out = [
        f"{source}: {len(suggestions)} events, {len(matched)} matched, {len(new)} new"
        + (f", {skipped} contributions or sessions left out" if skipped else "")
        + ". The timeline was not changed."
    ]
    for item in matched:
        who = item.exported.uid if item.matched_by == "UID" else item.exported.url
        out += ["", f"{item.event_id} (matched by {item.matched_by} {who}):"]
        if not item.changes:
            out.append("  nothing to change")
        for field, now, value in item.changes:
            out.append(f"  {field} = {value}  # now: {now or '(none)'}")
    if new:
        out += ["", "# New events: check region, kind and id, then paste into the timeline."]
    for item in new:
        out += ["", item.toml]
    return out
