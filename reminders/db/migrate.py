"""Schema migrations (Alembic), driven from Python rather than an alembic.ini."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database is behind the code; the message names the command to run."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def upgrade(url: str) -> None:
    """Bring the database to the newest schema (what `gcmcal db upgrade` runs)."""
    # Alembic's env.py starts its own event loop; keep it off ours.
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


async def upgrade_engine(engine: AsyncEngine) -> None:
    """The same, over a connection of `engine` (in-memory databases, tests)."""

    def run(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def require_current(engine: AsyncEngine, url: str) -> None:
    current, head = await current_revision(engine), head_revision(url)
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `gcmcal db upgrade` (with the same GCMCAL_DATABASE_URL) first"
        )
