"""One PostgreSQL database per pytest-xdist worker, on the cluster scripts/test starts."""

from __future__ import annotations

import asyncio
import threading

import asyncpg
from sqlalchemy.engine import make_url


async def _create_if_missing(dsn: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Identifiers cannot be parameters; the name is built from the worker id below.
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def worker_database(url: str, worker: str) -> str:
    """The URL of `url`'s cluster with a database named for `worker`, created if missing.

    Runs in a thread of its own: the fixture asking for it may already be inside the
    test's event loop (an async fixture calling getfixturevalue).
    """
    if not worker.isalnum():
        raise ValueError(f"unexpected pytest-xdist worker id {worker!r}")
    base = make_url(url)
    name = f"{base.database}_{worker}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    failure: list[BaseException] = []

    def create() -> None:
        try:
            asyncio.run(_create_if_missing(dsn, name))
        except BaseException as exc:  # reported in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=create, name=f"create-{name}")
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive():
        raise TimeoutError(f"creating PostgreSQL database {name} took over 60 s")
    if failure:
        raise failure[0]
    return base.set(database=name).render_as_string(hide_password=False)
