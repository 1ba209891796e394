"""The per-client sliding window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reminders.web.ratelimit import Decision, SlidingWindow, client_key

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_window_refuses_past_limit_then_allows_after_window() -> None:
    clock = Clock()
    window = SlidingWindow(3, timedelta(minutes=10), clock)
    decisions = [window.hit("a") for _ in range(4)]
    assert decisions == [Decision(True), Decision(True), Decision(True), Decision(False, 600)]
    clock.now = START + timedelta(minutes=4)
    assert window.hit("a") == Decision(False, 360)
    clock.now = START + timedelta(minutes=10)
    assert window.hit("a") == Decision(True)


def test_window_slides_one_hit_at_a_time() -> None:
    clock = Clock()
    window = SlidingWindow(2, timedelta(minutes=10), clock)
    assert window.hit("a") == Decision(True)
    clock.now = START + timedelta(minutes=5)
    assert window.hit("a") == Decision(True)
    clock.now = START + timedelta(minutes=10, seconds=1)
    assert [window.hit("a"), window.hit("a")] == [Decision(True), Decision(False, 299)]


def test_window_keys_independent() -> None:
    window = SlidingWindow(1, timedelta(minutes=10), Clock())
    assert [window.hit("a"), window.hit("b"), window.hit("a")] == [
        Decision(True),
        Decision(True),
        Decision(False, 600),
    ]


def test_window_memory_bounded_by_max_keys() -> None:
    clock = Clock()
    window = SlidingWindow(1, timedelta(minutes=10), clock, max_keys=100)
    for n in range(1000):
        window.hit(f"client-{n}")
    assert len(window) == 100
    clock.now = START + timedelta(hours=1)
    window.hit("late")
    assert len(window) == 1


def test_window_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit must be at least 1"):
        SlidingWindow(0, timedelta(minutes=1), Clock())


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_client_key_ipv6_by_network(host: str | None, key: str) -> None:
    assert client_key(host) == key
