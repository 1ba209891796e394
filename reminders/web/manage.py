"""Confirming and managing a subscription by its link: no accounts, the token is the key.

    GET  /confirm/{token}            page with a Confirm button
    POST /confirm/{token}            confirm → the manage page
    GET  /manage/{token}             every preference, pause, feed, data, new link
    POST /manage/{token}             save preferences
    POST /manage/{token}/pause       pause reminders (…/resume: resume them)
    POST /manage/{token}/new-link    revoke this link, email a new one
    GET  /manage/{token}/data.json   everything stored about the subscriber

A GET never changes anything (mail scanners open links); each POST is checked for
cross-site origin and finds the subscription by its token and state in the transaction
that changes it (`subscriber_guards.Change`).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from feeds.publish import personal_feed_name
from reminders import subscriptions as subs
from reminders.bounce_score import BouncePolicy, pauses
from reminders.db.models import Subscription
from reminders.states import SubscriptionState
from reminders.subscription_choices import Choices, with_zone
from reminders.web.forms import check_preferences, form_view
from reminders.web.links import subscribe_links
from reminders.web.pages import page
from reminders.web.subscriber_answers import (
    form_of,
    lang_for,
    manage_redirect,
    private,
    sent,
    too_many_mails,
)
from reminders.web.subscriber_guards import Change, Guards
from reminders.web.subscription_view import date_time, long_date, summary
from reminders.web.timeline_view import LANGUAGE_MENU
from reminders.web.translations import N_

#: Notices shown on the manage page after a change (``?done=…``).
DONE: dict[str, str] = {
    "confirmed": N_("Your subscription is confirmed. Reminders will come by email."),
    "saved": N_("Your choices are saved."),
    "paused": N_("Reminders are paused. You can resume them here at any time."),
    "resumed": N_("Reminders are on again."),
}


def manage_router(guards: Guards) -> APIRouter:
    router = APIRouter()
    secret = guards.secret
    bounce_policy = BouncePolicy(threshold=guards.backend.settings.bounce_threshold)
    changing = Depends(guards.changing)
    linked = Depends(guards.linked)
    guarded = [Depends(guards.same_origin)]

    def confirm_page(request: Request, token: str, subscription: Subscription) -> Response:
        lang = lang_for(request, subscription)
        expires = subscription.expires_at
        stored = subs.choices_of(subscription)
        return private(
            page(
                request,
                "confirm.html.j2",
                lang=lang,
                token=token,
                summary=summary(subscription.email, stored, guards.timeline(), lang, LANGUAGE_MENU),
                expires=date_time(expires, subscription.tz, lang) if expires else "",
            )
        )

    def manage_page(
        request: Request,
        token: str,
        subscription: Subscription,
        status_code: int = 200,
        preferences: Choices | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        lang = lang_for(request, subscription)
        current = guards.timeline()
        stored = subs.choices_of(subscription)
        feed_token = subs.feed_token(secret, subscription)
        done = request.query_params.get("done", "")
        since = subscription.confirmed_at or subscription.created_at
        return private(
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
                    guards.base_url,
                    f"/personal/{feed_token}.ics",
                    personal_feed_name(current, stored.regions, lang),
                ),
            )
        )

    # -- confirmation ---------------------------------------------------------------

    @router.get("/confirm/{token}", response_class=HTMLResponse)
    async def confirm_get(
        request: Request, token: str, subscription: Subscription = linked
    ) -> Response:
        if subscription.state != SubscriptionState.PENDING:
            return manage_redirect(token, lang_for(request, subscription), None)
        return confirm_page(request, token, subscription)

    @router.post("/confirm/{token}", response_class=HTMLResponse, dependencies=guarded)
    async def confirm_post(request: Request, change: Change = changing) -> Response:
        async def confirm(session: AsyncSession, found: Subscription) -> None:
            await subs.confirm(session, found, change.now, secret)

        subscription, _ = await change(confirm, pending=True)
        return manage_redirect(change.token, lang_for(request, subscription), "confirmed")

    # -- managing ---------------------------------------------------------------------

    @router.get("/manage/{token}", response_class=HTMLResponse)
    async def manage_get(
        request: Request, token: str, subscription: Subscription = linked
    ) -> Response:
        if subscription.state == SubscriptionState.PENDING:
            return confirm_page(request, token, subscription)
        return manage_page(request, token, subscription)

    @router.post("/manage/{token}", response_class=HTMLResponse, dependencies=guarded)
    async def manage_post(request: Request, change: Change = changing) -> Response:
        form = await form_of(request)
        current = guards.timeline()

        async def save(session: AsyncSession, found: Subscription) -> Response | None:
            preferences, errors = check_preferences(form, current, found.language)
            if errors:
                return manage_page(request, change.token, found, 400, preferences, errors)
            await subs.update(session, found, with_zone(preferences, current, found.tz))
            return None

        subscription, invalid = await change(save)
        if invalid is not None:
            return invalid
        return manage_redirect(change.token, subscription.language, "saved")

    @router.post("/manage/{token}/pause", response_class=HTMLResponse, dependencies=guarded)
    async def pause(request: Request, change: Change = changing) -> Response:
        subscription, _ = await change(subs.pause)
        return manage_redirect(change.token, lang_for(request, subscription), "paused")

    @router.post("/manage/{token}/resume", response_class=HTMLResponse, dependencies=guarded)
    async def resume(request: Request, change: Change = changing) -> Response:
        subscription, _ = await change(subs.resume)
        return manage_redirect(change.token, lang_for(request, subscription), "resumed")

    @router.post("/manage/{token}/new-link", response_class=HTMLResponse, dependencies=guarded)
    async def new_link(request: Request, change: Change = changing) -> Response:
        async def rotate(session: AsyncSession, found: Subscription) -> subs.LinkRequest:
            return await subs.rotate(session, found, change.now, secret, guards.mail_host)

        subscription, outcome = await change(rotate)
        lang = lang_for(request, subscription)
        if outcome is subs.LinkRequest.LIMITED:
            return too_many_mails(request, lang)
        return sent(request, lang, "rotated")

    @router.get("/manage/{token}/data.json")
    async def data(subscription: Subscription = linked) -> Response:
        async with guards.backend.sessions() as session:
            exported = await subs.export(session, subscription)
        body = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
        return private(
            Response(
                body.encode(),
                media_type="application/json",
                headers={"Content-Disposition": 'attachment; filename="gcm-calendar-my-data.json"'},
            )
        )

    return router
