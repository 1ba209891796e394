"""`gcmcal worker` killed with SIGKILL in the middle of 2,000 messages, then restarted.

Every reminder reaches the aiosmtpd sink; the only Message-IDs that arrive twice are
those of rows the killed worker held leased at the moment it died.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reminders.states import OutboxState
from tests.support.sending import (
    Sink,
    add_subscriptions,
    database,
    emails,
    enqueue_expected_notices,
    outbox_rows,
    smtp_server,
)

ROOT = Path(__file__).resolve().parents[3]
COUNT = 2000
LEASE_SECONDS = 6
EVENT = "global-2030-imrf"  # "2030": an "expected" notice needs no day


class SlowSink(Sink):
    """Takes a millisecond per message, so that a kill lands mid-batch."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.001)
        return await super().handle_DATA(server, session, envelope)


async def _worker(tmp_path: Path, port: int, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "GCMCAL_TIMELINE": str(tmp_path / "timeline.toml"),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        "GCMCAL_SMTP_HOST": "127.0.0.1",
        "GCMCAL_SMTP_PORT": str(port),
        "GCMCAL_SMTP_CONNECTIONS": "4",
        "GCMCAL_SEND_RATE": "100000",
        "GCMCAL_TICK_SECONDS": "0.5",
        "GCMCAL_BASE_URL": "https://gcm.example.org",
        "GCMCAL_MAIL_FROM": "GCM calendar <reminders@gcm.example.org>",
        "GCMCAL_LOG_LEVEL": "INFO",
    }
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reminders",
            "worker",
            "--lease",
            str(LEASE_SECONDS),
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )


async def _wait_for(condition: Callable[[], Any], seconds: float, log: Path) -> None:
    for _ in range(int(seconds * 20)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not met within {seconds} s; worker log:\n{log.read_text()}")


# A worker killed mid-send, over a minute of real sending: the reliability kind of test.
@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.anyio
async def test_killed_worker_resends_only_its_leased_rows_with_the_same_message_ids(
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    sink = SlowSink()
    now = datetime.now(UTC)
    async with database(tmp_path / "db.sqlite3") as engine, smtp_server(sink) as port:
        ids = await add_subscriptions(engine, emails(COUNT), now - timedelta(days=1))
        await enqueue_expected_notices(engine, ids, EVENT, now)

        log = tmp_path / "worker.log"
        first = await _worker(tmp_path, port, log)
        second: asyncio.subprocess.Process | None = None
        try:

            async def halfway() -> bool:
                return len(sink.received) >= COUNT // 4

            await _wait_for(halfway, 240, log)
            first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL
            at_kill = await outbox_rows(engine)
            received_before = len(sink.received)
            leased = {row.message_id for row in at_kill if row.state == OutboxState.SENDING}

            second = await _worker(tmp_path, port, log)

            async def all_sent() -> bool:
                return all(row.state == OutboxState.SENT for row in await outbox_rows(engine))

            await _wait_for(all_sent, 240, log)
            second.send_signal(signal.SIGTERM)
            second_exit = await asyncio.wait_for(second.wait(), 60)
            rows = await outbox_rows(engine)
        finally:
            for process in (first, second):
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()

    counts = sink.message_ids()
    duplicates = {message_id for message_id, n in counts.items() if n > 1}
    address_of = {sid: f"person{n}@example.org" for n, sid in enumerate(ids)}
    assert 0 < received_before < COUNT
    assert len(leased) > 0
    assert second_exit == 0
    assert set(counts) == {row.message_id for row in rows}
    assert duplicates <= leased
    assert {(m.message_id, m.rcpt_tos) for m in sink.received} == {
        (row.message_id, (address_of[row.subscription_id],)) for row in rows
    }
