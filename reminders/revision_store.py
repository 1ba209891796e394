"""Event revisions in the database: one record per event, advanced once per change.

Several instances may notice the same edit of the timeline file at once. Each records
it inside one write transaction that first takes a transaction-scoped advisory lock on
PostgreSQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so whichever comes
second finds the digests already current and changes nothing — new events included,
which row locks alone could not cover.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from feeds import Timeline
from feeds.history import Effect, FieldChange, History, HistoryEntry, by_event, removed
from feeds.revisions import Revision, advance, utc_seconds
from reminders.changes import Change, between
from reminders.db.models import EventHistory, EventRevision


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """An event whose published content got a new revision in this call."""

    event_id: str
    sequence: int
    previous: Mapping[str, Any] | None  # the event as subscribers saw it before; None if new


#: Advisory lock key taken while recording a timeline (any fixed 64-bit number).
_TIMELINE_LOCK = 0x67636D63616C  # "gcmcal"


def _revision(row: EventRevision) -> Revision:
    return Revision(row.sequence, row.modified, row.digest, row.contact_digest, row.names_digest)


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
        # Revisions first, without the stored events' JSON: a long timeline with one
        # edit then decodes one row, not all of them.
        stored = await session.execute(
            select(
                EventRevision.event_id,
                EventRevision.sequence,
                EventRevision.modified,
                EventRevision.digest,
                EventRevision.contact_digest,
                EventRevision.names_digest,
            ).with_for_update()
        )
        previous = {
            event_id: Revision(sequence, modified, digest, contact, names)
            for event_id, sequence, modified, digest, contact, names in stored
        }
        # Off the event loop: it digests every event's surroundings.
        revisions, changed_ids = await asyncio.to_thread(advance, previous, timeline, now)
        gone_before = await _removed_ids(session)
        leaving = {
            event_id
            for event_id in previous
            if timeline.event(event_id) is None and event_id not in gone_before
        }
        wanted = [*changed_ids, *leaving]
        rows = {
            row.event_id: row
            for row in (
                await session.scalars(
                    select(EventRevision).where(EventRevision.event_id.in_(wanted))
                )
            ).all()
        }
        changes = []
        # New rows go in as one executemany each (the ORM's unit of work costs a few
        # milliseconds per object: a first load of 10,000 events writes 20,000 rows).
        added: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for event_id in changed_ids:
            event = timeline.event(event_id)
            assert event is not None
            revision = revisions[event_id]
            row = rows.get(event_id)
            changes.append(
                RecordedChange(event_id, revision.sequence, row.published if row else None)
            )
            published = event.published()
            history.append(_history_row(event_id, revision, row, published, gone_before))
            if row is None:
                # A new event owes no change notice: its reminders will tell of it.
                added.append(
                    {
                        "event_id": event_id,
                        "sequence": revision.sequence,
                        "digest": revision.digest,
                        "modified": revision.modified,
                        "published": published,
                        "notified": published,
                        "notified_sequence": revision.sequence,
                        "contact_digest": revision.contact,
                        "names_digest": revision.names,
                    }
                )
            else:
                row.sequence = revision.sequence
                row.digest = revision.digest
                row.modified = revision.modified
                row.published = published
                row.contact_digest = revision.contact
                row.names_digest = revision.names
        restamped = [
            (event_id, revision)
            for event_id, revision in revisions.items()
            if event_id in previous
            and revision is not previous[event_id]
            and event_id not in changed_ids
        ]
        for event_id, revision in restamped:
            # Same sequence: the feeds carrying it were renamed, or its surroundings were
            # not recorded yet.
            await session.execute(
                update(EventRevision)
                .where(EventRevision.event_id == event_id)
                .values(
                    modified=revision.modified,
                    contact_digest=revision.contact,
                    names_digest=revision.names,
                )
            )
        for event in timeline.events:
            if event.id in gone_before and event.id not in changed_ids:
                # Back in the file exactly as it left: listed again, same SEQUENCE.
                history.append(
                    _history_row(event.id, revisions[event.id], None, event.published(), (), now)
                )
        history += [_removal_row(rows[event_id], now) for event_id in sorted(leaving)]
        if added:
            await session.execute(insert(EventRevision), added)
        if history:
            # In this order: a history's ids break ties between entries of one moment.
            await session.execute(insert(EventHistory), history)
    return revisions, changes


async def _removed_ids(session: AsyncSession) -> frozenset[str]:
    """`feeds.history.removed` of the stored history: the events whose latest entry (in
    `by_event`'s order) is a removal, found by the database without reading the rest."""
    later = aliased(EventHistory)
    found = await session.scalars(
        select(EventHistory.event_id).where(
            EventHistory.effect == Effect.REMOVED.value,
            ~exists().where(
                later.event_id == EventHistory.event_id,
                tuple_(later.at, later.sequence, later.id)
                > tuple_(EventHistory.at, EventHistory.sequence, EventHistory.id),
            ),
        )
    )
    return frozenset(found)


def _history_row(
    event_id: str,
    revision: Revision,
    row: EventRevision | None,
    published: dict[str, Any],
    gone_before: Iterable[str],
    at: datetime | None = None,
) -> dict[str, Any]:
    found: tuple[Change, ...] = ()
    if row is None or event_id in gone_before:
        effect = Effect.ADDED
    else:
        change = between(event_id, revision.sequence, row.published, published)
        # Descriptions and sources are not watched for notices, yet they made a revision.
        effect = Effect(change.category.value) if change else Effect.TEXT
        found = tuple(change.changes) if change else ()
    return {
        "event_id": event_id,
        "sequence": revision.sequence,
        "at": utc_seconds(at) if at else revision.modified,
        "effect": effect.value,
        "changes": [change.as_json() for change in found],
        "published": published,
    }


def _removal_row(row: EventRevision, now: datetime) -> dict[str, Any]:
    """The event left the file; it keeps its revision in case it comes back."""
    return {
        "event_id": row.event_id,
        "sequence": row.sequence,
        "at": utc_seconds(now),
        "effect": Effect.REMOVED.value,
        "changes": [],
        "published": row.published,
    }


def _entry(row: Any, published: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        event_id=row.event_id,
        sequence=row.sequence,
        at=row.at,
        effect=Effect(row.effect),
        changes=tuple(FieldChange.from_json(change) for change in row.changes),
        published=published,
    )


async def load_history(
    session: AsyncSession,
    event_ids: Iterable[str] | None = None,
    fields: frozenset[str] | None = None,
) -> History:
    """The change history of every event (or of `event_ids`), oldest first per event;
    with `fields`, each entry's `published` holds only those keys (those present), read
    out of the stored document by the database: the service would otherwise decode
    every revision's whole text in six languages to keep its titles."""
    names = sorted(fields) if fields is not None else []
    entry: list[Any] = [
        EventHistory.event_id,
        EventHistory.sequence,
        EventHistory.at,
        EventHistory.effect,
        EventHistory.changes,
    ]
    published: list[Any] = [EventHistory.published[name] for name in names]
    query = select(*entry, *(published or [EventHistory.published]))
    query = query.order_by(EventHistory.at, EventHistory.id)
    if event_ids is not None:
        query = query.where(EventHistory.event_id.in_(list(event_ids)))
    rows = (await session.execute(query)).all()
    if fields is None:
        return by_event(_entry(row, row.published) for row in rows)
    return by_event(_entry(row, _present(names, row[len(entry) :])) for row in rows)


def _present(names: list[str], values: Iterable[Any]) -> dict[str, Any]:
    return {name: value for name, value in zip(names, values, strict=True) if value is not None}


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


async def stored_events(
    session: AsyncSession,
) -> dict[str, tuple[Revision, Mapping[str, Any], Mapping[str, Any]]]:
    """Per stored event: its revision, what the feeds show, what subscribers were told."""
    rows = (await session.scalars(select(EventRevision))).all()
    return {row.event_id: (_revision(row), row.published, row.notified) for row in rows}


async def events_in_service(session: AsyncSession) -> dict[str, str]:
    """Event id -> region of the events the last loaded timeline holds (those recorded
    and not removed since)."""
    gone = removed(await load_history(session))
    rows = await session.execute(select(EventRevision.event_id, EventRevision.published))
    return {
        event_id: str(published.get("region", ""))
        for event_id, published in rows
        if event_id not in gone
    }
