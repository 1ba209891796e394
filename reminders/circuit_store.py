"""The relay circuit's shared state: one `scheduler_state` fact every process reads.

A worker that opens the circuit writes it here; every worker reads it before a
dispatch (so all of them stop, not only the one that noticed), and `serve` reads it
for `/readyz` and `/metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reminders import scheduler_state


@dataclass(frozen=True, slots=True)
class CircuitState:
    open: bool = False
    since: datetime | None = None
    retry_at: datetime | None = None  # the next half-open try
    reason: str = ""
    openings: int = 0  # in a row; 0 once a try went through

    def waiting(self, now: datetime) -> bool:
        """Open, and not yet time for the next try."""
        return self.open and self.retry_at is not None and now < self.retry_at

    def as_dict(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "since": self.since.isoformat() if self.since else None,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "reason": self.reason,
            "openings": self.openings,
        }


CLOSED = CircuitState()


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def load(conn: AsyncConnection) -> CircuitState:
    found = await scheduler_state.fact(conn, scheduler_state.RELAY_CIRCUIT)
    if found is None or not found.value:
        return CLOSED
    value = found.value
    return CircuitState(
        open=bool(value.get("open")),
        since=_moment(value.get("since")),
        retry_at=_moment(value.get("retry_at")),
        reason=str(value.get("reason", "")),
        openings=int(value.get("openings", 0)),
    )


async def read(engine: AsyncEngine) -> CircuitState:
    async with engine.connect() as conn:
        return await load(conn)


async def write(engine: AsyncEngine, state: CircuitState, now: datetime) -> None:
    async with engine.begin() as conn:
        await scheduler_state.put(conn, scheduler_state.RELAY_CIRCUIT, state.as_dict(), now)
