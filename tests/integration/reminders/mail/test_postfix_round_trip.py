"""The whole bounce loop with Debian's Postfix as the relay.

gcmcal's dispatcher sends DKIM-signed reminders with a VERP return path to a private
Postfix instance on loopback. Postfix delivers:

- `dead@relay.test` locally: no such user, so Postfix writes its own bounce (RFC 3464)
  and delivers it over LMTP to `gcmcal bounces serve --lmtp` (a real subprocess);
- `full@example.org` and `live@example.org` over SMTP to the recipients' "mail server"
  (aiosmtpd), which refuses `full` as over quota (552 5.2.2): another real Postfix
  bounce, a temporary failure this time;
- `live`'s reminders arrive, and their DKIM signatures still verify after the relay.

Round after round, the dead address's bounce score rises and it is paused at the
threshold (3); the full mailbox never is. The instance's mail log is kept in the test's
temporary folder (`postfix/maillog`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import dkim
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import outbox_store
from reminders.bounce_score import BouncePolicy
from reminders.bounce_store import REPORTS
from reminders.db.models import Base
from reminders.dispatch import Dispatcher, verp_senders
from reminders.mail.compose import Composer
from reminders.mail.signing import load_signer
from reminders.mail.transport import SmtpMailer
from reminders.settings import Settings
from reminders.states import MessageKind, SubscriptionState
from tests.support import components
from tests.support.dkim_keys import KeyPair, make_key
from tests.support.postfix_instance import Postfix, free_port, postfix_instance
from tests.support.reminder_mail_fixtures import BASE_URL, NOW, mail_setup
from tests.support.sending import Sink, add_subscriptions, database, planned, smtp_server

pytestmark = pytest.mark.anyio

SECRET = "postfix-round-trip-secret"
BOUNCE_DOMAIN = "bounces.gcm.test"
FROM = "GCM calendar <reminders@gcm.example.org>"
SELECTOR = "relaytest"
THRESHOLD = 3
LEADS = ("3w", "2w", "1w", "1d")  # one reminder per round and subscriber
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
#: Seconds to wait for Postfix and the receiver to settle a round (an upper bound, not a
#: timing assertion: the loop ends as soon as the bounces are in).
SETTLE_SECONDS = 120


class RecipientServer(Sink):
    """The recipients' mail server: `full` is over quota, everyone else gets mail."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("full@"):
            return "552 5.2.2 <full@example.org>: mailbox full, over quota"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None) -> None:
    for _ in range(600):
        if process is not None and process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {process.stderr}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


@contextmanager
def bounce_receiver(tmp_path: Path, port: int, database_url: str) -> Iterator[Path]:
    """`gcmcal bounces serve --lmtp` as its own process; yields its log file."""
    log = tmp_path / "bounces-serve.log"
    env = {
        **os.environ,
        "GCMCAL_DATABASE_URL": database_url,
        "GCMCAL_SECRET_KEY": SECRET,
        "GCMCAL_BOUNCE_DOMAIN": BOUNCE_DOMAIN,
        "GCMCAL_BOUNCE_THRESHOLD": str(THRESHOLD),
        "GCMCAL_BOUNCE_ARCHIVE": str(tmp_path / "bounce-archive"),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "reminders", "bounces", "serve", "--lmtp", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(port, process)
            yield log
        finally:
            process.terminate()
            process.wait(timeout=30)


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(REPORTS.c.kind, func.count()).group_by(REPORTS.c.kind))
        return dict(rows.all())


async def _states(engine: AsyncEngine) -> dict[str, tuple[str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(SUBSCRIPTIONS.c.email, SUBSCRIPTIONS.c.state, SUBSCRIPTIONS.c.hard_bounces)
        )
        return {row.email: (SubscriptionState(row.state), row.hard_bounces) for row in rows}


async def _settle(engine: AsyncEngine, expected: dict[str, int], relay: Postfix) -> None:
    for _ in range(SETTLE_SECONDS * 10):
        if await _counts(engine) == expected:
            return
        await asyncio.sleep(0.1)
    log = "\n".join(relay.log_lines()[-30:])
    raise AssertionError(f"reports {await _counts(engine)} != {expected}; Postfix log:\n{log}")


@asynccontextmanager
async def _composer(tmp_path: Path) -> AsyncIterator[tuple[Composer, KeyPair]]:
    key = make_key(tmp_path, "ed25519")
    setup = mail_setup()
    settings = Settings(base_url=BASE_URL, mail_from=FROM, secret_key=SECRET)  # type: ignore[arg-type]
    signer = load_signer(SELECTOR, key.private_pem, FROM)
    yield Composer(settings, setup.timeline, setup.feeds.attachment, signer=signer), key


async def test_postfix_bounces_pause_a_dead_address_but_not_a_full_mailbox(
    tmp_path: Path,
) -> None:
    command = components.postfix()
    lmtp_port = free_port()
    recipients = RecipientServer()
    async with (
        database(tmp_path / "db.sqlite3") as engine,
        smtp_server(recipients) as recipient_port,
        _composer(tmp_path) as (composer, key),
    ):
        dead, full, live = await add_subscriptions(
            engine, ["dead@relay.test", "full@example.org", "live@example.org"], NOW
        )
        url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
        transports = {
            BOUNCE_DOMAIN: f"lmtp:inet:127.0.0.1:{lmtp_port}",
            "example.org": f"smtp:[127.0.0.1]:{recipient_port}",
        }
        with (
            bounce_receiver(tmp_path, lmtp_port, url),
            postfix_instance(command, tmp_path / "postfix", "relay.test", transports) as relay,
        ):
            await asyncio.to_thread(_wait_for_port, relay.port)
            mailer = SmtpMailer(
                Settings(smtp_host="127.0.0.1", smtp_port=relay.port, send_rate=1_000)
            )
            history = []
            for round_number, lead in enumerate(LEADS, start=1):
                async with engine.begin() as conn:
                    await outbox_store.enqueue(
                        conn,
                        [
                            planned(
                                sid,
                                "europe-review",
                                lead=lead,
                                due_at=NOW,
                                not_after=NOW + timedelta(days=7),
                                kind=MessageKind.REMINDER,
                            )
                            for sid in (dead, full, live)
                        ],
                        NOW,
                        "gcm.example.org",
                    )
                report = await Dispatcher(
                    engine=engine,
                    mailer=mailer,
                    compose=composer.for_dispatch(lambda: NOW),
                    sender="reminders@gcm.example.org",
                    clock=lambda: NOW,
                    random=lambda: 0.5,
                    bounces=BouncePolicy(threshold=THRESHOLD),
                    return_path=verp_senders(SECRET, "bounces", BOUNCE_DOMAIN),
                ).run()
                dead_bounces = min(round_number, THRESHOLD)
                await _settle(engine, {"permanent": dead_bounces, "temporary": round_number}, relay)
                history.append((report.messages, await _states(engine)))
            await mailer.close()

    active, paused = SubscriptionState.ACTIVE, SubscriptionState.PAUSED
    assert history == [
        (
            3,
            {
                "dead@relay.test": (active, 1),
                "full@example.org": (active, 0),
                "live@example.org": (active, 0),
            },
        ),
        (
            3,
            {
                "dead@relay.test": (active, 2),
                "full@example.org": (active, 0),
                "live@example.org": (active, 0),
            },
        ),
        (
            3,
            {
                "dead@relay.test": (paused, 3),
                "full@example.org": (active, 0),
                "live@example.org": (active, 0),
            },
        ),
        # Paused: the fourth reminder to the dead address is withdrawn, not sent.
        (
            2,
            {
                "dead@relay.test": (paused, 3),
                "full@example.org": (active, 0),
                "live@example.org": (active, 0),
            },
        ),
    ]
    delivered = recipients.received
    dns = key.dnsfunc(SELECTOR, "gcm.example.org")
    assert [(m.rcpt_tos, dkim.verify(m.content, dnsfunc=dns)) for m in delivered] == [
        (("live@example.org",), True)
    ] * len(LEADS)
    # Postfix's own words: what it bounced, and that the bounces went back over LMTP.
    lines = (tmp_path / "postfix" / "maillog").read_text().splitlines()
    assert {
        "unknown local user": sum("dsn=5.1.1, status=bounced (unknown user" in x for x in lines),
        "mailbox full": sum("dsn=5.2.2, status=bounced" in x for x in lines),
        "reports delivered": sum("status=sent (250 2.0.0 report received)" in x for x in lines),
    } == {"unknown local user": THRESHOLD, "mailbox full": len(LEADS), "reports delivered": 7}
