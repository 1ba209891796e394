"""The read-only JSON API, ``/api/v1/…``, for partner sites and tools.

``/api/v1/regions`` and ``/api/v1/events`` (filters: ``region``, ``kind``, ``lang``,
``changed_since``), ``/api/v1/events/{id}``; the OpenAPI document at
``/api/v1/openapi.json`` is generated from the same models the routes return, so it
stays true (the tests run schemathesis against it). Every answer carries a strong ETag
over its body and answers ``If-None-Match`` with 304; CORS is open to any origin (the
data is public; there are no cookies). Nothing about subscribers is reachable.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from feeds import LANGUAGES, Event, Timeline, date_label
from feeds.conditional import etag_matches
from feeds.ical import revision_of
from feeds.revisions import Revision
from feeds.timeline import GLOBAL
from feeds.vocabulary import Kind
from reminders.web.api_models import (
    ApiError,
    EventDoc,
    EventList,
    FeedLinks,
    LinkDoc,
    RegionDoc,
    RegionList,
    Window,
)
from reminders.web.change_feeds import atom_path
from reminders.web.links import feed_path

PREFIX = "/api/v1"
_ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (the ETag sent in If-None-Match still holds)."},
    400: {"model": ApiError, "description": "A parameter is invalid; the error names it."},
}
LangParam = Annotated[
    str | None,
    Query(
        description="Language of titles and labels (default: English).",
        json_schema_extra={"enum": list(LANGUAGES)},
    ),
]


class ApiProblem(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


def _language(lang: str | None) -> str:
    if lang is None:
        return "en"
    if lang not in LANGUAGES:
        raise ApiProblem(
            400, f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}", "lang"
        )
    return lang


def _with_lang(url: str, lang: str) -> str:
    return url if lang == "en" else f"{url}{'&' if '?' in url else '?'}lang={lang}"


def region_doc(timeline: Timeline, region_id: str, lang: str, base: str) -> RegionDoc:
    region = timeline.region(region_id)
    assert region is not None
    return RegionDoc(
        id=region.id,
        name=region.name(lang),
        tz=region.tz,
        url=region.url,
        page=_with_lang(f"{base}/regions/{quote(region.id)}", lang),
        feeds=FeedLinks(
            ics=base + feed_path(region.id, lang), atom=base + atom_path(region.id, lang)
        ),
    )


def event_doc(event: Event, revision: Revision, lang: str, base: str) -> EventDoc:
    timed = event.when.is_timed
    return EventDoc(
        id=event.id,
        region=event.region,
        kind=event.kind,
        status=event.status,
        title=event.title(lang),
        precision=event.when.precision,
        when=event.when.format(),
        label=date_label(event.when, lang),
        window=Window(
            first_day=event.when.first_day,
            last_day=event.when.last_day,
            start=event.starts_at if timed else None,
            end=event.ends_at if timed else None,
        ),
        tz=event.tz,
        place=event.place(lang),
        modality=event.modality,
        revision=revision.sequence,
        modified=revision.modified,
        sources=[source.url for source in event.sources],
        links=[LinkDoc(url=link.url, label=link.label(lang).text) for link in event.links],
        page=_with_lang(f"{base}/events/{quote(event.id)}", lang),
        ics=_with_lang(f"{base}/events/{quote(event.id)}.ics", lang),
    )


def _answer(request: Request, document: BaseModel) -> Response:
    body = document.model_dump_json().encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and etag_matches(etag, if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _error(status: int, message: str, parameter: str | None) -> JSONResponse:
    return JSONResponse(
        ApiError(error=message, parameter=parameter).model_dump(), status_code=status
    )


def api_app(
    timeline: Callable[[], Timeline],
    revisions: Callable[[], Mapping[str, Revision]],
    base_url: str,
) -> FastAPI:
    base = base_url.rstrip("/")
    app = FastAPI(
        title="gcm-calendar API",
        version="1",
        description="Read-only public data of the GCM regional reviews calendar: regions and "
        "events with their honest dates. No personal data.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        servers=[{"url": base + PREFIX}],
    )

    @app.exception_handler(ApiProblem)
    async def problem(request: Request, exc: ApiProblem) -> Response:
        return _error(exc.status, exc.message, exc.parameter)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        name = str(first["loc"][-1])
        return _error(400, f"{name}: {first['msg']}", name)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "no such resource", 405: "read-only API: use GET"}.get(
            exc.status_code, "request refused"
        )
        return _error(exc.status_code, message, None)

    @app.get(
        "/regions",
        response_model=RegionList,
        responses=_ERRORS,
        summary="Every region, with its feeds",
    )
    async def regions(request: Request, lang: LangParam = None) -> Response:
        language = _language(lang)
        current = timeline()
        docs = [region_doc(current, region.id, language, base) for region in current.regions]
        return _answer(request, RegionList(language=language, regions=docs))

    @app.get(
        "/events",
        response_model=EventList,
        responses=_ERRORS,
        summary="Events, filtered by region, kind and time of change",
    )
    async def events(
        request: Request,
        region: Annotated[
            str | None,
            Query(description="Region id; its events and the global ones. Default: all."),
        ] = None,
        kind: Annotated[Kind | None, Query(description="Only events of this kind.")] = None,
        lang: LangParam = None,
        changed_since: Annotated[
            datetime | None,
            Query(
                description="Only events whose current revision was recorded after this "
                "moment (ISO 8601 with a zone, e.g. 2024-03-01T00:00:00Z)."
            ),
        ] = None,
    ) -> Response:
        language = _language(lang)
        current, known = timeline(), revisions()
        if region is not None and region != GLOBAL and current.region(region) is None:
            ids = ", ".join(r.id for r in current.regions)
            raise ApiProblem(400, f"unknown region {region!r}: use one of {ids}", "region")
        if changed_since is not None and changed_since.utcoffset() is None:
            raise ApiProblem(
                400, "changed_since needs a zone, e.g. 2024-03-01T00:00:00Z", "changed_since"
            )
        selected = current.select(
            regions=None if region is None else [region],
            kinds=None if kind is None else [kind],
        )
        docs = []
        for event in selected:
            revision = revision_of(known, event)
            if changed_since is not None and revision.modified <= changed_since:
                continue
            docs.append(event_doc(event, revision, language, base))
        return _answer(request, EventList(language=language, events=docs))

    @app.get(
        "/events/{event_id}",
        response_model=EventDoc,
        responses={**_ERRORS, 404: {"model": ApiError, "description": "No such event."}},
        summary="One event",
    )
    async def event(request: Request, event_id: str, lang: LangParam = None) -> Response:
        language = _language(lang)
        found = timeline().event(event_id)
        if found is None:
            raise ApiProblem(404, f"no event {event_id!r}", "event_id")
        revision = revision_of(revisions(), found)
        return _answer(request, event_doc(found, revision, language, base))

    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        """The generated document, with the region ids of the timeline in service."""
        if not built:
            built.update(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            )
        document = copy.deepcopy(built)
        ids = [GLOBAL, *(region.id for region in timeline().regions)]
        for parameter in document["paths"]["/events"]["get"]["parameters"]:
            if parameter["name"] == "region":
                parameter["schema"]["anyOf"][0]["enum"] = ids
        return document

    app.openapi = openapi  # type: ignore[method-assign]
    return app
