"""Guards on requests that change state: where a form was sent from, how big it is.

* `cross_site` (pure) refuses a state-changing POST a browser sent from another site:
  ``Sec-Fetch-Site`` when the browser sends it (all current ones do), else ``Origin``
  compared with our own origins. A request with neither header comes from a program,
  not from a browser tricked by another site, and is let through. One-click
  unsubscribe (RFC 8058) is exempt: mail providers post it from their own servers.
* `BodySizeLimit` (ASGI) refuses request bodies over a limit before the form parser
  sees them, whether the client announced the length or not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Largest request body accepted: the forms are a few hundred bytes.
MAX_BODY_BYTES = 16 * 1024
#: Most body messages read for one request (servers pass ~64 KB per message).
MAX_BODY_MESSAGES = 1024


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower case, default ports dropped."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced "[" reads as a broken IPv6 host
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def cross_site(headers: Mapping[str, str], own_origins: Collection[str]) -> bool:
    """True when a browser sent this request from a page of another origin."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin.strip().lower() == "null":  # sandboxed frames, data: URLs, some redirects
        return True
    return origin_of(origin) not in own_origins


Refusal = Callable[[Scope, int], ASGIApp]


class BodySizeLimit:
    """Answer 413 (from `refuse`) to a request whose body is over `limit` bytes.

    The body of a POST, PUT or PATCH is read here, up to the limit, and handed on as
    one message; a longer body is refused without reading the rest.
    """

    def __init__(self, app: ASGIApp, refuse: Refusal, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.refuse = refuse
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                declared = value.decode("latin-1").strip()
                if not declared.isdigit() or int(declared) > self.limit:
                    await self.refuse(scope, 413)(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        for _ in range(MAX_BODY_MESSAGES):
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self.refuse(scope, 413)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        else:  # a body trickled in more pieces than any real client sends
            await self.refuse(scope, 413)(scope, receive, send)
            return
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
