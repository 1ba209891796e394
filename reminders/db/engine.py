"""Connecting to the database: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from reminders.db.migrate import require_current, upgrade_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine; on SQLite every transaction takes the write lock up front.

    SQLite's default deferred transactions fail with "database is locked" when two
    writers upgrade at once; `BEGIN IMMEDIATE` plus a busy timeout makes them queue.
    """
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, **options)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema through the migrations."""
    await upgrade_engine(engine)


async def prepare_schema(engine: AsyncEngine) -> None:
    """At start: the embedded SQLite default upgrades itself; PostgreSQL must be current.

    Several instances share a PostgreSQL database, so its upgrades are an operator's
    step (`gcmcal db upgrade`) rather than a race between starting processes.
    """
    url = engine.url.render_as_string(hide_password=False)
    if is_sqlite(url):
        await upgrade_engine(engine)
    else:
        await require_current(engine, url)
