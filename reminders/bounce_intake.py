"""Acting on what came back: one transaction per message, whichever way it arrived.

- permanent failure: a report, and +1 on the subscription's decaying bounce score,
  which pauses it at the threshold (`reminders.bounce_store`);
- complaint: a report, and the subscription ends at once (`subscriptions.unsubscribe`:
  erased but for the keyed hash of the address);
- anything else: a report only (the metrics count them).

A token is honoured only while its outbox row still exists and belongs to the
subscription it names (a row outlives its event by 30 days; unsubscribing deletes
them): after that the report is counted as unmatched, so an id the database handed
out again never pays for somebody else's bounce.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reminders import bounce_store, outbox_store, subscription_store, subscriptions
from reminders.bounce_kinds import ReportKind
from reminders.bounce_reading import Reading, read_report
from reminders.bounce_score import BouncePolicy
from reminders.clock import Clock
from reminders.db.engine import session_factory
from reminders.db.models import Subscription
from reminders.return_path import ReturnPathReader

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Taken:
    reading: Reading
    counted: bool  # False: this message already had a report of this kind
    paused: bool = False
    unsubscribed: bool = False


class Intake:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        secret: str,
        paths: ReturnPathReader,
        policy: BouncePolicy,
        clock: Clock,
    ) -> None:
        self._sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
        self._secret = secret
        self._paths = paths
        self._policy = policy
        self._clock = clock

    async def take(self, raw: bytes, recipients: Sequence[str] = ()) -> Taken:
        """Read one message and act on it; raises only for database trouble."""
        # Parsing a large message takes a while: off the loop, so the server keeps talking.
        reading = await asyncio.to_thread(read_report, raw, recipients, self._paths)
        now = self._clock()
        async with self._sessions() as session, session.begin():
            taken = await self._apply(session, reading, now)
        effect = ", paused" if taken.paused else ", unsubscribed" if taken.unsubscribed else ""
        again = "" if taken.counted else ", already counted"
        log.info("bounce intake: %s (%s)%s%s", reading.kind.value, reading.detail, effect, again)
        return taken

    async def _apply(self, session: AsyncSession, reading: Reading, now: datetime) -> Taken:
        mark = reading.mark
        subscription: Subscription | None = None
        if mark is not None:
            owner = await outbox_store.subscription_of(await session.connection(), mark.outbox_id)
            if owner == mark.subscription_id:
                subscription = await subscription_store.by_id(session, mark.subscription_id)
            if subscription is None:
                reading = Reading(
                    ReportKind.UNMATCHED, None, f"{reading.kind.value}: message no longer known"
                )
                mark = None
        conn = await session.connection()
        counted = await bounce_store.add_report(
            conn,
            kind=reading.kind.value,
            at=now,
            subscription_id=subscription.id if subscription else None,
            outbox_id=mark.outbox_id if mark else None,
            detail=reading.detail,
        )
        taken = Taken(reading, counted)
        if subscription is None or not counted:
            return taken
        if reading.kind is ReportKind.PERMANENT:
            paused = await bounce_store.add_permanent(conn, [subscription.id], now, self._policy)
            return replace(taken, paused=paused > 0)
        if reading.kind is ReportKind.COMPLAINT:
            await subscriptions.unsubscribe(session, subscription, now, self._secret)
            return replace(taken, unsubscribed=True)
        return taken
