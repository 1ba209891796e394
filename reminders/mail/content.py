"""What an email says, as plain values in the reader's language, ready for the templates.

Pure: the timeline, the outbox items, the reader's language and zone and `now` are
passed in. Dates are stated twice where it matters: as announced at the venue (with
"date to be confirmed" when only a month or a season is known, `feeds.wording.date_label`)
and, for events with a time of day, in the reader's own zone (Babel with ``tzinfo``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from feeds import when as when_module
from feeds.lapse import event_date_label, lapse, status_label
from feeds.timeline import Event, Localized, Timeline
from feeds.wording import (
    DEFAULT_LANGUAGE,
    KIND_NAMES,
    MODALITY_NAMES,
    STATUS_NAMES,
    Modality,
    Status,
    date_label,
    period_label,
    phrase,
)
from feeds.zones import city_time, moments_in_zone
from reminders.i18n import gettext, ngettext
from reminders.mail import words
from reminders.states import MessageKind

#: The order of sections in a message that carries several kinds of news.
SECTION_ORDER = (
    MessageKind.CANCELLED,
    MessageKind.CHANGE,
    MessageKind.CONFIRMED,
    MessageKind.REMINDER,
    MessageKind.EXPECTED,
)
EVENT_KINDS = frozenset(SECTION_ORDER)


class MessageItem(Protocol):
    """One outbox row's content (`reminders.outbox.Item` fits)."""

    @property
    def kind(self) -> str: ...
    @property
    def event_id(self) -> str | None: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def revision(self) -> int: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class ChangeView:
    label: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    #: Timeline texts: fallbacks to another language carry it into the HTML (lang, dir).
    title: Localized
    kind_name: str
    region_name: Localized
    #: The date as announced (uncertainty stated); for a timed event its day, times and
    #: the venue's zone.
    when: str
    #: The same without the "to be confirmed" note ("March 2024"), for subject lines.
    period: str
    #: Events with a time of day, when the reader's zone is another: the same in theirs.
    your_time: str
    #: Reminders only: "tomorrow", "in 3 weeks"...
    starts: str
    place: Localized
    modality: str
    #: "" when confirmed; else "tentative", "postponed" or "cancelled".
    status: str
    page_url: str
    links: tuple[tuple[Localized, str], ...]
    contact: str
    region_url: str
    changes: tuple[ChangeView, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    kind: str  # a MessageKind value; the template is "<kind>.txt.j2" / "<kind>.html.j2"
    events: tuple[EventView, ...]


# Dates ----------------------------------------------------------------------------------


@cache
def zone_of(tz: str) -> ZoneInfo:
    """`ZoneInfo`, kept: its own cache holds only a few zones strongly."""
    return ZoneInfo(tz)


def time_range(start: datetime, end: datetime | None, zone: ZoneInfo, lang: str) -> str:
    """The day and times of a timed event as seen in `zone`, with the zone named."""
    return moments_in_zone(start, end, zone.key, lang)


def until_start(event: Event, zone: ZoneInfo, now: datetime) -> tuple[int, int | None]:
    """(calendar days from the reader's today to the event's first day, hours if < 1 day).

    Cheap on purpose: the composer puts it in its cache key.
    """
    days = (event.when.first_day - now.astimezone(zone).date()).days
    if event.when.is_timed:
        left = event.starts_at - now
        if left < timedelta(days=1):
            return (days, max(0, left // timedelta(hours=1)))
    return (days, None)


def starts_phrase(days: int, hours: int | None, lang: str) -> str:
    if hours is not None:
        if hours < 1:
            return gettext(lang, words.WITHIN_THE_HOUR)
        return ngettext(lang, *words.IN_HOURS, hours)
    if days <= 0:
        return gettext(lang, words.TODAY)
    if days == 1:
        return gettext(lang, words.TOMORROW)
    if days % 7 == 0:
        return ngettext(lang, *words.IN_WEEKS, days // 7)
    return ngettext(lang, *words.IN_DAYS, days)


# Changes --------------------------------------------------------------------------------


def _when_text(value: str, lang: str) -> str:
    try:
        return date_label(when_module.parse(value), lang)
    except when_module.WhenError:
        return value


def _change_value(field: str, value: Any, lang: str) -> str:
    none = gettext(lang, words.NONE)
    if field in ("date", "time"):
        return _when_text(str(value), lang) if value else none
    if field == "tz":
        return city_time(str(value), lang)
    if field == "modality":
        return phrase(MODALITY_NAMES[Modality(value)], lang) if value else none
    if field == "status":
        return phrase(STATUS_NAMES[Status(value)], lang)
    if field == "links":
        return "; ".join(str(link) for link in value) if value else none
    if field == "title" and isinstance(value, Mapping):
        return str(value.get(lang) or value.get(DEFAULT_LANGUAGE, ""))
    return str(value) if value else none


def change_views(payload: Mapping[str, Any], lang: str) -> tuple[ChangeView, ...]:
    views = []
    for change in payload.get("changes", ()):
        field = str(change["field"])
        label = gettext(lang, words.FIELD_LABELS.get(field, field))
        views.append(
            ChangeView(
                label,
                _change_value(field, change["old"], lang),
                _change_value(field, change["new"], lang),
            )
        )
    return tuple(views)


# Events ---------------------------------------------------------------------------------


def _actions(kind: MessageKind, event: Event, lang: str) -> tuple[str, ...]:
    if kind is MessageKind.CANCELLED:
        texts: Sequence[str] = (words.CANCELLED,)
    elif kind is MessageKind.CHANGE:
        postponed = event.status is Status.POSTPONED
        texts = (words.POSTPONED,) if postponed else (words.CHECK_CHANGES,)
    else:
        texts = words.ACTIONS[event.kind]
    return tuple(gettext(lang, text) for text in texts)


def _status(event: Event, lang: str, now: datetime) -> str:
    """"" when the organisers confirmed it; else how sure it is ("reported by …")."""
    if event.status is Status.CONFIRMED and not event.reported_only and lapse(event, now) is None:
        return ""
    return status_label(event, lang, now)


def event_view(
    event: Event,
    item: MessageItem,
    *,
    timeline: Timeline,
    lang: str,
    zone: ZoneInfo,
    now: datetime,
    event_page: Callable[[str], str],
) -> EventView:
    kind = MessageKind(item.kind)
    region = timeline.region(event.region)
    when = event_date_label(event, lang, now)
    your_time = ""
    if event.when.is_timed:
        start = event.starts_at
        end = event.ends_at if event.when.end_time is not None else None
        when = time_range(start, end, event.zone, lang)
        if zone.key != event.zone.key:
            your_time = time_range(start, end, zone, lang)
    starts = ""
    if kind is MessageKind.REMINDER:
        starts = starts_phrase(*until_start(event, zone, now), lang)
    return EventView(
        id=event.id,
        title=event.title_in(lang),
        kind_name=phrase(KIND_NAMES[event.kind], lang),
        region_name=region.name_in(lang) if region else Localized("", lang, lang),
        when=when,
        period=period_label(event.when, lang),
        your_time=your_time,
        starts=starts,
        place=event.place_in(lang),
        modality=phrase(MODALITY_NAMES[event.modality], lang) if event.modality else "",
        status=_status(event, lang, now),
        page_url=event_page(event.id),
        links=tuple((link.label(lang), link.url) for link in event.links),
        contact=region.contact if region else "",
        region_url=region.url if region else "",
        changes=change_views(item.payload, lang),
        actions=_actions(kind, event, lang),
    )


def sections(
    items: Iterable[MessageItem],
    *,
    timeline: Timeline,
    lang: str,
    zone: ZoneInfo,
    now: datetime,
    event_page: Callable[[str], str],
) -> tuple[Section, ...]:
    """The items grouped by kind (in `SECTION_ORDER`), events in date order.

    Items whose event is no longer in the timeline are left out; so is a second item
    about the same event and kind.
    """
    by_kind: dict[MessageKind, dict[str, tuple[Event, MessageItem]]] = {}
    for item in items:
        kind = MessageKind(item.kind)
        if kind not in EVENT_KINDS or item.event_id is None:
            raise ValueError(f"{kind.value} is not a message about an event")
        event = timeline.event(item.event_id)
        if event is not None:
            by_kind.setdefault(kind, {}).setdefault(event.id, (event, item))
    found = []
    for kind in SECTION_ORDER:
        pairs = sorted(by_kind.get(kind, {}).values(), key=lambda p: (p[0].starts_at, p[0].id))
        if pairs:
            views = tuple(
                event_view(
                    event,
                    item,
                    timeline=timeline,
                    lang=lang,
                    zone=zone,
                    now=now,
                    event_page=event_page,
                )
                for event, item in pairs
            )
            found.append(Section(kind.value, views))
    return tuple(found)


def subject(found: Sequence[Section], lang: str) -> str:
    """The subject line: the event's title for one event, a count for several."""
    count = sum(len(section.events) for section in found)
    if len(found) == 1 and count == 1:
        kind = MessageKind(found[0].kind)
        view = found[0].events[0]
        return gettext(
            lang, words.SUBJECT_ONE[kind], title=view.title, starts=view.starts, when=view.period
        )
    if len(found) == 1:
        return ngettext(lang, *words.SUBJECT_MANY[MessageKind(found[0].kind)], count)
    return ngettext(lang, *words.SUBJECT_MIXED, count)
