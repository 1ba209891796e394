"""The planning tick: from the timeline to outbox rows, `reminders.due_reminders` applied.

Each tick (`Planning.tick`) is idempotent and cheap when nothing is due:

1. reload the timeline (`TimelineSource.refresh`: a file read and a hash when nothing
   changed);
2. after a new load, withdraw unsent reminder rows that went stale (event changed,
   cancelled, postponed or removed: `changes.stale_reminders`), and enqueue change
   notices owed since the events were last told (`changes.between` / `notices`);
3. plan the window ``(planned_until, now]``: the schedule (built once per load) says
   which (event, lead, zone, hour) moments fall in it, for the (zone, hour) groups in
   use (one small query); for each due slot the database writes the rows itself from
   the subscriptions of its group (`reminders.slot_rows`: INSERT … SELECT by ranges
   of ids), so a million subscribers never pass through the process. Then
   `planned_until` moves to `now` (kept in `scheduler_state`, shared by all
   instances).

Several instances may plan the same window at once: the dedupe key makes the second
insert a no-op. A crash in the middle leaves `planned_until` behind, so the next tick
plans the window again, equally harmlessly.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from reminders import outbox_store, scheduler_state, subscription_store
from reminders.changes import REVISION_BOUND, between, notices, stale_reminders
from reminders.due_reminders import Planned, Schedule, SubscriberIndex, payload
from reminders.leads import OFFERED
from reminders.revision_store import mark_notified, owed_notices
from reminders.slot_rows import SlotWriter
from reminders.subscriber_profiles import Group, SubscriberView
from reminders.timeline_source import Snapshot, TimelineSource

log = logging.getLogger(__name__)


STALE_REASON = "withdrawn: the event changed, was cancelled, postponed or removed"


@dataclass(frozen=True, slots=True)
class PlanReport:
    slots: int = 0
    enqueued: int = 0
    notices: int = 0
    withdrawn: int = 0


_offsets: dict[date, frozenset[timedelta]] = {}


def _offsets_on(day: date) -> frozenset[timedelta]:
    """Every UTC offset in use somewhere on `day` (all IANA zones, both ends of the day)."""
    found = _offsets.get(day)
    if found is None:
        start = datetime.combine(day, time(0), UTC)
        moments = (start, start + timedelta(hours=23, minutes=59))
        found = frozenset(
            offset
            for name in available_timezones()
            for moment in moments
            if (offset := moment.astimezone(ZoneInfo(name)).utcoffset()) is not None
        )
        if len(_offsets) > 8:
            _offsets.clear()
        _offsets[day] = found
    return found


def crosses_local_hour(since: datetime | None, until: datetime) -> bool:
    """Whether a whole local hour of some time zone falls in ``(since, until]``."""
    if since is None or until - since >= timedelta(hours=1):
        return True
    for offset in _offsets_on(since.date()) | _offsets_on(until.date()):
        local = since + offset
        next_hour = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        if next_hour - offset <= until:
            return True
    return False


def _view(row: Any) -> SubscriberView | None:
    try:
        return SubscriberView.create(
            row.id,
            regions=row.regions or (),
            kinds=row.kinds or (),
            leads=row.leads or (),
            language=row.language,
            tz=row.tz,
            delivery_hour=row.delivery_hour,
            active_since=row.confirmed_at or row.created_at,
        )
    except ValueError as exc:
        log.warning("subscription %d skipped by the planner: %s", row.id, exc)
        return None


async def load_subscribers(
    conn: AsyncConnection, groups: Iterable[Group] | None = None
) -> list[SubscriberView]:
    """Active subscribers (of the given (zone, hour) groups only, if given)."""
    if groups is not None:
        groups = list(groups)
        if not groups:
            return []
    result = await subscription_store.stream_active(conn, groups)
    views: list[SubscriberView] = []
    async for row in result:
        view = _view(row)
        if view is not None:
            views.append(view)
    return views


#: Subscribers read, and told of changes, at a time: a change to a global event concerns
#: every subscriber, and a million of them with their notices would not fit in a worker.
NOTICE_BATCH = 20_000


async def active_in_batches(
    engine: AsyncEngine, size: int = NOTICE_BATCH
) -> AsyncIterator[list[SubscriberView]]:
    """Every active subscriber, `size` at a time in id order, each page read on a
    connection of its own (no read stays open while the caller writes)."""
    after = 0
    while True:
        async with engine.connect() as conn:
            rows = await subscription_store.active_after(conn, after, size)
        if not rows:
            return
        after = rows[-1].id
        yield [view for row in rows if (view := _view(row)) is not None]
        if len(rows) < size:
            return


class Planning:
    """The reload-and-plan tick of one process; keeps the schedule of the loaded timeline."""

    def __init__(
        self,
        engine: AsyncEngine,
        source: TimelineSource[Any],
        clock: Callable[[], datetime],
        host: str,
        chunk: int = 2000,
        notice_batch: int = NOTICE_BATCH,
    ) -> None:
        self._engine = engine
        self._source = source
        self._clock = clock
        self._host = host
        self._chunk = chunk
        self._notice_batch = notice_batch
        self._snapshot: Snapshot[Any] | None = None
        self._schedule: Schedule | None = None

    async def tick(self) -> PlanReport:
        await self._source.refresh()
        snapshot = self._source.snapshot
        if snapshot is None:
            return PlanReport()
        now = self._clock()
        withdrawn = 0
        if snapshot is not self._snapshot or self._schedule is None:
            self._schedule = Schedule(snapshot.timeline, snapshot.revisions, OFFERED)
            self._snapshot = snapshot
            withdrawn = await self._withdraw_stale(snapshot, now)
        told = await self._notify(snapshot, now)
        slots, enqueued = await self._plan(self._schedule, snapshot, now)
        report = PlanReport(slots, enqueued, told, withdrawn)
        if enqueued or told or withdrawn:
            log.info(
                "planned %d messages in %d slots, %d change notices, withdrew %d stale rows",
                enqueued,
                slots,
                told,
                withdrawn,
            )
        return report

    async def _withdraw_stale(self, snapshot: Snapshot[Any], now: datetime) -> int:
        async with self._engine.begin() as conn:
            kinds = [kind.value for kind in REVISION_BOUND]
            pairs = await outbox_store.pending_revisions(conn, kinds)
            stale = stale_reminders(
                pairs,
                snapshot.timeline,
                snapshot.revisions,
            )
            if not stale:
                return 0
            return await outbox_store.withdraw_revisions(conn, stale, now, STALE_REASON)

    async def _notify(self, snapshot: Snapshot[Any], now: datetime) -> int:
        """Queue the change notices owed, then record them as told.

        What is owed lives in `event_revisions` (told vs published), not in this
        process: a crash before the notices are queued leaves them owed, and whichever
        instance ticks next queues them. Queuing twice is harmless (dedupe key).
        """
        async with AsyncSession(self._engine) as session:
            owed = await owed_notices(session)
        if not owed:
            return 0
        found = [
            change
            for item in owed
            if snapshot.timeline.event(item.event_id) is not None
            and (change := between(item.event_id, item.sequence, item.told, item.now_published))
        ]
        told = 0
        if found:
            async for batch in active_in_batches(self._engine, self._notice_batch):
                planned = notices(found, SubscriberIndex(batch), snapshot.timeline, now)
                told += await self._enqueue(planned, now)
        async with AsyncSession(self._engine) as session, session.begin():
            for item in owed:
                await mark_notified(session, item)
        return told

    async def _plan(
        self, schedule: Schedule, snapshot: Snapshot[Any], now: datetime
    ) -> tuple[int, int]:
        async with self._engine.begin() as conn:
            since = await scheduler_state.planned_until(conn)
            # Day-based moments fall on whole local hours; most short windows contain
            # none in any zone, and then the (zone, hour) groups need not be read.
            groups = {}
            if crosses_local_hour(since, now):
                groups = await subscription_store.groups_in_use(conn)
            slots = schedule.slots(since, now, now, groups)
            if not slots:
                # Most ticks: the window moves on in the same transaction (each one costs
                # a few round trips to the database, the most of a quiet tick).
                if since is None or now > since:
                    await scheduler_state.set_planned_until(conn, now, now)
                return 0, 0
        # Rows are written by the database from the subscriptions table: nothing per
        # subscriber passes through this process (`reminders.slot_rows`).
        enqueued = 0
        writer = SlotWriter(self._engine, self._host, now)
        for slot in slots:
            event = snapshot.timeline.event(slot.event_id)
            if event is not None:
                enqueued += await writer.write(slot, event, payload(slot, event))
        if since is None or now > since:
            async with self._engine.begin() as conn:
                await scheduler_state.set_planned_until(conn, now, now)
        return len(slots), enqueued

    async def _enqueue(self, planned: Iterable[Planned], now: datetime) -> int:
        added = 0
        batch: list[Planned] = []
        for item in planned:
            batch.append(item)
            if len(batch) >= self._chunk:
                added += await self._insert(batch, now)
                batch = []
        if batch:
            added += await self._insert(batch, now)
        return added

    async def _insert(self, batch: list[Planned], now: datetime) -> int:
        async with self._engine.begin() as conn:
            return await outbox_store.enqueue(conn, batch, now, self._host)
