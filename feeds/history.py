"""Change history: what each revision of an event changed, and when (pure data).

The service records one `HistoryEntry` per new revision of an event (and one when an
event leaves the timeline file). Pages show an event's entries in the reader's
language, the Atom feeds list them per region, and `gcmcal impact` reads the last entry
to know whether an event is still in service. Nothing here reads a database or a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from feeds.timeline import GLOBAL

#: Old or new value of a field: text, a title per language, or a list of links.
FieldValue = str | dict[str, str] | list[str]


class Effect(StrEnum):
    """What a revision did to an event, as organisers and readers name it."""

    ADDED = "added"
    REMOVED = "removed"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    CONFIRMED = "confirmed"
    MOVED = "moved"
    #: Place, modality, links, title or status changed (a change notice goes out).
    OTHER = "other"
    #: Only descriptions or sources changed: a new SEQUENCE, no email.
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: FieldValue
    new: FieldValue

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(str(data["field"]), data["old"], data["new"])


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    event_id: str
    #: The SEQUENCE the feeds carry from this revision on (a removal keeps the last one).
    sequence: int
    #: Aware UTC, whole seconds: when the service loaded the edit.
    at: datetime
    effect: Effect
    changes: tuple[FieldChange, ...]
    #: `Event.published()` after the change (before it, for a removal).
    published: Mapping[str, Any]

    @property
    def region(self) -> str:
        return str(self.published.get("region", ""))

    def title(self, lang: str, default: str = "en") -> str:
        titles = self.published.get("titles") or {}
        return str(titles.get(lang) or titles.get(default) or self.event_id)


History = Mapping[str, tuple[HistoryEntry, ...]]

#: The keys of `HistoryEntry.published` that what is served reads (its region and
#: titles; region and kind choose the feeds an entry touched): a service keeps only
#: these for every event, not each revision's whole text.
SERVED_FIELDS = frozenset({"region", "kind", "titles"})


def by_event(entries: Iterable[HistoryEntry]) -> dict[str, tuple[HistoryEntry, ...]]:
    """Entries grouped per event, oldest first within each."""
    grouped: dict[str, list[HistoryEntry]] = {}
    for entry in sorted(entries, key=lambda item: (item.at, item.sequence)):
        grouped.setdefault(entry.event_id, []).append(entry)
    return {event_id: tuple(found) for event_id, found in grouped.items()}


def newest_first(history: History, regions: Iterable[str] | None = None) -> list[HistoryEntry]:
    """Every entry (of events in `regions`, if given; global ones always), newest first."""
    wanted = None if regions is None else {*regions, GLOBAL}
    entries = [
        entry
        for found in history.values()
        for entry in found
        if wanted is None or entry.region in wanted
    ]
    return sorted(entries, key=lambda item: (item.at, item.event_id, item.sequence), reverse=True)


def removed(history: History) -> frozenset[str]:
    """Events whose last entry is their removal from the timeline file."""
    return frozenset(
        event_id
        for event_id, found in history.items()
        if found and found[-1].effect is Effect.REMOVED
    )
