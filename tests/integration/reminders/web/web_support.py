"""What the web tests share: the clock, the moment, the secret, a service on a timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from reminders.service import Service
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[4]
NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
BASE_URL = "https://gcm.example.org"
SECRET = "integration-test-secret"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def client_on(
    folder: Path, timeline_text: str, now: datetime
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a service on SQLite in `folder` serving `timeline_text`, its clock at `now`."""
    timeline = folder / "timeline.toml"
    timeline.write_text(timeline_text, encoding="utf-8")
    settings = Settings(
        timeline=timeline,
        database_url=f"sqlite+aiosqlite:///{folder / 'db.sqlite'}",
        base_url=BASE_URL,
        outbox=folder / "outbox",
        secret_key=SECRET,
    )
    service = Service.create(settings, Clock(now))
    await service.open()
    transport = httpx.ASGITransport(app=service.asgi())
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client
    finally:
        await service.close()
