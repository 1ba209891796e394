"""Real collaborators for the sending tests: an aiosmtpd sink on 127.0.0.1, a SQLite file.

Imported by the test modules next to it (no conftest.py, so the folder stays open to
other engineers' fixtures).
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP as SmtpServer
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store
from reminders.bounce_score import BouncePolicy
from reminders.db.engine import create_engine, create_schema
from reminders.db.models import Base
from reminders.dispatch import Clock, Dispatcher
from reminders.due_reminders import Planned, dedupe_key
from reminders.mail.port import Mailer
from reminders.states import MessageKind, OutboxState, SubscriptionState
from tests.support.db_backends import clean_slate

OUTBOX = Base.metadata.tables["outbox"]
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
SEND_LOG = Base.metadata.tables["send_log"]

_headers = BytesHeaderParser(policy=default_policy)

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
HOST = "gcm.example.org"
SENDER = "reminders@gcm.example.org"


class HandClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def planned(
    subscription_id: int,
    event_id: str = "africa-2024-consultation",
    *,
    lead: str = "1d",
    revision: int = 0,
    due_at: datetime = NOW,
    not_after: datetime = NOW + timedelta(days=1),
    kind: MessageKind = MessageKind.REMINDER,
) -> Planned:
    return Planned(
        dedupe_key(subscription_id, event_id, kind, lead, revision),
        subscription_id,
        kind,
        event_id,
        lead,
        revision,
        due_at,
        not_after,
    )


def dispatcher(
    engine: AsyncEngine,
    mailer: Mailer,
    owner: str,
    *,
    clock: Clock = lambda: NOW,
    concurrency: int = 2,
    batch: int = 50,
    bounce_threshold: float = 3.0,
    jitter: float = 0.5,
    lease: timedelta = timedelta(minutes=5),
) -> Dispatcher:
    """A dispatcher with the plain composer; `jitter` 0.5 means none (exact schedule)."""
    return Dispatcher(
        engine=engine,
        mailer=mailer,
        compose=plain_composer,
        sender=SENDER,
        clock=clock,
        random=lambda: jitter,
        bounces=BouncePolicy(threshold=bounce_threshold),
        concurrency=concurrency,
        batch_size=batch,
        flush_every=20,
        lease=lease,
        owner=owner,
    )


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message_id: str
    content: bytes


@dataclass
class Sink:
    """Accepts and keeps every message (the aiosmtpd handler)."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.store(envelope)
        return "250 2.0.0 OK"

    def store(self, envelope: Any) -> None:
        content = bytes(envelope.original_content or envelope.content)
        headers = _headers.parsebytes(content)
        self.received.append(
            Received(
                envelope.mail_from,
                tuple(envelope.rcpt_tos),
                str(headers.get("Message-ID", "")),
                content,
            )
        )

    def message_ids(self) -> Counter[str]:
        return Counter(message.message_id for message in self.received)


@dataclass
class FlakySink(Sink):
    """A relay having a bad day, with seeded randomness.

    At MAIL and RCPT it answers 421 or 451 now and then or drops the connection; some
    replies are slow; recipients in `refused` always get 550. Faults come only before
    a message is stored, so a message is either taken exactly once or not at all.
    Every fault kind stops after `max_faults` so that a run always ends.
    """

    seed: int = 1
    fault_rate: float = 0.2
    slow_rate: float = 0.05
    slow_seconds: float = 0.02
    refused: frozenset[str] = frozenset()
    max_faults: int = 400
    faults: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def _maybe_fault(self, server: Any, stage: str) -> str | None:
        if self._random.random() < self.slow_rate:
            await asyncio.sleep(self.slow_seconds)
        if sum(self.faults.values()) >= self.max_faults:
            return None
        roll = self._random.random()
        if roll >= self.fault_rate:
            return None
        kind = ("421", "451", "drop")[int(roll / self.fault_rate * 3)]
        self.faults[f"{stage}:{kind}"] += 1
        if kind == "drop":
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if kind == "421":
            return "421 4.3.2 service not available, closing channel"
        return "451 4.3.0 try again later"

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        fault = await self._maybe_fault(server, "mail")
        if fault:
            return fault
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        fault = await self._maybe_fault(server, "rcpt")
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"


@asynccontextmanager
async def smtp_server(handler: Sink) -> AsyncIterator[int]:
    """Serve `handler` on 127.0.0.1 in this event loop; yield the port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SmtpServer(handler, hostname="sink.test", ident="sink", loop=loop),
        "127.0.0.1",
        0,
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def database(target: Path | str) -> AsyncIterator[AsyncEngine]:
    """A fresh schema made by the migrations: a SQLite file at a path, or a PostgreSQL URL
    (emptied before and after). The test must give back every pooled connection."""
    url = sqlite_url(target) if isinstance(target, Path) else target
    if not isinstance(target, Path):
        await clean_slate(url)
    engine = create_engine(url)
    try:
        await create_schema(engine)
        yield engine
        assert engine.pool.checkedout() == 0, "the test left database connections checked out"
    finally:
        await engine.dispose()
        if not isinstance(target, Path):
            await clean_slate(url)


def backend(request: Any, tmp_path: Path) -> Path | str:
    """For a fixture parametrised over "sqlite" and "postgresql": where the schema goes."""
    if request.param == "sqlite":
        return tmp_path / "db.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def url_of(target: Path | str) -> str:
    return sqlite_url(target) if isinstance(target, Path) else target


async def add_subscriptions(
    engine: AsyncEngine,
    emails: Iterable[str],
    now: datetime,
    state: SubscriptionState = SubscriptionState.ACTIVE,
    language: str = "en",
) -> list[int]:
    rows = [
        {
            "email": email,
            "regions": [],
            "kinds": [],
            "leads": ["1d"],
            "language": language,
            "tz": "Europe/Zurich",
            "delivery_hour": 9,
            "state": state.value,
            "token_hash": secrets.token_hex(32),
            "feed_generation": 0,
            "hard_bounces": 0,
            "created_at": now,
            "confirmed_at": now if state is SubscriptionState.ACTIVE else None,
            "expires_at": None,
        }
        for email in emails
    ]
    async with engine.begin() as conn:
        result = await conn.execute(insert(SUBSCRIPTIONS).returning(SUBSCRIPTIONS.c.id), rows)
        return [row.id for row in result]


async def outbox_rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).all())


async def states(engine: AsyncEngine) -> Counter[OutboxState]:
    return Counter(OutboxState(row.state) for row in await outbox_rows(engine))


async def send_log(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(SEND_LOG).order_by(SEND_LOG.c.id))).all())


def emails(count: int, domain: str = "example.org") -> Sequence[str]:
    return [f"person{index}@{domain}" for index in range(count)]


def plain_composer(envelope: Any) -> bytes:
    """Stands in for reminders.mail.compose in transport-level tests: one line per row."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = "GCM calendar <reminders@gcm.example.org>"
    message["To"] = envelope.recipient.email
    message["Subject"] = f"{len(envelope.items)} reminder(s)"
    message["Message-ID"] = envelope.message_id
    message.set_content(
        "\n".join(f"{item.event_id} {item.kind} {item.lead}" for item in envelope.items)
    )
    return message.as_bytes()


@dataclass
class ScriptedSink(Sink):
    """Answers from scripts: the next reply for MAIL, for RCPT per address, for DATA.

    An empty script accepts. `close_after_data` hangs up after each stored message,
    as a relay with a short idle time-out does.
    """

    mail: list[str] = field(default_factory=list)
    rcpt: dict[str, list[str]] = field(default_factory=dict)
    data: list[str] = field(default_factory=list)
    close_after_data: bool = False
    connections: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mail:
            return self.mail.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        script = self.rcpt.get(address)
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data:
            return self.data.pop(0)
        self.store(envelope)
        if self.close_after_data:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 OK"


async def enqueue_expected_notices(
    engine: AsyncEngine, subscription_ids: Iterable[int], event_id: str, now: datetime
) -> None:
    """One "expected" notice per subscription, due a minute ago (needs no exact date)."""
    async with engine.begin() as conn:
        await outbox_store.enqueue(
            conn,
            [
                Planned(
                    dedupe_key(sid, event_id, MessageKind.EXPECTED, "1w", 0),
                    sid,
                    MessageKind.EXPECTED,
                    event_id,
                    "1w",
                    0,
                    now - timedelta(minutes=1),
                    now + timedelta(days=1),
                    {"when": "2030"},
                )
                for sid in subscription_ids
            ],
            now,
            "gcm.example.org",
        )
