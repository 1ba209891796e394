"""The one place the parts are built: database, timeline source, feeds, mailer, clock.

`gcmcal serve` (`reminders.service`), `gcmcal worker` (`reminders.worker`), `export`,
`impact`, the subscription and bounce commands all start from here, so each part is
made one way, and the worker can be put together without loading the web app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from feeds import Timeline
from feeds.history import History
from feeds.prepared import BODY_BUDGET
from feeds.publish import FeedSet
from feeds.revisions import Revision
from reminders.clock import Clock
from reminders.db.engine import create_engine, prepare_schema, session_factory
from reminders.db.migrate import SchemaOutOfDate, require_current
from reminders.mail.port import Mailer
from reminders.mail.signing import DkimKeyError, Signer, load_signer
from reminders.render_pool import RenderHelper
from reminders.settings import Settings
from reminders.timeline_source import TimelineSource


class StartupError(Exception):
    """The service cannot start; the message says what to fix."""


@dataclass(frozen=True)
class Database:
    """An engine on `GCMCAL_DATABASE_URL` and its sessions; nothing is opened yet."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def on(cls, engine: AsyncEngine) -> Database:
        return cls(
            engine.url.render_as_string(hide_password=False), engine, session_factory(engine)
        )

    async def close(self) -> None:
        await self.engine.dispose()


def database(settings: Settings) -> Database:
    return Database.on(create_engine(settings.database_url))


async def prepare(db: Database) -> None:
    """The embedded SQLite upgrades itself; a PostgreSQL schema must be current.

    `StartupError` says what is wrong, without the password in the URL.
    """
    try:
        await prepare_schema(db.engine)
    except SchemaOutOfDate as exc:
        raise StartupError(str(exc)) from None
    except (OSError, SQLAlchemyError) as exc:
        shown = make_url(db.url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StartupError(f"cannot use the database {shown}: {reason}") from None


@asynccontextmanager
async def opened_database(
    settings: Settings, *, read_only: bool = False
) -> AsyncIterator[Database]:
    """The database for one command, closed after it.

    `read_only` commands (a dry run) never upgrade the schema: an old one is an error.
    """
    db = database(settings)
    try:
        if read_only:
            await require_current(db.engine, db.url)
        else:
            await prepare(db)
        yield db
    finally:
        await db.close()


def mailer(settings: Settings) -> Mailer:
    """SMTP to `GCMCAL_SMTP_HOST`, or the Maildir outbox when no server is set."""
    from reminders.mail.transport import make_mailer  # aiosmtplib only where mail is sent

    return make_mailer(settings)


def message_host(settings: Settings) -> str:
    """The domain of Message-IDs: the From address's, else the public URL's host."""
    sender = parseaddr(settings.mail_from)[1]
    return sender.rpartition("@")[2] or urlsplit(settings.base_url).hostname or "localhost"


def dkim_signer(settings: Settings) -> Signer | None:
    """The DKIM signer of the settings; `StartupError` naming the setting if unusable."""
    try:
        return load_signer(settings.dkim_selector, settings.dkim_key_file, settings.mail_from)
    except DkimKeyError as exc:
        raise StartupError(str(exc)) from None


class FeedBuilder:
    """Builds each load's FeedSet from the last one, so only what changed is rendered; a
    first load shares its rendering with `helper` when one was started (`render_pool`)."""

    def __init__(self, base_url: str, body_budget: int = BODY_BUDGET) -> None:
        self.base = base_url.rstrip("/")
        self.body_budget = body_budget
        self.last: FeedSet | None = None
        self.helper: RenderHelper | None = None

    def __call__(
        self, timeline: Timeline, revisions: Mapping[str, Revision], now: datetime, history: History
    ) -> FeedSet:
        elsewhere = None
        if self.last is None and self.helper is not None:
            host = urlsplit(self.base).hostname or ""
            elsewhere = self.helper.share(timeline, revisions, host, self.base, now)
        try:
            built = FeedSet(
                timeline,
                revisions,
                self.base,
                now,
                history=history,
                previous=self.last,
                elsewhere=elsewhere,
                body_budget=self.body_budget,
            )
        finally:
            self.stop_helper()
        self.last = built
        return built

    def stop_helper(self) -> None:
        if self.helper is not None:
            self.helper.close()
            self.helper = None


def feed_builder(base_url: str, body_budget: int = BODY_BUDGET) -> FeedBuilder:
    """Builds each load's FeedSet from the last one (a first load without a helper)."""
    return FeedBuilder(base_url, body_budget)


def timeline_source(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    builder: FeedBuilder | None = None,
) -> TimelineSource[FeedSet]:
    """The timeline in service, publishing the feeds of `settings.base_url`."""
    build = builder or feed_builder(settings.base_url, settings.feed_cache_bytes)
    return TimelineSource(settings.timeline, sessions, build, clock)
