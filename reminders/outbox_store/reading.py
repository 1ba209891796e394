"""What the rest of the service reads of the outbox and the send log."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from reminders.outbox_store._tables import OUTBOX, SEND_LOG, WAITING_STATES
from reminders.states import OutboxState


async def pending_revisions(conn: AsyncConnection, kinds: Collection[str]) -> list[tuple[str, int]]:
    """The (event id, revision) pairs of unsent rows of these kinds."""
    o = OUTBOX.c
    rows = await conn.execute(
        select(o.event_id, o.revision)
        .where(
            o.state.in_([state.value for state in WAITING_STATES]),
            o.kind.in_(list(kinds)),
            o.event_id.is_not(None),
        )
        .distinct()
    )
    return [(event_id, revision) for event_id, revision in rows]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def messages_of(conn: AsyncConnection, subscription_id: int) -> list[dict[str, Any]]:
    """A subscriber's messages with their attempts, JSON-ready (their data export)."""
    o, log = OUTBOX.c, SEND_LOG.c
    rows = await conn.execute(
        select(OUTBOX).where(o.subscription_id == subscription_id).order_by(o.created_at, o.id)
    )
    messages = []
    for row in rows.all():
        attempts = await conn.execute(
            select(SEND_LOG).where(log.outbox_id == row.id).order_by(log.id)
        )
        messages.append(
            {
                "kind": str(row.kind),
                "event_id": row.event_id,
                "lead": row.lead,
                "state": str(row.state),
                "due_at": _iso(row.due_at),
                "sent_at": _iso(row.sent_at),
                "message_id": row.message_id,
                "attempts": [
                    {
                        "at": _iso(attempt.at),
                        "outcome": attempt.outcome,
                        "smtp_code": attempt.smtp_code,
                        "detail": attempt.detail,
                    }
                    for attempt in attempts
                ],
            }
        )
    return messages


async def count_by_state(
    conn: AsyncConnection, subscription_id: int | None = None
) -> dict[OutboxState, int]:
    """Rows per state (of one subscription, if given); states without rows are absent."""
    o = OUTBOX.c
    query = select(o.state, func.count()).group_by(o.state)
    if subscription_id is not None:
        query = query.where(o.subscription_id == subscription_id)
    return {OutboxState(state): count for state, count in await conn.execute(query)}


async def oldest_waiting_due(conn: AsyncConnection, now: datetime) -> datetime | None:
    """The earliest due time of the rows due by `now` and not yet sent."""
    oldest: datetime | None = await conn.scalar(
        select(func.min(OUTBOX.c.due_at)).where(
            OUTBOX.c.state.in_([state.value for state in WAITING_STATES]),
            OUTBOX.c.due_at <= now,
        )
    )
    return oldest


async def failed_attempts(
    conn: AsyncConnection, subscription_id: int, skip: str, limit: int
) -> list[Any]:
    """A subscriber's newest send log lines (at, outcome, smtp_code, detail) whose outcome
    is not `skip`."""
    o, log = OUTBOX.c, SEND_LOG.c
    rows = await conn.execute(
        select(log.at, log.outcome, log.smtp_code, log.detail)
        .join(OUTBOX, o.id == log.outbox_id)
        .where(o.subscription_id == subscription_id, log.outcome != skip)
        .order_by(log.at.desc(), log.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def subscription_of(conn: AsyncConnection, outbox_id: int) -> int | None:
    """Which subscription a row belongs to (None if the row is gone)."""
    return await conn.scalar(select(OUTBOX.c.subscription_id).where(OUTBOX.c.id == outbox_id))
