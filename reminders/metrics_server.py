"""`gcmcal worker`'s own `/metrics`, on a loopback port (`GCMCAL_WORKER_METRICS_PORT`).

A worker has no web server, yet its counters (sends by outcome, SMTP latency, bounces,
subscriptions paused, circuit openings) live in its own process. This is the smallest
HTTP/1.1 server that serves them: one `GET /metrics` per connection, read from the
event loop the worker already runs, with the shared gauges (queue age, outbox and
subscriptions by state, the relay circuit) refreshed from the database at each scrape
as `gcmcal serve` does. It listens on 127.0.0.1 only: metrics are for the machine's
own Prometheus agent or an SSH tunnel, never for the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders.db.engine import session_factory
from reminders.metrics import exposition, refresh_outbox_gauges

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
#: A scraper sends a few hundred bytes; anything longer is not one.
MAX_REQUEST_BYTES = 8192
READ_TIMEOUT = 10.0


class MetricsServer:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime]) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock
        self._server: asyncio.Server | None = None

    async def start(self, port: int) -> int:
        """Listen on 127.0.0.1:`port` (0: any free port); return the port."""
        self._server = await asyncio.start_server(self._serve, HOST, port)
        bound = int(self._server.sockets[0].getsockname()[1])
        log.info("worker metrics on http://%s:%d/metrics", HOST, bound)
        return bound

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, content_type, body = await self._answer(reader)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("ascii") + body)
            await writer.drain()
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the scraper went away; nothing to tell it
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        except asyncio.LimitOverrunError:
            return "431 Request Header Fields Too Large", "text/plain", b"too large\n"
        if len(request) > MAX_REQUEST_BYTES:
            return "431 Request Header Fields Too Large", "text/plain", b"too large\n"
        method, _, rest = request.split(b"\r\n", 1)[0].partition(b" ")
        path = rest.partition(b" ")[0].partition(b"?")[0]
        if path != b"/metrics":
            return "404 Not Found", "text/plain", b"only /metrics here\n"
        if method != b"GET":
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        try:
            await refresh_outbox_gauges(self._sessions, self._clock())
        except Exception:  # the counters are still worth serving without the gauges
            log.exception("cannot read the shared gauges from the database")
        return "200 OK", CONTENT_TYPE_LATEST, exposition()
