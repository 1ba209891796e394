"""The URLs a page offers for subscribing to a feed (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class SubscribeLinks:
    https: str  # to copy into any calendar app, and to download
    webcal: str  # opens the system calendar app (Apple Calendar, Outlook desktop, Thunderbird)
    google: str
    outlook: str


def _in_language(path: str, lang: str) -> str:
    return path if lang == "en" else f"{path}?{urlencode({'lang': lang})}"


def feed_path(region: str, lang: str) -> str:
    return _in_language(f"/feeds/{quote(region)}.ics", lang)


def event_path(event_id: str, lang: str) -> str:
    """One event's own calendar file."""
    return _in_language(f"/events/{quote(event_id)}.ics", lang)


def subscribe_links(base_url: str, path: str, name: str) -> SubscribeLinks:
    https = base_url.rstrip("/") + path
    parts = urlsplit(https)
    webcal = urlunsplit(("webcal", *parts[1:]))
    return SubscribeLinks(
        https=https,
        webcal=webcal,
        # Google only adds subscriptions given as webcal:// in `cid`.
        google="https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": name}),
    )


#: Height of the embedded calendar's frame in the snippet partners copy.
EMBED_HEIGHT = 480


def embed_path(region: str, lang: str) -> str:
    return f"/embed/{quote(region)}?{urlencode({'lang': lang})}"


def embed_snippet(base_url: str, region: str, lang: str, title: str) -> str:
    """The HTML a partner site pastes to show a region's calendar."""
    src = base_url.rstrip("/") + embed_path(region, lang)
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="{EMBED_HEIGHT}" '
        'style="border:0" loading="lazy"></iframe>'
    )
