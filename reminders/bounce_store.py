"""Bounce handling's storage: the `bounce_reports` table (all its SQL), and subscriptions'
bounce scores (through `reminders.subscription_store`).

Every function runs on the caller's connection, inside the caller's transaction, so a
report, the score it adds and the pause it causes are stored together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from reminders import subscription_store
from reminders.bounce_score import BouncePolicy, after_permanent, pauses
from reminders.db.models import Base
from reminders.states import SubscriptionState

REPORTS: Table = Base.metadata.tables["bounce_reports"]
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
    rows = await subscription_store.bounce_scores(conn, failures)
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
        await subscription_store.set_bounce_scores(conn, changes, now)
    return paused


async def report_counts(conn: AsyncConnection) -> Mapping[str, int]:
    """Reports kept (the last `REPORT_RETENTION`), by kind."""
    rows = await conn.execute(select(REPORTS.c.kind, func.count()).group_by(REPORTS.c.kind))
    return {kind: int(count) for kind, count in rows.all()}


async def reports_of(conn: AsyncConnection, subscription_id: int, limit: int) -> list[Any]:
    """A subscription's newest reports (at, kind, detail)."""
    r = REPORTS.c
    rows = await conn.execute(
        select(r.at, r.kind, r.detail)
        .where(r.subscription_id == subscription_id)
        .order_by(r.at.desc(), r.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def purge_reports(conn: AsyncConnection, now: datetime) -> int:
    result = await conn.execute(delete(REPORTS).where(REPORTS.c.at < now - REPORT_RETENTION))
    return int(result.rowcount or 0)
