"""What is due: reminders and "expected" notices for subscribers, in a window of time.

Pure: the clock (`now`), the subscribers, the timeline and the revisions are passed in.
The dispatcher stores the result as outbox rows (the dedupe key makes planning twice
harmless) and sends the rows that are due.

Rules
-----
* A subscriber follows an event when the event's region is one of theirs (global events
  count for every region; no regions chosen = every region) and its kind is one of theirs
  (none chosen = every kind).
* Day-based leads (``3w``, ``1d``) fall at the subscriber's delivery hour in *their* time
  zone, on the day counted back from the event's first day (a date in the venue's zone).
  Hour-based leads (``1h``) fall that long before the exact start of a timed event; an
  event without a time of day gets none.
* Only events whose day is known (`When.is_exact_day`) get reminders. A subscriber
  following an event known only as "March 2024" or "late 2024" gets one ``expected``
  notice instead, at their longest lead counted back from the first day of the window.
  When the day becomes known the change detection (`reminders.changes`) sends a
  ``confirmed`` notice and the normal reminders follow.
* Cancelled and postponed events get nothing here, nor does an event another one
  superseded (`superseded_by`): it will not be held as announced.
* `not_after` is the event's (earliest possible) start: a reminder never goes out after
  it, and a moment that falls on or after it (a late delivery hour, west of the venue,
  for a "1 day before" of an event starting at midnight) is not planned at all.
* A subscriber who became active after a lead's moment does not get that lead.

Windows and catch-up
--------------------
The dispatcher plans the window ``(since, until]``: ``since`` is the previous tick's
``until`` (kept in the database), ``until`` is now. After downtime the window is simply
longer, so everything due while the service was down is planned, and `not_after` then
drops what is no longer useful. ``since=None`` (first start) means "from the beginning".
An event that changes gets a new revision; its reminders of the old revision are
withdrawn (`reminders.changes.stale_reminders`) and, as the window moves on, the new
revision's moments are planned. Moments already behind the window are not re-sent.

Performance
-----------
A tick with nothing due must stay cheap with 100,000 subscriptions, so the work is split
by what it depends on:

1. A due moment depends only on (event, lead, time zone, delivery hour), never on the
   subscriber. `Schedule` (built once per timeline load) files every day-based moment
   under the *local date* it falls on, ``first_day - lead``, and keeps hour-based moments
   in one sorted list.
2. `SubscriberIndex` (built once when subscriptions change) groups subscribers by
   (time zone, delivery hour) and, inside a group, by identical preferences
   (regions, kinds, leads): thousands of subscribers collapse into a few profiles.
3. `Schedule.slots` takes a window and the set of (zone, hours) in use. Per zone it
   converts the window's ends to local dates and looks the dates up (a bisect in a
   sorted list of dates): a few microseconds per zone, with no per-subscriber work and
   no database access. Nothing due means no slots, and the tick ends there.
4. Only when a slot is due does `SubscriberIndex.expand` visit that group's profiles,
   test "follows the event and chose the lead" once per profile, and emit one `Planned`
   per member active before the moment.

The dispatcher may also skip building the index: collect the distinct (tz, hour) pairs
with a cheap query, ask `Schedule.slots` for the window, and load only the subscribers
of the groups that have a slot.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from feeds.revisions import Revision
from feeds.timeline import Event, Timeline
from feeds.vocabulary import Status
from reminders.leads import OFFERED, Lead
from reminders.states import MessageKind
from reminders.subscriber_profiles import (
    Group,
    Profile,
    SubscriberView,
    cached_zone,
    follows,
)

#: Statuses that get reminders; postponed and cancelled events get none.
REMINDED = frozenset({Status.CONFIRMED, Status.TENTATIVE})


def reminded(event: Event) -> bool:
    """Whether `event` gets reminders: not cancelled or postponed, and not overtaken by
    another event (a superseded one reads "not held as announced": no "starts in 1 week")."""
    return event.status in REMINDED and not event.superseded_by


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to store in the outbox."""

    dedupe_key: str
    subscription_id: int
    kind: MessageKind
    event_id: str
    lead: str  # lead code; "" for notices
    revision: int
    due_at: datetime  # aware UTC
    not_after: datetime  # aware UTC: never send at or after this
    payload: dict[str, Any] = field(default_factory=dict)


def dedupe_key(subscription_id: int, event_id: str, kind: MessageKind, lead: str, rev: int) -> str:
    return f"{subscription_id}{dedupe_suffix(event_id, kind, lead, rev)}"


def dedupe_suffix(event_id: str, kind: MessageKind, lead: str, rev: int) -> str:
    """What follows the subscription id in a dedupe key (the database appends it too)."""
    return f":{event_id}:{kind.value}:{lead}:{rev}"


@dataclass(frozen=True, slots=True)
class Slot:
    """A moment at which one lead of one event falls due for one group of subscribers."""

    event_id: str
    kind: MessageKind  # REMINDER or EXPECTED
    lead: Lead
    group: Group | None  # None: the same instant for everybody (hour-based leads)
    due_at: datetime
    not_after: datetime
    revision: int


@dataclass(frozen=True, slots=True)
class _Entry:
    event_id: str
    kind: MessageKind
    lead: Lead
    not_after: datetime
    revision: int


#: How far a local wall-clock time can be from the naive local view of a UTC moment.
_SLACK = timedelta(hours=2)
_HOUR = timedelta(hours=1)


class Schedule:
    """Every lead moment of a timeline, filed for fast lookup by window. Build per load."""

    def __init__(
        self,
        timeline: Timeline,
        revisions: Mapping[str, Revision],
        leads: Collection[Lead] = OFFERED,
    ) -> None:
        self.timeline = timeline
        by_date: dict[date, list[_Entry]] = defaultdict(list)
        instants: list[tuple[datetime, _Entry]] = []
        for event in timeline.events:
            if not reminded(event):
                continue
            exact = event.when.is_exact_day
            kind = MessageKind.REMINDER if exact else MessageKind.EXPECTED
            start = event.starts_at.astimezone(UTC)
            revision = revisions[event.id].sequence if event.id in revisions else 0
            for lead in leads:
                entry = _Entry(event.id, kind, lead, start, revision)
                if lead.is_day_based:
                    by_date[event.when.first_day - timedelta(days=lead.days)].append(entry)
                elif event.when.is_timed or not exact:
                    instants.append((start - lead.delta, entry))
        self._by_date = dict(by_date)
        self._dates = sorted(by_date)
        #: The latest `not_after` on each date: dates all past it are skipped at once.
        self._latest = {day: max(e.not_after for e in entries) for day, entries in by_date.items()}
        instants.sort(key=lambda item: (item[0], item[1].event_id, item[1].lead.code))
        self._instants = instants
        self._instant_times = [moment for moment, _ in instants]

    def slots(
        self,
        since: datetime | None,
        until: datetime,
        now: datetime,
        groups: Mapping[str, Sequence[int]],
    ) -> list[Slot]:
        """Moments in ``(since, until]`` for the given zones and hours, not yet past `not_after`.

        `groups` maps each time zone in use to the delivery hours used in it, ascending.
        """
        found: list[Slot] = []
        lo = 0 if since is None else bisect_right(self._instant_times, since)
        hi = bisect_right(self._instant_times, until)
        for moment, entry in self._instants[lo:hi]:
            if now < entry.not_after and moment < entry.not_after:
                found.append(_slot(entry, None, moment))
        if not self._dates:
            return found
        for tz, hours in groups.items():
            zone = cached_zone(tz)
            local_until = until.astimezone(zone).replace(tzinfo=None)
            # Local wall-clock bounds, widened for DST changes (a moment's naive local view
            # and a wall-clock time of the same instant differ by at most the shift); the
            # exact test on the UTC moment below decides.
            high = local_until + _SLACK
            first = 0
            low = None
            if since is not None:
                low = since.astimezone(zone).replace(tzinfo=None) - _SLACK
                first = bisect_left(self._dates, low.date())
            last = bisect_right(self._dates, high.date())
            for day in self._dates[first:last]:
                if self._latest[day] <= now:
                    continue
                midnight = datetime.combine(day, time(0))
                top = bisect_right(hours, (high - midnight) // _HOUR)
                bottom = 0 if low is None else bisect_left(hours, -((midnight - low) // _HOUR))
                for hour in hours[bottom:top]:
                    due = (midnight + hour * _HOUR).replace(tzinfo=zone).astimezone(UTC)
                    if due > until or (since is not None and due <= since):
                        continue
                    for entry in self._by_date[day]:
                        if now < entry.not_after and due < entry.not_after:
                            found.append(_slot(entry, (tz, hour), due))
        return found

    def plan(
        self, index: SubscriberIndex, since: datetime | None, until: datetime, now: datetime
    ) -> list[Planned]:
        """Every message due in ``(since, until]`` and still useful at `now`, sorted."""
        planned: list[Planned] = []
        for slot in self.slots(since, until, now, index.groups):
            event = self.timeline.event(slot.event_id)
            assert event is not None
            planned.extend(index.expand(slot, event))
        planned.sort(key=_order)
        return planned


def _slot(entry: _Entry, group: Group | None, due: datetime) -> Slot:
    return Slot(entry.event_id, entry.kind, entry.lead, group, due, entry.not_after, entry.revision)


def _order(item: Planned) -> tuple[datetime, int, str, str, str]:
    return (item.due_at, item.subscription_id, item.event_id, item.kind.value, item.lead)


class SubscriberIndex:
    """Active subscribers grouped by (zone, hour) and, within a group, by preferences."""

    def __init__(self, subscribers: Iterable[SubscriberView]) -> None:
        by_group: dict[Group, dict[Profile, list[SubscriberView]]] = defaultdict(
            lambda: defaultdict(list)
        )
        leads: set[Lead] = set()
        for subscriber in subscribers:
            by_group[subscriber.group][subscriber.profile].append(subscriber)
            leads.update(subscriber.leads)
        self._by_group = {group: dict(profiles) for group, profiles in by_group.items()}
        hours: dict[str, set[int]] = defaultdict(set)
        for tz, hour in self._by_group:
            hours[tz].add(hour)
        self.groups: dict[str, tuple[int, ...]] = {
            tz: tuple(sorted(found)) for tz, found in sorted(hours.items())
        }
        self.leads: frozenset[Lead] = frozenset(leads)

    def __len__(self) -> int:
        return sum(
            len(members) for profiles in self._by_group.values() for members in profiles.values()
        )

    def following(self, event: Event) -> Iterator[SubscriberView]:
        """Every subscriber who follows `event`, whatever their leads."""
        for profiles in self._by_group.values():
            for profile, members in profiles.items():
                if follows(profile, event):
                    yield from members

    def expand(self, slot: Slot, event: Event) -> Iterator[Planned]:
        """One `Planned` per subscriber the slot concerns."""
        groups = [self._by_group.get(slot.group, {})] if slot.group else self._by_group.values()
        payload_of = payload(slot, event)
        for profiles in groups:
            for profile, members in profiles.items():
                if not wants(profile, slot) or not follows(profile, event):
                    continue
                for member in members:
                    if member.active_since > slot.due_at:
                        continue
                    yield Planned(
                        dedupe_key=dedupe_key(
                            member.id, slot.event_id, slot.kind, slot.lead.code, slot.revision
                        ),
                        subscription_id=member.id,
                        kind=slot.kind,
                        event_id=slot.event_id,
                        lead=slot.lead.code,
                        revision=slot.revision,
                        due_at=slot.due_at,
                        not_after=slot.not_after,
                        payload=dict(payload_of),
                    )


def wants(profile: Profile, slot: Slot) -> bool:
    """Whether these preferences take the slot's lead (the event aside: `follows`)."""
    leads = profile[2]
    if slot.kind is MessageKind.EXPECTED:
        return bool(leads) and leads[0] == slot.lead  # one notice, at the longest lead
    return slot.lead in leads


def payload(slot: Slot, event: Event) -> dict[str, Any]:
    """What a row of the slot carries besides its columns (the vague date of a notice)."""
    if slot.kind is MessageKind.EXPECTED:
        return {"when": event.when.format()}
    return {}


def plan(
    subscribers: Iterable[SubscriberView],
    timeline: Timeline,
    revisions: Mapping[str, Revision],
    now: datetime,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Planned]:
    """Reminders and expected notices due in ``(since, until]`` (until defaults to `now`).

    The one-call form; a long-running dispatcher keeps a `Schedule` per timeline load and
    a `SubscriberIndex` per change of subscriptions and calls `Schedule.plan` each tick.
    """
    index = SubscriberIndex(subscribers)
    schedule = Schedule(timeline, revisions, index.leads)
    return schedule.plan(index, since, now if until is None else until, now)
