"""Sending finished messages: the SMTP and Maildir adapters of the `Mailer` port (`port`).

A mailer takes the envelope (sender, recipients) and the message bytes and says how it
went, in three classes the dispatcher acts on:

- `OK`: the relay took the message;
- `TEMPORARY`: try again later (4xx replies, 552 per RFC 5321 §4.5.3.1.10, a refused
  sender or login, dropped connections, time-outs, other network errors);
- `PERMANENT`: the recipient's address is refused for good (RFC 3463 enhanced status
  5.1.x "address" or 5.2.1 "mailbox disabled"; without an enhanced code, 550, 551 or
  553 to RCPT): a bounce, counted against the subscription;
- `RELAY`: a permanent refusal for the relay's own reasons (5.3.x system, 5.4.x
  network, 5.5.x protocol, 5.6.x content, 5.7.x policy, or a 5xx without an enhanced
  code that does not name the address): not the subscriber's fault, so it is retried
  like a temporary failure and never counts as a bounce.

`SmtpMailer` keeps `settings.smtp_connections` connections open and reuses them, caps
the rate over all of them with a token bucket (`settings.send_rate` per second), and
reconnects a connection that was dropped. A connection found dead before the message
was handed over (MAIL or RCPT stage) is reopened and the message tried once more at
once; after DATA has started nothing is repeated here, because the relay may have
taken the message.

`MaildirMailer` writes each message as a file in a Maildir (the development default,
when GCMCAL_SMTP_HOST is empty).
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import aiosmtplib

from reminders.mail.port import SENT, Mailer, SendResult, SendStatus
from reminders.settings import Settings, SmtpSecurity

log = logging.getLogger(__name__)


_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
#: Basic replies to RCPT that name the address itself (RFC 5321 §4.2.3).
_ADDRESS_REPLIES = frozenset({550, 551, 553})


def enhanced_code(message: str) -> str | None:
    """The RFC 3463 enhanced status code a reply text starts with ("5.1.1"), if any."""
    match = _ENHANCED.match(message)
    return ".".join(match.groups()) if match else None


def classify_reply(code: int, stage: str, message: str = "") -> SendStatus:
    """The class of an SMTP error reply to MAIL, RCPT or DATA.

    Only a refusal of the recipient's address is a bounce (`PERMANENT`); a relay
    refusing for its own reasons must not pause subscribers (`RELAY`, retried). 4xx and
    552 (RFC 5321 §4.5.3.1.10) are temporary. A 5xx while connecting (greeting, EHLO,
    STARTTLS, AUTH) or to MAIL is about us, not the recipient: temporary too, so that
    a misconfigured relay or a wrong password does not fail every reminder for good.
    """
    if not 500 <= code < 600 or code == 552 or stage not in ("rcpt", "data"):
        return SendStatus.TEMPORARY
    enhanced = enhanced_code(message)
    if enhanced is not None:
        if not enhanced.startswith("5."):
            return SendStatus.TEMPORARY  # the relay itself says "try again"
        if enhanced.startswith("5.1.") or enhanced == "5.2.1":
            return SendStatus.PERMANENT
        return SendStatus.RELAY
    if stage == "rcpt" and code in _ADDRESS_REPLIES:
        return SendStatus.PERMANENT
    return SendStatus.RELAY


def reply_result(code: int, stage: str, message: str) -> SendResult:
    """The `SendResult` of an SMTP error reply at `stage`."""
    return SendResult(
        classify_reply(code, stage, message), code, f"{stage}: {message}", enhanced_code(message)
    )


class TokenBucket:
    """At most `rate` acquisitions per second on average, bursts up to `burst`.

    `clock` is a monotonic seconds source and `sleep` an awaitable delay, both injected.
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst ≥ 1")
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def acquire(self) -> None:
        async with self._lock:  # first come, first served
            self._refill()
            for _ in range(1_000):  # bounded: each wait is computed to be enough
                if self._tokens >= 1 - 1e-9:  # float rounding of the refill
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep((1 - self._tokens) / self._rate)
                self._refill()
            raise RuntimeError("token bucket clock does not advance")


def _needs_utf8(*addresses: str) -> bool:
    return not all(address.isascii() for address in addresses)


class SmtpMailer:
    """A pool of reused aiosmtplib connections to one relay, with a global rate cap."""

    def __init__(
        self,
        settings: Settings,
        *,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpMailer needs GCMCAL_SMTP_HOST")
        self._settings = settings
        self._tls_context = tls_context
        loop_clock = clock or time.monotonic
        burst = max(1.0, min(settings.send_rate, float(settings.smtp_connections)))
        self._bucket = TokenBucket(settings.send_rate, burst, loop_clock)
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(settings.smtp_connections):
            self._idle.put_nowait(self._new_client())
        self._closed = False

    @property
    def connections(self) -> int:
        return self._settings.smtp_connections

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password.get_secret_value() or None,
            timeout=s.smtp_timeout,
            use_tls=s.smtp_security is SmtpSecurity.TLS,
            start_tls=s.smtp_security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context,
        )

    async def send(self, sender: str, recipients: Sequence[str], message: bytes) -> SendResult:
        if self._closed:
            raise RuntimeError("mailer is closed")
        await self._bucket.acquire()
        client = await self._idle.get()
        try:
            return await self._send_on(client, sender, recipients, message)
        finally:
            self._idle.put_nowait(client)

    async def _send_on(
        self, client: aiosmtplib.SMTP, sender: str, recipients: Sequence[str], message: bytes
    ) -> SendResult:
        utf8 = _needs_utf8(sender, *recipients)
        options = ["SMTPUTF8"] if utf8 else []
        encoding = "utf-8" if utf8 else "ascii"
        for try_ in range(2):  # a second go only on a stale connection, before DATA
            reused = client.is_connected
            stage = "connect"
            try:
                if not client.is_connected:
                    await client.connect()
                stage = "mail"
                await client.mail(sender, options=options, encoding=encoding)
                stage = "rcpt"
                for recipient in recipients:
                    await client.rcpt(recipient, encoding=encoding)
                stage = "data"
                await client.data(message)
                return SENT
            except (
                aiosmtplib.SMTPSenderRefused,
                aiosmtplib.SMTPRecipientRefused,
                aiosmtplib.SMTPDataError,
            ) as exc:
                return await self._refused(client, exc, stage)
            except aiosmtplib.SMTPResponseException as exc:  # e.g. 421 at connect
                await self._drop(client)
                return reply_result(exc.code, stage, exc.message)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop(client)
                if try_ == 0 and reused and stage in ("mail", "rcpt"):
                    log.debug("stale SMTP connection (%s); reconnecting", type(exc).__name__)
                    continue
                return SendResult(
                    SendStatus.TEMPORARY, None, f"{stage}: {type(exc).__name__}: {exc}"
                )
        return SendResult(SendStatus.TEMPORARY, None, "connection lost twice")

    async def _refused(
        self, client: aiosmtplib.SMTP, exc: aiosmtplib.SMTPResponseException, stage: str
    ) -> SendResult:
        try:
            await client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self._drop(client)
        return reply_result(exc.code, stage, exc.message)

    async def _drop(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            client.close()

    async def close(self) -> None:
        """Say QUIT on every open connection (waits for connections in use)."""
        self._closed = True
        for _ in range(self._settings.smtp_connections):
            client = await self._idle.get()
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()


class MaildirMailer:
    """Writes each message into a Maildir (`settings.outbox`); for development."""

    def __init__(self, path: Path) -> None:
        self._maildir = mailbox.Maildir(path, create=True)

    async def send(self, sender: str, recipients: Sequence[str], message: bytes) -> SendResult:
        try:
            await asyncio.to_thread(self._maildir.add, message)
        except OSError as exc:
            return SendResult(SendStatus.TEMPORARY, None, f"{type(exc).__name__}: {exc}")
        return SENT

    async def close(self) -> None:
        return None


def make_mailer(settings: Settings) -> Mailer:
    """SMTP when GCMCAL_SMTP_HOST is set, else the Maildir in GCMCAL_OUTBOX."""
    if settings.uses_smtp:
        return SmtpMailer(settings)
    return MaildirMailer(settings.outbox)
