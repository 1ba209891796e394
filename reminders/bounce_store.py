"""The SQL of bounce handling: reports (`bounce_reports`) and subscriptions' bounce scores.

Every function runs on the caller's connection, inside the caller's transaction, so a
report, the score it adds and the pause it causes are stored together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from reminders.bounce_score import BouncePolicy, after_permanent, pauses
from reminders.db.models import Base
from reminders.states import SubscriptionState

REPORTS: Table = Base.metadata.tables["bounce_reports"]
SUBSCRIPTIONS: Table = Base.metadata.tables["subscriptions"]
#: Reports older than this are deleted by the hourly purge (the metrics count the rest).
REPORT_RETENTION = timedelta(days=90)


async def add_report(
    conn: AsyncConnection,
    *,
    kind: str,
    at: datetime,
    subscription_id: int | None,
    outbox_id: int | None,
    detail: str = "",
) -> bool:
    """Store a report; False when this message already has a report of this kind."""
    if outbox_id is not None:
        seen = await conn.scalar(
            select(func.count())
            .select_from(REPORTS)
            .where(REPORTS.c.outbox_id == outbox_id, REPORTS.c.kind == kind)
        )
        if seen:
            return False
    values = {
        "kind": kind,
        "at": at,
        "subscription_id": subscription_id,
        "outbox_id": outbox_id,
        "detail": detail[:200],
    }
    try:
        async with conn.begin_nested():
            await conn.execute(REPORTS.insert().values(values))
    except IntegrityError:  # another intake process stored the same report just now
        return False
    return True


async def add_permanent(
    conn: AsyncConnection, subscription_ids: Iterable[int], now: datetime, policy: BouncePolicy
) -> int:
    """Add each permanent failure to its subscription's score; return how many got paused.

    Only active subscriptions are paused; one paused by its subscriber stays as it is.
    """
    failures = Counter(subscription_ids)
    if not failures:
        return 0
    s = SUBSCRIPTIONS.c
    rows = (
        await conn.execute(
            select(s.id, s.state, s.bounce_score, s.bounce_scored_at)
            .where(s.id.in_(sorted(failures)))
            .with_for_update()
        )
    ).all()
    changes: list[dict[str, object]] = []
    paused = 0
    for row in rows:
        score = after_permanent(
            row.bounce_score, row.bounce_scored_at, now, policy, failures[row.id]
        )
        state = row.state
        if state == SubscriptionState.ACTIVE.value and pauses(score, policy):
            state = SubscriptionState.PAUSED.value
            paused += 1
        changes.append(
            {"b_id": row.id, "b_score": score, "b_state": state, "b_count": failures[row.id]}
        )
    if changes:
        await conn.execute(
            update(SUBSCRIPTIONS)
            .where(s.id == bindparam("b_id"))
            .values(
                bounce_score=bindparam("b_score"),
                bounce_scored_at=now,
                state=bindparam("b_state"),
                hard_bounces=s.hard_bounces + bindparam("b_count"),
            ),
            changes,
        )
    return paused


async def report_counts(conn: AsyncConnection) -> Mapping[str, int]:
    """Reports kept (the last `REPORT_RETENTION`), by kind."""
    rows = await conn.execute(select(REPORTS.c.kind, func.count()).group_by(REPORTS.c.kind))
    return {kind: int(count) for kind, count in rows.all()}


async def purge_reports(conn: AsyncConnection, now: datetime) -> int:
    result = await conn.execute(delete(REPORTS).where(REPORTS.c.at < now - REPORT_RETENTION))
    return int(result.rowcount or 0)
