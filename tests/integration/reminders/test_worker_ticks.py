"""The worker's ticks on the shipped timeline, a SQLite file and a Maildir (no SMTP host)."""

from __future__ import annotations

import asyncio
import mailbox
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from reminders.db.models import Base
from reminders.mail.transport import MaildirMailer
from reminders.planning_tick import Planning
from reminders.settings import Settings
from reminders.states import MessageKind, OutboxState
from reminders.worker import Worker, open_worker
from tests.support.sending import HandClock as Clock
from tests.support.sending import add_subscriptions, outbox_rows

ROOT = Path(__file__).resolve().parents[3]
HEARING = "latin-america-caribbean-2024-hearing"  # 2025-03-18, America/Santiago
# "1 day before" at 09:00 in Zurich is 08:00 UTC on 17 March.
DUE = datetime(2025, 3, 17, 8, 0, tzinfo=UTC)
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]


@pytest.fixture
async def worker(tmp_path: Path) -> AsyncIterator[Worker]:
    timeline = tmp_path / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", timeline)
    settings = Settings(
        timeline=timeline,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        outbox=tmp_path / "outbox",
        smtp_host="",
        mail_from="GCM calendar <reminders@gcm.example.org>",
    )
    clock = Clock(DUE - timedelta(days=1))
    worker = await open_worker(settings, clock=clock)
    yield worker
    await worker.engine.dispose()


async def _subscribe(worker: Worker, email: str, **columns: Any) -> int:
    (sid,) = await add_subscriptions(worker.engine, [email], worker.clock() - timedelta(days=30))
    values = {
        "regions": ["latin-america-caribbean"],
        "kinds": ["multi-stakeholder-hearing"],
        "leads": ["1d"],
        **columns,
    }
    async with worker.engine.begin() as conn:
        await conn.execute(update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == sid).values(values))
    return sid


def _move_hearing(worker: Worker) -> None:
    """The organiser moves the hearing from 18 to 25 March 2025 in the timeline file."""
    timeline = worker.settings.timeline
    text = timeline.read_text(encoding="utf-8")
    assert text.count('when = "2025-03-18"') == 1
    timeline.write_text(text.replace('when = "2025-03-18"', 'when = "2025-03-25"'), "utf-8")


def _maildir(worker: Worker) -> list[Any]:
    return [
        message_from_bytes(bytes(m), policy=default_policy)
        for m in mailbox.Maildir(worker.settings.outbox, create=False)
    ]


@pytest.mark.anyio
async def test_due_reminder_lands_in_the_maildir_without_an_smtp_host(worker: Worker) -> None:
    sid = await _subscribe(worker, "alice@example.org")
    clock = worker.clock
    assert isinstance(clock, Clock)
    assert isinstance(worker.mailer, MaildirMailer)

    await worker.plan_tick()  # first start: plans the past, nothing due yet
    await worker.dispatch_tick()
    before = _maildir(worker)
    clock.now = DUE + timedelta(seconds=30)
    await worker.plan_tick()
    await worker.dispatch_tick()

    (row,) = await outbox_rows(worker.engine)
    (message,) = _maildir(worker)
    assert before == []
    assert (row.subscription_id, row.event_id, row.kind, row.lead, row.due_at, row.state) == (
        sid,
        HEARING,
        MessageKind.REMINDER,
        "1d",
        DUE,
        OutboxState.SENT,
    )
    assert (message["To"], message["Message-ID"], message["Subject"]) == (
        "alice@example.org",
        row.message_id,
        "Reminder: Latin America and the Caribbean: multi-stakeholder hearing of the GCM "
        "regional review, tomorrow",
    )
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]


@pytest.mark.anyio
async def test_tick_with_nothing_due_plans_and_sends_nothing(worker: Worker) -> None:
    await _subscribe(worker, "alice@example.org")
    clock = worker.clock
    assert isinstance(clock, Clock)
    clock.now = DUE + timedelta(seconds=30)
    await worker.cycle()
    await worker.settle()  # the dispatch the cycle started
    sent = await outbox_rows(worker.engine)

    clock.now = DUE + timedelta(minutes=1, seconds=30)
    report = await worker.planning.tick()
    await worker.dispatch_tick()

    assert [row.state for row in sent] == [OutboxState.SENT]
    assert report == type(report)()
    assert len(_maildir(worker)) == 1


@pytest.mark.anyio
async def test_moved_event_withdraws_the_queued_reminder_and_sends_a_change_notice(
    worker: Worker,
) -> None:
    sid = await _subscribe(worker, "alice@example.org", leads=["1w", "1d"])
    clock = worker.clock
    assert isinstance(clock, Clock)
    clock.now = DUE + timedelta(seconds=30)
    await worker.plan_tick()  # first start: the 1w and 1d reminders are queued, not sent
    _move_hearing(worker)

    clock.now = DUE + timedelta(minutes=1)
    await worker.plan_tick()

    rows = await outbox_rows(worker.engine)
    assert [(row.subscription_id, row.kind, row.lead, row.revision, row.state) for row in rows] == [
        (sid, MessageKind.REMINDER, "1w", 0, OutboxState.WITHDRAWN),
        (sid, MessageKind.REMINDER, "1d", 0, OutboxState.WITHDRAWN),
        (sid, MessageKind.CHANGE, "", 1, OutboxState.QUEUED),
    ]
    assert rows[2].payload == {
        "class": "moved",
        "changes": [{"field": "date", "old": "2025-03-18", "new": "2025-03-25"}],
    }


@pytest.mark.anyio
async def test_change_notices_reach_every_follower_once_when_read_a_few_at_a_time(
    worker: Worker,
) -> None:
    followers = [await _subscribe(worker, f"f{n}@example.org") for n in range(5)]
    await _subscribe(worker, "other@example.org", regions=["asia-pacific"])
    paused = await _subscribe(worker, "paused@example.org")
    last = await _subscribe(worker, "last@example.org")
    async with worker.engine.begin() as conn:
        await conn.execute(
            update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == paused).values(state="paused")
        )
    # Two subscribers per page: three full pages of active ones, then "last" alone.
    worker.planning = Planning(
        worker.engine, worker.source, worker.clock, "gcm.example.org", notice_batch=2
    )
    clock = worker.clock
    assert isinstance(clock, Clock)
    await worker.plan_tick()
    _move_hearing(worker)

    clock.now += timedelta(minutes=1)
    report = await worker.planning.tick()

    notices = [
        (row.subscription_id, row.event_id, row.revision)
        for row in await outbox_rows(worker.engine)
        if row.kind == MessageKind.CHANGE
    ]
    assert (report.notices, notices) == (6, [(sid, HEARING, 1) for sid in [*followers, last]])


@pytest.mark.anyio
async def test_change_notice_owed_survives_a_crash_between_reload_and_queueing(
    worker: Worker,
) -> None:
    sid = await _subscribe(worker, "alice@example.org", leads=["1d"])
    clock = worker.clock
    assert isinstance(clock, Clock)
    await worker.plan_tick()
    _move_hearing(worker)
    # The process that records the new revision dies before it queues any notice.
    assert [c.event_id for c in await worker.source.refresh()] == [HEARING]

    restarted = await open_worker(worker.settings, clock=clock)
    try:
        clock.now += timedelta(minutes=1)
        await restarted.plan_tick()
        await restarted.plan_tick()  # told once: nothing more owed
    finally:
        await restarted.engine.dispose()

    rows = await outbox_rows(worker.engine)
    assert [(r.subscription_id, r.kind, r.revision, r.state) for r in rows] == [
        (sid, MessageKind.CHANGE, 1, OutboxState.QUEUED),
    ]
    assert rows[0].payload == {
        "class": "moved",
        "changes": [{"field": "date", "old": "2025-03-18", "new": "2025-03-25"}],
    }


@pytest.mark.anyio
async def test_minute_ticks_plan_the_reminder_once_at_its_hour(worker: Worker) -> None:
    sid = await _subscribe(worker, "alice@example.org")
    clock = worker.clock
    assert isinstance(clock, Clock)
    clock.now = DUE - timedelta(minutes=3, seconds=30)
    await worker.plan_tick()  # first start
    planned_at = []
    for minute in range(-2, 4):
        clock.now = DUE + timedelta(minutes=minute, seconds=30)
        report = await worker.planning.tick()
        planned_at.extend([minute] * report.enqueued)

    rows = await outbox_rows(worker.engine)
    assert planned_at == [0]
    assert [(row.subscription_id, row.lead, row.due_at) for row in rows] == [(sid, "1d", DUE)]


@pytest.mark.anyio
async def test_scheduler_ticks_send_the_due_reminder_and_stop_cleanly(tmp_path: Path) -> None:
    timeline = tmp_path / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", timeline)
    settings = Settings(
        timeline=timeline,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        outbox=tmp_path / "outbox",
        tick_seconds=0.2,
    )
    worker = await open_worker(settings, clock=Clock(DUE + timedelta(seconds=30)))
    try:
        await _subscribe(worker, "alice@example.org")
        worker.start()
        for _ in range(100):  # at most 10 s
            if _maildir(worker):
                break
            await asyncio.sleep(0.1)
        await worker.stop()
        rows = await outbox_rows(worker.engine)
    finally:
        await worker.engine.dispose()

    assert [(row.lead, row.state) for row in rows] == [("1d", OutboxState.SENT)]
    assert [message["Message-ID"] for message in _maildir(worker)] == [rows[0].message_id]


@pytest.mark.anyio
async def test_reminders_due_together_go_out_as_one_email(worker: Worker) -> None:
    await _subscribe(worker, "alice@example.org", leads=["1w", "1d"])
    clock = worker.clock
    assert isinstance(clock, Clock)
    clock.now = DUE + timedelta(seconds=30)

    await worker.plan_tick()  # first start: the 1w moment (past) and the 1d one (now)
    await worker.dispatch_tick()

    rows = await outbox_rows(worker.engine)
    (message,) = _maildir(worker)
    assert [(row.lead, row.state) for row in rows] == [
        ("1w", OutboxState.SENT),
        ("1d", OutboxState.SENT),
    ]
    assert {row.message_id for row in rows} == {message["Message-ID"]}
