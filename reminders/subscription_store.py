"""The `subscriptions` and `unsubscribed` tables: every query, insert and delete on them.

Use cases (`reminders.subscriptions`, `subscription_admin`, `subscription_import`,
`bounce_store`, the planning tick, the claims, the purge, the metrics) call these
functions and never write SQL on these tables themselves; a unit test says so.
Statements name the mapped class (`Subscription.tz`), whether they run on a session
(the use cases that change one subscription) or on a connection (set-based work over
every subscriber: the planner's groups and profiles, the claim's recipients, bounce
scores). A use case may change fields of a `Subscription` it was given; the session
writes them when it flushes.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Select,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reminders.db.models import Subscription, Unsubscribed, UtcDateTime
from reminders.states import SubscriptionState

if TYPE_CHECKING:
    from reminders.subscription_choices import Choices

#: New subscriptions start at a random generation below this, leaving room for bumps
#: in a 32-bit column: should the database ever hand out a deleted subscription's id
#: again, the new subscriber's links still differ from the old subscriber's.
GENERATION_SPAN = 2**30
_CHUNK = 500  # ids per IN (...) list

Group = tuple[str, int]  # (time zone, delivery hour), as `reminders.due_reminders.Group`
StoredProfile = tuple[str, str, str]  # regions, kinds, leads: the stored JSON text


# -- one subscription -------------------------------------------------------------------


def new_row(
    email: str,
    choices: Choices,
    state: SubscriptionState,
    now: datetime,
    *,
    confirmed_at: datetime | None,
    expires_at: datetime | None,
) -> Subscription:
    """A subscription row not yet added; its token hash is a placeholder until the id is
    known (unique, never a real token's hash)."""
    row = Subscription(
        email=email,
        state=state,
        token_hash=secrets.token_hex(32),
        feed_generation=secrets.randbelow(GENERATION_SPAN),
        hard_bounces=0,
        created_at=now,
        confirmed_at=confirmed_at,
        expires_at=expires_at,
    )
    apply_choices(row, choices)
    return row


def apply_choices(subscription: Subscription, choices: Choices) -> None:
    """Set the subscriber's choices on the row (written at the session's next flush)."""
    subscription.regions = list(choices.regions)
    subscription.kinds = list(choices.kinds)
    subscription.leads = list(choices.leads)
    subscription.language = choices.language
    subscription.tz = choices.tz
    subscription.delivery_hour = choices.delivery_hour


async def add(session: AsyncSession, rows: Sequence[Subscription]) -> None:
    """Insert new rows (they get their ids)."""
    session.add_all(rows)
    await session.flush()


async def by_id(session: AsyncSession, subscription_id: int) -> Subscription | None:
    return await session.get(Subscription, subscription_id)


async def by_email(session: AsyncSession, email: str) -> Subscription | None:
    return await session.scalar(select(Subscription).where(Subscription.email == email))


async def by_token_hash(session: AsyncSession, digest: str) -> Subscription | None:
    return await session.scalar(select(Subscription).where(Subscription.token_hash == digest))


async def by_handle(session: AsyncSession, handle: str) -> Subscription | None:
    return await session.scalar(select(Subscription).where(Subscription.handle == handle))


async def states_of(session: AsyncSession, emails: Collection[str]) -> dict[str, str]:
    """{address: state} of those among `emails` that have a subscription."""
    rows = await session.execute(
        select(Subscription.email, Subscription.state).where(Subscription.email.in_(emails))
    )
    return dict(rows.all())


async def count_by_state(session: AsyncSession) -> dict[SubscriptionState, int]:
    """Subscriptions per state, every state present (0 when none)."""
    rows = await session.execute(
        select(Subscription.state, func.count()).group_by(Subscription.state)
    )
    found: Counter[SubscriptionState] = Counter()
    for state, count in rows:
        found[SubscriptionState(state)] = count
    return {state: found[state] for state in SubscriptionState}


async def emails_by_address(session: AsyncSession) -> list[tuple[str, SubscriptionState]]:
    result = await session.execute(
        select(Subscription.email, Subscription.state).order_by(Subscription.email)
    )
    return [(email, SubscriptionState(state)) for email, state in result]


async def delete_one(session: AsyncSession, subscription: Subscription) -> None:
    """Delete the row (its outbox rows are the outbox store's, deleted before)."""
    await session.execute(delete(Subscription).where(Subscription.id == subscription.id))


# -- unsubscribed addresses ---------------------------------------------------------------


async def keep_unsubscribed(
    session: AsyncSession, kept: str, link_hash: str, now: datetime
) -> None:
    """Record an address's keyed hash (replacing an older record of it)."""
    await forget_unsubscribed(session, kept)
    session.add(Unsubscribed(address_hash=kept, at=now, link_hash=link_hash))
    await session.flush()


async def forget_unsubscribed(session: AsyncSession, kept: str) -> None:
    await session.execute(delete(Unsubscribed).where(Unsubscribed.address_hash == kept))


async def is_unsubscribed(session: AsyncSession, kept: str) -> bool:
    return await session.get(Unsubscribed, kept) is not None


async def unsubscribed_among(session: AsyncSession, hashes: Iterable[str]) -> set[str]:
    found = await session.scalars(
        select(Unsubscribed.address_hash).where(Unsubscribed.address_hash.in_(list(hashes)))
    )
    return set(found.all())


async def unsubscribing_link(session: AsyncSession, digest: str) -> str | None:
    """The kept hash of the link that unsubscribed, if this is one."""
    return await session.scalar(
        select(Unsubscribed.link_hash).where(Unsubscribed.link_hash == digest)
    )


# -- who gets a claimed message, bounce scores ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    """The subscription a message goes to, as it was at claim time."""

    id: int
    email: str
    language: str
    tz: str
    state: SubscriptionState
    hard_bounces: int
    feed_generation: int
    handle: str


def _chunks(values: Collection[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def recipients(conn: AsyncConnection, ids: Collection[int]) -> dict[int, Recipient]:
    found: dict[int, Recipient] = {}
    s = Subscription
    for part in _chunks(ids):
        rows = await conn.execute(
            select(
                s.id,
                s.email,
                s.language,
                s.tz,
                s.state,
                s.hard_bounces,
                s.feed_generation,
                s.handle,
            ).where(s.id.in_(part))
        )
        for row in rows:
            found[row.id] = Recipient(**{**row._mapping, "state": SubscriptionState(row.state)})
    return found


async def bounce_scores(conn: AsyncConnection, ids: Iterable[int]) -> list[Any]:
    """(id, state, bounce_score, bounce_scored_at) of these subscriptions, locked."""
    s = Subscription
    rows = await conn.execute(
        select(s.id, s.state, s.bounce_score, s.bounce_scored_at)
        .where(s.id.in_(sorted(ids)))
        .with_for_update()
    )
    return list(rows.all())


async def set_bounce_scores(
    conn: AsyncConnection, changes: Sequence[Mapping[str, object]], now: datetime
) -> None:
    """Store new scores: rows of b_id, b_score, b_state and b_count (failures to add)."""
    s = Subscription
    await conn.execute(
        update(s)
        .where(s.id == bindparam("b_id"))
        .values(
            bounce_score=bindparam("b_score"),
            bounce_scored_at=now,
            state=bindparam("b_state"),
            hard_bounces=s.hard_bounces + bindparam("b_count"),
        ),
        list(changes),
    )


def stale_pending(now: datetime) -> Select[Any]:
    """The ids of pending sign-ups expired before `now` (for the purge)."""
    s = Subscription
    return select(s.id).where(
        s.state == SubscriptionState.PENDING.value,
        or_(
            and_(s.expires_at.is_not(None), s.expires_at < now),
            and_(s.expires_at.is_(None), s.created_at < now),
        ),
    )


async def delete_stale_pending(conn: AsyncConnection, now: datetime) -> int:
    """Delete pending sign-ups expired before `now` (their outbox rows first: the
    outbox store's `delete_for_subscriptions` with `stale_pending(now)`)."""
    s = Subscription
    result = await conn.execute(delete(s).where(s.id.in_(stale_pending(now))))
    return int(result.rowcount or 0)


# -- the planner's view: active subscribers, their groups and profiles ----------------------


def _in_group(group: Group | None) -> list[ColumnElement[bool]]:
    s = Subscription
    conditions: list[ColumnElement[bool]] = [s.state == SubscriptionState.ACTIVE.value]
    if group is not None:
        conditions += [s.tz == group[0], s.delivery_hour == group[1]]
    return conditions


#: The distinct (zone, hour) pairs by hopping through the index `ix_subscriptions_groups`
#: from one pair to the next: one probe per pair. PostgreSQL has no skip scan, and its
#: DISTINCT reads every entry of the index: some 100 ms with a million subscriptions.
_GROUPS_SKIPPING = text(
    """
WITH RECURSIVE found(tz, delivery_hour) AS (
    (SELECT tz, delivery_hour FROM subscriptions WHERE state = :active
     ORDER BY tz, delivery_hour LIMIT 1)
    UNION ALL
    SELECT later.tz, later.delivery_hour FROM found, LATERAL (
        SELECT tz, delivery_hour FROM subscriptions
        WHERE state = :active AND (tz, delivery_hour) > (found.tz, found.delivery_hour)
        ORDER BY tz, delivery_hour LIMIT 1
    ) AS later
)
SELECT tz, delivery_hour FROM found
"""
)


async def groups_in_use(conn: AsyncConnection) -> dict[str, tuple[int, ...]]:
    """The delivery hours in use in each time zone, among active subscriptions."""
    s = Subscription
    active = SubscriptionState.ACTIVE.value
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(_GROUPS_SKIPPING, {"active": active})
    else:  # SQLite skips through the index by itself
        rows = await conn.execute(select(s.tz, s.delivery_hour).where(s.state == active).distinct())
    hours: dict[str, set[int]] = {}
    for tz, hour in rows:
        hours.setdefault(tz, set()).add(hour)
    return {tz: tuple(sorted(found)) for tz, found in sorted(hours.items())}


def _active_planning_columns() -> Select[Any]:
    s = Subscription
    columns: list[Any] = [
        s.id,
        s.regions,
        s.kinds,
        s.leads,
        s.language,
        s.tz,
        s.delivery_hour,
        s.confirmed_at,
        s.created_at,
    ]
    return select(*columns).where(s.state == SubscriptionState.ACTIVE.value)


async def stream_active(conn: AsyncConnection, groups: Iterable[Group] | None) -> Any:
    """Active subscribers' planning columns, streamed (of these groups only, if given)."""
    query = _active_planning_columns()
    if groups is not None:
        s = Subscription
        query = query.where(tuple_(s.tz, s.delivery_hour).in_(sorted(set(groups))))
    return await conn.stream(query.execution_options(yield_per=5000))


async def active_after(conn: AsyncConnection, after_id: int, limit: int) -> Sequence[Any]:
    """The planning columns of the `limit` active subscribers with the lowest ids above
    `after_id`, in id order (one page of a walk that holds no read open between pages)."""
    query = (
        _active_planning_columns()
        .where(Subscription.id > after_id)
        .order_by(Subscription.id)
        .limit(limit)
    )
    return list((await conn.execute(query)).all())


_STORED = (
    cast(Subscription.regions, Text),
    cast(Subscription.kinds, Text),
    cast(Subscription.leads, Text),
)


async def id_bounds(conn: AsyncConnection) -> tuple[int | None, int | None]:
    """The lowest and highest subscription id (read from the primary key alone)."""
    low, high = (
        await conn.execute(select(func.min(Subscription.id), func.max(Subscription.id)))
    ).one()
    return low, high


async def stored_profiles(conn: AsyncConnection, group: Group | None) -> list[StoredProfile]:
    """The distinct stored preferences of the group's active subscribers (None: everybody)."""
    rows = await conn.execute(select(*_STORED).where(*_in_group(group)).distinct())
    return [(regions, kinds, leads) for regions, kinds, leads in rows]


@dataclass(frozen=True, slots=True)
class Members:
    """The subscribers a slot's `INSERT … SELECT` writes rows for: its id column and its
    conditions, so the outbox store's statement reads `subscriptions` directly."""

    id: ColumnElement[int]
    where: tuple[ColumnElement[bool], ...]


def slot_members(
    group: Group | None,
    low: int,
    high: int,
    wanted: Sequence[StoredProfile],
    active_before: datetime,
) -> Members:
    """Active subscribers of the group with ids in ``(low, high]``, one of the `wanted`
    stored profiles, and active (confirmed, or created) by `active_before`."""
    s = Subscription
    active_since = func.coalesce(s.confirmed_at, s.created_at, type_=UtcDateTime())
    return Members(
        s.id.expression,
        (
            *_in_group(group),
            s.id > low,
            s.id <= high,
            tuple_(*_STORED).in_(wanted),
            active_since <= literal(active_before, UtcDateTime()),
        ),
    )
