"""Two `gcmcal worker` processes on one PostgreSQL share 20,000 due messages; one is
killed with SIGKILL a third of the way through and started again.

Every message reaches the aiosmtpd sink; a Message-ID arrives twice only if the killed
worker held its rows leased at the moment it died (it may have handed the message to
the relay without recording it), and then with the same Message-ID; every row ends SENT.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminders.states import OutboxState
from tests.support.db_backends import Database
from tests.support.reliability import (
    CountingSink,
    add_subscribers,
    address,
    copy_timeline,
    enqueue,
    expected_notices,
    gcmcal_env,
    outbox_rows,
    owner_pid,
    quiet_planner,
    sink_thread,
    start_gcmcal,
    states,
    stop_process,
    wait_for,
)

COUNT = 20_000
LEASE_SECONDS = 10
KILL_AT = COUNT // 3


@pytest.mark.anyio
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_two_workers_deliver_everything_once_but_the_killed_workers_leased_rows(
    db: Database, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ids = await add_subscribers(db.engine, COUNT, now - timedelta(days=1))
    await enqueue(
        db.engine, expected_notices(ids, now - timedelta(minutes=1), now + timedelta(days=1)), now
    )
    await quiet_planner(db.engine, now + timedelta(days=1), now)
    enqueued = {row.message_id: row.subscription_id for row in await outbox_rows(db.engine)}
    timeline = copy_timeline(tmp_path)
    sink = CountingSink()
    log_path = tmp_path / "workers.log"
    with sink_thread(sink) as port, log_path.open("w") as log:
        env = gcmcal_env(db.url, timeline, port)
        arguments = ["worker", "--lease", str(LEASE_SECONDS)]
        started: list[asyncio.subprocess.Process] = []
        try:
            doomed = await start_gcmcal(arguments, env, log)
            survivor = await start_gcmcal(arguments, env, log)
            started += [doomed, survivor]

            async def a_third_received() -> bool:
                return sink.total >= KILL_AT

            await wait_for(a_third_received, 240, "a third of the messages received", log_path)
            killed_at = datetime.now(UTC)
            doomed.send_signal(signal.SIGKILL)
            assert await doomed.wait() == -signal.SIGKILL
            at_kill = await outbox_rows(db.engine)
            received_at_kill = sink.total
            restarted = await start_gcmcal(arguments, env, log)
            started.append(restarted)

            async def all_sent() -> bool:
                return (await states(db.engine)) == Counter({OutboxState.SENT: COUNT})

            await wait_for(all_sent, 240, "every row sent", log_path, every=0.5)
        finally:
            exits = [await stop_process(process) for process in started]
        rows = await outbox_rows(db.engine)

    killed_leased = {
        row.message_id
        for row in at_kill
        if row.state == OutboxState.SENDING and owner_pid(row.lease_owner) == doomed.pid
    }
    duplicates = {message_id for message_id, n in sink.received.items() if n > 1}
    address_of = dict(zip(ids, (address(n) for n in range(COUNT)), strict=True))
    print(
        f"\nreceived at kill {received_at_kill}, leased by the killed worker {len(killed_leased)}, "
        f"sent twice {len(duplicates)}"
    )
    assert exits == [-signal.SIGKILL, 0, 0]
    assert 0 < received_at_kill < COUNT
    assert len(killed_leased) > 0
    # The worker died holding live leases: their rows had to wait for the leases to end.
    assert min(r.lease_expires_at for r in at_kill if r.message_id in killed_leased) > killed_at
    assert set(sink.received) == set(enqueued)
    assert duplicates <= killed_leased
    assert set(sink.received.values()) <= {1, 2}
    assert sink.recipients == {mid: (address_of[sid],) for mid, sid in enqueued.items()}
    assert Counter(row.state for row in rows) == Counter({OutboxState.SENT: COUNT})
    assert {row.message_id for row in rows} == set(enqueued)
