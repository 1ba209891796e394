"""A request id on every response and every log line written while handling it."""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Receive, Scope, Send

from reminders.logs import current_request_id
from reminders.web.response_headers import adding_headers

_MAX_LENGTH = 64


def _acceptable(value: str) -> bool:
    # A proxy's id is kept only if it cannot smuggle anything into logs or headers.
    return 0 < len(value) <= _MAX_LENGTH and all(c.isalnum() or c in "-_.:" for c in value)


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _acceptable(given) else secrets.token_hex(8)
        token = current_request_id.set(request_id)
        header = ((b"x-request-id", request_id.encode()),)
        try:
            await self.app(scope, receive, adding_headers(send, lambda _own: header))
        finally:
            current_request_id.reset(token)
