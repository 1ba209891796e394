"""A subscriber's own calendar feed: exactly their regions and kinds, in their language.

    GET, HEAD /personal/{feed token}.ics

The feed is a selection the FeedSet in service builds (`feeds.publish.FeedSet.personal`)
from the same kept entries as the public feeds, so an event looks the same in both;
this module only finds the subscriber by the token and adds HTTP (validators, 304).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reminders import subscriptions as subs
from reminders.web.conditional_answer import conditional_answer
from reminders.web.subscriber_answers import PRIVATE_HEADERS, bad_link
from reminders.web.subscriber_guards import Guards

FEED_CACHE_CONTROL = "private, max-age=3600"


def personal_feed_router(guards: Guards) -> APIRouter:
    router = APIRouter()
    backend = guards.backend

    @router.api_route("/personal/{name}", methods=["GET", "HEAD"])
    async def personal_feed(request: Request, name: str) -> Response:
        if not name.endswith(".ics"):
            return bad_link(request)
        async with backend.sessions() as session:
            token = name.removesuffix(".ics")
            subscription = await subs.by_feed_token(session, token, guards.secret)
        if subscription is None:
            return Response(
                "no such personal feed: the link was replaced or the subscription ended\n",
                status_code=404,
                media_type="text/plain",
                headers=PRIVATE_HEADERS,
            )
        feed = backend.source.served.personal(
            subscription.regions, subscription.kinds, subscription.language
        )
        return conditional_answer(
            request,
            feed.body,
            "text/calendar; charset=utf-8",
            feed.etag,
            feed.last_modified,
            {"Cache-Control": FEED_CACHE_CONTROL, "X-Robots-Tag": "noindex, nofollow"},
        )

    return router
