"""The dispatcher against a real aiosmtpd relay on 127.0.0.1 and a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from reminders import outbox_store
from reminders.db.engine import create_engine
from reminders.dispatch import DispatchReport
from reminders.mail.transport import SmtpMailer
from reminders.settings import Settings
from reminders.states import OutboxState
from tests.support.sending import (
    HOST,
    NOW,
    Sink,
    add_subscriptions,
    backend,
    database,
    dispatcher,
    emails,
    outbox_rows,
    planned,
    send_log,
    smtp_server,
    states,
    url_of,
)


def _settings(port: int, connections: int = 2) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_connections=connections,
        send_rate=10_000,
        mail_from="GCM calendar <reminders@gcm.example.org>",
    )


@pytest.mark.anyio
async def test_dispatch_sends_one_email_per_subscriber_with_the_outbox_message_id(
    tmp_path: Path,
) -> None:
    sink = Sink()
    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
        async with engine.begin() as conn:
            await outbox_store.enqueue(
                conn,
                [planned(alice), planned(alice, "global-2026-imrf", lead="8w"), planned(bob)],
                NOW,
                HOST,
            )
        mailer = SmtpMailer(_settings(port))
        report = await dispatcher(engine, mailer, "worker-a").run()
        await mailer.close()
        rows = await outbox_rows(engine)

    received = sorted((m.rcpt_tos, m.message_id, m.mail_from) for m in sink.received)
    assert received == [
        (("alice@example.org",), rows[0].message_id, "reminders@gcm.example.org"),
        (("bob@example.org",), rows[2].message_id, "reminders@gcm.example.org"),
    ]
    assert rows[1].message_id == rows[0].message_id
    assert [(row.state, row.sent_at, row.attempts) for row in rows] == [
        (OutboxState.SENT, NOW, 1)
    ] * 3
    assert report == DispatchReport(claims=1, messages=2, sent=3, delivered=2)


@pytest.mark.anyio
async def test_dispatch_with_nothing_due_sends_nothing(tmp_path: Path) -> None:
    sink = Sink()
    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
        async with engine.begin() as conn:
            await outbox_store.enqueue(
                conn, [planned(alice, due_at=NOW + timedelta(minutes=1))], NOW, HOST
            )
        mailer = SmtpMailer(_settings(port))
        report = await dispatcher(engine, mailer, "worker-a").run()
        await mailer.close()

    assert (report, sink.received) == (DispatchReport(claims=1), [])


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    return backend(request, tmp_path)


@pytest.mark.anyio
async def test_two_dispatchers_at_once_deliver_every_message_exactly_once(
    shared_db: Path | str,
) -> None:
    sink = Sink()
    count = 600
    async with database(shared_db) as setup, smtp_server(sink) as port:
        ids = await add_subscriptions(setup, emails(count), NOW)
        async with setup.begin() as conn:
            await outbox_store.enqueue(conn, [planned(sid) for sid in ids], NOW, HOST)
        first_engine = create_engine(url_of(shared_db))
        second_engine = create_engine(url_of(shared_db))
        first_mailer = SmtpMailer(_settings(port))
        second_mailer = SmtpMailer(_settings(port))
        try:
            first, second = await asyncio.gather(
                dispatcher(first_engine, first_mailer, "worker-a", batch=40).run(),
                dispatcher(second_engine, second_mailer, "worker-b", batch=40).run(),
            )
        finally:
            await first_mailer.close()
            await second_mailer.close()
            await first_engine.dispose()
            await second_engine.dispose()
        rows = await outbox_rows(setup)
        final = await states(setup)

    assert sink.message_ids() == {row.message_id: 1 for row in rows}
    assert final == {OutboxState.SENT: count}
    assert first.sent + second.sent == count
    # Both took part: the claims really did run side by side.
    assert first.sent > 0
    assert second.sent > 0


class Gone(ValueError):
    pass


@pytest.mark.anyio
async def test_dispatch_withdraws_messages_that_cannot_be_built(tmp_path: Path) -> None:
    sink = Sink()

    def compose(_envelope: object) -> bytes:
        raise Gone("none of the events is in the timeline")

    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
        async with engine.begin() as conn:
            await outbox_store.enqueue(conn, [planned(alice)], NOW, HOST)
        mailer = SmtpMailer(_settings(port))
        run = dispatcher(engine, mailer, "worker-a")
        run.compose = compose
        run.unsendable = (Gone,)
        report = await run.run()
        await mailer.close()
        (row,) = await outbox_rows(engine)
        (entry,) = await send_log(engine)

    assert (row.state, row.last_error) == (
        OutboxState.WITHDRAWN,
        "compose: none of the events is in the timeline",
    )
    assert (entry.outcome, entry.smtp_code) == ("withdrawn", None)
    assert report == DispatchReport(claims=1, messages=1, withdrawn=1)
    assert sink.received == []
