"""An event's change history as readers see it, in their language (pure).

"Date confirmed on 2 March 2025" and, below it, "Date: was June 2024 (date to be
confirmed), now 19–20 March 2025". Field names and values are worded as in the change
notices the emails carry (`reminders.mail.content.change_views`), so a reader finds the
same words on the page and in the email.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from feeds import date_label
from feeds import when as w
from feeds.history import Effect, HistoryEntry
from reminders.mail.content import change_views
from reminders.web.translations import N_, translate

HEADINGS: Mapping[Effect, str] = {
    Effect.ADDED: N_("Added on %(date)s"),
    Effect.REMOVED: N_("Removed from the calendar on %(date)s"),
    Effect.CANCELLED: N_("Cancelled on %(date)s"),
    Effect.POSTPONED: N_("Postponed on %(date)s"),
    Effect.CONFIRMED: N_("Date confirmed on %(date)s"),
    Effect.MOVED: N_("Moved on %(date)s"),
    Effect.OTHER: N_("Details changed on %(date)s"),
    Effect.TEXT: N_("Description or sources updated on %(date)s"),
}
CHANGE_LINE = N_("%(field)s: was %(old)s, now %(new)s")


@dataclass(frozen=True, slots=True)
class HistoryItem:
    heading: str
    changes: tuple[str, ...]
    at: datetime  # aware UTC
    effect: str


def day_of(moment: datetime, lang: str) -> str:
    return date_label(w.on_day(moment.date()), lang)


def history_item(entry: HistoryEntry, lang: str) -> HistoryItem:
    views = change_views({"changes": [c.as_json() for c in entry.changes]}, lang)
    return HistoryItem(
        heading=translate(lang, HEADINGS[entry.effect], {"date": day_of(entry.at, lang)}),
        changes=tuple(
            translate(lang, CHANGE_LINE, {"field": v.label, "old": v.old, "new": v.new})
            for v in views
        ),
        at=entry.at,
        effect=entry.effect.value,
    )


def history_items(entries: Iterable[HistoryEntry], lang: str) -> list[HistoryItem]:
    """Newest first."""
    ordered = sorted(entries, key=lambda entry: (entry.at, entry.sequence), reverse=True)
    return [history_item(entry, lang) for entry in ordered]
