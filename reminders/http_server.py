"""The HTTP server under `gcmcal serve`: Granian, embedded in this one process.

Granian's HTTP/1.1 handling is in Rust, so a feed request costs the app's own work and
little more; under uvicorn the Python protocol code was the limit (see the README's
Benchmarks). Embedded means one process and one event loop (uvloop): the ASGI lifespan
runs on it (the service opens there and starts the reminder scheduler), and so does
every request. SIGTERM and SIGINT stop accepting, let the requests in flight finish and
then run the lifespan shutdown (the scheduler stops, the database closes).

Behind a reverse proxy the client address and scheme come from ``X-Forwarded-For`` and
``X-Forwarded-Proto`` when the connection comes from an address in
``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1``, as uvicorn had it; ``*`` trusts all).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from typing import Any

import uvloop
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server.embed import Server
from granian.utils.proxies import wrap_asgi_with_proxy_headers

#: How many connections may wait to be accepted (uvicorn's default, above Granian's 128).
BACKLOG = 2048


def trusted_proxies() -> str:
    """Addresses whose ``X-Forwarded-*`` headers are believed (``FORWARDED_ALLOW_IPS``)."""
    return os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


#: Granian's loggers pass their records to ours (the root's handler and format); Granian
#: would otherwise give them handlers of its own on standard output.
_LOGGING = {"loggers": {"_granian": {"propagate": True}, "granian.access": {"propagate": True}}}


class ServeError(Exception):
    """The server could not start, or stopped without being asked to."""


def server(app: Any, host: str, port: int, log_level: str = "WARNING") -> Server:
    """A Granian server for the ASGI `app` (with its lifespan) on `host`:`port`."""
    return Server(
        wrap_asgi_with_proxy_headers(app, trusted_proxies()),
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        backlog=BACKLOG,
        # Its only warning says that the embedded server is experimental, on every start.
        log_level=LogLevels.debug if log_level.upper() == "DEBUG" else LogLevels.error,
        log_dictconfig=_LOGGING,
        log_access=False,
    )


def ensure_free(host: str, port: int) -> None:
    """Refuse an address in use, even by another Granian.

    Granian binds with SO_REUSEPORT on Linux, so a second `gcmcal serve` on the same
    port would start without a word and take half of the connections. A bind without
    it fails while anybody listens there (SO_REUSEADDR only passes closed connections
    in TIME_WAIT, as at a restart).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


async def _serve(app: Any, host: str, port: int, log_level: str) -> None:
    ensure_free(host, port)
    running = server(app, host, port, log_level)
    asked = asyncio.Event()

    def stop() -> None:
        asked.set()
        running.stop()  # type: ignore[no-untyped-call]

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop)
    try:
        await running.serve()
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not asked.is_set():
        raise ServeError("the service stopped on its own: the log above says why")


def run(app: Any, host: str, port: int, log_level: str = "WARNING") -> None:
    """Serve `app` until SIGTERM or SIGINT; returns after the lifespan has shut down."""
    uvloop.run(_serve(app, host, port, log_level))
