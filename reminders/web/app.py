"""The web application: public pages and subscription pages (FastAPI) behind the feed route.

`create_web_app` builds the routes and wraps them in every middleware of the service,
listed once, in order, in `_layered` (with why the order is what it is).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Scope

from feeds import LANGUAGES, Timeline
from feeds.history import History
from feeds.http import FeedApp
from feeds.publish import FeedSet
from feeds.revisions import Revision
from reminders.metrics import FeedCounter
from reminders.web.api import PREFIX as API_PREFIX
from reminders.web.change_feeds import change_feeds_router
from reminders.web.edge import HeadAsGet, LastResort, RequestGate
from reminders.web.guards import BodySizeLimit
from reminders.web.page_cache import PageCache, PreparedPages
from reminders.web.pages import error_page, public_router
from reminders.web.request_id import RequestId
from reminders.web.security import SecurityHeaders
from reminders.web.subscriber_guards import Refused
from reminders.web.templating import page_environment
from reminders.web.translations import N_

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Read the few static files once; they are tiny and never change while running."""
    return {
        path.name: (path.read_bytes(), _STATIC_TYPES[path.suffix])
        for path in sorted(STATIC.iterdir())
        if path.suffix in _STATIC_TYPES
    }


def refused(scope: Scope, status_code: int) -> HTMLResponse:
    """The page for a request refused before any route saw it (e.g. a foreign Host)."""
    return error_page(
        Request(scope),
        status_code,
        N_("Request refused"),
        N_("We could not handle this request. Please go back and try again."),
    )


def server_error(scope: Scope, status_code: int) -> HTMLResponse:
    return error_page(
        Request(scope), status_code, N_("Something went wrong"), N_("Please try again in a moment.")
    )


def _too_large(scope: Scope, status_code: int) -> ASGIApp:
    return error_page(
        Request(scope),
        status_code,
        N_("Request too large"),
        N_("What was sent is larger than any of our forms. Please send the form again."),
    )


def create_web_app(
    timeline: Callable[[], Timeline],
    base_url: str,
    clock: Callable[[], datetime],
    readiness: Callable[[], Awaitable[dict[str, Any]]],
    feeds: Callable[[], FeedSet],
    api: ASGIApp,
    lifespan: Any = None,
    routers: Sequence[APIRouter] = (),
    history: Callable[[], History] | None = None,
    revisions: Callable[[], Mapping[str, Revision]] | None = None,
) -> ASGIApp:
    """The whole web service: feeds, pages, `routers` (the subscription pages…) and the
    JSON `api` under /api/v1, inside every middleware (`_layered`).

    `feeds` gives the FeedSet in service, `history` the change history of the timeline
    in service (none: no history), `revisions` the revisions of its events (none: none).
    """
    changes: Callable[[], History] = history or dict
    app = FastAPI(
        title="gcm-calendar", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    pages = PageCache()
    app.include_router(public_router(timeline, base_url, clock, readiness, changes, pages))
    app.include_router(change_feeds_router(timeline, changes, base_url, revisions or dict))
    for router in routers:
        app.include_router(router)
    for lang in LANGUAGES:  # compile every catalog now: a broken one stops the start
        page_environment(lang)
    static = _static_files()

    @app.get("/static/{name}")
    async def static_file(request: Request, name: str) -> Response:
        found = static.get(name)
        if found is None:
            return error_page(request, 404, N_("Not found"), N_("This page does not exist."))
        body, media_type = found
        return Response(
            body, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, N_("Not found"), N_("This page does not exist."))
        if exc.status_code == 405:
            return error_page(
                request, 405, N_("Not allowed"), N_("This address does not accept that.")
            )
        return error_page(
            request,
            exc.status_code,
            N_("Request refused"),
            N_("We could not handle this request. Please go back and try again."),
        )

    @app.exception_handler(Refused)
    async def refused_by_guard(request: Request, exc: Refused) -> Response:
        return exc.response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(error["loc"][-1]) for error in exc.errors())
        return error_page(
            request, 400, N_("Invalid request"), N_("Please check: %(fields)s."), {"fields": fields}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Logged once, by `edge.LastResort`, when Starlette raises it again.
        return server_error(request.scope, 500)

    # Read-only public data, for other sites' scripts too.
    app.mount(API_PREFIX, CORSMiddleware(api, **API_CORS))
    own_host = urlsplit(base_url).hostname or "localhost"
    return _layered(app, feeds, own_host, pages, timeline, clock)


API_CORS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "HEAD"],
    "allow_headers": ["If-None-Match"],
    "expose_headers": ["ETag"],
}


def _layered(
    app: FastAPI,
    feeds: Callable[[], FeedSet],
    own_host: str,
    pages: PageCache,
    timeline: Callable[[], Timeline],
    clock: Callable[[], datetime],
) -> ASGIApp:
    """`app` inside every middleware of the service; the list is outermost first.

    Why this order:
    1. `FeedApp`: feeds answer first with prepared bytes and headers (most of the
       traffic, polled by calendar apps); only pages pay for what follows.
    2. `RequestId`: outside everything that logs, so every page's log lines carry it.
    3. `SecurityHeaders`: on every page response, refusals and the last resort's 500
       included.
    4. `LastResort`: catches whatever escapes below it, so that nothing ends as a
       traceback; inside the headers so its page gets them too.
    5. `RequestGate`: refuses a foreign Host or an unreadable query before anything
       below parses the URL or echoes the host.
    6. `HeadAsGet`: HEAD is answered as GET by everything below, kept pages included.
    7. `PreparedPages`: kept public pages answered before routing (GET only).
    8. `BodySizeLimit`: a body over the limit is refused before any form parser reads
       it (POST only), innermost so that kept pages never wait on it.
    """
    layers: list[Callable[[ASGIApp], ASGIApp]] = [
        lambda inner: FeedApp(feeds, fallback=inner, observe=FeedCounter()),
        RequestId,
        SecurityHeaders,
        lambda inner: LastResort(inner, server_error),
        lambda inner: RequestGate(inner, [own_host], refused),
        HeadAsGet,
        lambda inner: PreparedPages(inner, pages=pages, timeline=timeline, clock=clock),
        lambda inner: BodySizeLimit(inner, refuse=_too_large),
    ]
    served: ASGIApp = app
    for layer in reversed(layers):
        served = layer(served)
    return served
