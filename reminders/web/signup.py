"""Sign-up and link requests: the forms that make us send an email.

    GET  /subscribe   sign-up form (also on / and each region page)
    POST /subscribe   → "check your inbox" (the same for known addresses)
    GET  /link        "email me my link"
    POST /link        → "check your inbox" (the same for unknown addresses)

Both answer after the same work for every address and leave the rest to
`reminders.mail_requests`, so nothing tells whether an address is subscribed. Both are
rate-limited per client, then checked for cross-site origin (`subscriber_guards`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask

from reminders import mail_quota, mail_requests
from reminders.subscription_choices import Choices, with_zone
from reminders.web.forms import check_email, check_signup, signup_form
from reminders.web.pages import language_of, page
from reminders.web.subscriber_answers import form_of, sent, too_many_mails
from reminders.web.subscriber_guards import Guards


def signup_router(guards: Guards) -> APIRouter:
    router = APIRouter()
    backend = guards.backend
    # The cheap per-client limit first: nothing else runs for a flood.
    guarded = [Depends(guards.rate_limit), Depends(guards.same_origin)]

    async def taken(
        request: Request, lang: str, kind: str, email: str, choices: Choices | None
    ) -> Response:
        """The answer to a sign-up or link request, after the same work for every address
        (`reminders.mail_requests`); what depends on the address runs after it."""
        now = backend.clock()

        async def work(session: AsyncSession) -> bool:
            if not await mail_quota.spend(
                session, mail_quota.address_key(guards.secret, email), now
            ):
                return False
            await mail_requests.submit(session, kind, email, choices, now)
            return True

        if not await guards.in_transaction(work):
            return too_many_mails(request, lang)
        response = sent(request, lang, "signup" if kind == mail_requests.SIGN_UP else "link")
        response.background = BackgroundTask(
            mail_requests.process, backend.sessions, guards.secret, guards.mail_host, backend.clock
        )
        return response

    @router.get("/subscribe", response_class=HTMLResponse)
    async def subscribe_page(request: Request) -> Response:
        lang = language_of(request)
        current = guards.timeline()
        region = request.query_params.get("region")
        context = signup_form(current, lang, region if current.region(region or "") else None)
        return page(request, "subscribe.html.j2", lang=lang, **context)

    @router.post("/subscribe", response_class=HTMLResponse, dependencies=guarded)
    async def subscribe(request: Request) -> Response:
        lang = language_of(request)
        current = guards.timeline()
        checked = check_signup(await form_of(request), current, lang)
        if not checked.ok:
            context = signup_form(
                current, lang, None, checked.preferences, checked.email, checked.errors
            )
            return page(request, "subscribe.html.j2", 400, lang=lang, **context)
        choices = with_zone(checked.preferences, current)
        return await taken(request, lang, mail_requests.SIGN_UP, checked.email, choices)

    @router.get("/link", response_class=HTMLResponse)
    async def link_page(request: Request) -> Response:
        lang = language_of(request)
        return page(request, "link.html.j2", lang=lang, invalid=False, email="", errors={})

    @router.post("/link", response_class=HTMLResponse, dependencies=guarded)
    async def link_request(request: Request) -> Response:
        lang = language_of(request)
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

    return router
