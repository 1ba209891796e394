"""What the reliability tests share: a fast counting SMTP sink, `gcmcal` subprocesses,
bulk rows, bounded waiting.

Imported by the test modules next to it (`conftest.py` holds the database fixture).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import uvloop
from aiosmtpd.controller import Controller
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store
from reminders.db.models import Base
from reminders.due_reminders import Planned, dedupe_key
from reminders.states import MessageKind, OutboxState, SubscriptionState

ROOT = Path(__file__).resolve().parents[2]
HOST = "gcm.example.org"
BASE_URL = f"https://{HOST}"
MAIL_FROM = f"GCM calendar <reminders@{HOST}>"
#: An event of the shipped timeline whose date is only a year: its "expected" notice
#: needs no day, so it can be due at any moment.
EVENT = "global-2030-imrf"

OUTBOX = Base.metadata.tables["outbox"]
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
SEND_LOG = Base.metadata.tables["send_log"]
STATE = Base.metadata.tables["scheduler_state"]

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


def address(index: int) -> str:
    return f"person{index}@example.org"


@dataclass
class CountingSink:
    """An aiosmtpd handler that only counts (Message-ID, recipients); keeps no bodies.

    `total` may be read from another thread while the sink runs; `received` and
    `recipients` once it has stopped.
    """

    received: Counter[str] = field(default_factory=Counter)
    recipients: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content or envelope.content)
        head = content.partition(b"\r\n\r\n")[0]
        found = _MESSAGE_ID.search(head)
        message_id = found[1].decode("ascii", "replace") if found else ""
        self.received[message_id] += 1
        self.recipients[message_id] = tuple(envelope.rcpt_tos)
        self.total += 1
        return "250 2.0.0 OK"


@contextmanager
def sink_thread(handler: CountingSink) -> Iterator[int]:
    """Serve `handler` on 127.0.0.1 from a thread of its own on uvloop; yield the port.

    For tens of thousands of messages: the sink then costs the test's own event loop
    nothing, and uvloop makes aiosmtpd a quarter cheaper.
    """
    controller = Controller(
        handler,
        loop=uvloop.new_event_loop(),
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="sink.test",
        ident="sink",
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def copy_timeline(folder: Path) -> Path:
    target = folder / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", target)
    return target


def gcmcal_env(
    database_url: str, timeline: Path, smtp_port: int | None, **extra: str
) -> dict[str, str]:
    """The environment of a `gcmcal` subprocess: ours without GCMCAL_*, then these."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GCMCAL_")}
    env.update(
        {
            "GCMCAL_DATABASE_URL": database_url,
            "GCMCAL_TIMELINE": str(timeline),
            "GCMCAL_BASE_URL": BASE_URL,
            "GCMCAL_MAIL_FROM": MAIL_FROM,
            "GCMCAL_SECRET_KEY": "reliability-test-secret",
            "GCMCAL_SEND_RATE": "100000",
            "GCMCAL_SMTP_CONNECTIONS": "4",
            "GCMCAL_TICK_SECONDS": "0.5",
            "GCMCAL_OUTBOX": str(timeline.parent / "maildir"),
            "GCMCAL_LOG_LEVEL": "WARNING",
        }
    )
    if smtp_port is not None:
        env["GCMCAL_SMTP_HOST"] = "127.0.0.1"
        env["GCMCAL_SMTP_PORT"] = str(smtp_port)
    env.update(extra)
    return env


async def start_gcmcal(
    arguments: Sequence[str], env: Mapping[str, str], log: TextIO
) -> asyncio.subprocess.Process:
    """`python -m reminders ARGUMENTS` with its output going to `log`."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reminders",
        *arguments,
        env=dict(env),
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )


async def stop_process(process: asyncio.subprocess.Process, seconds: float = 60) -> int:
    """SIGTERM, wait (bounded), SIGKILL if it did not stop; the exit status."""
    if process.returncode is not None:
        return process.returncode
    process.terminate()
    try:
        return await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        process.kill()
        await asyncio.wait_for(process.wait(), 30)
        raise AssertionError(f"process {process.pid} ignored SIGTERM for {seconds} s") from None


async def wait_for(
    condition: Callable[[], Awaitable[bool]],
    seconds: float,
    what: str,
    log: Path | None = None,
    every: float = 0.1,
) -> None:
    """Poll `condition` until true, at most `seconds`; on failure show the end of `log`."""
    for _ in range(max(1, int(seconds / every))):
        if await condition():
            return
        await asyncio.sleep(every)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    raise AssertionError(f"{what}: not within {seconds} s\n{tail}")


# -- rows in bulk -----------------------------------------------------------------------


async def add_subscribers(engine: AsyncEngine, count: int, now: datetime) -> list[int]:
    """`count` active subscriptions (person{n}@example.org), inserted in large batches."""
    ids: list[int] = []
    for start in range(0, count, 5000):
        rows = [
            {
                "email": address(n),
                "regions": [],
                "kinds": [],
                "leads": ["1d"],
                "language": "en",
                "tz": "Europe/Zurich",
                "delivery_hour": 9,
                "state": SubscriptionState.ACTIVE.value,
                "token_hash": secrets.token_hex(32),
                "feed_generation": 0,
                "hard_bounces": 0,
                "created_at": now,
                "confirmed_at": now,
                "expires_at": None,
            }
            for n in range(start, min(count, start + 5000))
        ]
        async with engine.begin() as conn:
            result = await conn.execute(
                insert(SUBSCRIPTIONS).returning(SUBSCRIPTIONS.c.id, sort_by_parameter_order=True),
                rows,
            )
            ids.extend(row.id for row in result)
    return ids


def expected_notices(ids: Iterable[int], due: datetime, not_after: datetime) -> list[Planned]:
    """One "expected in 2030" notice per subscription, due at `due`."""
    return [
        Planned(
            dedupe_key(sid, EVENT, MessageKind.EXPECTED, "1w", 0),
            sid,
            MessageKind.EXPECTED,
            EVENT,
            "1w",
            0,
            due,
            not_after,
            {"when": "2030"},
        )
        for sid in ids
    ]


async def enqueue(engine: AsyncEngine, planned: Sequence[Planned], now: datetime) -> int:
    async with engine.begin() as conn:
        return await outbox_store.enqueue(conn, planned, now, HOST, chunk=2000)


async def quiet_planner(engine: AsyncEngine, until: datetime, now: datetime) -> None:
    """Tell every instance that planning is done up to `until`: ticks plan nothing new,
    so the outbox holds exactly what a test put there."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(STATE).values(
                name="planned_until", value={"at": until.isoformat()}, updated_at=now
            )
        )


async def outbox_rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).all())


async def states(engine: AsyncEngine) -> Counter[OutboxState]:
    async with engine.connect() as conn:
        found = await conn.execute(select(OUTBOX.c.state))
        return Counter(OutboxState(state) for (state,) in found)


def owner_pid(owner: str | None) -> int | None:
    """The process id in a lease owner name (``host:pid:run``)."""
    if not owner:
        return None
    parts = owner.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
