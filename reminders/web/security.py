"""Security headers on every response: a plain ASGI middleware, cheap on the feed path."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from reminders.web.response_headers import Headers, adding_headers

#: Pages use only their own stylesheet and script; nothing from third parties.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        await self.app(scope, receive, adding_headers(send, _missing_security_headers))


def _missing_security_headers(own: Headers) -> Headers:
    present = {name.lower() for name, _ in own}
    if b"content-security-policy" in present:
        # A page with its own policy (the embed) decides framing with
        # frame-ancestors; X-Frame-Options would forbid every frame.
        present.add(b"x-frame-options")
    return [item for item in SECURITY_HEADERS if item[0] not in present]
