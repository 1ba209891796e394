"""An edit of the timeline reaches subscribers as one change notice, whichever process of a
several-instance set-up reads the edited file first.

The revision of an event is recorded once for all instances (advisory lock on
PostgreSQL). A web process started with `--no-scheduler` (or `gcmcal export`) that opens
the edited file first records the new revision but plans nothing; the notice it owes is
kept in `event_revisions` (migration 0003), so the next worker tick still sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.publish import FeedSet
from reminders import wiring
from reminders.db.engine import session_factory
from reminders.mail.transport import MaildirMailer
from reminders.service import Service
from reminders.settings import Settings
from reminders.states import MessageKind
from reminders.timeline_source import TimelineSource
from reminders.wiring import feed_builder
from reminders.worker import Worker, mail_composer_for
from tests.support.db_backends import Database
from tests.support.reliability import (
    BASE_URL,
    EVENT,
    MAIL_FROM,
    add_subscribers,
    copy_timeline,
    outbox_rows,
    quiet_planner,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
#: The English place of EVENT in the shipped timeline, and where it moves.
OLD_PLACE = 'en = "United Nations Headquarters, New York"\n'
NEW_PLACE = OLD_PLACE.replace("New York", "New York (Conference Room 4)")


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.anyio
@pytest.mark.parametrize("first_reader", ["worker", "web process"])
async def test_timeline_edit_gives_one_change_notice_whoever_reads_it_first(
    db: Database, tmp_path: Path, first_reader: str
) -> None:
    timeline = copy_timeline(tmp_path)
    settings = Settings(
        timeline=timeline,
        database_url=db.url,
        base_url=BASE_URL,
        mail_from=MAIL_FROM,
        outbox=tmp_path / "maildir",
    )
    clock = Clock(NOW)
    sessions = session_factory(db.engine)

    def source() -> TimelineSource[FeedSet]:
        return TimelineSource(timeline, sessions, feed_builder(BASE_URL), clock)

    worker = Worker(
        settings,
        wiring.Database.on(db.engine),
        source(),
        MaildirMailer(settings.outbox),
        mail_composer_for(settings, clock),
        clock=clock,
    )
    (subscriber,) = await add_subscribers(db.engine, 1, NOW - timedelta(days=1))
    await quiet_planner(db.engine, NOW + timedelta(days=1), NOW)
    await worker.plan_tick()  # the first load: revisions recorded, nothing to tell
    assert await outbox_rows(db.engine) == []

    # Other events share the place: edit EVENT's own block, up to the next event.
    head, start, rest = timeline.read_text(encoding="utf-8").partition(f'id = "{EVENT}"\n')
    block, next_event, after = rest.partition("[[events]]")
    assert block.count(OLD_PLACE) == 1
    edited = head + start + block.replace(OLD_PLACE, NEW_PLACE) + next_event + after
    timeline.write_text(edited, encoding="utf-8")
    clock.now = NOW + timedelta(minutes=1)
    if first_reader == "web process":
        web = Service(settings, wiring.Database(db.url, db.engine, sessions), source(), clock)
        await web.open()  # what `gcmcal serve --no-scheduler` does at start
    await worker.plan_tick()

    rows = await outbox_rows(db.engine)
    assert [(row.subscription_id, row.kind, row.event_id) for row in rows] == [
        (subscriber, MessageKind.CHANGE.value, EVENT)
    ]
