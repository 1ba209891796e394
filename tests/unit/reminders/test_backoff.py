from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from reminders.backoff import (
    MAX_RETRIES,
    RETRY_SPAN,
    SCHEDULE,
    next_attempt,
    retry_delay,
)

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def _fixed(value: float) -> random.Random:
    class Fixed(random.Random):
        def random(self) -> float:
            return value

    return Fixed()


def test_backoff_schedule_starts_quick_then_settles_at_an_hour_within_48_hours() -> None:
    assert SCHEDULE[:8] == (10, 30, 60, 300, 900, 1800, 3600, 3600)
    assert set(SCHEDULE[6:]) == {3600}
    assert sum(SCHEDULE) <= RETRY_SPAN.total_seconds() < sum(SCHEDULE) + 3600
    assert MAX_RETRIES == 53


def test_backoff_without_jitter_is_the_schedule() -> None:
    middle = _fixed(0.5)
    delays = [retry_delay(n, middle.random) for n in range(1, 6)]
    assert delays == [timedelta(seconds=s) for s in (10, 30, 60, 300, 900)]


def test_backoff_jitter_stays_within_twenty_percent() -> None:
    assert retry_delay(1, _fixed(0.0).random) == timedelta(seconds=8)
    assert retry_delay(5, _fixed(0.0).random) == timedelta(seconds=720)
    assert retry_delay(5, _fixed(0.999).random) == timedelta(seconds=1079.64)


def test_backoff_seeded_jitter_is_repeatable() -> None:
    first = [retry_delay(n, random.Random(7).random) for n in range(1, 10)]
    second = [retry_delay(n, random.Random(7).random) for n in range(1, 10)]
    assert first == second


def test_backoff_gives_up_after_the_last_retry() -> None:
    assert retry_delay(MAX_RETRIES + 1, _fixed(0.5).random) is None
    assert next_attempt(MAX_RETRIES + 1, NOW, None, _fixed(0.5).random) is None


def test_backoff_rejects_retry_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        retry_delay(0, _fixed(0.5).random)


def test_next_attempt_is_now_plus_delay() -> None:
    assert next_attempt(4, NOW, None, _fixed(0.5).random) == NOW + timedelta(minutes=5)


def test_next_attempt_never_at_or_after_not_after() -> None:
    start = NOW + timedelta(minutes=5)
    assert next_attempt(4, NOW, start, _fixed(0.5).random) is None
    assert next_attempt(4, NOW, start + timedelta(seconds=1), _fixed(0.5).random) == start
