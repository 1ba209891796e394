"""Subscription pages: sign up, confirm, manage by link, unsubscribe, personal feed.

No accounts: the token in each email's links is the key (`reminders.tokens`); the
unsubscribe link and the personal feed carry tokens that can do only that. Sign-up and
link requests answer after the same work for every address and leave the rest to
`reminders.mail_requests`, so nothing tells whether an address is subscribed. A GET
never changes anything (mail scanners open links); each change is a POST, checked for
cross-site origin, except the RFC 8058 one-click unsubscribe, which mail providers post
from their own servers without cookies or a form token.

    GET  /subscribe                  sign-up form (also on / and each region page)
    POST /subscribe                  → "check your inbox" (the same for known addresses)
    GET  /confirm/{token}            page with a Confirm button
    POST /confirm/{token}            confirm → the manage page
    GET  /manage/{token}             every preference, pause, feed, data, new link
    POST /manage/{token}             save preferences
    POST /manage/{token}/pause       pause reminders (…/resume: resume them)
    POST /manage/{token}/new-link    revoke this link, email a new one
    GET  /manage/{token}/data.json   everything stored about the subscriber
    GET  /unsubscribe/{token}        page with an Unsubscribe button
    POST /unsubscribe/{token}        unsubscribe and erase (one-click: no origin check)
    GET  /link, POST /link           "email me my link"
    GET  /personal/{feed token}.ics  the subscriber's own calendar feed
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar
from urllib.parse import urlencode

from babel.units import format_unit
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.background import BackgroundTask

from feeds import Timeline
from feeds.conditional import http_date, is_not_modified
from feeds.publish import FeedSet
from feeds.wording import LANGUAGES, babel_locale
from reminders import mail_quota, mail_requests
from reminders import subscriptions as subs
from reminders.bounce_score import BouncePolicy, pauses
from reminders.db.models import Subscription
from reminders.settings import Settings
from reminders.states import SubscriptionState
from reminders.subscription_choices import Choices, with_zone
from reminders.timeline_source import TimelineSource
from reminders.web.forms import (
    Checked,
    FormData,
    Preferences,
    check_email,
    check_preferences,
    check_signup,
    form_view,
    signup_form,
)
from reminders.web.guards import cross_site, origin_of
from reminders.web.links import subscribe_links
from reminders.web.pages import error_page, language_of, page
from reminders.web.personal_feed import PersonalFeeds, personal_feed_name
from reminders.web.ratelimit import (
    CLIENT_WINDOW,
    REQUESTS_PER_CLIENT,
    SlidingWindow,
    client_key,
)
from reminders.web.subscription_view import date_time, long_date, summary
from reminders.web.timeline_view import LANGUAGE_MENU
from reminders.web.translations import N_
from reminders.wiring import message_host

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Notices shown on the manage page after a change (``?done=…``).
DONE: dict[str, str] = {
    "confirmed": N_("Your subscription is confirmed. Reminders will come by email."),
    "saved": N_("Your choices are saved."),
    "paused": N_("Reminders are paused. You can resume them here at any time."),
    "resumed": N_("Reminders are on again."),
}
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
FEED_CACHE_CONTROL = "private, max-age=3600"
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


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


def _preferences_of(subscription: Subscription) -> Preferences:
    return Preferences(
        regions=tuple(subscription.regions),
        kinds=tuple(subscription.kinds),
        leads=tuple(subscription.leads),
        language=subscription.language,
        tz=subscription.tz,
        delivery_hour=subscription.delivery_hour,
    )


def subscription_router(backend: Backend, limiter: SlidingWindow | None = None) -> APIRouter:
    router = APIRouter()
    settings = backend.settings
    secret = settings.secret_key.get_secret_value()
    base_url = settings.base_url.rstrip("/")
    bounce_policy = BouncePolicy(threshold=settings.bounce_threshold)
    mail_host = message_host(settings)  # Message-IDs in the dispatcher's own domain
    own_origin = origin_of(base_url)
    clients = limiter or SlidingWindow(REQUESTS_PER_CLIENT, CLIENT_WINDOW, backend.clock)
    personal = PersonalFeeds(lambda: backend.source.snapshot, base_url)

    def timeline() -> Timeline:
        return backend.source.served.timeline

    def lang_for(request: Request, subscription: Subscription | None) -> str:
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            return chosen
        if subscription is not None and subscription.language in LANGUAGES:
            return subscription.language
        return language_of(request)

    async def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                async with backend.sessions.begin() as session:
                    return await work(session)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
                log.info("concurrent change of one subscription; trying again")
        raise AssertionError("unreachable")

    # -- guards ----------------------------------------------------------------

    def refused_origin(request: Request) -> Response | None:
        own = {own_origin, origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")}
        if not cross_site(request.headers, own):
            return None
        log.warning("refused a cross-site POST to %s", request.url.path.split("/")[1])
        return error_page(
            request,
            403,
            N_("Form sent from another website"),
            N_(
                "For your safety we accept this form only from our own pages. "
                "Please open our page again and send the form from there."
            ),
        )

    def refused_client(request: Request) -> Response | None:
        decision = clients.hit(client_key(request.client.host if request.client else None))
        if decision.allowed:
            return None
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
        return response

    def too_many_mails(request: Request, lang: str) -> Response:
        response = error_page(
            request,
            429,
            N_("Too many emails to this address"),
            N_(
                "We have already sent several emails to this address today. Please look "
                "for them in your inbox and spam folder, or try again tomorrow."
            ),
            lang=lang,
        )
        response.headers["Retry-After"] = str(int(subs.LINK_MAIL_WINDOW.total_seconds()))
        return response

    def bad_link(request: Request, status_code: int = 404) -> Response:
        lang = lang_for(request, None)
        return _private(
            page(
                request,
                "link.html.j2",
                status_code,
                lang=lang,
                invalid=True,
                email="",
                errors={},
            )
        )

    def sent(request: Request, lang: str, reason: str) -> Response:
        return _private(page(request, "sent.html.j2", lang=lang, reason=reason))

    async def form_of(request: Request) -> FormData:
        async with request.form() as form:
            return FormData(
                (key, value) for key, value in form.multi_items() if isinstance(value, str)
            )

    async def taken(
        request: Request, lang: str, kind: str, email: str, choices: Choices | None
    ) -> Response:
        """The answer to a sign-up or link request, after the same work for every address
        (`reminders.mail_requests`); what depends on the address runs after it."""
        now = backend.clock()

        async def work(session: AsyncSession) -> bool:
            if not await mail_quota.spend(session, mail_quota.address_key(secret, email), now):
                return False
            await mail_requests.submit(session, kind, email, choices, now)
            return True

        if not await in_transaction(work):
            return too_many_mails(request, lang)
        response = sent(request, lang, "signup" if kind == mail_requests.SIGN_UP else "link")
        response.background = BackgroundTask(
            mail_requests.process, backend.sessions, secret, mail_host, backend.clock
        )
        return response

    # -- sign-up ----------------------------------------------------------------

    @router.get("/subscribe", response_class=HTMLResponse)
    async def subscribe_page(request: Request) -> Response:
        lang = language_of(request)
        current = timeline()
        region = request.query_params.get("region")
        context = signup_form(current, lang, region if current.region(region or "") else None)
        return page(request, "subscribe.html.j2", lang=lang, **context)

    @router.post("/subscribe", response_class=HTMLResponse)
    async def subscribe(request: Request) -> Response:
        lang = language_of(request)
        # The cheap per-client limit first: nothing else runs for a flood.
        refusal = refused_client(request) or refused_origin(request)
        if refusal is not None:
            return refusal
        current = timeline()
        checked: Checked = check_signup(await form_of(request), current, lang)
        if not checked.ok:
            context = signup_form(
                current, lang, None, checked.preferences, checked.email, checked.errors
            )
            return page(request, "subscribe.html.j2", 400, lang=lang, **context)
        choices = with_zone(checked.preferences, current)
        return await taken(request, lang, mail_requests.SIGN_UP, checked.email, choices)

    # -- link requests ----------------------------------------------------------------

    @router.get("/link", response_class=HTMLResponse)
    async def link_page(request: Request) -> Response:
        lang = language_of(request)
        return page(request, "link.html.j2", lang=lang, invalid=False, email="", errors={})

    @router.post("/link", response_class=HTMLResponse)
    async def link_request(request: Request) -> Response:
        lang = language_of(request)
        # The cheap per-client limit first: nothing else runs for a flood.
        refusal = refused_client(request) or refused_origin(request)
        if refusal is not None:
            return refusal
        email, error = check_email((await form_of(request)).get("email"))
        if error:
            return page(
                request,
                "link.html.j2",
                400,
                lang=lang,
                invalid=False,
                email=email,
                errors={"email": error},
            )
        return await taken(request, lang, mail_requests.LINK, email, None)

    # -- confirmation ----------------------------------------------------------------

    async def find(token: str) -> Subscription | None:
        async with backend.sessions() as session:
            return await subs.by_token(session, token, backend.clock())

    def confirm_page(request: Request, token: str, subscription: Subscription) -> Response:
        lang = lang_for(request, subscription)
        expires = subscription.expires_at
        return _private(
            page(
                request,
                "confirm.html.j2",
                lang=lang,
                token=token,
                summary=summary(
                    subscription.email,
                    _preferences_of(subscription),
                    timeline(),
                    lang,
                    LANGUAGE_MENU,
                ),
                expires=date_time(expires, subscription.tz, lang) if expires else "",
            )
        )

    @router.get("/confirm/{token}", response_class=HTMLResponse)
    async def confirm_get(request: Request, token: str) -> Response:
        subscription = await find(token)
        if subscription is None:
            return bad_link(request)
        if subscription.state != SubscriptionState.PENDING:
            return _manage_redirect(token, lang_for(request, subscription), None)
        return confirm_page(request, token, subscription)

    @router.post("/confirm/{token}", response_class=HTMLResponse)
    async def confirm_post(request: Request, token: str) -> Response:
        refusal = refused_origin(request)
        if refusal is not None:
            return refusal
        now = backend.clock()

        async def work(session: AsyncSession) -> Subscription | None:
            found = await subs.by_token(session, token, now)
            if found is not None:
                await subs.confirm(session, found, now, secret)
            return found

        subscription = await in_transaction(work)
        if subscription is None:
            return bad_link(request)
        return _manage_redirect(token, lang_for(request, subscription), "confirmed")

    # -- managing ----------------------------------------------------------------

    def manage_page(
        request: Request,
        token: str,
        subscription: Subscription,
        status_code: int = 200,
        preferences: Preferences | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        lang = lang_for(request, subscription)
        current = timeline()
        stored = _preferences_of(subscription)
        feed_token = subs.feed_token(secret, subscription)
        done = request.query_params.get("done", "")
        since = subscription.confirmed_at or subscription.created_at
        return _private(
            page(
                request,
                "manage.html.j2",
                status_code,
                lang=lang,
                token=token,
                paused=subscription.state == SubscriptionState.PAUSED,
                # Paused by bounces (the score reached the threshold), not by the reader.
                bounced=subscription.state == SubscriptionState.PAUSED
                and pauses(subscription.bounce_score, bounce_policy),
                since=long_date(since, subscription.tz, lang),
                summary=summary(subscription.email, stored, current, lang, LANGUAGE_MENU),
                form=form_view(preferences or stored, current, lang, LANGUAGE_MENU),
                errors=errors or {},
                done=DONE.get(done, ""),
                feed_links=subscribe_links(
                    base_url,
                    f"/personal/{feed_token}.ics",
                    personal_feed_name(current, stored.regions, lang),
                ),
            )
        )

    @router.get("/manage/{token}", response_class=HTMLResponse)
    async def manage_get(request: Request, token: str) -> Response:
        subscription = await find(token)
        if subscription is None:
            return bad_link(request)
        if subscription.state == SubscriptionState.PENDING:
            return confirm_page(request, token, subscription)
        return manage_page(request, token, subscription)

    @router.post("/manage/{token}", response_class=HTMLResponse)
    async def manage_post(request: Request, token: str) -> Response:
        refusal = refused_origin(request)
        if refusal is not None:
            return refusal
        form = await form_of(request)
        now = backend.clock()
        current = timeline()

        async def work(session: AsyncSession) -> tuple[Subscription | None, Response | None]:
            found = await subs.by_token(session, token, now)
            if found is None or found.state == SubscriptionState.PENDING:
                return None, None
            preferences, errors = check_preferences(form, current, found.language)
            if errors:
                return found, manage_page(request, token, found, 400, preferences, errors)
            await subs.update(session, found, with_zone(preferences, current, found.tz))
            return found, None

        subscription, answer = await in_transaction(work)
        if answer is not None:
            return answer
        if subscription is None:
            return bad_link(request)
        return _manage_redirect(token, subscription.language, "saved")

    def state_change(
        path: str, change: Callable[[AsyncSession, Subscription], Awaitable[None]]
    ) -> None:
        done = path.removeprefix("/")

        @router.post(f"/manage/{{token}}/{done}", response_class=HTMLResponse)
        async def handler(request: Request, token: str) -> Response:
            refusal = refused_origin(request)
            if refusal is not None:
                return refusal
            now = backend.clock()

            async def work(session: AsyncSession) -> Subscription | None:
                found = await subs.by_token(session, token, now)
                if found is None or found.state == SubscriptionState.PENDING:
                    return None
                await change(session, found)
                return found

            subscription = await in_transaction(work)
            if subscription is None:
                return bad_link(request)
            return _manage_redirect(token, lang_for(request, subscription), f"{done}d")

    state_change("pause", subs.pause)
    state_change("resume", subs.resume)

    @router.post("/manage/{token}/new-link", response_class=HTMLResponse)
    async def new_link(request: Request, token: str) -> Response:
        refusal = refused_origin(request)
        if refusal is not None:
            return refusal
        now = backend.clock()

        async def work(session: AsyncSession) -> tuple[Subscription | None, subs.LinkRequest]:
            found = await subs.by_token(session, token, now)
            if found is None or found.state == SubscriptionState.PENDING:
                return None, subs.LinkRequest.SENT
            return found, await subs.rotate(session, found, now, secret, mail_host)

        subscription, outcome = await in_transaction(work)
        if subscription is None:
            return bad_link(request)
        lang = lang_for(request, subscription)
        if outcome is subs.LinkRequest.LIMITED:
            return too_many_mails(request, lang)
        return sent(request, lang, "rotated")

    @router.get("/manage/{token}/data.json")
    async def data(request: Request, token: str) -> Response:
        async with backend.sessions() as session:
            subscription = await subs.by_token(session, token, backend.clock())
            if subscription is None:
                return bad_link(request)
            exported = await subs.export(session, subscription)
        body = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
        return _private(
            Response(
                body.encode(),
                media_type="application/json",
                headers={"Content-Disposition": 'attachment; filename="gcm-calendar-my-data.json"'},
            )
        )

    # -- unsubscribing ----------------------------------------------------------------

    @router.get("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe_get(request: Request, token: str) -> Response:
        async with backend.sessions() as session:
            subscription = await subs.by_unsubscribe_token(session, token, secret, backend.clock())
        if subscription is None:
            return bad_link(request)
        return _private(
            page(
                request,
                "unsubscribe.html.j2",
                lang=lang_for(request, subscription),
                token=token,
                email=subscription.email,
            )
        )

    @router.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe_post(request: Request, token: str) -> Response:
        # RFC 8058: posted by mail providers, no cookies, no Origin: no origin check.
        now = backend.clock()

        async def work(session: AsyncSession) -> tuple[str | None, bool]:
            found = await subs.by_unsubscribe_token(session, token, secret, now)
            if found is None:
                # A provider retrying the one-click POST, or a second click: the
                # address is gone already, which is what was asked (RFC 8058 wants 2xx).
                return None, await subs.unsubscribed_by_link(session, token)
            lang = lang_for(request, found)
            await subs.unsubscribe(session, found, now, secret, link=token)
            return lang, True

        lang, gone = await in_transaction(work)
        if not gone:
            return bad_link(request)
        if lang is None:
            return _private(page(request, "unsubscribed.html.j2", lang=lang_for(request, None)))
        log.info("a subscriber unsubscribed; their data is erased")
        return _private(page(request, "unsubscribed.html.j2", lang=lang))

    # -- personal feed ----------------------------------------------------------------

    @router.api_route("/personal/{name}", methods=["GET", "HEAD"])
    async def personal_feed(request: Request, name: str) -> Response:
        if not name.endswith(".ics"):
            return bad_link(request)
        async with backend.sessions() as session:
            subscription = await subs.by_feed_token(session, name.removesuffix(".ics"), secret)
        if subscription is None:
            return Response(
                "no such personal feed: the link was replaced or the subscription ended\n",
                status_code=404,
                media_type="text/plain",
                headers=PRIVATE_HEADERS,
            )
        lang = subscription.language
        feed = personal.feed(subscription.regions, subscription.kinds, lang)
        validators = {
            "ETag": feed.etag,
            "Last-Modified": http_date(feed.last_modified),
            "Cache-Control": FEED_CACHE_CONTROL,
            "X-Robots-Tag": "noindex, nofollow",
        }
        if is_not_modified(
            etag=feed.etag,
            last_modified=feed.last_modified,
            if_none_match=request.headers.get("if-none-match"),
            if_modified_since=request.headers.get("if-modified-since"),
        ):
            return Response(status_code=304, headers=validators)
        return Response(feed.body, media_type="text/calendar; charset=utf-8", headers=validators)

    return router


def _manage_redirect(token: str, lang: str, done: str | None) -> Response:
    query = {"lang": lang, **({"done": done} if done else {})}
    return RedirectResponse(f"/manage/{token}?{urlencode(query)}", status_code=303)
