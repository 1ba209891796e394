"""The hourly purge: old finished outbox rows, stale pending sign-ups, old bounce reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import bounce_store, outbox_store, subscription_store

#: Finished rows (and their send log) are kept this long after the event started (or,
#: for rows without an event time, after they were created). After that nothing can
#: plan them again, and keeping who was mailed what serves nobody.
FINISHED_ROWS_KEPT = timedelta(days=30)
#: Sign-ups never confirmed are deleted this long after they expired (7 days after the
#: sign-up): at once, as promised on the sign-up page.
PENDING_GRACE = timedelta(0)


@dataclass(frozen=True, slots=True)
class Purged:
    outbox: int
    send_log: int
    pending_subscriptions: int


async def purge(
    engine: AsyncEngine,
    now: datetime,
    retention: timedelta = FINISHED_ROWS_KEPT,
    pending_grace: timedelta = PENDING_GRACE,
) -> Purged:
    """Delete old finished outbox rows with their send log, and stale pending sign-ups."""
    async with engine.begin() as conn:
        outbox_rows, log_lines = await outbox_store.delete_finished(conn, now - retention)
        stale = subscription_store.stale_pending(now - pending_grace)
        # Their outbox rows (confirmation mail) go with them: ON DELETE CASCADE.
        await outbox_store.delete_for_subscriptions(conn, stale)
        pending = await subscription_store.delete_stale_pending(conn, now - pending_grace)
        await bounce_store.purge_reports(conn, now)
    return Purged(outbox_rows, log_lines, pending)
