"""The timeline in service: re-read when its file changes, last good version kept on errors.

An edit that would wipe subscribers' calendars (`feeds.removal_guard`) counts as an
error too: it stays out of service until the organiser confirms it in the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import Timeline, TimelineError, parse_timeline
from feeds.history import SERVED_FIELDS, History
from feeds.loader import decode_timeline
from feeds.parse_memo import ParseMemo
from feeds.removal_guard import removal_problems
from feeds.revisions import Revision
from reminders.memory_return import return_free_memory
from reminders.revision_store import (
    RecordedChange,
    events_in_service,
    load_history,
    record_timeline,
)

log = logging.getLogger(__name__)

F = TypeVar("F")

#: Builds what is served from a timeline (the prepared feeds), given revisions, now and
#: the change history (removals move the feeds' Last-Modified).
Builder = Callable[[Timeline, Mapping[str, Revision], datetime, History], F]


@dataclass(frozen=True)
class Snapshot(Generic[F]):
    timeline: Timeline
    revisions: Mapping[str, Revision]
    served: F
    file_digest: str
    loaded_at: datetime
    #: What each revision changed and when (pages, Atom feeds, the API).
    history: History = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadError:
    message: str
    at: datetime


class TimelineSource(Generic[F]):
    """Owns the current snapshot; `refresh()` is cheap when nothing changed."""

    def __init__(
        self,
        path: Path,
        sessions: async_sessionmaker[AsyncSession],
        build: Builder[F],
        clock: Callable[[], datetime],
    ) -> None:
        self.path = path
        self._sessions = sessions
        self._build = build
        self._clock = clock
        self.snapshot: Snapshot[F] | None = None
        #: Event blocks of the last parse: an edit re-reads only the blocks it touched.
        self._memo = ParseMemo()
        self.error: LoadError | None = None

    @property
    def served(self) -> F:
        if self.snapshot is None:
            raise RuntimeError("no timeline loaded yet")
        return self.snapshot.served

    async def refresh(self) -> list[RecordedChange]:
        """Reload if the file changed (or the day did); return the events that changed."""
        now = self._clock()
        try:
            raw, digest = await asyncio.to_thread(_read, self.path)
        except OSError as exc:
            self._fail(f"{self.path}: cannot read: {exc}", now)
            return []
        current = self.snapshot
        if current is not None and current.file_digest == digest:
            if current.loaded_at.date() != now.date():
                # Date-dependent output (cancelled events leave feeds after a while).
                await self._install(
                    current.timeline, current.revisions, digest, now, current.history
                )
            return []
        try:
            # Off the event loop: a long timeline takes a while to validate.
            timeline = await off_loop(_parse, raw, str(self.path), self._memo)
        except TimelineError as exc:
            self._fail(str(exc), now)
            return []
        held = removal_problems(await self._in_service(), timeline)
        if held:
            self._fail(str(TimelineError(str(self.path), held)), now)
            return []
        revisions, changes = await record_timeline(self._sessions, timeline, now)
        async with self._sessions() as session:
            history = await self._history(session, timeline, revisions)
        await self._install(timeline, revisions, digest, now, history)
        self.error = None
        log.info("timeline loaded: %d events, %d changed", len(timeline.events), len(changes))
        return changes

    async def _history(
        self, session: AsyncSession, timeline: Timeline, revisions: Mapping[str, Revision]
    ) -> History:
        """The change history after recording `timeline`: read again only for the events
        whose revision or presence differs from the snapshot in service (an entry is only
        ever written with one of those, by this instance or another)."""
        current = self.snapshot
        if current is None:
            return await load_history(session, fields=SERVED_FIELDS)
        old_ids = {event.id for event in current.timeline.events}
        new_ids = {event.id for event in timeline.events}
        affected = old_ids ^ new_ids
        affected |= {
            event_id
            for event_id, revision in revisions.items()
            if current.revisions.get(event_id) != revision
        }
        if not affected:
            return current.history
        fresh = await load_history(session, affected, SERVED_FIELDS)
        history = {k: v for k, v in current.history.items() if k not in affected}
        history.update(fresh)
        return history

    async def _in_service(self) -> dict[str, str]:
        """Event id -> region of what subscribers' calendars hold now."""
        if self.snapshot is not None:
            return {event.id: event.region for event in self.snapshot.timeline.events}
        async with self._sessions() as session:
            return await events_in_service(session)

    async def _install(
        self,
        timeline: Timeline,
        revisions: Mapping[str, Revision],
        digest: str,
        now: datetime,
        history: History,
    ) -> None:
        # Rendering every feed takes a while; requests keep being served meanwhile.
        served = await off_loop(self._build, timeline, revisions, now, history)
        self.snapshot = Snapshot(timeline, revisions, served, digest, now, history)
        await asyncio.to_thread(return_free_memory)  # the last load's feeds are gone now

    def _fail(self, message: str, now: datetime) -> None:
        kept = "keeping the last good timeline" if self.snapshot else "no timeline in service"
        log.error("timeline not loaded (%s): %s", kept, message)
        self.error = LoadError(message, now)

    def status(self) -> dict[str, Any]:
        snapshot = self.snapshot
        return {
            "path": str(self.path),
            "loaded_at": snapshot.loaded_at.isoformat() if snapshot else None,
            "events": len(snapshot.timeline.events) if snapshot else 0,
            "error": self.error.message if self.error else None,
            "error_at": self.error.at.isoformat() if self.error else None,
        }


#: How long a thread may hold the GIL while another waits for it, during a reload: the
#: event loop then waits at most this long to answer a request (Python's default: 5 ms,
#: several times per request).
RELOAD_SWITCH_INTERVAL = 0.0005

T = TypeVar("T")


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a thread, with the GIL handed back to the serving loop often."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, RELOAD_SWITCH_INTERVAL))
    try:
        return await asyncio.to_thread(work, *args)
    finally:
        sys.setswitchinterval(before)


def _read(path: Path) -> tuple[bytes, str]:
    raw = path.read_bytes()
    return raw, hashlib.sha256(raw).hexdigest()


def _parse(raw: bytes, name: str, memo: ParseMemo) -> Timeline:
    timeline = parse_timeline(decode_timeline(raw, name), name, memo)
    for event in timeline.events:
        event.digest  # noqa: B018 (cached now, in this thread, not on the event loop)
    return timeline
