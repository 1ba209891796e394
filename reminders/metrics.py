"""Prometheus metrics: what an operator watches to know feeds are served and mail goes out.

Counters and histograms live in one registry per process and are updated where things
happen (feed requests here, sends, bounces and ticks in the dispatcher and worker): a
`gcmcal worker` serves its own on `GCMCAL_WORKER_METRICS_PORT`
(`reminders.metrics_server`), `gcmcal serve` on `/metrics`. Gauges about shared state
(outbox by state, queue age, subscriptions by state, the relay circuit) are read from
the database when scraped, so every process reports the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders import bounce_store, circuit_store, outbox_store, subscription_store
from reminders.bounce_kinds import ReportKind
from reminders.states import OutboxState, SubscriptionState

REGISTRY = CollectorRegistry(auto_describe=True)


class _FeedRequests:
    """Feed responses by status, counted in plain integers and read when scraped.

    A feed request costs the app 2 to 3 microseconds; a Prometheus counter's `inc`
    (a lock and a value object) took a quarter of that. Feeds are answered on the event
    loop only, so a dictionary of integers needs no lock.
    """

    def __init__(self) -> None:
        self.by_status: dict[int, int] = {}

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "gcmcal_feed_requests", "Calendar feed requests by response status.", labels=["status"]
        )
        for status, count in sorted(self.by_status.items()):
            family.add_metric([str(status)], count)
        yield family


FEED_REQUESTS = _FeedRequests()
REGISTRY.register(FEED_REQUESTS)
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

BOUNCE_REPORTS = Gauge(
    "gcmcal_bounce_reports",
    "Bounces, complaints and other replies read in the last 90 days, by kind "
    "(permanent, temporary, complaint, auto-reply, unmatched, other).",
    ["kind"],
    registry=REGISTRY,
)
SENDS = Counter(
    "gcmcal_sends",
    "Messages handed to the relay, by outcome: ok, temporary, relay (refused for the "
    "relay's own reasons), permanent (the address refused), unsendable.",
    ["outcome"],
    registry=REGISTRY,
)
BOUNCES = Counter(
    "gcmcal_bounces",
    "Permanent address failures counted against subscriptions.",
    registry=REGISTRY,
)
PAUSED_BY_BOUNCES = Counter(
    "gcmcal_subscriptions_paused_by_bounces",
    "Subscriptions paused because their address kept bouncing.",
    registry=REGISTRY,
)
CIRCUIT_OPENINGS = Counter(
    "gcmcal_relay_circuit_openings",
    "Times this process opened the relay circuit (most recent sends failed alike).",
    registry=REGISTRY,
)
SUBSCRIPTIONS = Gauge(
    "gcmcal_subscriptions", "Subscriptions by state.", ["state"], registry=REGISTRY
)
CIRCUIT_OPEN = Gauge(
    "gcmcal_relay_circuit_open",
    "1 while the relay circuit is open (sending stopped, messages kept queued), else 0.",
    registry=REGISTRY,
)


async def refresh_outbox_gauges(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Read the shared gauges from the database (at each scrape)."""
    async with sessions() as session:
        conn = await session.connection()
        counts = await outbox_store.count_by_state(conn)
        oldest = await outbox_store.oldest_waiting_due(conn, now)
        people = await subscription_store.count_by_state(session)
        relay = await circuit_store.load(conn)
        reports = await bounce_store.report_counts(conn)
    for kind in ReportKind:
        BOUNCE_REPORTS.labels(kind.value).set(reports.get(kind.value, 0))
    for subscription_state in SubscriptionState:
        SUBSCRIPTIONS.labels(subscription_state.value).set(people.get(subscription_state, 0))
    CIRCUIT_OPEN.set(1 if relay.open else 0)
    for state in OutboxState:
        OUTBOX.labels(state.value).set(counts.get(state, 0))
    OLDEST_DUE_LAG.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


class FeedCounter:
    """Counts feed responses by status (the 304 share shows clients' caching works)."""

    def __init__(self) -> None:
        self._counts = FEED_REQUESTS.by_status

    def __call__(self, status: int) -> None:
        self._counts[status] = self._counts.get(status, 0) + 1
