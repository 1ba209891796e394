"""Confirmation and link emails leave at once: with default settings (a 60 s tick) they
reach the SMTP server within seconds of the form post, through the worker's link lane."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reminders.service import Service, worker_in_service
from reminders.settings import Settings
from tests.support.sending import Sink, smtp_server

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[3]
BASE_URL = "https://gcm.example.org"
SIGN_UPS = 20
#: Bound on the wait for the last message (the loop polls every 0.1 s).
WAIT_SECONDS = 60.0


@dataclass
class TimedSink(Sink):
    arrived: dict[str, float] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            self.arrived.setdefault(address, time.monotonic())
        return await super().handle_DATA(server, session, envelope)


async def test_confirmation_emails_leave_within_seconds(tmp_path: Path) -> None:
    sink = TimedSink()
    async with smtp_server(sink) as port:
        settings = Settings(
            timeline=ROOT / "config" / "timeline.toml",
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
            base_url=BASE_URL,
            smtp_host="127.0.0.1",
            smtp_port=port,
            secret_key="latency-test-secret",
        )
        assert settings.tick_seconds == 60.0  # the default: the tick alone would be late
        service = Service.create(settings)
        await service.open()
        worker = worker_in_service(service)
        worker.start()
        posted: dict[str, float] = {}
        try:
            app = service.asgi()
            for n in range(SIGN_UPS):
                # Each from its own client address, as different people would.
                transport = httpx.ASGITransport(app=app, client=(f"192.0.2.{n + 1}", 5000))
                async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                    address = f"person{n}@example.org"
                    posted[address] = time.monotonic()
                    response = await client.post("/subscribe", data={"email": address})
                    assert response.status_code == 200
                await asyncio.sleep(0.2)
            for _ in range(int(WAIT_SECONDS / 0.1)):
                if len(sink.arrived) == SIGN_UPS:
                    break
                await asyncio.sleep(0.1)
        finally:
            await worker.stop()
            await service.close()
    delays = sorted(sink.arrived[a] - posted[a] for a in posted if a in sink.arrived)
    p95 = delays[int(0.95 * len(delays)) - 1]
    print(
        f"link email delay over {SIGN_UPS} sign-ups: median {delays[len(delays) // 2]:.2f} s, "
        f"p95 {p95:.2f} s, max {delays[-1]:.2f} s"
    )
    assert (len(delays), p95 < 5.0) == (SIGN_UPS, True)
