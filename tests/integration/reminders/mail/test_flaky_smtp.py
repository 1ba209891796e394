"""A relay that defers, drops and refuses: retries follow the backoff, bounces stay bounces.

The clock is moved with time-machine to each next due time instead of sleeping; the
dispatcher reads it through `datetime.now(UTC)`. Jitter is fixed at its middle (no
spread) so each retry lands exactly on the schedule.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store
from reminders.backoff import SCHEDULE
from reminders.mail.transport import SmtpMailer
from reminders.settings import Settings
from reminders.states import OutboxState, SubscriptionState
from tests.support.sending import (
    NOW,
    SUBSCRIPTIONS,
    FlakySink,
    ScriptedSink,
    add_subscriptions,
    database,
    dispatcher,
    emails,
    outbox_rows,
    planned,
    send_log,
    smtp_server,
)

HOST = "gcm.example.org"
MAX_ROUNDS = 300


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _settings(port: int, connections: int) -> Settings:
    return Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_connections=connections, send_rate=10_000
    )


async def _run_until_settled(
    engine: AsyncEngine, mailer: SmtpMailer, traveller: Any, limit: int
) -> int:
    """Dispatch, then jump the clock to the next due row; stop when nothing is left."""
    run = dispatcher(
        engine,
        mailer,
        "worker-a",
        clock=_wall_clock,
        concurrency=mailer.connections,
        bounce_threshold=limit,
    )
    for rounds in range(1, MAX_ROUNDS + 1):
        await run.run()
        waiting = [
            row.due_at
            for row in await outbox_rows(engine)
            if row.state in (OutboxState.QUEUED, OutboxState.RETRY_WAIT)
        ]
        if not waiting:
            return rounds
        traveller.move_to(min(waiting))
    raise AssertionError(f"outbox not settled after {MAX_ROUNDS} rounds")


def _attempt_gaps(log: list[Any]) -> dict[int, list[float]]:
    """Seconds between consecutive attempts, per outbox row."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for entry in log:
        times[entry.outbox_id].append(entry.at)
    return {
        row_id: [(b - a).total_seconds() for a, b in itertools.pairwise(at)]
        for row_id, at in times.items()
    }


@pytest.mark.anyio
async def test_deferred_message_is_retried_on_the_backoff_schedule(tmp_path: Path) -> None:
    sink = ScriptedSink(rcpt={"alice@example.org": ["451 4.7.1 greylisted"] * 4})
    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
        async with engine.begin() as conn:
            await outbox_store.enqueue(conn, [planned(alice)], NOW, HOST)
        mailer = SmtpMailer(_settings(port, 1))
        with time_machine.travel(NOW, tick=False) as traveller:
            rounds = await _run_until_settled(engine, mailer, traveller, limit=3)
        await mailer.close()
        log = await send_log(engine)
        (row,) = await outbox_rows(engine)

    assert rounds == 5
    assert [(entry.at, entry.outcome, entry.smtp_code) for entry in log] == [
        (NOW, "retry", 451),
        (NOW + timedelta(seconds=10), "retry", 451),
        (NOW + timedelta(seconds=40), "retry", 451),
        (NOW + timedelta(seconds=100), "retry", 451),
        (NOW + timedelta(seconds=400), "sent", 250),
    ]
    assert (row.state, row.attempts, row.sent_at) == (
        OutboxState.SENT,
        5,
        NOW + timedelta(seconds=400),
    )
    assert [m.message_id for m in sink.received] == [row.message_id]


@pytest.mark.anyio
async def test_flaky_relay_delivers_every_message_once_and_bounces_only_refused_recipients(
    tmp_path: Path,
) -> None:
    addresses = list(emails(150))
    refused = frozenset(addresses[:5])
    sink = FlakySink(seed=20250301, refused=refused, fault_rate=0.25)
    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        ids = await add_subscriptions(engine, addresses, NOW)
        refused_ids = ids[:5]
        later = [
            planned(sid, lead=lead, due_at=NOW + timedelta(hours=hours))
            for sid in refused_ids
            for lead, hours in (("1w", 1), ("1h", 2))
        ]
        async with engine.begin() as conn:
            await outbox_store.enqueue(conn, [planned(sid) for sid in ids], NOW, HOST)
            await outbox_store.enqueue(conn, later, NOW, HOST)
        mailer = SmtpMailer(_settings(port, 3))
        with time_machine.travel(NOW, tick=False) as traveller:
            await _run_until_settled(engine, mailer, traveller, limit=2)
        await mailer.close()
        rows = await outbox_rows(engine)
        log = await send_log(engine)
        async with engine.connect() as conn:
            subscriptions = {
                row.id: (row.state, row.hard_bounces)
                for row in await conn.execute(
                    select(SUBSCRIPTIONS.c.id, SUBSCRIPTIONS.c.state, SUBSCRIPTIONS.c.hard_bounces)
                )
            }

    delivered = [row for row in rows if row.subscription_id not in refused_ids]
    bounced = [row for row in rows if row.subscription_id in refused_ids]
    assert sink.message_ids() == {row.message_id: 1 for row in delivered}
    assert {row.state for row in delivered} == {OutboxState.SENT}
    assert sorted((row.subscription_id, row.lead, row.state) for row in bounced) == sorted(
        (sid, lead, state)
        for sid in refused_ids
        for lead, state in (
            ("1d", OutboxState.FAILED),
            ("1w", OutboxState.FAILED),
            ("1h", OutboxState.WITHDRAWN),
        )
    )
    assert {sid: subscriptions[sid] for sid in refused_ids} == dict.fromkeys(
        refused_ids, (SubscriptionState.PAUSED, 2)
    )
    assert {subscriptions[sid] for sid in ids[5:]} == {(SubscriptionState.ACTIVE, 0)}
    bounced_ids = {row.id for row in bounced}
    # (Deferrals at MAIL may come before the refusal at RCPT; they are retries.)
    assert sorted(
        (entry.outbox_id, entry.outcome, entry.smtp_code)
        for entry in log
        if entry.outbox_id in bounced_ids and entry.outcome != "retry"
    ) == sorted((row.id, "bounce", 550) for row in bounced if row.lead != "1h")
    # Deferrals happened, and every retry waited exactly its step of the schedule.
    assert {key.split(":")[1] for key in sink.faults} == {"421", "451", "drop"}
    gaps = _attempt_gaps(log)
    assert any(gaps.values())
    assert {row_id: g for row_id, g in gaps.items() if g} == {
        row_id: [float(step) for step in SCHEDULE[: len(g)]] for row_id, g in gaps.items() if g
    }
