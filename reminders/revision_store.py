"""Event revisions in the database: one record per event, advanced once per change.

Several instances may notice the same edit of the timeline file at once. Each records
it inside one write transaction that first takes a transaction-scoped advisory lock on
PostgreSQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so whichever comes
second finds the digests already current and changes nothing — new events included,
which row locks alone could not cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import Timeline
from feeds.revisions import Revision, advance
from reminders.db.models import EventRevision


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """An event whose published content got a new revision in this call."""

    event_id: str
    sequence: int
    previous: Mapping[str, Any] | None  # the event as subscribers saw it before; None if new


#: Advisory lock key taken while recording a timeline (any fixed 64-bit number).
_TIMELINE_LOCK = 0x67636D63616C  # "gcmcal"


def _revision(row: EventRevision) -> Revision:
    return Revision(row.sequence, row.modified, row.digest)


async def load_revisions(session: AsyncSession) -> dict[str, Revision]:
    rows = (await session.scalars(select(EventRevision))).all()
    return {row.event_id: _revision(row) for row in rows}


async def record_timeline(
    sessions: async_sessionmaker[AsyncSession], timeline: Timeline, now: datetime
) -> tuple[dict[str, Revision], list[RecordedChange]]:
    """Advance and store the revisions for `timeline`; return all of them and what changed."""
    async with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Row locks cannot cover events not stored yet; this lock covers them all.
            await session.execute(select(func.pg_advisory_xact_lock(_TIMELINE_LOCK)))
        rows = {
            row.event_id: row
            for row in (await session.scalars(select(EventRevision).with_for_update())).all()
        }
        previous = {event_id: _revision(row) for event_id, row in rows.items()}
        revisions, changed_ids = advance(previous, timeline, now)
        changes = []
        for event_id in changed_ids:
            event = timeline.event(event_id)
            assert event is not None
            revision = revisions[event_id]
            row = rows.get(event_id)
            changes.append(
                RecordedChange(event_id, revision.sequence, row.published if row else None)
            )
            if row is None:
                # A new event owes no change notice: its reminders will tell of it.
                session.add(
                    EventRevision(
                        event_id=event_id,
                        sequence=revision.sequence,
                        digest=revision.digest,
                        modified=revision.modified,
                        published=event.published(),
                        notified=event.published(),
                        notified_sequence=revision.sequence,
                    )
                )
            else:
                row.sequence = revision.sequence
                row.digest = revision.digest
                row.modified = revision.modified
                row.published = event.published()
    return revisions, changes


@dataclass(frozen=True, slots=True)
class OwedNotice:
    """An event changed since subscribers were last told: what they knew, what is now."""

    event_id: str
    sequence: int
    told: Mapping[str, Any]
    now_published: Mapping[str, Any]


async def owed_notices(session: AsyncSession) -> list[OwedNotice]:
    rows = await session.scalars(
        select(EventRevision)
        .where(EventRevision.notified_sequence < EventRevision.sequence)
        .order_by(EventRevision.event_id)
    )
    return [OwedNotice(r.event_id, r.sequence, r.notified, r.published) for r in rows]


async def mark_notified(session: AsyncSession, owed: OwedNotice) -> None:
    """Record that subscribers were told of `owed` (unless the event changed again since)."""
    await session.execute(
        update(EventRevision)
        .where(EventRevision.event_id == owed.event_id, EventRevision.sequence == owed.sequence)
        .values(notified=dict(owed.now_published), notified_sequence=owed.sequence)
    )
