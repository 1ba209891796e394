from __future__ import annotations

import asyncio

import pytest

from reminders.mail.port import SendStatus
from reminders.mail.transport import TokenBucket, classify_reply, enhanced_code


@pytest.mark.parametrize(
    ("code", "stage", "message", "expected"),
    [
        # Without an enhanced status code: only replies that name the address bounce.
        (550, "rcpt", "mailbox unavailable", SendStatus.PERMANENT),
        (551, "rcpt", "user not local", SendStatus.PERMANENT),
        (553, "rcpt", "mailbox name not allowed", SendStatus.PERMANENT),
        (554, "rcpt", "transaction failed", SendStatus.RELAY),
        (550, "data", "rejected", SendStatus.RELAY),
        (554, "data", "transaction failed", SendStatus.RELAY),
        # RFC 3463: 5.1.x address and 5.2.1 disabled mailbox bounce; the rest is the relay's.
        (550, "rcpt", "5.1.1 no such user", SendStatus.PERMANENT),
        (553, "rcpt", "5.1.3 bad address syntax", SendStatus.PERMANENT),
        (550, "rcpt", "5.2.1 mailbox disabled", SendStatus.PERMANENT),
        (550, "rcpt", "5.7.1 relaying denied", SendStatus.RELAY),
        (554, "data", "5.3.0 mail store full", SendStatus.RELAY),
        (550, "rcpt", "5.4.4 unable to route", SendStatus.RELAY),
        (554, "data", "5.6.0 content refused", SendStatus.RELAY),
        (550, "data", "5.7.1 message refused as spam", SendStatus.RELAY),
        (550, "rcpt", "4.2.2 mailbox full, try later", SendStatus.TEMPORARY),
        (552, "data", "5.3.4 too big for now", SendStatus.TEMPORARY),  # RFC 5321 §4.5.3.1.10
        (550, "mail", "5.1.8 bad sender", SendStatus.TEMPORARY),  # our sender: ours to fix
        (421, "connect", "4.3.2 shutting down", SendStatus.TEMPORARY),
        (535, "connect", "5.7.8 bad credentials", SendStatus.TEMPORARY),
        (451, "rcpt", "4.3.0 try later", SendStatus.TEMPORARY),
        (452, "rcpt", "", SendStatus.TEMPORARY),
        (454, "mail", "", SendStatus.TEMPORARY),
    ],
)
def test_classify_reply_by_code_stage_and_enhanced_status(
    code: int, stage: str, message: str, expected: SendStatus
) -> None:
    assert classify_reply(code, stage, message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("5.1.1 no such user", "5.1.1"),
        ("  5.7.1 denied", "5.7.1"),
        ("4.2.2 full", "4.2.2"),
        ("5.1.10 null MX", "5.1.10"),
        ("no such user 5.1.1", None),
        ("5.1 short", None),
        ("3.1.1 not a class", None),
        ("5.1.1.2 too long", None),
    ],
)
def test_enhanced_code_only_at_the_start_of_the_reply(message: str, expected: str | None) -> None:
    assert enhanced_code(message) == expected


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.anyio
async def test_token_bucket_lets_a_burst_through_then_paces_at_the_rate() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=4, burst=2, clock=fake.clock, sleep=fake.sleep)

    for _ in range(6):
        await bucket.acquire()

    assert fake.sleeps == [0.25, 0.25, 0.25, 0.25]
    assert fake.now == 1.0


@pytest.mark.anyio
async def test_token_bucket_refills_while_idle_up_to_the_burst() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=1, burst=3, clock=fake.clock, sleep=fake.sleep)
    for _ in range(3):
        await bucket.acquire()
    fake.now += 100  # idle for a long time: only `burst` tokens saved up

    for _ in range(4):
        await bucket.acquire()

    assert fake.sleeps == [1.0]


@pytest.mark.anyio
async def test_token_bucket_serves_concurrent_callers_at_the_rate() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=10, burst=1, clock=fake.clock, sleep=fake.sleep)

    await asyncio.gather(*(bucket.acquire() for _ in range(5)))

    assert fake.sleeps == [0.1, 0.1, 0.1, 0.1]
