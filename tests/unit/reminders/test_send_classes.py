from __future__ import annotations

import asyncio

import pytest

from reminders.mail.transport import SendStatus, TokenBucket, classify_reply


@pytest.mark.parametrize(
    ("code", "stage", "expected"),
    [
        (550, "rcpt", SendStatus.PERMANENT),
        (553, "rcpt", SendStatus.PERMANENT),
        (554, "data", SendStatus.PERMANENT),
        (552, "data", SendStatus.TEMPORARY),  # RFC 5321 §4.5.3.1.10
        (550, "mail", SendStatus.TEMPORARY),  # our sender refused: not the recipient's fault
        (421, "connect", SendStatus.TEMPORARY),
        (535, "connect", SendStatus.TEMPORARY),  # wrong password: ours to fix
        (451, "rcpt", SendStatus.TEMPORARY),
        (452, "rcpt", SendStatus.TEMPORARY),
        (454, "mail", SendStatus.TEMPORARY),
    ],
)
def test_classify_reply_by_code_and_stage(code: int, stage: str, expected: SendStatus) -> None:
    assert classify_reply(code, stage) == expected


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
