"""The SMTP relay is down (connection refused), then answers 421 to every third message,
then recovers: every message arrives exactly once, and the send log shows each retry
waiting its step of the backoff schedule (10 s, 30 s, 60 s, 300 s …).

The real worker (`reminders.worker.Worker`: real composer, SMTP pool of one connection,
so that "every third" is well defined) runs on an injected clock, moved
to each next due time instead of sleeping; jitter is fixed at its middle (none).
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from sqlalchemy import select

from feeds.publish import FeedSet
from reminders import wiring
from reminders.backoff import SCHEDULE
from reminders.db.engine import session_factory
from reminders.mail.message_types import NothingToSend
from reminders.mail.transport import SmtpMailer
from reminders.settings import Settings
from reminders.states import OutboxState
from reminders.timeline_source import TimelineSource
from reminders.wiring import feed_builder
from reminders.worker import Worker, mail_composer_for
from tests.support.db_backends import Database
from tests.support.reliability import (
    BASE_URL,
    MAIL_FROM,
    SEND_LOG,
    CountingSink,
    add_subscribers,
    address,
    copy_timeline,
    enqueue,
    expected_notices,
    outbox_rows,
    quiet_planner,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
COUNT = 30
#: What the relay does in each dispatch round, in order.
ROUNDS = ("down", "down", "421 every third", "421 every third", "up")


class NoJitter(random.Random):
    def random(self) -> float:
        return 0.5  # the middle of the jitter range: delays exactly as scheduled


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class EveryThirdRefused(CountingSink):
    """Answers 421 to every third recipient (one per message) while `refusing`, and
    remembers whom it refused in which round; otherwise takes every message."""

    refusing: bool = True
    round: int = 0
    recipients_seen: int = 0
    refused: dict[int, list[str]] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.recipients_seen += 1
        if self.refusing and self.recipients_seen % 3 == 0:
            self.refused.setdefault(self.round, []).append(address)
            return "421 4.3.2 too busy, closing channel"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"


class Relay:
    """A port on 127.0.0.1 that refuses connections until `start`, then an aiosmtpd server.

    While down, a socket is bound to the port without listening: connecting to it is
    refused at once (RST), and nobody else can take the port meanwhile.
    """

    def __init__(self, handler: EveryThirdRefused) -> None:
        self.handler = handler
        self._placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._placeholder.bind(("127.0.0.1", 0))
        self.port: int = self._placeholder.getsockname()[1]
        self._server: asyncio.Server | None = None

    @property
    def up(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        self._placeholder.close()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SmtpServer(self.handler, hostname="relay.test", ident="relay", loop=loop),
            "127.0.0.1",
            self.port,
            reuse_address=True,
        )

    async def close(self) -> None:
        self._placeholder.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@asynccontextmanager
async def relay(handler: EveryThirdRefused) -> AsyncIterator[Relay]:
    down = Relay(handler)
    try:
        yield down
    finally:
        await down.close()


def refused_port_is_refused(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.anyio
async def test_relay_down_then_deferring_then_up_delivers_each_message_once_on_the_schedule(
    db: Database, tmp_path: Path
) -> None:
    ids = await add_subscribers(db.engine, COUNT, T0 - timedelta(days=1))
    await enqueue(db.engine, expected_notices(ids, T0, T0 + timedelta(days=1)), T0)
    await quiet_planner(db.engine, T0 + timedelta(days=1), T0)
    clock = Clock(T0)
    sink = EveryThirdRefused()
    async with relay(sink) as smtp:
        settings = Settings(
            timeline=copy_timeline(tmp_path),
            database_url=db.url,
            base_url=BASE_URL,
            mail_from=MAIL_FROM,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_connections=1,
            send_rate=10_000,
            smtp_timeout=10,
        )
        source: TimelineSource[FeedSet] = TimelineSource(
            settings.timeline, session_factory(db.engine), feed_builder(BASE_URL), clock
        )
        mailer = SmtpMailer(settings)
        worker = Worker(
            settings,
            wiring.Database.on(db.engine),
            source,
            mailer,
            mail_composer_for(settings, clock),
            clock=clock,
            rng=NoJitter(),
            unsendable=(NothingToSend,),
        )
        assert refused_port_is_refused(smtp.port)
        moments = []
        for state in ROUNDS:
            if state != "down" and not smtp.up:
                await smtp.start()
            sink.refusing = state == "421 every third"
            sink.round = len(moments)
            moments.append(clock.now)
            await worker.plan_tick()
            await worker.dispatch_tick()
            waiting = [
                row.due_at
                for row in await outbox_rows(db.engine)
                if row.state in (OutboxState.QUEUED, OutboxState.RETRY_WAIT)
            ]
            if not waiting:
                break
            clock.now = min(waiting)
        await mailer.close()
        rows = await outbox_rows(db.engine)
        async with db.engine.connect() as conn:
            log = (await conn.execute(select(SEND_LOG).order_by(SEND_LOG.c.id))).all()

    # Rounds 3 and 4 (indexes 2, 3) refuse every third message: 10 of 30, then 3 of those 10.
    address_of = {row.id: address(ids.index(row.subscription_id)) for row in rows}
    deferred_once = {row_id for row_id, to in address_of.items() if to in sink.refused[2]}
    deferred_twice = {row_id for row_id, to in address_of.items() if to in sink.refused[3]}
    row_ids = [row.id for row in rows]
    at = [T0 + timedelta(seconds=sum(SCHEDULE[:n])) for n in range(5)]  # T0, +10, +40, +100, +400
    history: dict[int, list[tuple[datetime, str, int | None]]] = {}
    for entry in log:
        history.setdefault(entry.outbox_id, []).append((entry.at, entry.outcome, entry.smtp_code))

    def expected(row_id: int) -> list[tuple[datetime, str, int | None]]:
        refused = [(at[0], "retry", None), (at[1], "retry", None)]
        if row_id in deferred_twice:
            return [*refused, (at[2], "retry", 421), (at[3], "retry", 421), (at[4], "sent", 250)]
        if row_id in deferred_once:
            return [*refused, (at[2], "retry", 421), (at[3], "sent", 250)]
        return [*refused, (at[2], "sent", 250)]

    assert moments == at
    assert sorted(sink.refused) == [2, 3]
    assert (len(deferred_once), len(deferred_twice)) == (10, 3)
    assert deferred_twice < deferred_once
    assert history == {row_id: expected(row_id) for row_id in row_ids}
    assert sink.received == {row.message_id: 1 for row in rows}
    assert sink.recipients == {row.message_id: (address_of[row.id],) for row in rows}
    assert [(row.state, row.attempts, row.sent_at) for row in rows] == [
        (OutboxState.SENT, len(expected(row.id)), expected(row.id)[-1][0]) for row in rows
    ]
    assert sink.recipients_seen == COUNT + len(deferred_once) + len(deferred_twice)
