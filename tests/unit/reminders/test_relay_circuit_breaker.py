from __future__ import annotations

from datetime import timedelta

from reminders.circuit import Breaker, cooldown, describe
from reminders.mail.port import SendResult, SendStatus

OK = SendResult(SendStatus.OK, 250)
STORE_FULL = SendResult(SendStatus.RELAY, 554, "data: 5.3.0 full", "5.3.0")
GONE = SendResult(SendStatus.PERMANENT, 550, "rcpt: 5.1.1 no such user", "5.1.1")
GREYLISTED = SendResult(SendStatus.TEMPORARY, 451, "rcpt: 4.7.1 greylisted", "4.7.1")


def _feed(breaker: Breaker, results: list[SendResult]) -> list[bool]:
    return [breaker.observe(result) for result in results]


def test_breaker_opens_when_eight_of_the_last_ten_fail_alike() -> None:
    breaker = Breaker()

    opened = _feed(breaker, [OK, OK] + [STORE_FULL] * 8)

    assert opened == [False] * 9 + [True]
    assert breaker.reason == ("relay", 554, "5.3.0")
    assert describe(breaker.reason) == "relay 554 5.3.0"


def test_breaker_stays_closed_when_failures_differ() -> None:
    breaker = Breaker()

    opened = _feed(breaker, [STORE_FULL, GONE, GREYLISTED, OK] * 10)

    assert (any(opened), breaker.is_open) == (False, False)


def test_breaker_settles_a_bounce_after_a_full_window_of_sends() -> None:
    breaker = Breaker()
    breaker.observe(GONE)
    mark = breaker.observed

    before = breaker.settled(mark)
    _feed(breaker, [OK] * 10)

    assert (before, breaker.settled(mark)) == (False, True)


def test_breaker_close_forgets_the_window() -> None:
    breaker = Breaker()
    _feed(breaker, [STORE_FULL] * 8)
    breaker.close()

    opened = _feed(breaker, [STORE_FULL] * 7)

    assert (any(opened), breaker.is_open) == (False, False)


def test_breaker_ignores_a_relay_that_does_not_answer() -> None:
    breaker = Breaker()
    unreachable = SendResult(SendStatus.TEMPORARY, None, "connect: ConnectionRefusedError")

    opened = _feed(breaker, [unreachable] * 20)

    assert (any(opened), breaker.is_open) == (False, False)


def test_cooldown_grows_to_fifteen_minutes() -> None:
    assert [cooldown(n) for n in range(1, 8)] == [
        timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 15, 15)
    ]


def test_describe_a_failure_without_an_enhanced_code() -> None:
    assert describe(("permanent", 550, None)) == "permanent 550"
