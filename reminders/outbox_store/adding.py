"""Adding rows: planned messages (`enqueue`) and a due slot's rows (`enqueue_slot`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from reminders.db import on_conflict
from reminders.db.models import UtcDateTime
from reminders.due_reminders import Slot, dedupe_suffix
from reminders.outbox_store._tables import OUTBOX
from reminders.states import OutboxState
from reminders.subscription_store import Members


class PlannedMessage(Protocol):
    """What the planner hands over (`reminders.due_reminders.Planned` fits)."""

    @property
    def dedupe_key(self) -> str: ...
    @property
    def subscription_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def event_id(self) -> str | None: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def revision(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def not_after(self) -> datetime | None: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


def new_message_id(host: str) -> str:
    """A globally unique Message-ID, ``<hex@host>``."""
    return f"<{uuid.uuid4().hex}@{host}>"


# -- adding rows -----------------------------------------------------------------------


async def enqueue(
    conn: AsyncConnection,
    planned: Iterable[PlannedMessage],
    now: datetime,
    host: str,
    chunk: int = 1000,
) -> int:
    """Insert planned messages, skipping any whose `dedupe_key` is already there.

    Runs in the caller's transaction. Returns how many rows were new.
    """
    statement = (
        on_conflict.insert(conn.dialect.name, OUTBOX)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OUTBOX.c.id)
    )
    added = 0
    batch: list[dict[str, Any]] = []
    for item in planned:
        batch.append(
            {
                "dedupe_key": item.dedupe_key,
                "subscription_id": item.subscription_id,
                "kind": str(item.kind),
                "event_id": item.event_id,
                "lead": item.lead,
                "revision": item.revision,
                "payload": dict(item.payload),
                "due_at": item.due_at,
                "not_after": item.not_after,
                "state": OutboxState.QUEUED.value,
                "attempts": 0,
                "message_id": new_message_id(host),
                "created_at": now,
            }
        )
        if len(batch) >= chunk:
            added += len((await conn.execute(statement, batch)).all())
            batch = []
    if batch:
        added += len((await conn.execute(statement, batch)).all())
    return added


#: The outbox columns a slot's statement fills, in the order of its SELECT.
SLOT_COLUMNS = (
    "dedupe_key",
    "subscription_id",
    "kind",
    "event_id",
    "lead",
    "revision",
    "payload",
    "due_at",
    "not_after",
    "state",
    "attempts",
    "message_id",
    "created_at",
)


def _random_message_id(dialect: str, host: str) -> ColumnElement[Any]:
    """``<32 hex digits@host>``, random per row, as `new_message_id` makes them."""
    if dialect == "postgresql":
        digits = func.replace(cast(func.gen_random_uuid(), Text), "-", "")
    else:
        digits = func.lower(func.hex(func.randomblob(16)))
    return literal("<") + digits + literal(f"@{host}>")


async def enqueue_slot(
    conn: AsyncConnection,
    slot: Slot,
    payload: dict[str, Any],
    members: Members,
    now: datetime,
    host: str,
) -> int:
    """One ``INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING``: the slot's rows for
    the `members` (`reminders.slot_rows`), written by the database; how many were new."""
    dialect = conn.dialect.name
    suffix = dedupe_suffix(slot.event_id, slot.kind, slot.lead.code, slot.revision)
    rows = select(
        cast(members.id, Text) + literal(suffix),
        members.id,
        literal(slot.kind.value),
        literal(slot.event_id),
        literal(slot.lead.code),
        literal(slot.revision),
        literal(payload, OUTBOX.c.payload.type),
        literal(slot.due_at, UtcDateTime()),
        literal(slot.not_after, UtcDateTime()),
        literal(OutboxState.QUEUED.value),
        literal(0),
        _random_message_id(dialect, host),
        literal(now, UtcDateTime()),
    ).where(*members.where)
    statement = (
        on_conflict.insert(dialect, OUTBOX)
        .from_select(SLOT_COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return int((await conn.execute(statement)).rowcount)
