"""The bounce score: permanent failures add up, and the sum halves every half-life.

As in Mailman 3, one dead-address report is not enough to stop mail (a relay can be
wrong for a day), but a few in a row are; and reports far apart never add up to a
pause, because the score decays. Reminders are sparse (a few a month per subscriber,
where Mailman's lists mail daily), so the default half-life is 30 days, not 7: a dead
address subscribed to one event's five reminders is paused by the fifth bounce at
the latest, sooner with more events. Temporary failures (a full mailbox, a greylisting
server, a delay warning) add nothing, so they never pause a subscription alone.

Pure: the time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: What one permanent failure adds.
PERMANENT = 1.0


@dataclass(frozen=True, slots=True)
class BouncePolicy:
    threshold: float = 3.0
    half_life: timedelta = timedelta(days=30)


def decayed(score: float, since: datetime | None, now: datetime, half_life: timedelta) -> float:
    """`score` as it stands at `now`, having decayed since `since`."""
    if since is None or score <= 0:
        return max(score, 0.0)
    elapsed = max((now - since).total_seconds(), 0.0)
    return float(score * 0.5 ** (elapsed / half_life.total_seconds()))


def after_permanent(
    score: float, since: datetime | None, now: datetime, policy: BouncePolicy, failures: int = 1
) -> float:
    """The score after `failures` permanent failures reported at `now`."""
    return decayed(score, since, now, policy.half_life) + PERMANENT * failures


def pauses(score: float, policy: BouncePolicy) -> bool:
    # To two decimals: failures hours apart count as whole ones (1 + 0.999 reaches 2).
    return round(score, 2) >= policy.threshold
