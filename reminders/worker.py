"""The reminder worker: periodic ticks on APScheduler 3.11's `AsyncIOScheduler`.

Jobs live in the in-memory job store and hold no state; everything durable is in our
tables. Every `settings.tick_seconds`:

- `plan`: reload the timeline, withdraw stale rows, enqueue change notices and the
  reminders now due (`reminders.planning_tick`), then make sure a dispatch is running;
- `dispatch`: send everything due (`reminders.dispatch`), retries included; a dispatch
  still running when the next tick comes is left to finish (never two at once here;
  other processes may run theirs, the leases keep them apart). While the relay
  circuit is open (`reminders.circuit`, shared through `reminders.circuit_store`)
  nothing is sent; once its cool-down has passed one message is tried, and if it goes
  through the circuit closes and sending resumes;

every `LINK_LANE_SECONDS` (a second):

- `links`: take the sign-up and link requests the web stored (`reminders.mail_requests`)
  and send the confirmation and link emails due (a dispatch of those kinds alone), so
  they leave within seconds, not at the next tick; reminders keep their schedule;

and every `PURGE_EVERY`:

- `purge`: forget spent link-email quota (`reminders.mail_quota`); delete old finished
  outbox rows and their send log (`purge.FINISHED_ROWS_KEPT`, 30 days after the event) and
  sign-ups never confirmed once they expire (7 days after signing up;
  `purge.PENDING_GRACE`).

A tick runs as its own task, so the scheduler never sees a job still running and never
skips or warns; a tick whose previous run has not finished is skipped quietly.

`stop()` stops the scheduler, lets the running sends finish and be recorded, and
leaves the rest leased: the leases expire and whoever runs next sends them.

Runs inside `gcmcal serve` (`reminders.service.start_in_service`) or alone (`gcmcal
worker`: `run`, which also serves the worker's metrics on `GCMCAL_WORKER_METRICS_PORT`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from feeds.publish import FeedSet
from reminders import circuit_store, mail_quota, mail_requests, purge, wiring
from reminders import subscriptions as subs
from reminders.bounce_score import BouncePolicy
from reminders.circuit import Breaker, cooldown
from reminders.circuit_store import CLOSED, CircuitState
from reminders.claims import Envelope
from reminders.clock import Clock, system_clock
from reminders.dispatch import (
    DEFAULT_LEASE,
    Dispatcher,
    DispatchReport,
    MessageBuilder,
    batch_size_for,
    envelope_sender,
    verp_senders,
)
from reminders.mail.compose import Composer
from reminders.mail.message_types import NothingToSend
from reminders.mail.port import Mailer
from reminders.mail.transport import SmtpMailer
from reminders.metrics import CIRCUIT_OPEN, CIRCUIT_OPENINGS, TICK_DURATION
from reminders.metrics_server import MetricsServer
from reminders.planning_tick import Planning
from reminders.settings import Settings
from reminders.timeline_source import Snapshot, TimelineSource
from reminders.wiring import Database, dkim_signer

log = logging.getLogger(__name__)

#: Builds the composer for the timeline in service (called per dispatch run).
ComposerFor = Callable[[Snapshot[Any]], MessageBuilder]

PURGE_EVERY = timedelta(hours=1)
#: How often the link lane looks for confirmation and link emails to send (a second:
#: they leave within seconds of the form post, whatever GCMCAL_TICK_SECONDS says).
LINK_LANE_SECONDS = 1.0
LINK_KINDS = tuple(kind.value for kind in subs.LINK_KINDS)
STOP_WAIT_SECONDS = 50.0


def bounce_policy(settings: Settings) -> BouncePolicy:
    return BouncePolicy(
        threshold=settings.bounce_threshold,
        half_life=timedelta(days=settings.bounce_half_life_days),
    )


def return_paths(settings: Settings) -> Callable[[Envelope], str] | None:
    """VERP senders when GCMCAL_BOUNCE_DOMAIN is set, else None (the From address)."""
    if not settings.bounce_domain:
        return None
    secret = settings.secret_key.get_secret_value()
    return verp_senders(secret, settings.bounce_local, settings.bounce_domain)


class Worker:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        source: TimelineSource[Any],
        mailer: Mailer,
        composer_for: ComposerFor,
        *,
        clock: Clock = system_clock,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
        unsendable: tuple[type[Exception], ...] = (),
    ) -> None:
        self.settings = settings
        self.engine = db.engine
        self.source = source
        self.mailer = mailer
        self.clock = clock
        self._sessions = db.sessions
        self.planning = Planning(db.engine, source, clock, wiring.message_host(settings))
        self._composer_for = composer_for
        self._random = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._lease = lease
        self._unsendable = unsendable
        self._stop = asyncio.Event()
        self.breaker = Breaker()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._scheduler: AsyncIOScheduler | None = None

    # -- ticks (also called directly by tests and `gcmcal worker --once`) ---------------

    async def plan_tick(self) -> None:
        await self.planning.tick()

    async def dispatch_tick(self) -> None:
        snapshot = self.source.snapshot
        if snapshot is None:
            return
        relay = await circuit_store.read(self.engine)
        CIRCUIT_OPEN.set(1 if relay.open else 0)
        if relay.waiting(self.clock()):
            return
        report = await self._dispatcher(snapshot, probing=relay.open).run(self._stop)
        if report.circuit_opened:
            await self._open_circuit(relay, report)
        elif relay.open and report.delivered:
            await circuit_store.write(self.engine, CLOSED, self.clock())
            CIRCUIT_OPEN.set(0)
            log.warning("relay circuit closed: a message went through")
            await self._dispatcher(snapshot, probing=False).run(self._stop)
        elif relay.open and report.messages:
            await self._open_circuit(relay, report)

    async def link_tick(self) -> None:
        """The link lane: take the sign-up and link requests the web stored, then send the
        confirmation and link emails due, at once. Reminders keep their own schedule."""
        await mail_requests.process(
            self._sessions,
            self.settings.secret_key.get_secret_value(),
            wiring.message_host(self.settings),
            self.clock,
        )
        snapshot = self.source.snapshot
        if snapshot is None or (await circuit_store.read(self.engine)).open:
            return  # with the relay circuit open, the dispatch tick probes and reopens
        await self._dispatcher(snapshot, probing=False, kinds=LINK_KINDS).run(self._stop)

    def _dispatcher(
        self, snapshot: Snapshot[Any], *, probing: bool, kinds: tuple[str, ...] | None = None
    ) -> Dispatcher:
        smtp = isinstance(self.mailer, SmtpMailer)
        return Dispatcher(
            engine=self.engine,
            mailer=self.mailer,
            compose=self._composer_for(snapshot),
            sender=envelope_sender(self.settings.mail_from),
            clock=self.clock,
            random=self._random.random,
            bounces=bounce_policy(self.settings),
            return_path=return_paths(self.settings),
            concurrency=1 if probing or not smtp else self.settings.smtp_connections,
            lease=self._lease,
            batch_size=1 if probing else batch_size_for(self.settings.send_rate, self._lease),
            max_batches=1 if probing else 10_000,
            unsendable=self._unsendable,
            breaker=self.breaker,
            probing=probing,
            kinds=kinds,
        )

    async def _open_circuit(self, relay: CircuitState, report: DispatchReport) -> None:
        """Open the circuit (again): nobody sends until the cool-down has passed."""
        now = self.clock()
        openings = relay.openings + 1
        reason = report.circuit_opened or relay.reason
        await circuit_store.write(
            self.engine,
            CircuitState(
                open=True,
                since=relay.since if relay.open else now,
                retry_at=now + cooldown(openings),
                reason=reason,
                openings=openings,
            ),
            now,
        )
        self.breaker.close()  # the next try starts from a clean window
        CIRCUIT_OPEN.set(1)
        if not relay.open:
            CIRCUIT_OPENINGS.inc()
        log.warning(
            "relay circuit open (%s): sending stops for %s; messages stay queued",
            reason,
            cooldown(openings),
        )

    async def purge_tick(self) -> None:
        async with self._sessions.begin() as session:
            await mail_quota.purge(session, self.clock())
        purged = await purge.purge(self.engine, self.clock())
        if purged.outbox or purged.pending_subscriptions:
            log.info(
                "purged %d outbox rows, %d send log entries, %d unconfirmed sign-ups",
                purged.outbox,
                purged.send_log,
                purged.pending_subscriptions,
            )

    async def cycle(self) -> None:
        """One plan tick, then a dispatch if none is running (what the timer does).

        The dispatch starts even when planning failed: retries, confirmations and what
        was planned before still go out.
        """
        try:
            await self.plan_tick()
        finally:
            self.spawn("dispatch", self.dispatch_tick)

    # -- running ---------------------------------------------------------------------

    def spawn(self, name: str, tick: Callable[[], Awaitable[None]]) -> None:
        """Run `tick` as a task unless the previous run of `name` is still going."""
        running = self._tasks.get(name)
        if self._stop.is_set() or (running is not None and not running.done()):
            return
        self._tasks[name] = asyncio.create_task(self._guarded(name, tick), name=f"gcmcal-{name}")

    async def _job(self, name: str, tick: Callable[[], Awaitable[None]]) -> None:
        # A coroutine, so that APScheduler's asyncio executor runs it on the loop.
        self.spawn(name, tick)

    async def _guarded(self, name: str, tick: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        try:
            await tick()
        except Exception:
            log.exception("%s tick failed", name)
        finally:
            TICK_DURATION.labels(name).observe(time.perf_counter() - started)

    def start(self) -> None:
        """Schedule the ticks on the running event loop; the first plan tick runs now."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        every = self.settings.tick_seconds
        now = datetime.now(UTC)
        jobs = [
            ("cycle", self.cycle, every, now),
            ("links", self.link_tick, LINK_LANE_SECONDS, now),
            (
                "purge",
                self.purge_tick,
                PURGE_EVERY.total_seconds(),
                now + timedelta(seconds=min(every, 60.0)),
            ),
        ]
        for name, tick, seconds, first in jobs:
            scheduler.add_job(
                self._job,
                "interval",
                args=(name, tick),
                seconds=seconds,
                next_run_time=first,
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("worker started: ticks every %g s", every)

    async def settle(self) -> None:
        """Wait for the ticks under way to finish (without stopping anything)."""
        running = [task for task in self._tasks.values() if not task.done()]
        if running:
            await asyncio.wait(running, timeout=STOP_WAIT_SECONDS)

    async def stop(self) -> None:
        """Stop ticking; finish and record the sends under way; close the mailer."""
        self._stop.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        running = [task for task in self._tasks.values() if not task.done()]
        if running:
            _, pending = await asyncio.wait(running, timeout=STOP_WAIT_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
        await self.mailer.close()
        log.info("worker stopped")


def mail_composer_for(settings: Settings, clock: Clock) -> ComposerFor:
    """The real composer (`reminders.mail.compose`), one per timeline load.

    The snapshot's served object must be the load's `FeedSet` (it makes the .ics
    attachments), as in `gcmcal serve` and `open_worker`.
    """
    last: list[tuple[Snapshot[Any], MessageBuilder]] = []  # the current load's, kept
    signer = dkim_signer(settings)

    def composer_for(snapshot: Snapshot[Any]) -> MessageBuilder:
        if last and last[0][0] is snapshot:
            return last[0][1]
        feeds = snapshot.served
        if not isinstance(feeds, FeedSet):
            raise TypeError("the timeline source must serve a FeedSet")
        composer = Composer(settings, snapshot.timeline, feeds.attachment, signer=signer)
        last[:] = [(snapshot, composer.for_dispatch(clock))]
        return last[0][1]

    return composer_for


async def open_worker(
    settings: Settings,
    *,
    lease: timedelta = DEFAULT_LEASE,
    clock: Clock = system_clock,
) -> Worker:
    """A worker with its own engine, timeline source and mailer (for `gcmcal worker`)."""
    db = wiring.database(settings)
    try:
        await wiring.prepare(db)
    except BaseException:
        await db.close()
        raise
    return Worker(
        settings,
        db,
        wiring.timeline_source(settings, db.sessions, clock),
        wiring.mailer(settings),
        mail_composer_for(settings, clock),
        clock=clock,
        lease=lease,
        unsendable=(NothingToSend,),
    )


async def run(settings: Settings, *, lease: timedelta = DEFAULT_LEASE, once: bool = False) -> None:
    """`gcmcal worker`: tick until SIGTERM or SIGINT, then stop gracefully.

    With `once`, run one plan tick and one full dispatch, then return.
    """
    worker = await open_worker(settings, lease=lease)
    try:
        if once:
            await worker.plan_tick()
            await worker.dispatch_tick()
            await worker.mailer.close()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        metrics = MetricsServer(worker.engine, worker.clock)
        if settings.worker_metrics_port:
            await metrics.start(settings.worker_metrics_port)
        try:
            worker.start()
            await stop.wait()
            log.info("stop requested; finishing the sends under way")
            await worker.stop()
        finally:
            await metrics.close()
    finally:
        await worker.engine.dispose()
