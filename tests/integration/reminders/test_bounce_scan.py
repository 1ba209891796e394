"""`gcmcal bounces scan MAILDIR` on bounces and complaints in the formats of the big mail
servers and providers (tests/support/bounce_samples.py), garbage and huge messages included."""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from reminders import outbox_store
from reminders.bounce_store import REPORTS
from reminders.cli import main
from reminders.db.models import Base
from reminders.return_path import Mark, return_path
from reminders.states import SubscriptionState
from tests.support.bounce_samples import SAMPLES, gmail_over_quota, postfix_user_unknown
from tests.support.sending import NOW, add_subscriptions, database, planned

SECRET = "bounce-scan-test-secret"
DOMAIN = "bounces.gcm.example.org"
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
UNSUBSCRIBED = Base.metadata.tables["unsubscribed"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        "GCMCAL_SECRET_KEY": SECRET,
        "GCMCAL_BOUNCE_DOMAIN": DOMAIN,
        **extra,
    }


def _scan(env: dict[str, str], maildir: Path) -> Result:
    return CliRunner().invoke(main, ["bounces", "scan", str(maildir)], env=env)


async def _prepare(db: Path, addresses: Sequence[str], messages_each: int = 1) -> list[Mark]:
    """One active subscription per address, `messages_each` outbox rows each."""
    async with database(db) as engine:
        if not addresses:
            return []
        ids = await add_subscriptions(engine, addresses, NOW)
        rows = [planned(sid, lead=f"{n + 1}d") for sid in ids for n in range(messages_each)]
        async with engine.begin() as conn:
            await outbox_store.enqueue(conn, rows, NOW, "gcm.example.org")
            found = await conn.execute(
                select(
                    Base.metadata.tables["outbox"].c.subscription_id,
                    Base.metadata.tables["outbox"].c.id,
                ).order_by("id")
            )
            return [Mark(row.subscription_id, row.id) for row in found]


async def _table(db: Path, table: Any) -> list[Any]:
    async with database(db) as engine, engine.connect() as conn:
        return list((await conn.execute(select(table).order_by(table.c.id))).all())


def _verp(mark: Mark) -> str:
    return return_path(SECRET, "bounces", DOMAIN, mark)


def _maildir(path: Path, messages: Sequence[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for message in messages:
        box.add(message)
    return path


def test_scan_classifies_every_sample_and_acts_on_it(tmp_path: Path) -> None:
    names = list(SAMPLES)
    addresses = [f"{name}@example.net" for name in names]
    marks = asyncio.run(_prepare(tmp_path / "db.sqlite3", addresses))
    maildir = _maildir(
        tmp_path / "Maildir",
        [
            SAMPLES[name][0](_verp(mark), address)
            for name, mark, address in zip(names, marks, addresses, strict=True)
        ],
    )

    result = _scan(_env(tmp_path), maildir)
    reports = asyncio.run(_table(tmp_path / "db.sqlite3", REPORTS))
    subscriptions = {
        row.id: row for row in asyncio.run(_table(tmp_path / "db.sqlite3", SUBSCRIPTIONS))
    }

    expected = {name: SAMPLES[name][1] for name in names}
    by_outbox = {report.outbox_id: report.kind for report in reports}
    assert {
        name: by_outbox[mark.outbox_id] for name, mark in zip(names, marks, strict=True)
    } == expected
    complained = {
        mark.subscription_id
        for name, mark in zip(names, marks, strict=True)
        if expected[name] == "complaint"
    }
    assert {
        name: (
            (
                subscriptions[mark.subscription_id].state,
                subscriptions[mark.subscription_id].bounce_score,
            )
            if mark.subscription_id in subscriptions
            else "erased"
        )
        for name, mark in zip(names, marks, strict=True)
    } == {
        name: "erased"
        if kind == "complaint"
        else (SubscriptionState.ACTIVE, 1.0 if kind == "permanent" else 0.0)
        for name, kind in expected.items()
    }
    assert len(asyncio.run(_table_unsubscribed(tmp_path / "db.sqlite3"))) == len(complained)
    assert (result.exit_code, result.stdout) == (
        0,
        "auto-reply  2\ncomplaint   3\nother       2\npermanent   6\ntemporary   4\n"
        "paused      0\nunsubscribed 3\n",
    )
    assert (
        sorted(p.name.split(":")[1] for p in (maildir / "cur").iterdir()),
        list((maildir / "new").iterdir()),
    ) == (
        ["2,S"] * len(names),
        [],
    )


async def _table_unsubscribed(db: Path) -> list[Any]:
    async with database(db) as engine, engine.connect() as conn:
        return list((await conn.execute(select(UNSUBSCRIBED))).all())


def test_scan_pauses_a_dead_address_at_the_threshold_but_never_a_full_mailbox(
    tmp_path: Path,
) -> None:
    marks = asyncio.run(
        _prepare(tmp_path / "db.sqlite3", ["dead@example.net", "full@example.net"], 3)
    )
    dead, full = marks[:3], marks[3:]
    env = _env(tmp_path, GCMCAL_BOUNCE_THRESHOLD="3")
    states = []
    for dead_mark, full_mark in zip(dead, full, strict=True):
        maildir = _maildir(
            tmp_path / f"Maildir-{dead_mark.outbox_id}",
            [
                postfix_user_unknown(_verp(dead_mark), "dead@example.net"),
                gmail_over_quota(_verp(full_mark), "full@example.net"),
            ],
        )
        assert _scan(env, maildir).exit_code == 0
        rows = asyncio.run(_table(tmp_path / "db.sqlite3", SUBSCRIPTIONS))
        states.append([(row.state, row.hard_bounces) for row in rows])

    assert states == [
        [(SubscriptionState.ACTIVE, 1), (SubscriptionState.ACTIVE, 0)],
        [(SubscriptionState.ACTIVE, 2), (SubscriptionState.ACTIVE, 0)],
        [(SubscriptionState.PAUSED, 3), (SubscriptionState.ACTIVE, 0)],
    ]


def _nested(depth: int) -> bytes:
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
        for n in range(depth)
    )
    return b"From: x@example.net\r\nMIME-Version: 1.0\r\n" + head + b"deep\r\n"


def test_scan_survives_garbage_hostile_and_huge_messages(tmp_path: Path) -> None:
    (mark,) = asyncio.run(_prepare(tmp_path / "db.sqlite3", ["dead@example.net"]))
    forged = return_path("not-our-secret", "bounces", DOMAIN, mark)
    huge = postfix_user_unknown(_verp(mark), "dead@example.net").replace(
        b"--B1--",
        b"--B1\r\nContent-Type: application/octet-stream\r\n\r\n"
        + b"A" * 3_000_000
        + b"\r\n--B1--",
    )
    maildir = _maildir(
        tmp_path / "Maildir",
        [
            b"",
            bytes(range(256)) * 400,
            b"\xff\xfe\x00garbage without headers",
            b"Subject: =?bogus?x?\xff\xff?=\r\nContent-Type: multipart/report; boundary=\r\n\r\n--",
            _nested(5_000),
            b"Content-Type: multipart/mixed; boundary=z\r\n\r\n" + b"--z\r\n\r\nx\r\n" * 20_000,
            postfix_user_unknown(forged, "dead@example.net"),
            huge,
        ],
    )

    result = _scan(_env(tmp_path, GCMCAL_BOUNCE_MAX_BYTES="200000"), maildir)
    reports = asyncio.run(_table(tmp_path / "db.sqlite3", REPORTS))

    assert (result.exit_code, result.stdout) == (
        0,
        "other       6\npermanent   1\nunmatched   1\npaused      0\nunsubscribed 0\n",
    )
    assert sorted(
        (r.kind, r.outbox_id, r.subscription_id) for r in reports if r.kind != "other"
    ) == [
        ("permanent", mark.outbox_id, mark.subscription_id),
        ("unmatched", None, None),
    ]


def test_scan_counts_a_bounce_read_twice_once_and_deletes_when_told(tmp_path: Path) -> None:
    (mark,) = asyncio.run(_prepare(tmp_path / "db.sqlite3", ["dead@example.net"]))
    bounce = postfix_user_unknown(_verp(mark), "dead@example.net")
    maildir = _maildir(tmp_path / "Maildir", [bounce, bounce])

    result = _scan(_env(tmp_path, GCMCAL_BOUNCE_KEEP="false"), maildir)
    (row,) = asyncio.run(_table(tmp_path / "db.sqlite3", SUBSCRIPTIONS))

    assert (result.exit_code, row.hard_bounces, row.bounce_score) == (0, 1, 1.0)
    assert (list((maildir / "new").iterdir()), list((maildir / "cur").iterdir())) == ([], [])


@pytest.mark.parametrize(
    ("env_extra", "target", "message"),
    [
        ({}, "absent", "Error: {dir} is not a Maildir (no new/ and cur/)\n"),
        (
            {"GCMCAL_BOUNCE_DOMAIN": ""},
            "absent",
            "Error: GCMCAL_BOUNCE_DOMAIN is not set: without a return path, "
            "no bounce names its message\n",
        ),
    ],
)
def test_scan_explains_what_is_wrong_without_traceback(
    tmp_path: Path, env_extra: dict[str, str], target: str, message: str
) -> None:
    asyncio.run(_prepare(tmp_path / "db.sqlite3", []))
    result = _scan({**_env(tmp_path), **env_extra}, tmp_path / target)
    # (The output before the error is the log.)
    assert (result.exit_code, result.output.splitlines(keepends=True)[-1]) == (
        1,
        message.format(dir=tmp_path / target),
    )
