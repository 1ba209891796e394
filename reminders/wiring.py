"""The parts `gcmcal serve`, `gcmcal worker` and the commands build the same way.

The web service (`reminders.service`) and the worker (`reminders.worker`) both start from
here, so the worker can be put together without loading the web app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import Timeline
from feeds.history import History
from feeds.publish import FeedSet
from feeds.revisions import Revision
from reminders.clock import Clock
from reminders.mail.signing import DkimKeyError, Signer, load_signer
from reminders.settings import Settings
from reminders.timeline_source import TimelineSource


class StartupError(Exception):
    """The service cannot start; the message says what to fix."""


def dkim_signer(settings: Settings) -> Signer | None:
    """The DKIM signer of the settings; `StartupError` naming the setting if unusable."""
    try:
        return load_signer(settings.dkim_selector, settings.dkim_key_file, settings.mail_from)
    except DkimKeyError as exc:
        raise StartupError(str(exc)) from None


def feed_builder(
    base_url: str,
) -> Callable[[Timeline, Mapping[str, Revision], datetime, History], FeedSet]:
    """Builds each load's FeedSet from the last one, so only what changed is rendered."""
    base = base_url.rstrip("/")
    last: list[FeedSet] = []

    def build(
        timeline: Timeline, revisions: Mapping[str, Revision], now: datetime, history: History
    ) -> FeedSet:
        built = FeedSet(
            timeline,
            revisions,
            base,
            now,
            event_page=lambda event_id: f"{base}/events/{quote(event_id)}",
            history=history,
            previous=last[0] if last else None,
        )
        last[:] = [built]
        return built

    return build


def timeline_source(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> TimelineSource[FeedSet]:
    """The timeline in service, publishing the feeds of `settings.base_url`."""
    return TimelineSource(settings.timeline, sessions, feed_builder(settings.base_url), clock)
