"""A due slot's rows written by the database (`reminders.slot_rows`), on SQLite and PostgreSQL.

They must be exactly the rows `SubscriberIndex.expand` plans in the process (same dedupe
keys, same columns), and writing a slot again must add nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from feeds.loader import load_timeline
from feeds.timeline import Event
from reminders.due_reminders import Planned, Slot, SubscriberIndex, payload
from reminders.leads import parse_lead
from reminders.outbox_store import SLOT_COLUMNS as COLUMNS
from reminders.planning_tick import load_subscribers
from reminders.slot_rows import SlotWriter
from reminders.states import MessageKind, SubscriptionState
from reminders.subscription_store import groups_in_use
from tests.support.sending import SUBSCRIPTIONS, add_subscriptions, backend, database, outbox_rows

ROOT = Path(__file__).resolve().parents[3]
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")
HEARING = "latin-america-caribbean-2024-hearing"  # 2025-03-18, America/Santiago
VAGUE = "global-2030-imrf"  # "2030": an "expected" notice
DUE = datetime(2025, 3, 17, 8, 0, tzinfo=UTC)  # "1d" at 09:00 in Zurich
HOST = "gcm.example.org"

#: (regions, kinds, leads, tz, state, confirmed days before DUE) per subscriber.
SUBSCRIBERS: list[tuple[list[str], list[str], list[str], str, SubscriptionState, int]] = [
    ([], [], ["1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),
    (["latin-america-caribbean"], [], ["3w", "1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),
    (["africa"], [], ["1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),  # other region
    (
        [],
        ["multi-stakeholder-hearing"],
        ["1d", "1h"],
        "Europe/Zurich",
        SubscriptionState.ACTIVE,
        30,
    ),
    ([], ["regional-review"], ["1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),  # other kind
    ([], [], ["3w"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),  # other lead
    ([], [], ["1d"], "Europe/Zurich", SubscriptionState.PAUSED, 30),
    ([], [], ["1d"], "Europe/Zurich", SubscriptionState.ACTIVE, -1),  # active after the moment
    ([], [], ["1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 0),  # active at the moment
    ([], [], ["1d"], "America/Santiago", SubscriptionState.ACTIVE, 30),  # other group
    ([], [], ["8w", "1d"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),
    ([], [], ["soon"], "Europe/Zurich", SubscriptionState.ACTIVE, 30),  # unreadable lead
]

#: Compared with the plan; a Message-ID is random and `created_at` is the writer's now.
COMPARED = tuple(column for column in COLUMNS if column not in ("message_id", "created_at"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with database(backend(request, tmp_path)) as engine:
        emails = [f"person{n}@example.org" for n in range(len(SUBSCRIBERS))]
        ids = await add_subscriptions(engine, emails, DUE - timedelta(days=60))
        async with engine.begin() as conn:
            for sid, (regions, kinds, leads, tz, state, days) in zip(ids, SUBSCRIBERS, strict=True):
                values = {
                    "regions": regions,
                    "kinds": kinds,
                    "leads": leads,
                    "tz": tz,
                    "state": state.value,
                    "confirmed_at": DUE - timedelta(days=days),
                }
                await conn.execute(update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == sid), values)
        yield engine


def event(event_id: str) -> Event:
    found = TIMELINE.event(event_id)
    assert found is not None
    return found


def slot(event_id: str, kind: MessageKind, lead: str, group: tuple[str, int] | None) -> Slot:
    start = event(event_id).starts_at.astimezone(UTC)
    return Slot(event_id, kind, parse_lead(lead), group, DUE, start, 2)


async def expanded(engine: AsyncEngine, due: Slot) -> set[tuple[Any, ...]]:
    """The rows `SubscriberIndex.expand` plans in the process for the slot."""
    async with engine.connect() as conn:
        index = SubscriberIndex(await load_subscribers(conn))
    items: list[Planned] = list(index.expand(due, event(due.event_id)))
    return {
        (
            item.dedupe_key,
            item.subscription_id,
            item.kind.value,
            item.event_id,
            item.lead,
            item.revision,
            json.dumps(item.payload, sort_keys=True),
            item.due_at,
            item.not_after,
            "queued",
            0,
        )
        for item in items
    }


def stored(rows: list[Any]) -> set[tuple[Any, ...]]:
    return {
        tuple(
            json.dumps(row.payload, sort_keys=True) if column == "payload" else getattr(row, column)
            for column in COMPARED
        )
        for row in rows
    }


@pytest.mark.anyio
@pytest.mark.parametrize(
    "due",
    [
        slot(HEARING, MessageKind.REMINDER, "1d", ("Europe/Zurich", 9)),
        slot(HEARING, MessageKind.REMINDER, "1h", None),
        slot(VAGUE, MessageKind.EXPECTED, "8w", ("Europe/Zurich", 9)),
    ],
    ids=["day-lead-in-a-group", "hour-lead-for-everybody", "expected-notice"],
)
async def test_slot_rows_written_by_database_match_expanded_plan(
    engine: AsyncEngine, due: Slot, caplog: pytest.LogCaptureFixture
) -> None:
    wanted = await expanded(engine, due)
    concerned = event(due.event_id)
    with caplog.at_level(logging.WARNING, logger="reminders.slot_rows"):
        added = await SlotWriter(engine, HOST, DUE).write(due, concerned, payload(due, concerned))
    again = await SlotWriter(engine, HOST, DUE).write(due, concerned, payload(due, concerned))
    rows = await outbox_rows(engine)
    assert (added, again, stored(rows)) == (len(wanted), 0, wanted)
    assert len(wanted) > 0
    shapes = [re.fullmatch(rf"<[0-9a-f]{{32}}@{HOST}>", row.message_id) for row in rows]
    assert None not in shapes
    assert len({row.message_id for row in rows}) == len(rows)
    skipped = [r.getMessage() for r in caplog.records if r.name == "reminders.slot_rows"]
    assert (
        skipped
        == [
            'subscriptions with leads ["soon"] skipped by the planner: '
            "'soon' is not a lead (write a number and w, d or h: 3w, 1d, 1h)"
        ]
        * 2
    )


@pytest.mark.anyio
async def test_groups_in_use_each_active_zone_and_hour_once(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id % 2 == 0).values(delivery_hour=7)
        )
        paused = SUBSCRIPTIONS.c.state == SubscriptionState.PAUSED.value
        await conn.execute(update(SUBSCRIPTIONS).where(paused).values(delivery_hour=23))
        found = await groups_in_use(conn)
    assert found == {"America/Santiago": (7,), "Europe/Zurich": (7, 9)}
