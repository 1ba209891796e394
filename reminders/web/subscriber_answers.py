"""Answers the subscription pages share: private pages, the bad-link page, "sent",
"too many emails", the redirect to the manage page, and reading a posted form.

Pages reached by a personal link are private: never cached, never indexed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from feeds.vocabulary import LANGUAGES
from reminders import mail_quota
from reminders.db.models import Subscription
from reminders.web.forms import FormData
from reminders.web.pages import error_page, language_of, page
from reminders.web.translations import N_

PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


def lang_for(request: Request, subscription: Subscription | None) -> str:
    """``?lang=`` if given, else the subscriber's language, else the browser's."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if subscription is not None and subscription.language in LANGUAGES:
        return subscription.language
    return language_of(request)


def bad_link(request: Request, status_code: int = 404) -> Response:
    """The link is unknown, replaced or expired: the "email me my link" form."""
    lang = lang_for(request, None)
    return private(
        page(request, "link.html.j2", status_code, lang=lang, invalid=True, email="", errors={})
    )


def sent(request: Request, lang: str, reason: str) -> Response:
    return private(page(request, "sent.html.j2", lang=lang, reason=reason))


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
    response.headers["Retry-After"] = str(int(mail_quota.LINK_MAIL_WINDOW.total_seconds()))
    return response


def manage_redirect(token: str, lang: str, done: str | None) -> Response:
    query = {"lang": lang, **({"done": done} if done else {})}
    return RedirectResponse(f"/manage/{token}?{urlencode(query)}", status_code=303)


async def form_of(request: Request) -> FormData:
    async with request.form() as form:
        return FormData((key, value) for key, value in form.multi_items() if isinstance(value, str))
