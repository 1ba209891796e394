"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from reminders.db.engine import create_engine
from reminders.db.migrate import head_revision, require_current, upgrade
from reminders.db.models import Base
from reminders.service import Service, StartupError
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
        return
    yield request.getfixturevalue("postgres_url")


@pytest.mark.anyio
async def test_upgrade_builds_the_schema_of_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await upgrade(database_url)
        await require_current(engine, database_url)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert differences == []
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await engine.dispose()


@pytest.mark.anyio
async def test_service_on_postgresql_refuses_an_old_schema(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = create_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()
    service = Service.create(
        Settings(timeline=ROOT / "config" / "timeline.toml", database_url=postgres_url)
    )
    with pytest.raises(StartupError) as caught:
        await service.open()
    await service.close()
    assert str(caught.value) == (
        f"the database schema is at nothing, the code needs {head_revision(postgres_url)}: "
        "run `gcmcal db upgrade` (with the same GCMCAL_DATABASE_URL) first"
    )


def test_commands_on_an_old_postgresql_schema_say_what_to_run(postgres_url: str) -> None:
    import asyncio

    from click.testing import CliRunner

    from reminders.cli import main

    async def empty_database() -> None:
        engine = create_engine(postgres_url)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await engine.dispose()

    asyncio.run(empty_database())
    env = {
        "GCMCAL_DATABASE_URL": postgres_url,
        "GCMCAL_TIMELINE": str(ROOT / "config" / "timeline.toml"),
    }
    outputs = [
        CliRunner(env=env).invoke(main, command)
        for command in (["subscriptions", "list"], ["preview", "--at", "2025-03-17T08:00Z"])
    ]
    expected = (
        f"Error: the database schema is at nothing, the code needs {head_revision(postgres_url)}: "
        "run `gcmcal db upgrade` (with the same GCMCAL_DATABASE_URL) first\n"
    )
    assert [(r.exit_code, r.output) for r in outputs] == [(1, expected), (1, expected)]


@pytest.mark.anyio
async def test_upgrade_gives_existing_subscriptions_distinct_link_handles(
    database_url: str,
) -> None:
    from alembic import command

    from reminders.db.migrate import alembic_config

    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await asyncio.to_thread(command.upgrade, alembic_config(database_url), "0006")
        async with engine.begin() as connection:
            for n in range(1, 26):  # more than one row, fewer than a batch
                await connection.execute(
                    text(
                        "INSERT INTO subscriptions (id, email, regions, kinds, leads, language,"
                        " tz, delivery_hour, state, token_hash, feed_generation, hard_bounces,"
                        " created_at) VALUES (:id, :email, '[]', '[]', '[]', 'en', 'UTC', 9,"
                        " 'active', :token_hash, 0, 0, '2026-01-01 00:00:00+00:00')"
                    ),
                    {"id": n, "email": f"person{n}@example.org", "token_hash": f"{n:064d}"},
                )
        await upgrade(database_url)
        async with engine.connect() as connection:
            handles = (await connection.execute(text("SELECT handle FROM subscriptions"))).all()
        assert len({handle for (handle,) in handles}) == 25
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", handle) for (handle,) in handles)
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await engine.dispose()
