"""Unsubscribing by link, from an email or its List-Unsubscribe header.

    GET  /unsubscribe/{token}   page with an Unsubscribe button
    POST /unsubscribe/{token}   unsubscribe and erase

The token is the unsubscribe-only one of List-Unsubscribe, or the manage token. The
POST is RFC 8058's one-click unsubscribe too, which mail providers post from their own
servers without cookies or a form token: it has no origin check, and answers success
again when the same link is posted twice.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from reminders import subscriptions as subs
from reminders.web.pages import page
from reminders.web.subscriber_answers import bad_link, lang_for, private
from reminders.web.subscriber_guards import Guards

log = logging.getLogger(__name__)


def unsubscribe_router(guards: Guards) -> APIRouter:
    router = APIRouter()
    backend, secret = guards.backend, guards.secret

    @router.get("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe_get(request: Request, token: str) -> Response:
        async with backend.sessions() as session:
            subscription = await subs.by_unsubscribe_token(session, token, secret, backend.clock())
        if subscription is None:
            return bad_link(request)
        return private(
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

        lang, gone = await guards.in_transaction(work)
        if not gone:
            return bad_link(request)
        if lang is None:
            return private(page(request, "unsubscribed.html.j2", lang=lang_for(request, None)))
        log.info("a subscriber unsubscribed; their data is erased")
        return private(page(request, "unsubscribed.html.j2", lang=lang))

    return router
