"""The web application: public pages and subscription pages (FastAPI) behind the feed route."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from feeds import Timeline
from reminders.web.pages import error_page, public_router

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


def create_web_app(
    timeline: Callable[[], Timeline],
    base_url: str,
    clock: Callable[[], datetime],
    readiness: Callable[[], dict[str, Any]],
    lifespan: Any = None,
) -> FastAPI:
    app = FastAPI(
        title="gcm-calendar", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.include_router(public_router(timeline, base_url, clock, readiness))
    static = _static_files()

    @app.get("/static/{name}")
    async def static_file(request: Request, name: str) -> Response:
        found = static.get(name)
        if found is None:
            return error_page(request, 404, "Not found", "This page does not exist.")
        body, media_type = found
        return Response(
            body, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "Not found", "This page does not exist.")
        if exc.status_code == 405:
            return error_page(request, 405, "Not allowed", "This address does not accept that.")
        return error_page(request, exc.status_code, "Request refused", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(error["loc"][-1]) for error in exc.errors())
        return error_page(request, 400, "Invalid request", f"Please check: {fields}.")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_page(request, 500, "Something went wrong", "Please try again in a moment.")

    return app
