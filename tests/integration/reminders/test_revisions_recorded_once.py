"""Instances that load the same timeline at once record each revision exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import load_timeline
from feeds.history import Effect
from reminders.db.engine import create_engine, create_schema, session_factory
from reminders.revision_store import load_history, load_revisions, record_timeline

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2025, 1, 1, tzinfo=UTC)
INSTANCES = 4


@pytest.mark.anyio
async def test_simultaneous_loads_record_each_event_once(empty_database_url: str) -> None:
    timeline = load_timeline(ROOT / "config" / "timeline.toml")
    engines = [create_engine(empty_database_url) for _ in range(INSTANCES)]
    try:
        await create_schema(engines[0])
        results = await asyncio.gather(
            *(record_timeline(session_factory(engine), timeline, NOW) for engine in engines)
        )
        recorded = sorted(change.event_id for _, changes in results for change in changes)
        assert recorded == sorted(event.id for event in timeline.events)
        revisions = [revisions for revisions, _ in results]
        assert all(r == revisions[0] for r in revisions)
        async with session_factory(engines[0])() as session:
            assert await load_revisions(session) == revisions[0]
            history = await load_history(session)
        assert {event_id: [e.effect for e in found] for event_id, found in history.items()} == {
            event.id: [Effect.ADDED] for event in timeline.events
        }
        assert [engine.pool.checkedout() for engine in engines] == [0] * INSTANCES
    finally:
        for engine in engines:
            await engine.dispose()
