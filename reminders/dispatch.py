"""The dispatcher: claim due outbox rows, compose, send over the mailer pool, record.

One run is a pipeline of three parts over one asyncio queue:

- the claimer leases a batch of due rows (`claims.claim`, committed before any SMTP
  traffic) and queues its envelopes (one per message: a subscriber's rows due together
  go out as one email), then claims the next batch when the queue has room;
- `concurrency` senders (one per SMTP connection) compose each message and hand it to
  the mailer;
- a recorder stores outcomes in batches of `flush_every` (`send_records.record`), at least
  every second, and at the end; senders never wait for the database.

Crash safety: rows are leased for `lease`; a sender does not start a message whose
lease has less than a third of its length left (it would risk a second sender picking
the rows up while the first is still talking to the relay). After a crash the leased
rows go out again once their lease expired, with the same Message-ID. Nothing else can
be sent twice.

Stopping (`stop` set): no more claims; the messages being sent are finished and
recorded; queued ones are left leased for whoever comes next.

The relay's circuit (`breaker`, `reminders.circuit`): every result is counted; when
the relay fails most sends alike the circuit opens, no more messages are started and
those already claimed go back to the queue untouched (`claims.release`). A bounce is
held back until the sends after it show the relay was otherwise working; if the
circuit opens first, it is recorded as the relay's refusal, not the subscriber's.
With `probing` (the half-open try) a bounce counts only if some message went through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import claims, send_records
from reminders.backoff import Random
from reminders.bounce_score import BouncePolicy
from reminders.circuit import Breaker, describe
from reminders.claims import Envelope
from reminders.clock import Clock
from reminders.mail.port import Mailer, SendResult, SendStatus
from reminders.metrics import BOUNCES, PAUSED_BY_BOUNCES, SENDS, SMTP_LATENCY
from reminders.return_path import Mark, return_path
from reminders.send_records import SendOutcome

log = logging.getLogger(__name__)


#: Builds the complete message (headers, Message-ID from the envelope, body) as bytes.
MessageBuilder = Callable[[Envelope], bytes]

DEFAULT_LEASE = timedelta(minutes=5)
MAX_BATCH = 500
FLUSH_SECONDS = 1.0


def new_owner() -> str:
    """A lease owner name unique to this process and run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def envelope_sender(mail_from: str) -> str:
    """The bare address of a From header value ("Name <a@b>" → "a@b")."""
    address = parseaddr(mail_from)[1]
    if not address:
        raise ValueError(f"no address in {mail_from!r}")
    return address


def verp_senders(secret: str, local: str, domain: str) -> Callable[[Envelope], str]:
    """Each message's own return path, naming its subscription and first outbox row."""

    def sender(envelope: Envelope) -> str:
        mark = Mark(envelope.recipient.id, envelope.items[0].id)
        return return_path(secret, local, domain, mark)

    return sender


def batch_size_for(send_rate: float, lease: timedelta) -> int:
    """Rows per claim: what the rate cap lets through in a quarter of the lease."""
    return max(1, min(MAX_BATCH, int(send_rate * lease.total_seconds() / 4)))


@dataclass
class DispatchReport:
    claims: int = 0
    messages: int = 0  # handed to the mailer
    sent: int = 0  # rows
    retrying: int = 0
    failed: int = 0
    bounced: int = 0  # messages
    paused: int = 0  # subscriptions
    too_late: int = 0  # rows
    withdrawn: int = 0  # rows (subscription no longer active, message cannot be built)
    left_leased: int = 0  # messages not started (stop, or lease too short)
    delivered: int = 0  # messages the relay took
    released: int = 0  # rows given back to the queue when the circuit opened
    circuit_opened: str = ""  # the failure that opened the circuit in this run

    def add(self, recorded: send_records.Recorded) -> None:
        self.sent += recorded.sent
        self.retrying += recorded.retrying
        self.failed += recorded.failed
        self.bounced += recorded.bounced
        self.paused += recorded.paused
        self.withdrawn += recorded.withdrawn


@dataclass
class Dispatcher:
    engine: AsyncEngine
    mailer: Mailer
    compose: MessageBuilder
    sender: str  # envelope sender (bounces go there) when there is no `return_path`
    clock: Clock
    random: Random
    bounces: BouncePolicy
    concurrency: int = 1
    lease: timedelta = DEFAULT_LEASE
    batch_size: int = 100
    flush_every: int = 100
    max_batches: int = 10_000
    budget_seconds: float = 3600.0
    #: Exceptions of `compose` meaning "this message can never be built": rows withdrawn.
    unsendable: tuple[type[Exception], ...] = ()
    #: The per-message envelope sender (VERP, `reminders.return_path`).
    return_path: Callable[[Envelope], str] | None = None
    #: Only rows of these kinds (the worker's link lane); None: every kind.
    kinds: tuple[str, ...] | None = None
    owner: str = field(default_factory=new_owner)
    breaker: Breaker | None = None
    probing: bool = False

    async def run(self, stop: asyncio.Event | None = None) -> DispatchReport:
        """Send everything due now (bounded by `max_batches` and `budget_seconds`)."""
        stop = stop or asyncio.Event()
        report = DispatchReport()
        queue: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=self.batch_size)
        pending: list[SendOutcome] = []
        held: list[tuple[int, SendOutcome]] = []  # bounces waiting for the breaker's verdict
        unstarted: list[int] = []  # rows claimed but not tried once the circuit opened
        breaker = self.breaker
        wake = asyncio.Event()  # the recorder has work: a full batch, or senders done
        senders_left = self.concurrency
        deadline = time.monotonic() + self.budget_seconds
        margin = self.lease / 3
        most_messages = self.max_batches * self.batch_size

        def tripped() -> bool:
            return breaker is not None and breaker.is_open

        def settle_held(final: bool) -> list[SendOutcome]:
            if breaker is None or not held:
                return []
            if breaker.is_open or (final and self.probing and report.delivered == 0):
                settled = [_not_counted(outcome) for _, outcome in held]
                held.clear()
                return settled
            if final:
                settled = [outcome for _, outcome in held]
                held.clear()
                return settled
            settled = [outcome for mark, outcome in held if breaker.settled(mark)]
            held[:] = [(mark, outcome) for mark, outcome in held if not breaker.settled(mark)]
            return settled

        async def claimer() -> None:
            try:
                for _ in range(self.max_batches):
                    if stop.is_set() or tripped() or time.monotonic() > deadline:
                        return
                    claim = await claims.claim(
                        self.engine,
                        self.owner,
                        self.clock(),
                        self.lease,
                        self.batch_size,
                        kinds=self.kinds,
                    )
                    report.claims += 1
                    report.too_late += len(claim.too_late)
                    report.withdrawn += len(claim.withdrawn)
                    taken = claim.rows + len(claim.too_late) + len(claim.withdrawn)
                    for envelope in claim.envelopes:
                        await queue.put(envelope)
                    if taken < self.batch_size:
                        return  # nothing more is due
            finally:
                for _ in range(self.concurrency):
                    await queue.put(None)

        async def sender() -> None:
            nonlocal senders_left
            try:
                for _ in range(most_messages + 1):
                    envelope = await queue.get()
                    if envelope is None:
                        return
                    if tripped():
                        unstarted.extend(envelope.item_ids)
                        continue
                    if stop.is_set() or self.clock() >= envelope.lease_expires_at - margin:
                        report.left_leased += 1
                        continue
                    result = await self._send(envelope)
                    report.messages += 1
                    if result.status is SendStatus.OK:
                        report.delivered += 1
                    outcome = SendOutcome(envelope, result, self.clock())
                    opened = breaker.observe(result) if breaker is not None else False
                    if breaker is not None and result.status is SendStatus.PERMANENT:
                        held.append((breaker.observed, outcome))
                    else:
                        pending.append(outcome)
                    if opened and breaker is not None and breaker.reason is not None:
                        report.circuit_opened = describe(breaker.reason)
                    if opened or len(pending) >= self.flush_every:
                        wake.set()
            finally:
                senders_left -= 1
                wake.set()

        async def recorder() -> None:
            # Senders never wait for the database; outcomes are stored in batches, and
            # at least every FLUSH_SECONDS while sending is slow (a rate-capped relay).
            for _ in range(most_messages + int(self.budget_seconds / FLUSH_SECONDS) + 2):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=FLUSH_SECONDS)
                wake.clear()
                finished = senders_left == 0
                batch = pending[:]
                pending.clear()
                batch += settle_held(finished)
                if batch:
                    recorded = await send_records.record(
                        self.engine,
                        self.owner,
                        batch,
                        bounces=self.bounces,
                        random=self.random,
                    )
                    report.add(recorded)
                    BOUNCES.inc(recorded.bounced)
                    PAUSED_BY_BOUNCES.inc(recorded.paused)
                if finished and not pending and not held:
                    return

        async with asyncio.TaskGroup() as group:
            group.create_task(claimer())
            for _ in range(self.concurrency):
                group.create_task(sender())
            group.create_task(recorder())
        if unstarted:
            report.released = await claims.release(self.engine, self.owner, unstarted)
        if report.circuit_opened:
            log.warning(
                "relay circuit opened: %s; %d rows back in the queue",
                report.circuit_opened,
                report.released,
            )
        if report.messages or report.too_late or report.withdrawn:
            log.info(
                "dispatch: %d messages; rows sent %d, retrying %d, failed %d "
                "(bounced messages %d, too late %d), withdrawn %d; left leased %d",
                report.messages,
                report.sent,
                report.retrying,
                report.failed,
                report.bounced,
                report.too_late,
                report.withdrawn,
                report.left_leased,
            )
        return report

    async def _send(self, envelope: Envelope) -> SendResult:
        try:
            message = self.compose(envelope)
        except self.unsendable as exc:
            log.info("message %s withdrawn: %s", envelope.message_id, exc)
            return SendResult(SendStatus.UNSENDABLE, None, f"compose: {exc}")
        except Exception as exc:  # a template or data problem: retried with backoff
            log.exception("cannot compose message %s", envelope.message_id)
            return SendResult(SendStatus.TEMPORARY, None, f"compose: {type(exc).__name__}")
        started = time.perf_counter()
        sender = self.return_path(envelope) if self.return_path else self.sender
        result = await self.mailer.send(sender, [envelope.recipient.email], message)
        SMTP_LATENCY.observe(time.perf_counter() - started)
        SENDS.labels(result.status.value).inc()
        log.debug(
            "message %s to %s: %s %s",
            envelope.message_id,
            envelope.recipient.email,
            result.status,
            result.code,
        )
        return result


def _not_counted(outcome: SendOutcome) -> SendOutcome:
    """A bounce recorded as the relay's refusal: it failed alike with many others."""
    result = outcome.result
    return SendOutcome(
        outcome.envelope,
        SendResult(
            SendStatus.RELAY,
            result.code,
            f"{result.detail} (not counted as a bounce: the relay refused other sends alike)",
            result.enhanced,
        ),
        outcome.at,
    )
