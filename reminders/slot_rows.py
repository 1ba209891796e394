"""A due slot's outbox rows, written by the database itself (``INSERT … SELECT``).

A slot (one lead of one event, for one (zone, hour) group or for everybody) may concern
every subscriber: a million rows. Loading a million subscribers into the process to
expand them costs minutes and gigabytes, so the process reads only what decides:

1. the distinct preference profiles (regions, kinds, leads, as stored) of the slot's
   group: a few dozen whatever the number of subscribers;
2. which of them want the slot (`planner.wants`, `planner.follows`: the same rules as
   `SubscriberIndex.expand`);
3. then one ``INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING`` per range of
   subscription ids writes the rows of the subscribers with those profiles who were
   active before the moment, each range in its own short transaction.

The rows are those `SubscriberIndex.expand` would make, with the same dedupe keys, so
planning twice, or by two instances at once, still adds each message once. A profile
that changes between steps 1 and 3 is not matched by step 3 (its stored text differs),
and a subscriber who signed up in between with a wanted profile is matched, as they
would have been a moment later.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Text, cast, func, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from feeds.timeline import Event
from reminders.db.models import Base, UtcDateTime
from reminders.planner import Group, Profile, Slot, dedupe_suffix, follows, profile_of, wants
from reminders.states import OutboxState, SubscriptionState

log = logging.getLogger(__name__)

SUBSCRIPTIONS: Table = Base.metadata.tables["subscriptions"]
OUTBOX: Table = Base.metadata.tables["outbox"]

#: Subscription ids per INSERT (and per transaction): a few seconds of work at most, so
#: a dispatcher sees the first rows early and a crash loses little.
IDS_PER_STATEMENT = 50_000

StoredProfile = tuple[str, str, str]  # regions, kinds, leads: the stored JSON text

#: The outbox columns the statement fills, in the order of its SELECT.
COLUMNS = (
    "dedupe_key",
    "subscription_id",
    "kind",
    "event_id",
    "lead",
    "revision",
    "payload",
    "due_at",
    "not_after",
    "state",
    "attempts",
    "message_id",
    "created_at",
)

_S = SUBSCRIPTIONS.c
_STORED = (cast(_S.regions, Text), cast(_S.kinds, Text), cast(_S.leads, Text))


@dataclass(frozen=True, slots=True)
class IdRange:
    low: int  # exclusive
    high: int  # inclusive


async def id_ranges(conn: AsyncConnection, step: int = IDS_PER_STATEMENT) -> list[IdRange]:
    """The subscription ids in ranges of `step` (read from the primary key alone)."""
    low, high = (await conn.execute(select(func.min(_S.id), func.max(_S.id)))).one()
    if low is None or high is None:
        return []
    return [IdRange(start - 1, min(start - 1 + step, high)) for start in range(low, high + 1, step)]


def _parse(stored: StoredProfile) -> Profile:
    regions, kinds, leads = (json.loads(text) if text else None for text in stored)
    return profile_of(regions or (), kinds or (), leads or ())


def _in_group(group: Group | None) -> list[ColumnElement[bool]]:
    conditions = [_S.state == SubscriptionState.ACTIVE.value]
    if group is not None:
        conditions += [_S.tz == group[0], _S.delivery_hour == group[1]]
    return conditions


async def profiles(conn: AsyncConnection, group: Group | None) -> dict[StoredProfile, Profile]:
    """The distinct preferences of the group's active subscribers (None: of everybody)."""
    rows = await conn.execute(select(*_STORED).where(*_in_group(group)).distinct())
    found: dict[StoredProfile, Profile] = {}
    for regions, kinds, leads in rows:
        stored = (regions, kinds, leads)
        try:
            found[stored] = _parse(stored)
        except (ValueError, TypeError) as exc:
            # Preferences, never an address: the subscriptions themselves stay unnamed.
            log.warning("subscriptions with leads %s skipped by the planner: %s", leads, exc)
    return found


def _message_id(dialect: str, host: str) -> ColumnElement[Any]:
    """``<32 hex digits@host>``, random per row, as `outbox.new_message_id` makes them."""
    if dialect == "postgresql":
        digits = func.replace(cast(func.gen_random_uuid(), Text), "-", "")
    else:
        digits = func.lower(func.hex(func.randomblob(16)))
    return literal("<") + digits + literal(f"@{host}>")


def _insert(
    dialect: str,
    slot: Slot,
    payload: dict[str, Any],
    wanted: list[StoredProfile],
    ids: IdRange,
    now: datetime,
    host: str,
) -> Any:
    suffix = dedupe_suffix(slot.event_id, slot.kind, slot.lead.code, slot.revision)
    active_since = func.coalesce(_S.confirmed_at, _S.created_at, type_=UtcDateTime())
    rows = select(
        cast(_S.id, Text) + literal(suffix),
        _S.id,
        literal(slot.kind.value),
        literal(slot.event_id),
        literal(slot.lead.code),
        literal(slot.revision),
        literal(payload, OUTBOX.c.payload.type),
        literal(slot.due_at, UtcDateTime()),
        literal(slot.not_after, UtcDateTime()),
        literal(OutboxState.QUEUED.value),
        literal(0),
        _message_id(dialect, host),
        literal(now, UtcDateTime()),
    ).where(
        *_in_group(slot.group),
        _S.id > ids.low,
        _S.id <= ids.high,
        tuple_(*_STORED).in_(wanted),
        active_since <= literal(slot.due_at, UtcDateTime()),
    )
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(OUTBOX)
        .from_select(COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )


class SlotWriter:
    """Writes the rows of the slots of one planning window (profiles read once per group)."""

    def __init__(self, engine: AsyncEngine, host: str, now: datetime) -> None:
        self._engine = engine
        self._host = host
        self._now = now
        self._profiles: dict[Group | None, dict[StoredProfile, Profile]] = {}
        self._ranges: list[IdRange] | None = None

    async def write(self, slot: Slot, event: Event, payload: dict[str, Any]) -> int:
        """Queue the slot for every subscriber it concerns; how many rows were new."""
        async with self._engine.connect() as conn:
            if slot.group not in self._profiles:
                self._profiles[slot.group] = await profiles(conn, slot.group)
            if self._ranges is None:
                self._ranges = await id_ranges(conn)
        wanted = [
            stored
            for stored, profile in self._profiles[slot.group].items()
            if wants(profile, slot) and follows(profile, event)
        ]
        if not wanted:
            return 0
        added = 0
        dialect = self._engine.dialect.name
        for ids in self._ranges:
            statement = _insert(dialect, slot, payload, wanted, ids, self._now, self._host)
            async with self._engine.begin() as conn:
                added += (await conn.execute(statement)).rowcount
        return added
