"""A due slot's outbox rows, written by the database itself (``INSERT … SELECT``).

A slot (one lead of one event, for one (zone, hour) group or for everybody) may concern
every subscriber: a million rows. Loading a million subscribers into the process to
expand them costs minutes and gigabytes, so the process reads only what decides:

1. the distinct preference profiles (regions, kinds, leads, as stored) of the slot's
   group: a few dozen whatever the number of subscribers;
2. which of them want the slot (`due_reminders.wants`, `due_reminders.follows`: the same rules as
   `SubscriberIndex.expand`);
3. then one ``INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING`` per range of
   subscription ids writes the rows of the subscribers with those profiles who were
   active before the moment, each range in its own short transaction.

The rows are those `SubscriberIndex.expand` would make, with the same dedupe keys, so
planning twice, or by two instances at once, still adds each message once. A profile
that changes between steps 1 and 3 is not matched by step 3 (its stored text differs),
and a subscriber who signed up in between with a wanted profile is matched, as they
would have been a moment later.

The statements are the stores': profiles and ids from `reminders.subscription_store`
(`stored_profiles`, `id_bounds`, `slot_members`), the insert from
`reminders.outbox_store.enqueue_slot`, which selects from `subscriptions` directly.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from feeds.timeline import Event
from reminders import outbox_store, subscription_store
from reminders.due_reminders import Slot, wants
from reminders.subscriber_profiles import Group, Profile, follows, profile_of
from reminders.subscription_store import StoredProfile

log = logging.getLogger(__name__)

#: Subscription ids per INSERT (and per transaction): a few seconds of work at most, so
#: a dispatcher sees the first rows early and a crash loses little.
IDS_PER_STATEMENT = 50_000


@dataclass(frozen=True, slots=True)
class IdRange:
    low: int  # exclusive
    high: int  # inclusive


async def id_ranges(conn: AsyncConnection, step: int = IDS_PER_STATEMENT) -> list[IdRange]:
    """The subscription ids in ranges of `step` (read from the primary key alone)."""
    low, high = await subscription_store.id_bounds(conn)
    if low is None or high is None:
        return []
    return [IdRange(start - 1, min(start - 1 + step, high)) for start in range(low, high + 1, step)]


def _parse(stored: StoredProfile) -> Profile:
    regions, kinds, leads = (json.loads(text) if text else None for text in stored)
    return profile_of(regions or (), kinds or (), leads or ())


async def profiles(conn: AsyncConnection, group: Group | None) -> dict[StoredProfile, Profile]:
    """The distinct preferences of the group's active subscribers (None: of everybody)."""
    found: dict[StoredProfile, Profile] = {}
    for stored in await subscription_store.stored_profiles(conn, group):
        leads = stored[2]
        try:
            found[stored] = _parse(stored)
        except (ValueError, TypeError) as exc:
            # Preferences, never an address: the subscriptions themselves stay unnamed.
            log.warning("subscriptions with leads %s skipped by the planner: %s", leads, exc)
    return found


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
        for ids in self._ranges:
            members = subscription_store.slot_members(
                slot.group, ids.low, ids.high, wanted, slot.due_at
            )
            async with self._engine.begin() as conn:
                added += await outbox_store.enqueue_slot(
                    conn, slot, payload, members, self._now, self._host
                )
        return added
