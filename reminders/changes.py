"""What changed in an event since subscribers last saw it, and who must be told.

Pure. The service keeps each event's last published snapshot (`Event.published()`, stored
with its revision); after a timeline load `feeds.revisions.advance` names the events whose
content changed. For those, `detect` compares old and new snapshots field by field and
classifies the change:

=============  ============================================  ===========================
class          when                                          notice
=============  ============================================  ===========================
cancelled      the status became "cancelled"                 ``cancelled``
postponed      the status became "postponed"                 ``change``
confirmed      the date went from inexact ("March 2024") to  ``confirmed``
               a known day
moved          the day, the time or the venue's zone moved   ``change``
other          place, modality, links, title or status       ``change``
=============  ============================================  ===========================

Descriptions and sources are not watched: they change often and tell subscribers nothing
they must act on. A new event gets no notice here (its reminders follow as planned), and
an event already over or superseded gets none.

Reminders planned for an earlier revision of an event, or for an event that was
cancelled, postponed or removed, are *stale*: `stale_reminders` names them so the
dispatcher can withdraw the rows before they go out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from feeds import when as when_module
from feeds.history import FieldChange, FieldValue
from feeds.revisions import Revision
from feeds.timeline import Timeline
from feeds.vocabulary import Status
from feeds.when import Precision, When
from reminders.due_reminders import Planned, SubscriberIndex, dedupe_key, reminded
from reminders.states import MessageKind

#: One field, old → new (``date`` and ``time`` carry whole `when` texts on both sides);
#: the change history keeps the same records.
Change = FieldChange
ChangeValue = FieldValue

#: Rows of these kinds belong to one revision of an event and go stale with it.
REVISION_BOUND = frozenset({MessageKind.REMINDER, MessageKind.EXPECTED})


class ChangeClass(StrEnum):
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    CONFIRMED = "confirmed"
    MOVED = "moved"
    OTHER = "other"


NOTICE_KIND: Mapping[ChangeClass, MessageKind] = {
    ChangeClass.CANCELLED: MessageKind.CANCELLED,
    ChangeClass.POSTPONED: MessageKind.CHANGE,
    ChangeClass.CONFIRMED: MessageKind.CONFIRMED,
    ChangeClass.MOVED: MessageKind.CHANGE,
    ChangeClass.OTHER: MessageKind.CHANGE,
}


@dataclass(frozen=True, slots=True)
class EventChange:
    event_id: str
    revision: int
    category: ChangeClass
    changes: tuple[Change, ...]

    @property
    def kind(self) -> MessageKind:
        return NOTICE_KIND[self.category]

    def payload(self) -> dict[str, Any]:
        return {
            "class": self.category.value,
            "changes": [change.as_json() for change in self.changes],
        }


def _parsed(text: str) -> When | None:
    try:
        return when_module.parse(text)
    except when_module.WhenError:
        return None


def _days_only(when: When | None) -> When | None:
    if when is None:
        return None
    if when.precision is not Precision.TIMED:
        return when
    if when.first_day == when.last_day:
        return when_module.on_day(when.first_day)
    return when_module.days(when.first_day, when.last_day)


def _links(value: object) -> list[str]:
    links: list[str] = []
    for item in value if isinstance(value, list) else []:
        url, label = (str(part) for part in item)
        links.append(f"{label}: {url}" if label else url)
    return links


def _titles(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Watched fields that differ between two `Event.published()` snapshots, in a fixed order."""
    changes: list[Change] = []
    old_when, new_when = str(old.get("when", "")), str(new.get("when", ""))
    if old_when != new_when:
        old_days = _days_only(_parsed(old_when))
        same_days = old_days is not None and old_days == _days_only(_parsed(new_when))
        changes.append(Change("time" if same_days else "date", old_when, new_when))
    for name in ("tz", "place", "modality", "status"):
        old_value, new_value = str(old.get(name, "")), str(new.get(name, ""))
        if old_value != new_value:
            changes.append(Change(name, old_value, new_value))
    old_links, new_links = _links(old.get("links")), _links(new.get("links"))
    if old_links != new_links:
        changes.append(Change("links", old_links, new_links))
    old_titles, new_titles = _titles(old.get("titles")), _titles(new.get("titles"))
    if old_titles != new_titles:
        changes.append(Change("title", old_titles, new_titles))
    return changes


def classify(
    old: Mapping[str, Any], new: Mapping[str, Any], changes: Iterable[Change]
) -> ChangeClass | None:
    """The class of a change (see the module docstring); None when nothing watched changed."""
    fields = {change.field for change in changes}
    if not fields:
        return None
    status = str(new.get("status", ""))
    if "status" in fields and status == Status.CANCELLED:
        return ChangeClass.CANCELLED
    if "status" in fields and status == Status.POSTPONED:
        return ChangeClass.POSTPONED
    before, after = _parsed(str(old.get("when", ""))), _parsed(str(new.get("when", "")))
    if (
        "date" in fields
        and after is not None
        and after.is_exact_day
        and (before is None or not before.is_exact_day)
    ):
        return ChangeClass.CONFIRMED
    if fields & {"date", "time"} or ("tz" in fields and after is not None and after.is_timed):
        return ChangeClass.MOVED
    return ChangeClass.OTHER


def between(
    event_id: str, revision: int, old: Mapping[str, Any], new: Mapping[str, Any]
) -> EventChange | None:
    """The notice owed for going from `old` to `new` (published snapshots), if any."""
    changes = diff(old, new)
    category = classify(old, new, changes)
    if category is None:
        return None
    return EventChange(event_id, revision, category, tuple(changes))


def notices(
    event_changes: Iterable[EventChange],
    subscribers: SubscriberIndex,
    timeline: Timeline,
    now: datetime,
) -> list[Planned]:
    """One notice per (subscriber following the event, changed event), due now.

    Events already over are left out, and so are events another one superseded: they
    will not be held as announced, and the superseding event gets its own notices and
    reminders. The composer puts a subscriber's notices of one
    kind that are due together into one email.
    """
    planned: list[Planned] = []
    for change in event_changes:
        event = timeline.event(change.event_id)
        if event is None or event.ends_at <= now or event.superseded_by:
            continue
        payload = change.payload()
        for member in subscribers.following(event):
            if member.active_since > now:
                continue
            planned.append(
                Planned(
                    dedupe_key=dedupe_key(member.id, event.id, change.kind, "", change.revision),
                    subscription_id=member.id,
                    kind=change.kind,
                    event_id=event.id,
                    lead="",
                    revision=change.revision,
                    due_at=now,
                    not_after=event.ends_at.astimezone(UTC),
                    payload=dict(payload),
                )
            )
    planned.sort(key=lambda item: (item.subscription_id, item.event_id))
    return planned


def stale_reminders(
    rows: Iterable[tuple[str, int]],
    timeline: Timeline,
    revisions: Mapping[str, Revision],
) -> set[tuple[str, int]]:
    """The (event id, revision) pairs of unsent reminder rows that must be withdrawn.

    Pass the pairs of the unsent rows whose kind is in `REVISION_BOUND`. A pair is stale
    when its event left the timeline, is cancelled, postponed or superseded, or has a newer
    revision.
    """
    stale: set[tuple[str, int]] = set()
    for event_id, revision in rows:
        event = timeline.event(event_id)
        current = revisions.get(event_id)
        if event is None or not reminded(event) or current is None or current.sequence != revision:
            stale.add((event_id, revision))
    return stale
