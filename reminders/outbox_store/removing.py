"""Withdrawing unsent rows and deleting rows with their send log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from reminders.outbox_store._tables import FINISHED_STATES, OUTBOX, PENDING_STATES, SEND_LOG, chunks
from reminders.states import OutboxState


def _withdrawable(now: datetime) -> ColumnElement[bool]:
    """Rows not sent and not in the hands of a live dispatcher."""
    return or_(
        OUTBOX.c.state.in_([state.value for state in PENDING_STATES]),
        and_(OUTBOX.c.state == OutboxState.SENDING.value, OUTBOX.c.lease_expires_at <= now),
    )


async def _withdraw(conn: AsyncConnection, condition: ColumnElement[bool], reason: str) -> int:
    # Counted by the database: a moved event can withdraw a million queued reminders, and
    # fetching their ids took 200 MB.
    result = await conn.execute(
        update(OUTBOX)
        .where(condition)
        .values(
            state=OutboxState.WITHDRAWN.value,
            last_error=reason,
            lease_owner=None,
            lease_expires_at=None,
        )
    )
    return int(result.rowcount or 0)


async def withdraw_revisions(
    conn: AsyncConnection, pairs: Collection[tuple[str, int]], now: datetime, reason: str
) -> int:
    """Withdraw unsent rows planned for exactly these (event id, revision) pairs."""
    by_revision: dict[int, list[str]] = defaultdict(list)
    for event_id, revision in pairs:
        by_revision[revision].append(event_id)
    total = 0
    for revision, event_ids in by_revision.items():
        for part in chunks(event_ids):
            condition = and_(OUTBOX.c.event_id.in_(part), OUTBOX.c.revision == revision)
            total += await _withdraw(conn, and_(condition, _withdrawable(now)), reason)
    return total


async def withdraw_subscriptions(
    conn: AsyncConnection, subscription_ids: Collection[int], now: datetime, reason: str
) -> int:
    """Withdraw every unsent row for these subscriptions (unsubscribed, paused)."""
    total = 0
    for part in chunks(subscription_ids):
        condition = OUTBOX.c.subscription_id.in_(part)
        total += await _withdraw(conn, and_(condition, _withdrawable(now)), reason)
    return total


async def withdraw_rows(conn: AsyncConnection, ids: Collection[int], reason: str) -> None:
    """Withdraw these rows, leased or not (a claim found their subscription inactive)."""
    await _withdraw(conn, OUTBOX.c.id.in_(list(ids)), reason)


async def delete_finished(conn: AsyncConnection, cutoff: datetime) -> tuple[int, int]:
    """Delete finished rows whose event started (or which were created) before `cutoff`,
    with their send log; (outbox rows, log lines) deleted."""
    o = OUTBOX.c
    old = and_(
        o.state.in_([state.value for state in FINISHED_STATES]),
        or_(
            and_(o.not_after.is_not(None), o.not_after < cutoff),
            and_(o.not_after.is_(None), o.created_at < cutoff),
        ),
    )
    log = await conn.execute(
        delete(SEND_LOG).where(SEND_LOG.c.outbox_id.in_(select(o.id).where(old)))
    )
    rows = await conn.execute(delete(OUTBOX).where(old))
    return int(rows.rowcount or 0), int(log.rowcount or 0)


async def delete_for_subscriptions(conn: AsyncConnection, subscription_ids: Any) -> None:
    """Delete every row (and log line) of these subscriptions: ids, or a SELECT of them."""
    o = OUTBOX.c
    mine = o.subscription_id.in_(subscription_ids)
    await conn.execute(delete(SEND_LOG).where(SEND_LOG.c.outbox_id.in_(select(o.id).where(mine))))
    await conn.execute(delete(OUTBOX).where(mine))
