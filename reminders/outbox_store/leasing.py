"""Leasing due rows to a dispatcher, giving them back, and recording attempts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, select, text, true, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from reminders.db.models import PENDING_SQL
from reminders.outbox_store._tables import OUTBOX, SEND_LOG, TOO_LATE, chunks
from reminders.states import OutboxState

_LEASED_COLUMNS = (
    OUTBOX.c.id,
    OUTBOX.c.subscription_id,
    OUTBOX.c.kind,
    OUTBOX.c.event_id,
    OUTBOX.c.lead,
    OUTBOX.c.revision,
    OUTBOX.c.payload,
    OUTBOX.c.due_at,
    OUTBOX.c.not_after,
    OUTBOX.c.attempts,
    OUTBOX.c.message_id,
    OUTBOX.c.created_at,
    OUTBOX.c.state,
)


async def lease(
    conn: AsyncConnection,
    *,
    expired: bool,
    kinds: Collection[str] | None,
    limit: int,
    owner: str,
    now: datetime,
    expires: datetime,
) -> list[Row[Any]]:
    """Lease up to `limit` rows to `owner` until `expires`: rows whose lease expired
    (`expired`), else due queued and retry_wait rows; rows past `not_after` fail instead.

    Returns the rows as they are now (FAILED or SENDING), with `_LEASED_COLUMNS`.
    """
    o = OUTBOX.c
    of_kinds = true() if kinds is None else o.kind.in_(list(kinds))
    if expired:
        due = and_(o.state == OutboxState.SENDING.value, o.lease_expires_at <= now, of_kinds)
        order = (o.lease_expires_at, o.id)
    else:
        # ix_outbox_pending: PENDING_SQL as written in the index.
        due = and_(text(PENDING_SQL), o.due_at <= now, of_kinds)
        order = (o.due_at, o.id)
    picked = (
        select(o.id)
        .where(due)
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    too_late = and_(o.not_after.is_not(None), o.not_after <= now)
    statement = (
        update(OUTBOX)
        .where(o.id.in_(picked))
        .values(
            state=case((too_late, OutboxState.FAILED.value), else_=OutboxState.SENDING.value),
            lease_owner=case((too_late, None), else_=owner),
            lease_expires_at=case((too_late, None), else_=expires),
            last_error=case((too_late, TOO_LATE), else_=o.last_error),
        )
        .returning(*_LEASED_COLUMNS)
    )
    return list((await conn.execute(statement)).all())


async def set_message_ids(conn: AsyncConnection, message_ids: Mapping[int, str]) -> None:
    """Give rows new Message-IDs ({row id: Message-ID})."""
    await conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == bindparam("b_id"))
        .values(message_id=bindparam("b_message_id")),
        [{"b_id": row_id, "b_message_id": mid} for row_id, mid in message_ids.items()],
    )


async def release(conn: AsyncConnection, owner: str, item_ids: Collection[int]) -> int:
    """Give `owner`'s leased rows back to the queue untouched; how many were."""
    o = OUTBOX.c
    released = 0
    for part in chunks(item_ids):
        result = await conn.execute(
            update(OUTBOX)
            .where(o.id.in_(part), o.state == OutboxState.SENDING.value, o.lease_owner == owner)
            .values(
                state=case(
                    (o.attempts == 0, OutboxState.QUEUED.value),
                    else_=OutboxState.RETRY_WAIT.value,
                ),
                lease_owner=None,
                lease_expires_at=None,
            )
            .returning(o.id)
        )
        released += len(result.all())
    return released


# -- recording what happened -----------------------------------------------------------


async def finish_attempts(
    conn: AsyncConnection,
    owner: str,
    sent: Sequence[Mapping[str, Any]],
    other: Sequence[Mapping[str, Any]],
) -> None:
    """Store attempts' outcomes: rows of b_id, b_state, b_due, b_sent_at and b_error.

    A delivered row (`sent`) becomes SENT whoever holds its lease (it did go out);
    the `other` rows change only while `owner` still holds theirs.
    """
    o = OUTBOX.c
    columns: dict[str, Any] = {
        "state": bindparam("b_state"),
        "attempts": o.attempts + 1,
        "due_at": bindparam("b_due", type_=o.due_at.type),
        "sent_at": bindparam("b_sent_at", type_=o.sent_at.type),
        "last_error": bindparam("b_error"),
        "lease_owner": None,
        "lease_expires_at": None,
    }
    held = and_(o.state == OutboxState.SENDING.value, o.lease_owner == owner)
    for rows, condition in ((sent, o.state != OutboxState.SENT.value), (other, held)):
        if rows:
            await conn.execute(
                update(OUTBOX).where(o.id == bindparam("b_id"), condition).values(columns),
                list(rows),
            )


async def log_attempts(conn: AsyncConnection, entries: Sequence[Mapping[str, Any]]) -> None:
    """Add send log lines (outbox_id, at, outcome, smtp_code, detail) for rows that
    still exist: rows erased meanwhile (an unsubscribe deletes them) get none."""
    existing: set[int] = set()
    for part in chunks({entry["outbox_id"] for entry in entries}):
        found = await conn.execute(select(OUTBOX.c.id).where(OUTBOX.c.id.in_(part)))
        existing.update(found.scalars())
    kept = [dict(entry) for entry in entries if entry["outbox_id"] in existing]
    if kept:
        await conn.execute(SEND_LOG.insert(), kept)
