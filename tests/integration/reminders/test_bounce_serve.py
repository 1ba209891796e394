"""`gcmcal bounces serve`'s receiver (aiosmtpd) in this event loop, fed by aiosmtplib: the
VERP return path of a dispatched message brings its bounce back to its subscription."""

from __future__ import annotations

import mailbox
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store
from reminders.bounce_intake import Intake
from reminders.bounce_score import BouncePolicy
from reminders.bounce_server import BounceHandler, start
from reminders.bounce_store import REPORTS
from reminders.db.models import Base
from reminders.dispatch import Dispatcher, verp_senders
from reminders.mail.transport import SmtpMailer
from reminders.return_path import ReturnPathReader
from reminders.settings import Settings
from reminders.states import SubscriptionState
from tests.support.bounce_samples import postfix_user_unknown, yahoo_complaint
from tests.support.sending import (
    NOW,
    SENDER,
    Sink,
    add_subscriptions,
    database,
    plain_composer,
    planned,
    smtp_server,
)

pytestmark = pytest.mark.anyio

SECRET = "bounce-serve-test-secret"
DOMAIN = "bounces.gcm.example.org"
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
POLICY = BouncePolicy(threshold=2, half_life=timedelta(days=30))


@asynccontextmanager
async def bounce_server(
    engine: AsyncEngine, archive: Path | None, max_bytes: int = 100_000
) -> AsyncIterator[int]:
    intake = Intake(
        engine,
        secret=SECRET,
        paths=ReturnPathReader(SECRET, "bounces", DOMAIN),
        policy=POLICY,
        clock=lambda: NOW,
    )
    server = await start(
        BounceHandler(intake, archive, lmtp=False), "127.0.0.1", 0, lmtp=False, max_bytes=max_bytes
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _dispatch(engine: AsyncEngine, port: int, rounds: int, subscription: int) -> None:
    mailer = SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=port, send_rate=10_000))
    for n in range(rounds):
        async with engine.begin() as conn:
            reminder = planned(subscription, lead=f"{n + 1}d")
            await outbox_store.enqueue(conn, [reminder], NOW, "h.test")
        await Dispatcher(
            engine=engine,
            mailer=mailer,
            compose=plain_composer,
            sender=SENDER,
            clock=lambda: NOW,
            random=lambda: 0.5,
            bounces=POLICY,
            return_path=verp_senders(SECRET, "bounces", DOMAIN),
        ).run()
    await mailer.close()


async def _send(port: int, mail_from: str, rcpt: str, message: bytes) -> Any:
    """Send like a mail server returning a bounce (MAIL FROM:<> allowed); the DATA reply."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as client:
        errors, reply = await client.sendmail(mail_from, [rcpt], message)
    assert errors == {}
    return (0, reply)


async def test_bounces_of_dispatched_messages_pause_the_subscription(tmp_path: Path) -> None:
    sink = Sink()
    async with (
        database(tmp_path / "db.sqlite3") as engine,
        smtp_server(sink) as relay,
        bounce_server(engine, tmp_path / "archive") as port,
    ):
        (dead,) = await add_subscriptions(engine, ["dead@example.net"], NOW)
        await _dispatch(engine, relay, 2, dead)
        states = []
        for received in sink.received:
            reply = await _send(
                port,
                "",
                received.mail_from,
                postfix_user_unknown(received.mail_from, "dead@example.net"),
            )
            async with engine.connect() as conn:
                states.append(
                    (reply[1], (await conn.execute(select(SUBSCRIPTIONS.c.state))).scalar_one())
                )

    senders = [received.mail_from for received in sink.received]
    assert (len(set(senders)), [s.split("+")[0] for s in senders]) == (2, ["bounces", "bounces"])
    assert states == [
        ("2.0.0 report received", SubscriptionState.ACTIVE),
        ("2.0.0 report received", SubscriptionState.PAUSED),
    ]
    assert len(mailbox.Maildir(tmp_path / "archive")) == 2


async def test_complaint_unsubscribes_and_garbage_is_accepted_and_dropped(tmp_path: Path) -> None:
    sink = Sink()
    async with (
        database(tmp_path / "db.sqlite3") as engine,
        smtp_server(sink) as relay,
        bounce_server(engine, None) as port,
    ):
        (alice,) = await add_subscriptions(engine, ["alice@example.net"], NOW)
        await _dispatch(engine, relay, 1, alice)
        verp = sink.received[0].mail_from
        replies = [
            (await _send(port, "", f"bounces+{'a' * 29}@{DOMAIN}", b"\x00\xff garbage\r\n"))[1],
            (
                await _send(
                    port,
                    "fbl@example.com",
                    "fbl@gcm.example.org",
                    yahoo_complaint(verp, "alice@example.net"),
                )
            )[1],
        ]
        async with engine.connect() as conn:
            left = (await conn.execute(select(SUBSCRIPTIONS.c.id))).all()
            kinds = sorted((await conn.execute(select(REPORTS.c.kind))).scalars())

    assert (replies, left, kinds) == (
        ["2.0.0 report received", "2.0.0 report received"],
        [],
        ["complaint", "other"],
    )


async def test_oversized_message_is_refused_before_it_is_read(tmp_path: Path) -> None:
    async with (
        database(tmp_path / "db.sqlite3") as engine,
        bounce_server(engine, None, 20_000) as port,
    ):
        # (Refused at MAIL already: the client announced the size, SIZE being offered.)
        with pytest.raises(aiosmtplib.SMTPResponseException) as caught:
            await _send(port, "", f"bounces+x@{DOMAIN}", b"Subject: big\r\n\r\n" + b"x" * 50_000)
        async with engine.connect() as conn:
            stored = (await conn.execute(select(REPORTS.c.id))).all()

    assert (caught.value.code, stored) == (552, [])
