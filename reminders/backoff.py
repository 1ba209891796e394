"""When to try a message again after a temporary SMTP failure (pure).

The delays follow pretix's quick retries and then settle at one hour:
10 s, 30 s, 1 min, 5 min, 15 min, 30 min, 1 h, 1 h, … until 48 hours of retrying have
been spent (`RETRY_SPAN`), after which the message fails. Each delay is spread by
±20 % jitter so that a relay that throttled a whole batch does not get the whole batch
back in the same second. A retry never lands at or after the message's `not_after`
(the event's start): a reminder that would arrive too late fails instead.

The random source is passed in (`random.Random().random` in production, a seeded one
in tests), like the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

#: Seconds to wait before retry number 1, 2, … ; the last value repeats.
BASE_DELAYS: tuple[int, ...] = (10, 30, 60, 300, 900, 1800, 3600)
#: Retrying stops once the base delays add up to more than this.
RETRY_SPAN = timedelta(hours=48)
#: Each delay is multiplied by a factor drawn uniformly from [1 - JITTER, 1 + JITTER).
JITTER = 0.2

Random = Callable[[], float]


def _schedule() -> tuple[int, ...]:
    delays: list[int] = []
    total = 0
    limit = int(RETRY_SPAN.total_seconds())
    for index in range(10_000):  # bounded; the span ends long before
        delay = BASE_DELAYS[min(index, len(BASE_DELAYS) - 1)]
        if total + delay > limit:
            break
        delays.append(delay)
        total += delay
    return tuple(delays)


#: Every base delay, in order: retry n (1-based) waits SCHEDULE[n - 1] seconds ± jitter.
SCHEDULE: tuple[int, ...] = _schedule()
MAX_RETRIES = len(SCHEDULE)


def retry_delay(retry: int, random: Random) -> timedelta | None:
    """The wait before retry number `retry` (1 = the first retry), or None: give up."""
    if retry < 1:
        raise ValueError(f"retry numbers start at 1, not {retry}")
    if retry > MAX_RETRIES:
        return None
    factor = 1 - JITTER + 2 * JITTER * random()
    return timedelta(seconds=round(SCHEDULE[retry - 1] * factor, 3))


def next_attempt(
    failures: int, now: datetime, not_after: datetime | None, random: Random
) -> datetime | None:
    """When to try again after the `failures`-th failed attempt at `now`; None: give up.

    None when the retries are used up, or when the retry would not come before
    `not_after`.
    """
    delay = retry_delay(failures, random)
    if delay is None:
        return None
    at = now + delay
    if not_after is not None and at >= not_after:
        return None
    return at
