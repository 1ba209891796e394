"""Putting the service together: database, timeline in service, feeds, pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from feeds import Timeline
from feeds.history import History
from feeds.publish import FeedSet
from feeds.revisions import Revision
from reminders import circuit_store, scheduler_state, wiring
from reminders.clock import Clock, system_clock
from reminders.mail.message_types import NothingToSend
from reminders.memory_return import map_large_blocks
from reminders.metrics import (
    exposition,
    refresh_outbox_gauges,
)
from reminders.render_pool import HELPER_FILE_BYTES, RenderHelper
from reminders.settings import Settings
from reminders.timeline_source import TimelineSource
from reminders.web.api import api_app
from reminders.web.app import create_web_app
from reminders.web.embed import embed_router
from reminders.web.subscribe import subscription_router
from reminders.wiring import StartupError, dkim_signer
from reminders.worker import Worker, mail_composer_for

log = logging.getLogger(__name__)


@dataclass
class Service:
    settings: Settings
    db: wiring.Database
    source: TimelineSource[FeedSet]
    clock: Clock
    builder: wiring.FeedBuilder | None = None

    @classmethod
    def create(cls, settings: Settings, clock: Clock = system_clock) -> Service:
        db = wiring.database(settings)
        builder = wiring.FeedBuilder(settings.base_url, settings.feed_cache_bytes)
        source = wiring.timeline_source(settings, db.sessions, clock, builder)
        return cls(settings, db, source, clock, builder)

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.db.sessions

    async def open(self) -> None:
        """Prepare the database and load the timeline; refuse to start without one."""
        map_large_blocks()  # feed bodies joined for one request go back when sent
        if self.builder is not None and _long(self.settings.timeline):
            # Started first: it imports the renderer while the database is prepared.
            self.builder.helper = RenderHelper()
        try:
            await wiring.prepare(self.db)
            dkim_signer(self.settings)  # a bad key stops the start, not the first reminder
            await self.source.refresh()
        finally:
            if self.builder is not None:
                self.builder.stop_helper()
        if self.source.snapshot is None:
            error = self.source.error.message if self.source.error else "not loaded"
            raise StartupError(f"the timeline cannot be loaded:\n{error}")

    async def close(self) -> None:
        await self.db.close()

    def timeline(self) -> Timeline:
        return self.source.served.timeline

    def revisions(self) -> Mapping[str, Revision]:
        return self.source.snapshot.revisions if self.source.snapshot else {}

    def history(self) -> History:
        snapshot = self.source.snapshot
        return snapshot.history if snapshot else {}

    async def readiness(self) -> dict[str, Any]:
        """What `/readyz` reports: database, timeline, the workers' last planning tick and
        the relay circuit.

        An open relay circuit is reported but does not make the service unready: pages
        and feeds still work, and a load balancer must not take them away for it.
        """
        database: dict[str, Any] = {"reachable": True}
        relay: dict[str, Any] = {"circuit": "unknown"}
        try:
            async with self.sessions() as session:
                conn = await session.connection()
                planned = await scheduler_state.fact(conn, scheduler_state.PLANNED_UNTIL)
                last_tick = planned.updated_at if planned else None
                circuit = await circuit_store.load(conn)
            database["last_tick_age_seconds"] = (
                round((self.clock() - last_tick).total_seconds(), 1) if last_tick else None
            )
            relay = _relay_status(circuit)
        except (OSError, SQLAlchemyError) as exc:
            database = {"reachable": False, "error": type(exc).__name__}
        return {
            "ready": database["reachable"] and self.source.snapshot is not None,
            "database": database,
            "timeline": self.source.status(),
            "relay": relay,
        }

    def asgi(self, lifespan: Any = None) -> ASGIApp:
        metrics = APIRouter()
        metrics.add_api_route("/metrics", self._metrics, methods=["GET"], include_in_schema=False)
        return create_web_app(
            self.timeline,
            self.settings.base_url,
            self.clock,
            self.readiness,
            feeds=lambda: self.source.served,
            api=api_app(self.timeline, self.revisions, self.settings.base_url),
            lifespan=lifespan,
            routers=[
                subscription_router(self),
                embed_router(
                    self.timeline,
                    self.settings.base_url,
                    self.clock,
                    self.settings.frame_origins,
                ),
                metrics,
            ],
            history=self.history,
            revisions=self.revisions,
        )

    async def _metrics(self) -> Response:
        await refresh_outbox_gauges(self.sessions, self.clock())
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


def _long(timeline: Path) -> bool:
    """Whether the timeline file is long enough for a render helper (`render_pool`)."""
    try:
        return timeline.stat().st_size >= HELPER_FILE_BYTES
    except OSError:
        return False  # the load says why


def _relay_status(circuit: circuit_store.CircuitState) -> dict[str, Any]:
    if not circuit.open:
        return {"circuit": "closed"}
    return {
        "circuit": "open",
        "reason": circuit.reason,
        "since": circuit.since.isoformat() if circuit.since else None,
        "next_try": circuit.retry_at.isoformat() if circuit.retry_at else None,
        "note": "sending is stopped; messages stay queued and nobody counts as bounced",
    }


Stop = Callable[[], Awaitable[None]]


def watch_timeline(service: Service) -> Stop:
    """Re-read the timeline file every tick (a web instance without a scheduler).

    With the scheduler, its plan tick does this; without it, feeds and pages would go on
    serving the timeline as it was at start.
    """

    async def watch() -> None:
        while True:
            await asyncio.sleep(service.settings.tick_seconds)
            try:
                await service.source.refresh()
            except Exception:  # a database hiccup must not end the watching
                log.exception("timeline refresh failed")

    task = asyncio.create_task(watch(), name="gcmcal-timeline-watch")

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop


def worker_in_service(service: Service) -> Worker:
    """A worker sharing the service's engine, timeline source and clock."""
    return Worker(
        service.settings,
        service.db,
        service.source,
        wiring.mailer(service.settings),
        mail_composer_for(service.settings, service.clock),
        clock=service.clock,
        unsendable=(NothingToSend,),
    )


def start_in_service(service: Service) -> Callable[[], Awaitable[None]]:
    """Start the ticks inside `gcmcal serve` (`build_app(..., background=…)`); return stop."""
    worker = worker_in_service(service)
    worker.start()
    return worker.stop


def build_app(
    settings: Settings,
    clock: Clock = system_clock,
    background: Callable[[Service], Stop] | None = None,
) -> ASGIApp:
    """The ASGI app `gcmcal serve` runs; `background` starts the scheduler if given,
    otherwise the timeline file is still watched."""
    service = Service.create(settings, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.open()
        stop = (background or watch_timeline)(service)
        try:
            yield
        finally:
            await stop()
            await service.close()

    return service.asgi(lifespan)
