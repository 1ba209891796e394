"""`gcmcal serve` under wrk load on /feeds/all.ics (half plain GETs, half conditional GETs
answered 304) for 60 s while its own scheduler sends 5,200 due reminders to an aiosmtpd sink.

No response other than 200 or 304, no socket error other than at connect, every
reminder delivered exactly once, and the server's resident memory at the end within
30 MB of what it was after a 5 s warm-up (start and end are printed and recorded in the
test report as properties `rss_start_kb`, `rss_end_kb`); its log at INFO names nobody.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from reminders.states import OutboxState
from tests.support.components import wrk
from tests.support.db_backends import Database
from tests.support.reliability import (
    CountingSink,
    add_subscribers,
    address,
    copy_timeline,
    enqueue,
    expected_notices,
    free_port,
    gcmcal_env,
    outbox_rows,
    quiet_planner,
    sink_thread,
    start_gcmcal,
    states,
    stop_process,
    wait_for,
)

REMINDERS = 5200
SEND_RATE = 80  # per second: the sending (65 s at least) outlasts the load run (60 s)
WARM_UP = "5s"
LOAD = "55s"  # wrk stops itself; the run is bounded by this plus WRK_GRACE
WRK_GRACE = 30.0
RSS_GROWTH_KB = 30 * 1024
SCRIPT = Path(__file__).with_name("feed_load.lua")
PATH = "/feeds/all.ics"


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    assert found, status
    return int(found[1])


async def run_wrk(url: str, duration: str, etag: str) -> str:
    command = [wrk(), "-t", "2", "-c", "16", "-d", duration, "--timeout", "10s"]
    process = await asyncio.create_subprocess_exec(
        *command,
        "-s",
        str(SCRIPT),
        url,
        "--",
        etag,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    seconds = float(duration.removesuffix("s")) + WRK_GRACE
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"wrk did not finish within {seconds} s") from None
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    return text


def statuses(output: str) -> Counter[int]:
    return Counter(
        {int(code): int(count) for code, count in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    )


def socket_errors(output: str) -> tuple[int, int, int, int]:
    """wrk's socket errors: (connect, read, write, timeout); the line is absent when none."""
    found = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if found is None:
        return (0, 0, 0, 0)
    connect, read, write, timeout = map(int, found.groups())
    return (connect, read, write, timeout)


@pytest.mark.anyio
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_feed_under_load_while_dispatching_answers_200_or_304_and_keeps_its_memory(
    db: Database, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    now = datetime.now(UTC)
    ids = await add_subscribers(db.engine, REMINDERS, now - timedelta(days=1))
    await enqueue(
        db.engine, expected_notices(ids, now - timedelta(minutes=1), now + timedelta(days=1)), now
    )
    await quiet_planner(db.engine, now + timedelta(days=1), now)
    enqueued = {row.message_id: row.subscription_id for row in await outbox_rows(db.engine)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sink = CountingSink()
    log_path = tmp_path / "serve.log"
    with sink_thread(sink) as smtp_port, log_path.open("w") as log:
        env = gcmcal_env(
            db.url,
            copy_timeline(tmp_path),
            smtp_port,
            GCMCAL_BASE_URL=base,
            GCMCAL_SEND_RATE=str(SEND_RATE),
            GCMCAL_TICK_SECONDS="1",
            GCMCAL_LOG_LEVEL="INFO",
        )
        server = await start_gcmcal(["serve", "--host", "127.0.0.1", "--port", str(port)], env, log)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:

                async def healthy() -> bool:
                    try:
                        return (await client.get("/healthz")).status_code == 200
                    except httpx.TransportError:
                        return False

                await wait_for(healthy, 240, "gcmcal serve answering", log_path)
                feed = await client.get(PATH)
                assert feed.status_code == 200
                etag = feed.headers["etag"]
                again = await client.get(PATH, headers={"If-None-Match": etag})
                assert again.status_code == 304

            warm_up = await run_wrk(base + PATH, WARM_UP, etag)
            rss_start = rss_kb(server.pid)
            sent_before = sink.total
            load = await run_wrk(base + PATH, LOAD, etag)
            sent_after = sink.total

            async def all_sent() -> bool:
                return await states(db.engine) == Counter({OutboxState.SENT: REMINDERS})

            await wait_for(all_sent, 240, "every reminder sent", log_path, every=0.5)
            rss_end = rss_kb(server.pid)
        finally:
            exit_status = await stop_process(server)
        rows = await outbox_rows(db.engine)

    print(f"\nserver RSS after warm-up {rss_start} kB, at the end {rss_end} kB")
    print(load)
    record_property("rss_start_kb", rss_start)
    record_property("rss_end_kb", rss_end)
    served = statuses(load)
    # Granian shuts down gracefully on SIGTERM and exits 0 (uvicorn died of the signal).
    assert exit_status in {0, -signal.SIGTERM}
    logged = log_path.read_text(errors="replace")
    assert "worker stopped" in logged  # the scheduler's graceful stop ran
    assert re.findall(r"[\w.+-]+@example\.org", logged) == []  # no address at INFO
    assert "Non-2xx or 3xx responses" not in warm_up + load
    assert set(statuses(warm_up)) == {200, 304}
    assert set(served) == {200, 304}
    assert [socket_errors(output)[1:] for output in (warm_up, load)] == [(0, 0, 0)] * 2
    assert sent_before < sent_after < REMINDERS  # the scheduler sent during the load run
    assert sink.received == dict.fromkeys(enqueued, 1)
    address_of = dict(zip(ids, (address(n) for n in range(REMINDERS)), strict=True))
    assert sink.recipients == {mid: (address_of[sid],) for mid, sid in enqueued.items()}
    assert {row.message_id for row in rows} == set(enqueued)
    assert rss_end - rss_start < RSS_GROWTH_KB
