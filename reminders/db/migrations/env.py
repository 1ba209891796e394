"""Alembic environment: runs migrations over the service's async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from reminders.db.engine import create_engine, is_sqlite
from reminders.db.models import Base

config = context.config
URL = config.get_main_option("sqlalchemy.url") or ""


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=is_sqlite(URL),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(URL)
    try:
        async with engine.connect() as async_connection:
            await async_connection.run_sync(_run)
            await async_connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=URL, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    # Called from `upgrade_engine` inside the service's own event loop.
    _run(config.attributes["connection"])
else:
    asyncio.run(_run_online())
