"""The subscription pages put together: sign up, confirm, manage by link, unsubscribe,
personal feed.

No accounts: the token in each email's links is the key (`reminders.tokens`); the
unsubscribe link and the personal feed carry tokens that can do only that. A GET never
changes anything (mail scanners open links); each change is a POST, checked for
cross-site origin, except the RFC 8058 one-click unsubscribe. The guards are FastAPI
dependencies written once (`subscriber_guards`); the routes live by concern:

    /subscribe, /link                     `signup` (rate limit, then origin)
    /confirm/{token}, /manage/{token}…    `manage`
    /unsubscribe/{token}                  `unsubscribe`
    /personal/{feed token}.ics            `personal_feed`
"""

from __future__ import annotations

from fastapi import APIRouter

from reminders.web.manage import manage_router
from reminders.web.personal_feed import personal_feed_router
from reminders.web.ratelimit import SlidingWindow
from reminders.web.signup import signup_router
from reminders.web.subscriber_guards import Backend, Guards
from reminders.web.unsubscribe import unsubscribe_router


def subscription_router(backend: Backend, limiter: SlidingWindow | None = None) -> APIRouter:
    """Every subscription page; `limiter` replaces the per-client sign-up limit (tests)."""
    guards = Guards(backend, limiter)
    router = APIRouter()
    for part in (signup_router, manage_router, unsubscribe_router, personal_feed_router):
        router.include_router(part(guards))
    return router
