"""The guards of the subscription pages, as FastAPI dependencies, written once.

* `same_origin`: a state-changing POST a browser sent from another site gets a 403 page
  (`guards.cross_site`); one-click unsubscribe (RFC 8058) does not use it.
* `rate_limit`: too many sign-up or link requests from one client get a 429 page
  (`ratelimit.SlidingWindow`); placed before `same_origin`, so a flood costs nothing more.
* `linked`: the subscription a manage link's token names (any state), or the bad-link page.
* `changing`: the same, for a change: the subscription is looked up by its token and
  state and changed in one transaction (`Change`), or the bad-link page.

A guard that refuses raises `Refused` with the page to send; the app's handler sends it
(`reminders.web.app`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar

from babel.units import format_unit
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import Timeline
from feeds.publish import FeedSet
from feeds.vocabulary import babel_locale
from reminders import subscriptions as subs
from reminders.db.models import Subscription
from reminders.settings import Settings
from reminders.states import SubscriptionState
from reminders.timeline_source import TimelineSource
from reminders.web.guards import cross_site, origin_of
from reminders.web.pages import error_page, language_of
from reminders.web.ratelimit import CLIENT_WINDOW, REQUESTS_PER_CLIENT, SlidingWindow, client_key
from reminders.web.subscriber_answers import bad_link
from reminders.web.translations import N_
from reminders.wiring import message_host

log = logging.getLogger(__name__)

T = TypeVar("T")
_ATTEMPTS = 2  # a sign-up racing another for the same new address is retried once


class Backend(Protocol):
    """What the pages need of the service (`reminders.service.Service` fits)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def source(self) -> TimelineSource[FeedSet]: ...


class Refused(Exception):
    """A guard's answer instead of the route's (the app's handler sends `response`)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class Guards:
    """The guards, and what the subscription routes share: the backend, the secret key,
    the public URL and the host of Message-IDs."""

    def __init__(self, backend: Backend, limiter: SlidingWindow | None = None) -> None:
        settings = backend.settings
        self.backend = backend
        self.secret = settings.secret_key.get_secret_value()
        self.base_url = settings.base_url.rstrip("/")
        self.mail_host = message_host(settings)  # Message-IDs in the dispatcher's own domain
        self._own_origin = origin_of(self.base_url)
        self._clients = limiter or SlidingWindow(REQUESTS_PER_CLIENT, CLIENT_WINDOW, backend.clock)

    def timeline(self) -> Timeline:
        return self.backend.source.served.timeline

    async def in_transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                async with self.backend.sessions.begin() as session:
                    return await work(session)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
                log.info("concurrent change of one subscription; trying again")
        raise AssertionError("unreachable")

    # -- the dependencies -------------------------------------------------------------

    async def same_origin(self, request: Request) -> None:
        own = {
            self._own_origin,
            origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}"),
        }
        if not cross_site(request.headers, own):
            return
        log.warning("refused a cross-site POST to %s", request.url.path.split("/")[1])
        raise Refused(
            error_page(
                request,
                403,
                N_("Form sent from another website"),
                N_(
                    "For your safety we accept this form only from our own pages. "
                    "Please open our page again and send the form from there."
                ),
            )
        )

    async def rate_limit(self, request: Request) -> None:
        decision = self._clients.hit(client_key(request.client.host if request.client else None))
        if decision.allowed:
            return
        log.warning("rate limit: too many requests from one client")
        lang = language_of(request)
        minutes = max(1, (decision.retry_after + 59) // 60)
        wait = format_unit(minutes, "duration-minute", "long", locale=babel_locale(lang))
        response = error_page(
            request,
            429,
            N_("Too many requests"),
            N_("Please try again later. Waiting time: %(duration)s."),
            {"duration": wait},
            lang=lang,
        )
        response.headers["Retry-After"] = str(decision.retry_after)
        raise Refused(response)

    async def linked(self, request: Request, token: str) -> Subscription:
        """The subscription of a manage link, in any state (a GET changes nothing)."""
        async with self.backend.sessions() as session:
            found = await subs.by_token(session, token, self.backend.clock())
        if found is None:
            raise Refused(bad_link(request))
        return found

    async def changing(self, request: Request, token: str) -> Change:
        return Change(self, request, token, self.backend.clock())


class Change:
    """A change to the subscription of a manage link: found by its token and state and
    changed in one transaction, or the bad-link page (`Refused`)."""

    def __init__(self, guards: Guards, request: Request, token: str, now: datetime) -> None:
        self._guards, self._request = guards, request
        self.token, self.now = token, now

    async def __call__(
        self,
        work: Callable[[AsyncSession, Subscription], Awaitable[T]],
        *,
        pending: bool = False,
    ) -> tuple[Subscription, T]:
        """`work` done on the subscription (a pending one only if `pending`)."""

        async def found_then_work(session: AsyncSession) -> tuple[Subscription, T] | None:
            found = await subs.by_token(session, self.token, self.now)
            if found is None or (found.state == SubscriptionState.PENDING and not pending):
                return None
            return found, await work(session, found)

        done = await self._guards.in_transaction(found_then_work)
        if done is None:
            raise Refused(bad_link(self._request))
        return done
