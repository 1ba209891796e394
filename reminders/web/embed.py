"""``/embed/{region}?lang=``: a region's upcoming events for an iframe on a partner's site.

No JavaScript, one small stylesheet, right-to-left in Arabic, the honest date labels and
the subscribe buttons; links open outside the frame. Framing is allowed only for the
origins in ``GCMCAL_EMBED_ORIGINS`` (CSP ``frame-ancestors``; no origins: no framing),
and the page's own policy replaces the site-wide one, which forbids every frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from feeds import Timeline
from reminders.web.language import negotiate
from reminders.web.links import feed_path, subscribe_links
from reminders.web.pages import region_not_found
from reminders.web.templating import render_page
from reminders.web.timeline_view import event_item

#: Most events one embedded calendar lists (keeps the page small).
EMBED_EVENTS = 12


def frame_policy(origins: Sequence[str]) -> str:
    ancestors = " ".join(origins) if origins else "'none'"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; "
        f"base-uri 'none'; frame-ancestors {ancestors}"
    )


def embed_router(
    timeline: Callable[[], Timeline],
    base_url: str,
    clock: Callable[[], datetime],
    origins: Sequence[str],
) -> APIRouter:
    router = APIRouter()
    policy = frame_policy(origins)

    @router.api_route("/embed/{region_id}", methods=["GET", "HEAD"], include_in_schema=False)
    async def embed(request: Request, region_id: str) -> Response:
        lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
        current = timeline()
        region = current.region(region_id)
        if region is None:
            return region_not_found(request, region_id, lang)
        now = clock()
        upcoming = [e for e in current.select(regions=[region.id]) if e.ends_at > now]
        name = f"{current.name} — {region.name(lang)}"
        base = base_url.rstrip("/")
        html = render_page(
            lang,
            "embed.html.j2",
            base=base,
            region=region.name(lang),
            page=f"{base}/regions/{region.id}?lang={lang}",
            events=[event_item(event, lang, now) for event in upcoming[:EMBED_EVENTS]],
            more=max(0, len(upcoming) - EMBED_EVENTS),
            links=subscribe_links(base_url, feed_path(region.id, lang), name),
        )
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": policy,
                "Cache-Control": "public, max-age=300",
                "Vary": "Accept-Language",
            },
        )

    return router
