"""`gcmcal bounces serve` and `gcmcal bounces scan MAILDIR` (see README, Sender checklist)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reminders import cli_support
from reminders.settings import Settings

if TYPE_CHECKING:  # the database and mail libraries load only when a command runs
    from reminders.bounce_intake import Intake
    from reminders.bounce_maildir import ScanReport


@click.group()
def bounces() -> None:
    """Read bounces and complaints that come back to the return path."""


@asynccontextmanager
async def _intake(settings: Settings) -> AsyncIterator[Intake]:
    from reminders.bounce_intake import Intake
    from reminders.return_path import ReturnPathReader
    from reminders.wiring import opened_database
    from reminders.worker import bounce_policy

    if not settings.bounce_domain:
        raise click.ClickException(
            "GCMCAL_BOUNCE_DOMAIN is not set: without a return path, no bounce names its message"
        )
    async with opened_database(settings) as db:
        secret = settings.secret_key.get_secret_value()
        yield Intake(
            db.engine,
            secret=secret,
            paths=ReturnPathReader(secret, settings.bounce_local, settings.bounce_domain),
            policy=bounce_policy(settings),
            clock=cli_support.now,
        )


@bounces.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8025, show_default=True, type=click.IntRange(1, 65535))
@click.option("--lmtp", is_flag=True, help="Speak LMTP (RFC 2033) instead of SMTP.")
def serve(host: str, port: int, lmtp: bool) -> None:
    """Receive bounces and complaints from the mail server; SIGTERM or Ctrl-C stops it."""
    from reminders.logs import configure_logging

    settings = cli_support.settings_or_exit()
    configure_logging(settings)
    asyncio.run(_serve(settings, host, port, lmtp))


async def _serve(settings: Settings, host: str, port: int, lmtp: bool) -> None:
    from reminders.bounce_server import BounceHandler, start

    async with _intake(settings) as intake:
        archive = settings.bounce_archive if settings.bounce_keep else None
        handler = BounceHandler(intake, archive, lmtp=lmtp)
        server = await start(handler, host, port, lmtp=lmtp, max_bytes=settings.bounce_max_bytes)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        protocol = "LMTP" if lmtp else "SMTP"
        click.echo(f"gcmcal bounces: {protocol} on {host}:{port}", err=True)
        try:
            await stop.wait()
        finally:
            server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), timeout=10)


@bounces.command("scan")
@click.argument("maildir", type=click.Path(file_okay=False, path_type=Path))
def scan(maildir: Path) -> None:
    """Read the new messages in MAILDIR, then mark them seen or delete them."""
    from reminders.logs import configure_logging

    settings = cli_support.settings_or_exit()
    configure_logging(settings)
    report = asyncio.run(_scan(settings, maildir))
    for kind, count in sorted(report.by_kind.items()):
        click.echo(f"{kind:<11} {count}")
    click.echo(f"{'paused':<11} {report.paused}")
    click.echo(f"{'unsubscribed':<11} {report.unsubscribed}")
    if report.left:
        click.echo(f"{'left':<11} {report.left} (database trouble; scan again)")
        raise SystemExit(1)


async def _scan(settings: Settings, maildir: Path) -> ScanReport:
    from reminders.bounce_maildir import scan as scan_maildir

    async with _intake(settings) as intake:
        try:
            return await scan_maildir(
                intake, maildir, keep=settings.bounce_keep, max_bytes=settings.bounce_max_bytes
            )
        except NotADirectoryError as exc:
            raise click.ClickException(str(exc)) from None
