"""SmtpMailer and MaildirMailer against real collaborators: aiosmtpd on 127.0.0.1, a Maildir."""

from __future__ import annotations

import mailbox
import socket
from pathlib import Path

import pytest

from reminders.mail.port import SendResult, SendStatus
from reminders.mail.transport import MaildirMailer, SmtpMailer, make_mailer
from reminders.settings import Settings
from tests.support.sending import ScriptedSink, smtp_server

SENDER = "reminders@gcm.example.org"
MESSAGE = b"From: reminders@gcm.example.org\r\nMessage-ID: <1@gcm.example.org>\r\n\r\nHello\r\n"


def _settings(port: int, connections: int = 1) -> Settings:
    return Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_connections=connections, send_rate=1000
    )


async def _send_all(sink: ScriptedSink, recipients: list[str]) -> list[SendResult]:
    async with smtp_server(sink) as port:
        mailer = SmtpMailer(_settings(port))
        try:
            return [await mailer.send(SENDER, [address], MESSAGE) for address in recipients]
        finally:
            await mailer.close()


@pytest.mark.anyio
async def test_smtp_mailer_classifies_refusals_by_code_and_stage() -> None:
    sink = ScriptedSink(
        mail=["550 5.7.1 sender not allowed"],
        rcpt={
            "gone@example.org": ["550 5.1.1 no such user"],
            "busy@example.org": ["451 4.3.0 try later"],
        },
        data=["552 5.3.4 too big for now"],
    )

    results = await _send_all(
        sink,
        ["a@example.org", "gone@example.org", "busy@example.org", "b@example.org", "c@example.org"],
    )

    assert results == [
        SendResult(SendStatus.TEMPORARY, 550, "mail: 5.7.1 sender not allowed", "5.7.1"),
        SendResult(SendStatus.PERMANENT, 550, "rcpt: 5.1.1 no such user", "5.1.1"),
        SendResult(SendStatus.TEMPORARY, 451, "rcpt: 4.3.0 try later", "4.3.0"),
        SendResult(SendStatus.TEMPORARY, 552, "data: 5.3.4 too big for now", "5.3.4"),
        SendResult(SendStatus.OK, 250, ""),
    ]
    assert [message.rcpt_tos for message in sink.received] == [("c@example.org",)]


@pytest.mark.anyio
async def test_smtp_mailer_reuses_one_connection_for_many_messages() -> None:
    sink = ScriptedSink()

    results = await _send_all(sink, [f"p{n}@example.org" for n in range(5)])

    assert results == [SendResult(SendStatus.OK, 250, "")] * 5
    assert sink.connections == 1


@pytest.mark.anyio
async def test_smtp_mailer_reconnects_after_the_relay_hung_up() -> None:
    sink = ScriptedSink(close_after_data=True)

    results = await _send_all(sink, [f"p{n}@example.org" for n in range(3)])

    assert results == [SendResult(SendStatus.OK, 250, "")] * 3
    assert [message.rcpt_tos for message in sink.received] == [
        ("p0@example.org",),
        ("p1@example.org",),
        ("p2@example.org",),
    ]
    assert sink.connections == 3


@pytest.mark.anyio
async def test_smtp_mailer_reports_an_unreachable_relay_as_temporary() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailer = SmtpMailer(_settings(port))

    result = await mailer.send(SENDER, ["a@example.org"], MESSAGE)
    await mailer.close()

    assert result == SendResult(
        SendStatus.TEMPORARY,
        None,
        f"connect: SMTPConnectError: Error connecting to 127.0.0.1 on port {port}: "
        f"[Errno 111] Connect call failed ('127.0.0.1', {port})",
    )


@pytest.mark.anyio
async def test_maildir_mailer_writes_the_message_as_a_file(tmp_path: Path) -> None:
    mailer = make_mailer(Settings(smtp_host="", outbox=tmp_path / "outbox"))

    result = await mailer.send(SENDER, ["a@example.org"], MESSAGE)

    assert isinstance(mailer, MaildirMailer)
    assert result == SendResult(SendStatus.OK, 250, "")
    (stored,) = [bytes(m) for m in mailbox.Maildir(tmp_path / "outbox", create=False)]
    assert stored.replace(b"\r\n", b"\n") == MESSAGE.replace(b"\r\n", b"\n")
