"""Claiming due outbox rows: leased to one dispatcher, bound into one message per subscriber.

Row life cycle (`OutboxState`):

    queued ──claim──► sending ──sent──► sent
       ▲                 │  ├──temporary──► retry_wait ──claim──► sending …
       │                 │  └──permanent / gave up / too late──► failed
       └─ (lease expired: claimed again, same Message-ID)
    queued / retry_wait / expired sending ──withdraw──► withdrawn

- `due_at` is when the row is next due: the planned time at first, then the time of
  the next attempt after a temporary failure (one index, `(state, due_at)`, serves
  every claim).
- Claiming is lease-based. One transaction picks due rows (`FOR UPDATE SKIP LOCKED`
  on PostgreSQL; SQLite has one writer at a time, `BEGIN IMMEDIATE`), marks them
  `sending` with an owner and an expiry (`UPDATE … RETURNING`), and commits *before*
  any SMTP traffic. A dispatcher that dies leaves its rows leased; once the lease
  expires anybody claims them again. Only those rows can go out twice, and they keep
  their Message-ID, so the recipient's mail program can tell.
- Rows of one subscriber claimed together for the first time are bound into one
  message: they all take the Message-ID of the first of them, in the claim
  transaction. From then on a message is "the rows sharing a Message-ID", across
  retries and crashes.
- Rows whose `not_after` has passed when they are claimed fail ("too late: the event
  has started") instead of going out.
- SENT rows are never touched again except by `reminders.purge`.

The statements are `reminders.outbox_store`'s; what happens after the attempt is
`reminders.send_records`'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store, subscription_store
from reminders.states import MessageKind, OutboxState, SubscriptionState
from reminders.subscription_store import Recipient

#: Kinds that are about one person's own subscription: never merged with other mail,
#: and sent whatever the subscription's state (a confirmation goes to a pending one).
TRANSACTIONAL = frozenset({MessageKind.CONFIRM_SUBSCRIPTION, MessageKind.MANAGE_LINK})
NOT_ACTIVE = "withdrawn: subscription not active"


@dataclass(frozen=True, slots=True)
class Item:
    """One claimed outbox row."""

    id: int
    subscription_id: int
    kind: MessageKind
    event_id: str | None
    lead: str | None
    revision: int
    payload: Mapping[str, Any]
    due_at: datetime
    not_after: datetime | None
    attempts: int
    message_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Envelope:
    """One email to send: the rows sharing a Message-ID, and whom they go to."""

    message_id: str
    recipient: Recipient
    items: tuple[Item, ...]
    lease_expires_at: datetime

    @property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True, slots=True)
class Claim:
    owner: str
    envelopes: tuple[Envelope, ...]
    too_late: tuple[int, ...]  # row ids failed because not_after had passed
    withdrawn: tuple[int, ...]  # row ids whose subscription is no longer active

    @property
    def rows(self) -> int:
        return sum(len(envelope.items) for envelope in self.envelopes)


def _item(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        subscription_id=row.subscription_id,
        kind=MessageKind(row.kind),
        event_id=row.event_id,
        lead=row.lead,
        revision=row.revision,
        payload=row.payload or {},
        due_at=row.due_at,
        not_after=row.not_after,
        attempts=row.attempts,
        message_id=row.message_id,
        created_at=row.created_at,
    )


async def claim(
    engine: AsyncEngine,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    kinds: Collection[str] | None = None,
) -> Claim:
    """Lease up to `limit` due rows to `owner` and commit; return them as envelopes.

    Expired leases first (the oldest work), then queued and retry_wait rows in due
    order. Rows of subscriptions no longer active are withdrawn here (transactional
    kinds excepted), rows past `not_after` fail. `kinds`, when given, leases only rows
    of those kinds (the worker's link lane).
    """
    expires = now + lease
    async with engine.begin() as conn:
        expired = await outbox_store.lease(
            conn, expired=True, kinds=kinds, limit=limit, owner=owner, now=now, expires=expires
        )
        fresh: list[Row[Any]] = []
        if len(expired) < limit:
            fresh = await outbox_store.lease(
                conn,
                expired=False,
                kinds=kinds,
                limit=limit - len(expired),
                owner=owner,
                now=now,
                expires=expires,
            )
        too_late = [row.id for row in (*expired, *fresh) if row.state == OutboxState.FAILED]
        leased = [row for row in (*expired, *fresh) if row.state == OutboxState.SENDING]
        recipients = await subscription_store.recipients(
            conn, {row.subscription_id for row in leased}
        )
        fresh_ids = {row.id for row in fresh}
        withdrawn: list[int] = []
        earlier: list[Item] = []  # sent before (retry, expired lease): keep their message
        first_time: list[Item] = []
        for row in leased:
            item = _item(row)
            if not _deliverable(item, recipients):
                withdrawn.append(item.id)
            elif item.id in fresh_ids and item.attempts == 0:
                first_time.append(item)
            else:
                earlier.append(item)
        if withdrawn:
            await outbox_store.withdraw_rows(conn, withdrawn, NOT_ACTIVE)
        rebound = _bind(first_time)
        if rebound:
            await outbox_store.set_message_ids(conn, rebound)
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in earlier:
        groups[item.message_id].append(item)
    for item in first_time:
        groups[rebound.get(item.id, item.message_id)].append(item)
    envelopes = tuple(
        Envelope(
            message_id,
            recipients[group[0].subscription_id],
            tuple(sorted(group, key=lambda item: (item.due_at, item.id))),
            expires,
        )
        for message_id, group in groups.items()
    )
    return Claim(owner, envelopes, tuple(too_late), tuple(withdrawn))


def _deliverable(item: Item, recipients: Mapping[int, Recipient]) -> bool:
    """The subscription still exists and is active (any state for transactional mail)."""
    recipient = recipients.get(item.subscription_id)
    return recipient is not None and (
        recipient.state == SubscriptionState.ACTIVE or item.kind in TRANSACTIONAL
    )


def _bind(items: Sequence[Item]) -> dict[int, str]:
    """New Message-IDs for first-time rows merged into one message per subscriber.

    Transactional kinds always go alone. Returns {row id: Message-ID} for the rows
    whose Message-ID changes (those joining the first row of their subscriber).
    """
    first: dict[int, Item] = {}
    rebound: dict[int, str] = {}
    for item in sorted(items, key=lambda item: item.id):
        if item.kind in TRANSACTIONAL:
            continue
        leader = first.setdefault(item.subscription_id, item)
        if leader is not item:
            rebound[item.id] = leader.message_id
    return rebound


async def release(engine: AsyncEngine, owner: str, item_ids: Collection[int]) -> int:
    """Give leased rows back to the queue untouched (the circuit opened before they went).

    They keep their due time and Message-ID; no attempt is counted.
    """
    async with engine.begin() as conn:
        return await outbox_store.release(conn, owner, item_ids)
