"""Public pages: the index, one page per region, health."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from feeds import Event, Region, Timeline
from feeds.feed_words import ALL_REGIONS
from feeds.history import History, HistoryEntry
from feeds.publish import calendar_name
from feeds.vocabulary import phrase
from reminders.web.change_feeds import atom_path
from reminders.web.coming_up import coming_up
from reminders.web.forms import signup_form
from reminders.web.guide import STAGES, glossary, take_part
from reminders.web.history_view import history_items
from reminders.web.language import negotiate
from reminders.web.links import embed_snippet, event_path, feed_path, subscribe_links
from reminders.web.page_cache import PageCache, page_response
from reminders.web.templating import render_page
from reminders.web.timeline_picture import ALL, Pictures
from reminders.web.timeline_view import (
    LANGUAGE_MENU,
    UPCOMING_IN_FULL,
    event_item,
    fold,
    region_item,
    split_by_time,
)
from reminders.web.translations import N_, translate, translations

#: Rows of "Coming up" on the home page (a row may name several regions).
UPCOMING_ON_INDEX = 8


def language_of(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = context.pop("lang", None) or language_of(request)
    html = render_page(lang, name, languages=LANGUAGE_MENU, **context)
    return HTMLResponse(html, status_code=status_code, headers={"Vary": "Accept-Language"})


def error_page(
    request: Request,
    status_code: int,
    heading: str,
    message: str,
    params: Mapping[str, object] | None = None,
    lang: str | None = None,
) -> HTMLResponse:
    """An error page; `heading` and `message` are message ids (marked with `N_`)."""
    lang = lang or language_of(request)
    return page(
        request,
        "error.html.j2",
        status_code,
        lang=lang,
        heading=translate(lang, heading),
        message=translate(lang, message, params),
    )


def region_not_found(request: Request, region_id: str, lang: str | None = None) -> HTMLResponse:
    return error_page(
        request,
        404,
        N_("Region not found"),
        N_("There is no region called “%(name)s”."),
        {"name": region_id},
        lang=lang,
    )


def public_router(
    timeline: Callable[[], Timeline],
    base_url: str,
    clock: Callable[[], datetime],
    readiness: Callable[[], Awaitable[dict[str, Any]]],
    history: Callable[[], History] = dict,
    pages: PageCache | None = None,
) -> APIRouter:
    """The public pages; each is built into `pages` (`PreparedPages` answers from it)."""
    router = APIRouter()
    views = _Views(base_url, Pictures())
    pages = pages or PageCache()

    def prepared(
        request: Request,
        key: tuple[str, ...],
        now: datetime,
        name: str,
        context: Callable[[], dict[str, Any]],
    ) -> Response:
        lang = key[-1]

        def build() -> str:
            return render_page(lang, name, languages=LANGUAGE_MENU, **context())

        return page_response(request, pages.get(key, timeline(), now, build))

    @router.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        lang = language_of(request)
        current, now = timeline(), clock()
        return prepared(
            request,
            ("index", lang),
            now,
            "index.html.j2",
            lambda: views.index(current, lang, now),
        )

    @router.get("/regions/{region_id}", response_class=HTMLResponse)
    async def region_page(request: Request, region_id: str) -> Response:
        lang = language_of(request)
        current, now = timeline(), clock()
        region = current.region(region_id)
        if region is None:
            return region_not_found(request, region_id)
        return prepared(
            request,
            ("region", region.id, lang),
            now,
            "region.html.j2",
            lambda: views.region(current, region, lang, now),
        )

    @router.get("/events/{event_id}", response_class=HTMLResponse)
    async def event_page(request: Request, event_id: str) -> Response:
        lang = language_of(request)
        current, now = timeline(), clock()
        event = current.event(event_id)
        if event is None:
            return error_page(
                request,
                404,
                N_("Event not found"),
                N_("There is no event called “%(name)s”."),
                {"name": event_id},
            )
        changes = history().get(event.id, ())
        return prepared(
            request,
            ("event", event.id, lang),
            now,
            "event.html.j2",
            lambda: views.event(current, event, changes, lang, now),
        )

    @router.get("/healthz")
    async def healthz() -> Response:
        return JSONResponse({"status": "alive"})

    @router.get("/readyz")
    async def readyz() -> Response:
        report = await readiness()
        return JSONResponse(report, status_code=200 if report.get("ready") else 503)

    return router


@dataclass(frozen=True)
class _Views:
    """What each public page shows: the context its template is rendered with."""

    base_url: str
    pictures: Pictures

    def index(self, current: Timeline, lang: str, now: datetime) -> dict[str, Any]:
        all_name = calendar_name(lang, phrase(ALL_REGIONS, lang))
        return {
            "regions": [region_item(r, current, lang, now) for r in current.regions],
            "coming": coming_up(current, lang, now, UPCOMING_ON_INDEX),
            "take_part": take_part((), None, lang, translations(lang).gettext),
            "glossary": glossary(lang, translations(lang).gettext),
            "picture": self.pictures.get(current, ALL, lang, now.date()),
            "all_links": subscribe_links(self.base_url, feed_path("all", lang), all_name),
            "atom": atom_path("all", lang),
            "signup_form": signup_form(current, lang, compact_zones=True),
        }

    def region(self, current: Timeline, region: Region, lang: str, now: datetime) -> dict[str, Any]:
        upcoming, past = split_by_time(current.select(regions=[region.id]), now)
        name = calendar_name(lang, region.name(lang))
        title = f"{current.name} — {region.name(lang)}"
        return {
            "region": region_item(region, current, lang, now),
            "region_links": subscribe_links(self.base_url, feed_path(region.id, lang), name),
            "upcoming": [event_item(event, lang, now) for event in upcoming[:UPCOMING_IN_FULL]],
            "later": fold(upcoming[UPCOMING_IN_FULL:], lang, now),
            "past": fold(past, lang, now),
            "atom": atom_path(region.id, lang),
            "picture": self.pictures.get(current, region.id, lang, now.date()),
            "embed": embed_snippet(self.base_url, region.id, lang, title),
            "signup_form": signup_form(current, lang, region.id, compact_zones=True),
            "take_part": take_part(STAGES, region, lang, translations(lang).gettext),
            "glossary": glossary(lang, translations(lang).gettext),
        }

    def event(
        self,
        current: Timeline,
        event: Event,
        changes: tuple[HistoryEntry, ...],
        lang: str,
        now: datetime,
    ) -> dict[str, Any]:
        region = current.region(event.region)
        # Ideas for action only while they can still be acted on ("register", "organise
        # a side event" under a meeting held last year would mislead).
        stages = (event.kind,) if event.ends_at > now else ()
        return {
            "item": event_item(event, lang, now),
            "region": region_item(region, current, lang, now) if region else None,
            "event_links": subscribe_links(
                self.base_url, event_path(event.id, lang), calendar_name(lang, event.title(lang))
            ),
            "history": history_items(changes, lang),
            "take_part": take_part(stages, region, lang, translations(lang).gettext),
            "glossary": glossary(lang, translations(lang).gettext, (event.kind,)),
            "atom": atom_path(region.id if region else "all", lang),
        }
