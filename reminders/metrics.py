"""Prometheus metrics: what an operator watches to know feeds are served and mail goes out.

Counters and histograms live in one registry per process and are updated where things
happen (feed requests here, SMTP and ticks in the dispatcher and worker). Outbox gauges
are read from the database when `/metrics` is scraped, so every instance reports the
shared queue as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders.db.models import OutboxMessage, OutboxState

REGISTRY = CollectorRegistry(auto_describe=True)

FEED_REQUESTS = Counter(
    "gcmcal_feed_requests",
    "Calendar feed requests by response status.",
    ["status"],
    registry=REGISTRY,
)
SMTP_LATENCY = Histogram(
    "gcmcal_smtp_send_seconds",
    "Time to hand one message to the SMTP relay (or the Maildir).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
TICK_DURATION = Histogram(
    "gcmcal_tick_seconds",
    "Duration of scheduler ticks.",
    ["tick"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
OUTBOX = Gauge("gcmcal_outbox_messages", "Outbox rows by state.", ["state"], registry=REGISTRY)
OLDEST_DUE_LAG = Gauge(
    "gcmcal_outbox_oldest_due_lag_seconds",
    "How long the oldest due, unsent message has been waiting (0 when none).",
    registry=REGISTRY,
)

_WAITING = (OutboxState.QUEUED, OutboxState.RETRY_WAIT, OutboxState.SENDING)


async def refresh_outbox_gauges(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    async with sessions() as session:
        counts = dict(
            (
                await session.execute(
                    select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                )
            ).all()
        )
        oldest = await session.scalar(
            select(func.min(OutboxMessage.due_at)).where(
                OutboxMessage.state.in_(_WAITING), OutboxMessage.due_at <= now
            )
        )
    for state in OutboxState:
        OUTBOX.labels(state.value).set(counts.get(state, 0))
    OLDEST_DUE_LAG.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


class FeedCounter:
    """Counts feed responses by status (the 304 share shows clients' caching works)."""

    def __init__(self) -> None:
        self._children: dict[int, Any] = {}

    def __call__(self, status: int) -> None:
        child = self._children.get(status)
        if child is None:
            child = self._children[status] = FEED_REQUESTS.labels(str(status))
        child.inc()
