"""Atom feeds of what changed, per region and for all, in each language.

``/feeds/{region}.atom`` and ``/feeds/all.atom`` (``?lang=``, the timeline's default
language when absent): one entry per recorded revision of an event, newest first, worded
as on the event pages. Each body is built once per timeline load and language and then
served from memory with a strong ETag, so polling readers get 304s.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from feeds import LANGUAGES, Timeline
from feeds.atom import AtomEntry, AtomMeta, render_atom
from feeds.history import History, newest_first
from feeds.revisions import Revision
from reminders.web.conditional_answer import conditional_answer
from reminders.web.history_view import history_item
from reminders.web.translations import N_, translate

ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_TITLE = N_("Changes to the GCM regional reviews calendar")
ALL_REGIONS = N_("All regions")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Newest entries kept in one feed; older ones stay on the event pages.
MAX_ENTRIES = 200


@dataclass(frozen=True, slots=True)
class AtomBody:
    body: bytes
    etag: str
    updated: datetime


def atom_path(key: str, lang: str) -> str:
    path = f"/feeds/{quote(key)}.atom"
    return path if lang == "en" else f"{path}?lang={lang}"


def build_feed(
    timeline: Timeline,
    history: History,
    key: str,
    lang: str,
    base_url: str,
    revisions: Mapping[str, Revision] | None = None,
) -> AtomBody:
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    region = timeline.region(key)
    entries = newest_first(history, None if region is None else [key])[:MAX_ENTRIES]
    where = region.name(lang) if region else translate(lang, ALL_REGIONS)
    atom_entries = []
    for entry in entries:
        item = history_item(entry, lang)
        stamp = f"{entry.at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        atom_entries.append(
            AtomEntry(
                id=f"tag:{host},2024:{entry.event_id}/{entry.sequence}/{entry.effect}/{stamp}",
                title=f"{entry.title(lang, timeline.default_language)} — {item.heading}",
                summary="\n".join(item.changes) or item.heading,
                link=f"{base}/events/{quote(entry.event_id)}"
                + ("" if lang == "en" else f"?lang={lang}"),
                updated=entry.at,
            )
        )
    # A rename of the region changes the title without a history entry; it stamps the
    # revisions of the events the feed is about (`feeds.revisions.advance`).
    known = revisions or {}
    stamped = [
        known[e.id].modified
        for e in timeline.select(None if region is None else [key])
        if e.id in known
    ]
    updated = max([entry.at for entry in entries] + stamped, default=_EPOCH)
    page = f"{base}/" if region is None else f"{base}/regions/{quote(key)}"
    body = render_atom(
        AtomMeta(
            id=f"tag:{host},2024:changes/{key}/{lang}",
            title=f"{translate(lang, FEED_TITLE)} — {where}",
            author=timeline.name,
            self_url=base + atom_path(key, lang),
            page_url=page + ("" if lang == "en" else f"?lang={lang}"),
            lang=lang,
            updated=updated,
        ),
        atom_entries,
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    return AtomBody(body, f'"{digest}"', updated)


def change_feeds_router(
    timeline: Callable[[], Timeline],
    history: Callable[[], History],
    base_url: str,
    revisions: Callable[[], Mapping[str, Revision]] = dict,
) -> APIRouter:
    router = APIRouter()
    memo: dict[tuple[str, str], AtomBody] = {}
    built_for: list[object] = [None]

    @router.api_route("/feeds/{key}.atom", methods=["GET", "HEAD"], include_in_schema=False)
    async def atom_feed(request: Request, key: str) -> Response:
        current, found = timeline(), history()
        lang = request.query_params.get("lang") or current.default_language
        if lang not in LANGUAGES:
            return PlainTextResponse(
                f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}\n", 400
            )
        if key != "all" and current.region(key) is None:
            keys = ", ".join(["all", *(region.id for region in current.regions)])
            return PlainTextResponse(f"no feed {key!r}: feeds are {keys}\n", 404)
        if built_for[0] is not found:  # a new timeline load: start afresh
            memo.clear()
            built_for[0] = found
        atom = memo.get((key, lang))
        if atom is None:
            atom = memo[(key, lang)] = build_feed(current, found, key, lang, base_url, revisions())
        return conditional_answer(
            request,
            atom.body,
            ATOM_TYPE,
            atom.etag,
            atom.updated,
            {"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    return router
