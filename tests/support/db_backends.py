"""One database fixture across backends (APScheduler's tests/conftest.py does the same).

`db` is parametrised over a SQLite file in tmp_path and the PostgreSQL of scripts/test
(the `postgres_url` fixture); the schema is made by the migrations (`create_schema`),
on PostgreSQL from a clean slate (our tables and Alembic's version table dropped before
and after). At teardown it asserts that the test gave back every connection it took from
the pool.

Use it from a conftest.py (or a test module) by importing it::

    from tests.support.db_backends import db  # noqa: F401  (a fixture)

and narrow it to one backend with indirect parametrisation::

    @pytest.mark.parametrize("db", ["postgresql"], indirect=True)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders.db.engine import create_engine, create_schema
from reminders.db.models import Base

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" or "postgresql"
    url: str  # for subprocesses and further engines
    engine: AsyncEngine


async def clean_slate(url: str) -> None:
    """Drop our tables and Alembic's version table (the PostgreSQL database is shared)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    backend = str(request.param)
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
        await clean_slate(url)
    engine = create_engine(url)
    try:
        await create_schema(engine)
        yield Database(backend, url, engine)
        leaked = engine.pool.checkedout()
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await clean_slate(url)  # leave the shared database as we found it
    assert leaked == 0, f"{leaked} database connection(s) still checked out after the test"
