"""What an email says, as plain values in the reader's language, ready for the templates.

Pure: the timeline, the outbox items, the reader's language and zone and `now` are
passed in. Dates are stated twice where it matters: as announced at the venue (with
"date to be confirmed" when only a month or a season is known, `feeds.date_labels.date_label`)
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
from feeds.date_labels import date_label, period_label
from feeds.lapse import event_date_label, lapse, status_label
from feeds.timeline import Event, Localized, Timeline
from feeds.vocabulary import (
    DEFAULT_LANGUAGE,
    KIND_NAMES,
    MODALITY_NAMES,
    STATUS_NAMES,
    Kind,
    Modality,
    Status,
    phrase,
)
from feeds.zones import city_time, moments_in_zone
from reminders import take_part
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
#: A "date confirmed" notice about an event its organisers still call tentative: a day
#: is known, but calling it "confirmed" next to "Status: tentative" would contradict.
ANNOUNCED = "announced"
#: A "date confirmed" notice about an event known only from others' reports: the day is
#: theirs, not the organisers', so the heading must not say "confirmed" either.
REPORTED = "reported"
#: Sections whose items are "date confirmed" notices, by what the date rests on.
CONFIRMED_SECTIONS = frozenset({MessageKind.CONFIRMED.value, ANNOUNCED, REPORTED})
#: Advice that needs weeks of work ahead; left out when less time is left.
NEEDS_WEEKS = frozenset({take_part.SIDE_EVENT, take_part.PROPOSE_TALK})
#: Advice that needs at least a day; left out in the last hours.
NEEDS_A_DAY = frozenset({take_part.PREPARE, take_part.SUBMIT_INPUT})
#: Advice that only holds while registration is open.
NEEDS_REGISTRATION = frozenset({take_part.REGISTER, take_part.DEADLINE})
#: How far back a registration deadline of the same region counts as this event's.
REGISTRATION_REACH = timedelta(days=120)


class MessageItem(Protocol):
    """One outbox row's content (`reminders.claims.Item` fits)."""

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
    #: A deadline (it closes, it does not start): the templates say "Closes:".
    deadline: bool
    place: Localized
    modality: str
    #: "" when the organisers confirmed it, or when the section's heading says it; else how
    #: sure the date is: "tentative", "postponed", "reported by …", "date never confirmed"…
    status: str
    page_url: str
    links: tuple[tuple[Localized, str], ...]
    contact: str
    region_url: str
    changes: tuple[ChangeView, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    kind: str  # a MessageKind value or ANNOUNCED; the template is "<kind>.txt.j2" / ".html.j2"
    events: tuple[EventView, ...]
    #: Per event: what happened to it, for the subject ("moved", "postponed", ...).
    happened: tuple[str, ...] = ()


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


#: Where and when a change is read: (the venue's zone, now). Dates whose window is over
#: then read as their period, never "to be confirmed" (as `feeds.lapse` reads them).
Moment = tuple[ZoneInfo, datetime]


def _when_text(value: str, lang: str, at: Moment | None) -> str:
    try:
        parsed = when_module.parse(value)
    except when_module.WhenError:
        return value
    if at is not None and parsed.latest(at[0]) <= at[1]:
        return period_label(parsed, lang)
    return date_label(parsed, lang)


def _change_value(field: str, value: Any, lang: str, at: Moment | None) -> str:
    none = gettext(lang, words.NONE)
    if field in ("date", "time"):
        return _when_text(str(value), lang, at) if value else none
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


def change_views(
    payload: Mapping[str, Any], lang: str, at: Moment | None = None
) -> tuple[ChangeView, ...]:
    """The changes of a notice, old and new values in `lang`.

    With `at` (venue zone, now), a date whose window is over reads as its period alone.
    """
    views = []
    for change in payload.get("changes", ()):
        field = str(change["field"])
        label = gettext(lang, words.FIELD_LABELS.get(field, field))
        views.append(
            ChangeView(
                label,
                _change_value(field, change["old"], lang, at),
                _change_value(field, change["new"], lang, at),
            )
        )
    return tuple(views)


# Events ---------------------------------------------------------------------------------


def registration_closed(event: Event, timeline: Timeline, now: datetime) -> bool:
    """Whether the registration deadline of `event`'s region before it has passed.

    The deadline is the latest registration-deadline event of the same region that
    falls in the `REGISTRATION_REACH` before the event's start. A deadline itself is
    open until it comes.
    """
    if event.kind is Kind.REGISTRATION_DEADLINE:
        return event.starts_at <= now
    earliest = event.starts_at - REGISTRATION_REACH
    deadlines = [
        other.starts_at
        for other in timeline.events
        if other.kind is Kind.REGISTRATION_DEADLINE
        and other.region == event.region
        and other.id != event.id
        and other.when.is_exact_day
        and earliest <= other.starts_at <= event.starts_at
    ]
    return bool(deadlines) and max(deadlines) <= now


def fitting_actions(
    texts: Sequence[str], *, left: timedelta, registration_open: bool
) -> tuple[str, ...]:
    """The advice (message ids) that still makes sense with `left` until the event."""
    kept: list[str] = []
    for text in texts:
        if text in NEEDS_WEEKS and left < timedelta(days=14):
            continue
        if text in NEEDS_A_DAY and left < timedelta(days=1):
            continue
        if text in NEEDS_REGISTRATION and not registration_open:
            if words.REGISTRATION_CLOSED not in kept:
                kept.append(words.REGISTRATION_CLOSED)
            continue
        kept.append(text)
    return tuple(kept)


def _actions(
    kind: MessageKind, event: Event, timeline: Timeline, lang: str, now: datetime
) -> tuple[str, ...]:
    if kind is MessageKind.CANCELLED or event.status is Status.CANCELLED:
        texts: Sequence[str] = (words.CANCELLED,)
    elif event.superseded_by:
        texts = (words.SUPERSEDED,)
    elif event.status is Status.POSTPONED:
        texts = (words.POSTPONED,)
    elif kind is MessageKind.CHANGE:
        texts = (words.CHECK_CHANGES,)
    else:
        texts = fitting_actions(
            words.ACTIONS[event.kind],
            left=event.starts_at - now,
            registration_open=not registration_closed(event, timeline, now),
        )
    return tuple(gettext(lang, text) for text in texts)


def _status(event: Event, lang: str, now: datetime) -> str:
    """ "" when the organisers confirmed it; else how sure it is ("reported by …")."""
    if event.status is Status.CONFIRMED and not event.reported_only and lapse(event, now) is None:
        return ""
    return status_label(event, lang, now)


def happened(kind: MessageKind, event: Event, payload: Mapping[str, Any]) -> str:
    """What a notice says happened to an event: a key of `words.SUBJECT_HAPPENED`."""
    if kind is MessageKind.CHANGE:
        if event.status is Status.POSTPONED:
            return "postponed"
        fields = {str(change.get("field")) for change in payload.get("changes", ())}
        return "moved" if fields & {"date", "time", "tz"} else "changed"
    if kind is MessageKind.CONFIRMED and event.status is Status.TENTATIVE:
        return ANNOUNCED
    if kind is MessageKind.CONFIRMED and event.reported_only:
        return REPORTED
    return kind.value


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
    off = kind is MessageKind.CANCELLED or event.status is Status.CANCELLED
    # The heading ("Cancelled", "Date announced, not yet final") says it already: no
    # "Status:" line to repeat it. "Reported by …" stays: the heading names no one.
    heading_says = kind is MessageKind.CANCELLED or happened(kind, event, item.payload) == ANNOUNCED
    return EventView(
        id=event.id,
        title=event.title_in(lang),
        kind_name=phrase(KIND_NAMES[event.kind], lang),
        region_name=region.name_in(lang) if region else Localized("", lang, lang),
        when=when,
        period=period_label(event.when, lang),
        your_time=your_time,
        starts=starts,
        deadline=event.kind is Kind.REGISTRATION_DEADLINE,
        place=event.place_in(lang),
        modality=phrase(MODALITY_NAMES[event.modality], lang) if event.modality else "",
        status="" if heading_says else _status(event, lang, now),
        page_url=event_page(event.id),
        # A cancelled event's registration and programme links lead nowhere useful.
        links=() if off else tuple((link.label(lang), link.url) for link in event.links),
        contact=region.contact if region else "",
        region_url=region.url if region else "",
        changes=change_views(item.payload, lang, (event.zone, now)),
        actions=_actions(kind, event, timeline, lang, now),
    )


#: Sections in the order a message shows them.
_DISPLAY_ORDER = (
    MessageKind.CANCELLED.value,
    MessageKind.CHANGE.value,
    MessageKind.CONFIRMED.value,
    ANNOUNCED,
    REPORTED,
    MessageKind.REMINDER.value,
    MessageKind.EXPECTED.value,
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

    A "date confirmed" item about an event still called tentative goes to an
    `ANNOUNCED` section, one about an event known only from reports to a `REPORTED`
    one. Items whose event is no longer in the timeline are left out;
    so is a second item about the same event and kind.
    """
    by_kind: dict[str, dict[str, tuple[Event, MessageItem]]] = {}
    for item in items:
        kind = MessageKind(item.kind)
        if kind not in EVENT_KINDS or item.event_id is None:
            raise ValueError(f"{kind.value} is not a message about an event")
        event = timeline.event(item.event_id)
        if event is not None:
            shown = happened(kind, event, item.payload)
            key = shown if shown in CONFIRMED_SECTIONS else kind.value
            by_kind.setdefault(key, {}).setdefault(event.id, (event, item))
    found = []
    for key in _DISPLAY_ORDER:
        pairs = sorted(by_kind.get(key, {}).values(), key=lambda p: (p[0].starts_at, p[0].id))
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
            what = tuple(
                happened(MessageKind(item.kind), event, item.payload) for event, item in pairs
            )
            found.append(Section(key, views, what))
    return tuple(found)
