"""`gcmcal worker --once` with no SMTP host: what is due lands in the Maildir."""

from __future__ import annotations

import asyncio
import logging
import mailbox
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from reminders.cli import main
from reminders.states import OutboxState
from tests.support.sending import add_subscriptions, database, enqueue_expected_notices, outbox_rows

ROOT = Path(__file__).resolve().parents[3]
EVENT = "global-2030-imrf"


def test_worker_once_sends_what_is_due_to_the_maildir(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    now = datetime.now(UTC)

    async def queue_one() -> None:
        async with database(tmp_path / "db.sqlite3") as engine:
            (sid,) = await add_subscriptions(engine, ["alice@example.org"], now - timedelta(days=1))
            await enqueue_expected_notices(engine, [sid], EVENT, now)

    async def rows() -> list[tuple[str, str]]:
        async with database(tmp_path / "db.sqlite3") as engine:
            return [(row.state, row.message_id) for row in await outbox_rows(engine)]

    asyncio.run(queue_one())
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the command configures logging
    try:
        result = CliRunner().invoke(
            main,
            ["worker", "--once"],
            env={
                "GCMCAL_TIMELINE": str(tmp_path / "timeline.toml"),
                "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
                "GCMCAL_OUTBOX": str(tmp_path / "outbox"),
                "GCMCAL_SMTP_HOST": "",
                "GCMCAL_LOG_LEVEL": "WARNING",
            },
        )
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    ((state, message_id),) = asyncio.run(rows())
    stored = [m["Message-ID"] for m in mailbox.Maildir(tmp_path / "outbox", create=False)]
    assert result.exit_code == 0, result.output
    assert (state, stored) == (OutboxState.SENT, [message_id])
