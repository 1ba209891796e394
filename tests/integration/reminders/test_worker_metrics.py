"""The worker's own /metrics, scraped over HTTP from its loopback port.

Real collaborators: the worker (open_worker) with a Maildir, the shipped timeline, a
SQLite file, the metrics server on 127.0.0.1 and httpx as the scraper.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from reminders.db.models import Base
from reminders.metrics_server import MetricsServer
from reminders.settings import Settings
from reminders.states import SubscriptionState
from reminders.worker import open_worker
from tests.support.sending import add_subscriptions, enqueue_expected_notices

ROOT = Path(__file__).resolve().parents[3]
EVENT = "global-2030-imrf"
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
WATCHED = (
    'gcmcal_sends_total{outcome="ok"}',
    "gcmcal_smtp_send_seconds_count",
    "gcmcal_bounces_total",
    'gcmcal_outbox_messages{state="sent"}',
    'gcmcal_outbox_messages{state="queued"}',
    "gcmcal_outbox_oldest_due_lag_seconds",
    'gcmcal_subscriptions{state="active"}',
    'gcmcal_subscriptions{state="paused"}',
    "gcmcal_relay_circuit_open",
)


def _samples(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{key}="{value}"' for key, value in sample.labels.items())
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return {name: found.get(name, 0.0) for name in WATCHED}


@pytest.mark.anyio
async def test_worker_metrics_scraped_over_http_show_sends_queue_and_paused(
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    settings = Settings(
        timeline=tmp_path / "timeline.toml",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        outbox=tmp_path / "outbox",
        smtp_host="",
        mail_from="GCM calendar <reminders@gcm.example.org>",
    )
    worker = await open_worker(settings, clock=lambda: NOW)
    server = MetricsServer(worker.engine, worker.clock)
    try:
        await worker.source.refresh()
        ids = await add_subscriptions(
            worker.engine, [f"p{n}@example.org" for n in range(4)], NOW - timedelta(days=1)
        )
        async with worker.engine.begin() as conn:
            await conn.execute(
                update(SUBSCRIPTIONS)
                .where(SUBSCRIPTIONS.c.id == ids[3])
                .values(state=SubscriptionState.PAUSED.value)
            )
        await enqueue_expected_notices(worker.engine, ids[:3], EVENT, NOW)
        port = await server.start(0)
        url = f"http://127.0.0.1:{port}/metrics"
        async with httpx.AsyncClient() as client:
            before = _samples((await client.get(url)).text)
            await worker.dispatch_tick()
            answer = await client.get(url)
            wrong_path = await client.get(f"http://127.0.0.1:{port}/")
    finally:
        await server.close()
        await worker.engine.dispose()

    after = _samples(answer.text)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == CONTENT_TYPE_LATEST
    assert wrong_path.status_code == 404
    assert {name: after[name] - before[name] for name in WATCHED} == {
        'gcmcal_sends_total{outcome="ok"}': 3.0,
        "gcmcal_smtp_send_seconds_count": 3.0,
        "gcmcal_bounces_total": 0.0,
        'gcmcal_outbox_messages{state="sent"}': 3.0,
        'gcmcal_outbox_messages{state="queued"}': -3.0,
        "gcmcal_outbox_oldest_due_lag_seconds": -60.0,
        'gcmcal_subscriptions{state="active"}': 0.0,
        'gcmcal_subscriptions{state="paused"}': 0.0,
        "gcmcal_relay_circuit_open": 0.0,
    }
    assert (
        after['gcmcal_subscriptions{state="active"}'],
        after['gcmcal_subscriptions{state="paused"}'],
        after["gcmcal_outbox_oldest_due_lag_seconds"],
    ) == (3.0, 1.0, 0.0)
