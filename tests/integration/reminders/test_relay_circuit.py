"""A relay that refuses everything for its own reasons: the circuit opens, nobody is paused.

Real collaborators: an aiosmtpd relay on 127.0.0.1, the worker with its SMTP mailer,
the shipped timeline and a SQLite file. The clock is a test clock, moved by hand.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from reminders import circuit_store
from reminders.db.models import Base
from reminders.service import Service
from reminders.settings import Settings
from reminders.states import OutboxState, SubscriptionState
from reminders.worker import Worker, open_worker
from tests.support.sending import (
    HandClock as Clock,
)
from tests.support.sending import (
    Sink,
    add_subscriptions,
    emails,
    enqueue_expected_notices,
    outbox_rows,
    send_log,
    smtp_server,
)

ROOT = Path(__file__).resolve().parents[3]
EVENT = "global-2030-imrf"
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]


@dataclass
class BrokenRelay(Sink):
    """Answers `rcpt_reply` to every RCPT and `data_reply` to every DATA while broken."""

    rcpt_reply: str = ""
    data_reply: str = ""
    attempts: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.attempts += 1
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.store(envelope)
        return "250 2.0.0 OK"


@dataclass
class Setup:
    worker: Worker
    clock: Clock
    relay: BrokenRelay
    ids: list[int]


async def _setup(tmp_path: Path, relay: BrokenRelay, port: int, people: int) -> Setup:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    settings = Settings(
        timeline=tmp_path / "timeline.toml",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_connections=2,
        send_rate=10_000,
        bounce_threshold=1,  # the harshest: one counted bounce would pause
        mail_from="GCM calendar <reminders@gcm.example.org>",
    )
    clock = Clock(NOW)
    worker = await open_worker(settings, clock=clock)
    await worker.source.refresh()
    ids = await add_subscriptions(worker.engine, emails(people), NOW - timedelta(days=1))
    await enqueue_expected_notices(worker.engine, ids, EVENT, NOW)
    return Setup(worker, clock, relay, ids)


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[Setup]:
    relay = BrokenRelay()
    async with smtp_server(relay) as port:
        setup = await _setup(tmp_path, relay, port, people=30)
        try:
            yield setup
        finally:
            await setup.worker.mailer.close()
            await setup.worker.engine.dispose()


async def _people(worker: Worker) -> list[tuple[str, int]]:
    async with worker.engine.connect() as conn:
        rows = await conn.execute(
            select(SUBSCRIPTIONS.c.state, SUBSCRIPTIONS.c.hard_bounces).order_by(SUBSCRIPTIONS.c.id)
        )
        return [(row.state, row.hard_bounces) for row in rows]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("rcpt_reply", "data_reply", "reason"),
    [
        ("550 5.1.1 all recipients refused", "", "permanent 550 5.1.1"),
        ("", "554 5.3.0 mail store full", "relay 554 5.3.0"),
        ("550 relaying denied", "", "permanent 550"),
    ],
)
async def test_relay_refusing_every_message_opens_the_circuit_and_pauses_nobody(
    broken: Setup, rcpt_reply: str, data_reply: str, reason: str
) -> None:
    broken.relay.rcpt_reply, broken.relay.data_reply = rcpt_reply, data_reply

    await broken.worker.dispatch_tick()
    attempts = broken.relay.attempts
    await broken.worker.dispatch_tick()  # the circuit is open: nothing is tried

    relay = await circuit_store.read(broken.worker.engine)
    rows = await outbox_rows(broken.worker.engine)
    logged = Counter(entry.outcome for entry in await send_log(broken.worker.engine))
    assert relay == circuit_store.CircuitState(
        open=True,
        since=NOW,
        retry_at=NOW + timedelta(minutes=1),
        reason=reason,
        openings=1,
    )
    assert broken.relay.attempts == attempts
    assert await _people(broken.worker) == [(SubscriptionState.ACTIVE, 0)] * 30
    assert {row.state for row in rows} <= {OutboxState.QUEUED, OutboxState.RETRY_WAIT}
    assert logged == Counter({"relay": sum(row.attempts for row in rows)})
    assert 8 <= logged["relay"] < 30  # stopped once 8 of the last 10 failed alike
    assert broken.relay.received == []


@pytest.mark.anyio
async def test_relay_circuit_tries_one_message_after_the_cool_down_then_sends_the_rest(
    broken: Setup,
) -> None:
    broken.relay.data_reply = "554 5.3.0 mail store full"
    await broken.worker.dispatch_tick()
    broken.relay.data_reply = ""  # the operator freed the storage

    broken.clock.now = NOW + timedelta(seconds=59)
    await broken.worker.dispatch_tick()  # still cooling down
    waiting = len(broken.relay.received)
    broken.clock.now = NOW + timedelta(minutes=30)  # past the cool-down and every retry
    await broken.worker.dispatch_tick()

    rows = await outbox_rows(broken.worker.engine)
    assert waiting == 0
    assert await circuit_store.read(broken.worker.engine) == circuit_store.CLOSED
    assert [row.state for row in rows] == [OutboxState.SENT] * 30
    assert sorted(message.rcpt_tos for message in broken.relay.received) == sorted(
        (address,) for address in emails(30)
    )


@pytest.mark.anyio
async def test_relay_circuit_failed_try_opens_it_for_longer(broken: Setup) -> None:
    broken.relay.data_reply = "554 5.3.0 mail store full"
    await broken.worker.dispatch_tick()
    attempts = broken.relay.attempts

    broken.clock.now = NOW + timedelta(minutes=1)
    await broken.worker.dispatch_tick()

    assert broken.relay.attempts == attempts + 1
    assert await circuit_store.read(broken.worker.engine) == circuit_store.CircuitState(
        open=True,
        since=NOW,
        retry_at=NOW + timedelta(minutes=3),
        reason="relay 554 5.3.0",
        openings=2,
    )
    assert await _people(broken.worker) == [(SubscriptionState.ACTIVE, 0)] * 30


@pytest.mark.anyio
async def test_single_refused_address_among_good_ones_is_still_a_bounce(tmp_path: Path) -> None:
    relay = BrokenRelay()
    async with smtp_server(relay) as port:
        setup = await _setup(tmp_path, relay, port, people=12)
        try:
            relay.rcpt_reply = ""
            original = relay.handle_RCPT

            async def one_gone(
                server: Any, session: Any, envelope: Any, address: str, options: list[str]
            ) -> str:
                if address == "person0@example.org":
                    return "550 5.1.1 no such user"
                return await original(server, session, envelope, address, options)

            relay.handle_RCPT = one_gone  # type: ignore[method-assign]
            await setup.worker.dispatch_tick()
            people = await _people(setup.worker)
        finally:
            await setup.worker.mailer.close()
            await setup.worker.engine.dispose()

    assert people == [(SubscriptionState.PAUSED, 1)] + [(SubscriptionState.ACTIVE, 0)] * 11


@pytest.mark.anyio
async def test_readyz_and_metrics_say_the_relay_circuit_is_open(broken: Setup) -> None:
    broken.relay.data_reply = "554 5.3.0 mail store full"
    await broken.worker.dispatch_tick()
    service = Service.create(broken.worker.settings, broken.clock)
    await service.open()
    try:
        transport = httpx.ASGITransport(app=service.asgi())
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            ready = (await client.get("/readyz")).json()
            metrics = (await client.get("/metrics")).text
    finally:
        await service.close()

    assert ready["ready"] is True  # pages and feeds still work
    assert ready["relay"] == {
        "circuit": "open",
        "reason": "relay 554 5.3.0",
        "since": NOW.isoformat(),
        "next_try": (NOW + timedelta(minutes=1)).isoformat(),
        "note": "sending is stopped; messages stay queued and nobody counts as bounced",
    }
    assert "gcmcal_relay_circuit_open 1.0" in metrics.splitlines()
