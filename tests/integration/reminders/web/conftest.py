"""A service on SQLite and on PostgreSQL (the `db` fixture) with a settable clock, and an
HTTP client for its pages."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from reminders.service import Service
from reminders.settings import Settings
from tests.integration.reminders.web.web_support import BASE_URL, NOW, ROOT, SECRET, Clock
from tests.support.db_backends import Database, db

__all__ = ["db"]  # the fixture, for the tests in this folder


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def service(tmp_path: Path, clock: Clock, db: Database) -> AsyncIterator[Service]:
    timeline = tmp_path / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", timeline)
    settings = Settings(
        timeline=timeline,
        database_url=db.url,
        base_url=BASE_URL,
        outbox=tmp_path / "outbox",
        secret_key=SECRET,
    )
    service = Service.create(settings, clock)
    await service.open()
    yield service
    await service.close()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.asgi())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client
