"""What an edit of the timeline file will do, before it goes live (``gcmcal impact``).

Pure. Given the edited timeline and what the service holds (each event's stored
revision, the snapshot subscribers see, the snapshot they were last told by email, and
which events already left the file), `assess` names per event what changes, the
SEQUENCE its feed entry will get, and how many subscribers get which notice in which
language. It reuses the service's own rules: `feeds.revisions.advance` for SEQUENCE,
`reminders.changes.between` and `notices` for the notices, `SubscriberIndex` for who
follows what, so the preview cannot drift from what the service then does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feeds import when as when_module
from feeds.history import Effect
from feeds.revisions import Revision, advance
from feeds.timeline import Event, Timeline
from feeds.vocabulary import Kind, Status
from reminders.changes import Change, between, notices
from reminders.due_reminders import SubscriberIndex
from reminders.subscriber_profiles import SubscriberView

#: How the command names each effect (organisers' words).
EFFECT_WORDS: Mapping[Effect, str] = {
    Effect.ADDED: "new",
    Effect.REMOVED: "removed",
    Effect.CANCELLED: "cancelled",
    Effect.POSTPONED: "postponed",
    Effect.CONFIRMED: "confirmed",
    Effect.MOVED: "moved",
    Effect.OTHER: "details changed",
    Effect.TEXT: "text only",
}


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as the service holds it."""

    revision: Revision
    published: Mapping[str, Any]  # what the feeds show now
    told: Mapping[str, Any]  # what subscribers were last told by email


@dataclass(frozen=True, slots=True)
class EventImpact:
    event_id: str
    effect: Effect
    #: SEQUENCE of the feed entry now; None when the event is not in service.
    sequence: int | None
    #: SEQUENCE after the edit; None when the entry leaves the feeds.
    next_sequence: int | None
    changes: tuple[Change, ...]
    #: Notice kind → language → number of subscribers.
    notices: Mapping[str, Mapping[str, int]]
    #: Language → subscribers who follow the event (whose calendars show it).
    followers: Mapping[str, int]
    #: The event is over: changes reach calendars, but no email goes out.
    over: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "effect": EFFECT_WORDS[self.effect],
            "sequence": self.sequence,
            "next_sequence": self.next_sequence,
            "changes": [change.as_json() for change in self.changes],
            "notices": {kind: dict(langs) for kind, langs in self.notices.items()},
            "followers": dict(self.followers),
            "over": self.over,
        }


@dataclass(frozen=True, slots=True)
class Impact:
    events: tuple[EventImpact, ...]
    unchanged: int
    subscribers: int

    def as_json(self) -> dict[str, Any]:
        return {
            "events": [item.as_json() for item in self.events],
            "unchanged": self.unchanged,
            "subscribers": self.subscribers,
        }


def _as_event(published: Mapping[str, Any]) -> Event:
    """An event rebuilt from its stored snapshot (one that left the file)."""
    return Event(
        id=str(published["id"]),
        region=str(published["region"]),
        kind=Kind(published["kind"]),
        titles=dict(published.get("titles") or {}),
        when=when_module.parse(str(published["when"])),
        tz=str(published["tz"]),
        status=Status(published.get("status") or Status.CONFIRMED),
    )


def _languages(members: Iterable[SubscriberView]) -> dict[str, int]:
    return dict(sorted(Counter(member.language for member in members).items()))


def assess(
    edited: Timeline,
    stored: Mapping[str, StoredEvent],
    gone: Iterable[str],
    subscribers: Sequence[SubscriberView],
    now: datetime,
) -> Impact:
    """Per event of `edited` or in service, what saving `edited` at `now` will do.

    `gone` names stored events that already left the file (not in service).
    """
    left = frozenset(gone)
    index = SubscriberIndex(subscribers)
    language = {member.id: member.language for member in subscribers}

    def followers(event: Event) -> dict[str, int]:
        return _languages(m for m in index.following(event) if m.active_since <= now)

    revisions, changed = advance(
        {event_id: item.revision for event_id, item in stored.items()}, edited, now
    )
    changed_ids = set(changed)
    found: list[EventImpact] = []
    for event in edited.events:
        before = stored.get(event.id)
        next_sequence = revisions[event.id].sequence
        if before is None or event.id in left:
            found.append(
                EventImpact(
                    event.id,
                    Effect.ADDED,
                    None,
                    next_sequence,
                    (),
                    {},
                    followers(event),
                    event.ends_at <= now,
                )
            )
            continue
        if event.id not in changed_ids:
            continue
        published = event.published()
        edit = between(event.id, next_sequence, before.published, published)
        owed = between(event.id, next_sequence, before.told, published)
        counts: dict[str, Counter[str]] = {}
        for item in notices([owed] if owed else [], index, edited, now):
            counts.setdefault(item.kind.value, Counter())[language[item.subscription_id]] += 1
        found.append(
            EventImpact(
                event.id,
                Effect(edit.category.value) if edit else Effect.TEXT,
                before.revision.sequence,
                next_sequence,
                edit.changes if edit else (),
                {kind: dict(sorted(langs.items())) for kind, langs in sorted(counts.items())},
                followers(event),
                event.ends_at <= now,
            )
        )
    for event_id in sorted(set(stored) - left):
        if edited.event(event_id) is None:
            before = stored[event_id]
            found.append(
                EventImpact(
                    event_id,
                    Effect.REMOVED,
                    before.revision.sequence,
                    None,
                    (),
                    {},
                    followers(_as_event(before.published)),
                )
            )
    unchanged = sum(
        1 for e in edited.events if e.id in stored and e.id not in left and e.id not in changed_ids
    )
    return Impact(tuple(found), unchanged, len(subscribers))


# Printing ---------------------------------------------------------------------------------


def _value(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{lang}: {text}" for lang, text in sorted(value.items())) or "(none)"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "(none)"
    return str(value) if value else "(none)"


def _counted(by_language: Mapping[str, int]) -> str:
    total = sum(by_language.values())
    noun = "subscriber" if total == 1 else "subscribers"
    detail = ", ".join(f"{lang} {count}" for lang, count in by_language.items())
    return f"{total} {noun}" + (f" ({detail})" if detail else "")


def _sequence(item: EventImpact) -> str:
    if item.next_sequence is None:
        return f"leaves the feeds (SEQUENCE stays {item.sequence})"
    if item.sequence is None:
        return f"SEQUENCE {item.next_sequence}"
    return f"SEQUENCE {item.sequence} → {item.next_sequence}"


def lines(impact: Impact, source: str) -> list[str]:
    """The text `gcmcal impact` prints."""
    out = [
        f"{source} compared with the timeline in service "
        f"({impact.subscribers} active subscribers). Nothing was changed.",
    ]
    if not impact.events:
        out.append("No event changes.")
    for item in impact.events:
        out.append("")
        out.append(f"{item.event_id}: {EFFECT_WORDS[item.effect]}, {_sequence(item)}")
        followers = _counted(item.followers)
        for change in item.changes:
            out.append(f"  {change.field}: {_value(change.old)} → {_value(change.new)}")
        for kind, by_language in item.notices.items():
            out.append(f"  email “{kind}” to {_counted(by_language)}")
        if item.over and item.effect is not Effect.REMOVED:
            out.append(f"  no email (the event is over); calendars of {followers} update")
        elif item.effect is Effect.ADDED:
            out.append(f"  no email now; reminders as planned for {followers}")
        elif item.effect is Effect.REMOVED:
            out.append(f"  no email; the entry leaves the calendars of {_counted(item.followers)}")
        elif not item.notices:
            out.append(f"  no email; calendars of {followers} update")
    out.append("")
    out.append(f"{impact.unchanged} events unchanged.")
    return out


def as_json(impact: Impact, source: str) -> str:
    return json.dumps({"file": source, **impact.as_json()}, ensure_ascii=False, indent=2)
