"""The `scheduler_state` table and all its SQL: small named facts every instance shares.

Two facts live here: `PLANNED_UNTIL`, how far the planning tick got, and
`RELAY_CIRCUIT`, the relay circuit breaker's state (`reminders.circuit_store` reads and
writes it as a `CircuitState`). Each is a JSON value with the moment it was written,
and every reader reads it one way: `fact`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from reminders.db import on_conflict
from reminders.db.models import Base

STATE: Table = Base.metadata.tables["scheduler_state"]
PLANNED_UNTIL = "planned_until"
RELAY_CIRCUIT = "relay_circuit"


@dataclass(frozen=True, slots=True)
class Fact:
    value: dict[str, Any]
    updated_at: datetime


async def fact(conn: AsyncConnection, name: str) -> Fact | None:
    """The named fact, or None before it was first written."""
    row = (
        await conn.execute(select(STATE.c.value, STATE.c.updated_at).where(STATE.c.name == name))
    ).first()
    return None if row is None else Fact(row.value, row.updated_at)


async def put(conn: AsyncConnection, name: str, value: dict[str, Any], now: datetime) -> None:
    """Write the named fact (created or replaced), in the caller's transaction."""
    statement = on_conflict.insert(conn.dialect.name, STATE).values(
        name=name, value=value, updated_at=now
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
    )


async def planned_until(conn: AsyncConnection) -> datetime | None:
    """The end of the last planned window; None before the first tick."""
    found = await fact(conn, PLANNED_UNTIL)
    if found is None or not found.value:
        return None
    return datetime.fromisoformat(found.value["at"])


async def set_planned_until(conn: AsyncConnection, at: datetime, now: datetime) -> None:
    await put(conn, PLANNED_UNTIL, {"at": at.isoformat()}, now)
