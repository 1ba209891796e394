"""What a calendar says about itself (name, description, page, UID host), and where its
entries point: shared by the calendar head (`feeds.ical`) and the entries' words
(`feeds.entry_text`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from feeds.timeline import Region

REFRESH_INTERVAL = timedelta(hours=6)


@dataclass(frozen=True)
class FeedMeta:
    """What a calendar says about itself, and where its entries point."""

    #: Names this export in PRODID ("all", a region id, or those plus a kinds filter).
    key: str
    name: str
    description: str
    #: The web page of the feed.
    url: str
    #: Domain of the UIDs; must never change once feeds are out.
    host: str
    #: Event id -> its web page.
    event_url: Callable[[str], str]
    regions: Mapping[str, Region] = field(default_factory=dict)
    refresh: timedelta = REFRESH_INTERVAL

    def prodid(self, lang: str) -> str:
        # Clients de-duplicate subscriptions by PRODID: one per export and language.
        return f"-//gcm-calendar//{self.host}//{self.key}//{lang.upper()}"

    def uid(self, event_id: str) -> str:
        return f"{event_id}@{self.host}"
