"""The first things every page request meets: a gate, HEAD as GET, a last resort.

* `RequestGate` refuses (400) what nothing downstream can safely read: a Host header
  naming another host than the service's own (from ``GCMCAL_BASE_URL``) or a loopback
  name, or a malformed one, and a query string that is not UTF-8 (both make
  Starlette's URL parsing raise). Nothing can then echo a foreign host into a redirect
  or a link.
* `HeadAsGet` answers HEAD wherever GET answers, with the same status and headers and
  no body (FastAPI routes declared for GET alone would say 405).
* `LastResort` turns an exception that escaped everything into one log line and a
  plain 500, instead of a traceback logged by Starlette and again by the server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Secrets in paths (manage tokens, feed keys): never written to the log.
_TOKENS = re.compile(r"[A-Za-z0-9_.-]{20,}")
_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::\d{1,5})?")

Refusal = Callable[[Scope, int], ASGIApp]


def host_name(header: str) -> str | None:
    """The host name of a Host header value, lower case; None when it is not one."""
    found = _HOST.fullmatch(header.strip())
    if found is None:
        return None
    return (found["v6"] or found["name"]).lower().rstrip(".")


class RequestGate:
    def __init__(self, app: ASGIApp, allowed: Collection[str], refuse: Refusal) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed) | LOOPBACK_HOSTS
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._readable(scope):
            # The refusal page must not read them either.
            safe = {
                **scope,
                "headers": [h for h in scope["headers"] if h[0] != b"host"],
                "query_string": b"",
            }
            await self.refuse(safe, 400)(safe, receive, send)
            return
        await self.app(scope, receive, send)

    def _readable(self, scope: Scope) -> bool:
        try:
            scope["query_string"].decode("utf-8")
        except UnicodeDecodeError:
            return False
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        # No Host at all (HTTP/1.0) is let through: there is nothing to echo.
        return not hosts or (
            len(hosts) == 1 and host_name(hosts[0].decode("latin-1")) in self.allowed
        )


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class LastResort:
    def __init__(self, app: ASGIApp, page: Refusal) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unhandled error on %s", _TOKENS.sub("…", scope.get("path", "")))
            if not started:
                await self.page(scope, 500)(scope, receive, send)
