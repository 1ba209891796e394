"""The bounce score: permanent failures add up, time halves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reminders.bounce_score import BouncePolicy, after_permanent, decayed, pauses

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = BouncePolicy(threshold=3.0, half_life=timedelta(days=30))


def test_score_halves_every_half_life() -> None:
    assert [decayed(4.0, T0, T0 + timedelta(days=d), POLICY.half_life) for d in (0, 30, 60)] == [
        4.0,
        2.0,
        1.0,
    ]


def test_failures_in_one_day_pause_at_the_threshold() -> None:
    score, since = 0.0, None
    paused = []
    for hour in range(3):
        now = T0 + timedelta(hours=hour)
        score, since = after_permanent(score, since, now, POLICY), now
        paused.append(pauses(score, POLICY))
    assert paused == [False, False, True]


def test_failures_months_apart_never_pause() -> None:
    score, since = 0.0, None
    for month in range(12):
        now = T0 + timedelta(days=90 * month)
        score, since = after_permanent(score, since, now, POLICY), now
    assert (round(score, 3), pauses(score, POLICY)) == (1.143, False)


@pytest.mark.parametrize(("score", "expected"), [(2.99, False), (2.996, True), (3.0, True)])
def test_pauses_at_the_threshold_to_two_decimals(score: float, expected: bool) -> None:
    assert pauses(score, POLICY) is expected
