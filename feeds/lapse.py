"""What became of an announced date once time has passed (pure; `now` is passed in).

An announcement whose whole possible window is over can no longer be "to be confirmed":
either a source confirmed it (status ``confirmed``: the label is the period alone,
"February 2025"), or another event overtook it (``superseded_by``), or it passed without
ever being confirmed. The last case is marked in the timeline with status
``unconfirmed``; an event still ``tentative`` or ``postponed`` after its window reads the
same, and `gcmcal check` warns until someone resolves it (see `unresolved`).

Words for each case live beside the other feed words in six languages; pages, feeds and
emails all call `event_date_label` so that none of them says "to be confirmed" about the
past.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from babel.lists import format_list

from feeds.catalogs import pgettext
from feeds.date_labels import date_label, period_label
from feeds.timeline import Event
from feeds.vocabulary import STATUS_NAMES, Status, babel_locale, phrase


class Lapse(StrEnum):
    #: Overtaken by another event (`Event.superseded_by`), at any time.
    SUPERSEDED = "superseded"
    #: The window is over and no source ever confirmed the date.
    UNCONFIRMED = "unconfirmed"


#: Statuses that still wait for a date: over once the window is.
_WAITING = frozenset({Status.TENTATIVE, Status.POSTPONED, Status.UNCONFIRMED})

NOT_HELD_NOTE = pgettext("date", "%(period)s (not held as announced)")
NEVER_CONFIRMED_NOTE = pgettext("date", "%(period)s (date never confirmed)")
NOT_HELD_STATUS = pgettext("status", "not held as announced")
REPORTED_BY = pgettext("status", "reported by %(names)s")
REPORTED_BY_OTHERS = pgettext("status", "reported by others, not by the organisers")


def window_over(event: Event, now: datetime) -> bool:
    return now >= event.ends_at


def lapse(event: Event, now: datetime) -> Lapse | None:
    if event.superseded_by:
        return Lapse.SUPERSEDED
    if event.status in _WAITING and window_over(event, now):
        return Lapse.UNCONFIRMED
    return None


def unresolved(event: Event, now: datetime) -> bool:
    """Over, still waiting, and nobody said what became of it: `gcmcal check` warns."""
    return (
        not event.superseded_by
        and event.status in (Status.TENTATIVE, Status.POSTPONED)
        and window_over(event, now)
    )


def event_date_label(event: Event, lang: str, now: datetime) -> str:
    """The date as a reader should see it at `now`: never "to be confirmed" once past."""
    match lapse(event, now):
        case Lapse.SUPERSEDED:
            return phrase(NOT_HELD_NOTE, lang, period=period_label(event.when, lang))
        case Lapse.UNCONFIRMED:
            return phrase(NEVER_CONFIRMED_NOTE, lang, period=period_label(event.when, lang))
    if window_over(event, now):
        return period_label(event.when, lang)
    return date_label(event.when, lang)


def status_label(event: Event, lang: str, now: datetime) -> str:
    """How sure the date is: "confirmed", "reported by …", "date never confirmed"…"""
    match lapse(event, now):
        case Lapse.SUPERSEDED:
            return phrase(NOT_HELD_STATUS, lang)
        case Lapse.UNCONFIRMED:
            return phrase(STATUS_NAMES[Status.UNCONFIRMED], lang)
    if event.status is Status.CONFIRMED and event.reported_only:
        return reported_by(event, lang)
    return phrase(STATUS_NAMES[event.status], lang)


def reported_by(event: Event, lang: str) -> str:
    return reported_by_names(event.reporters(lang), lang)


def reported_by_names(names: list[str], lang: str) -> str:
    if not names:
        return phrase(REPORTED_BY_OTHERS, lang)
    listed = format_list(names, locale=babel_locale(lang))
    return phrase(REPORTED_BY, lang, names=listed)
