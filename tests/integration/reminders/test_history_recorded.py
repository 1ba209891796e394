"""Each new revision of an event, and each removal, is kept in the change history."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import when as w
from feeds.history import SERVED_FIELDS, Effect, FieldChange, HistoryEntry
from reminders.db.engine import create_engine, create_schema, session_factory
from reminders.revision_store import load_history, record_timeline
from tests.support.reminder_fixtures import event, replaced, timeline

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 2, 1, tzinfo=UTC)
T2 = datetime(2024, 3, 1, tzinfo=UTC)
T3 = datetime(2024, 4, 1, tzinfo=UTC)


@pytest.mark.anyio
async def test_history_added_confirmed_text_removed_and_back(tmp_path: Path) -> None:
    first = timeline(event("review", "2024-05"), event("talk", "2024-06-02"))
    second = replaced(first, "review", when=w.parse("2024-05-13"))
    second = replaced(second, "talk", descriptions={"en": "Outline published."})
    third = dataclasses.replace(second, events=second.events[:1])
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        await create_schema(engine)
        sessions = session_factory(engine)
        for tl, now in ((first, T0), (second, T1), (third, T2), (second, T3)):
            await record_timeline(sessions, tl, now)
            await record_timeline(sessions, tl, now)  # a second instance: nothing more
        async with sessions() as session:
            history = await load_history(session)
    finally:
        await engine.dispose()

    talk = second.event("talk").published()  # type: ignore[union-attr]
    review_0 = first.event("review").published()  # type: ignore[union-attr]
    assert history == {
        "review": (
            HistoryEntry("review", 0, T0, Effect.ADDED, (), review_0),
            HistoryEntry(
                "review",
                1,
                T1,
                Effect.CONFIRMED,
                (FieldChange("date", "2024-05", "2024-05-13"),),
                second.event("review").published(),  # type: ignore[union-attr]
            ),
        ),
        "talk": (
            HistoryEntry(
                "talk",
                0,
                T0,
                Effect.ADDED,
                (),
                first.event("talk").published(),  # type: ignore[union-attr]
            ),
            HistoryEntry("talk", 1, T1, Effect.TEXT, (), talk),
            HistoryEntry("talk", 1, T2, Effect.REMOVED, (), talk),
            HistoryEntry("talk", 1, T3, Effect.ADDED, (), talk),
        ),
    }


@pytest.mark.anyio
async def test_history_with_served_fields_keeps_region_kind_and_titles(
    empty_database_url: str,
) -> None:
    first = timeline(event("review", "2024-05"))
    engine = create_engine(empty_database_url)
    try:
        await create_schema(engine)
        sessions = session_factory(engine)
        await record_timeline(sessions, first, T0)
        async with sessions() as session:
            history = await load_history(session, fields=SERVED_FIELDS)
    finally:
        await engine.dispose()

    published = first.event("review").published()  # type: ignore[union-attr]
    assert history == {
        "review": (
            HistoryEntry(
                "review",
                0,
                T0,
                Effect.ADDED,
                (),
                {key: published[key] for key in ("kind", "region", "titles")},
            ),
        )
    }
