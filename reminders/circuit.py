"""The relay circuit breaker: stop sending when the relay, not the recipients, is failing.

Pure: outcomes are fed in one by one; the caller stores the open state and the clock.

A relay that refuses every message for its own reasons (full storage, a policy, a
wrong configuration, a block on our address) fails every send *alike*: the same reply
class and code over and over. (A relay that does not answer at all is left to each
message's backoff, see `signature`.) When `alike` of the last `window` sends failed with the
same signature, the circuit opens: the dispatcher stops, the messages not yet tried
go back to the queue, and nobody is blamed. Failures of different kinds (one bad
address here, one greylisting there) never open it.

While open, nothing is sent until `cooldown(openings)` has passed; then one message is
tried (half-open). If it goes through the circuit closes, otherwise it opens again
for longer.

Bounces are only believed once the sends after them show the relay was otherwise
working: `Breaker.settled` says when a bounce seen at `mark` has had `window` sends
after it without the circuit opening.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import timedelta

from reminders.mail.port import SendResult, SendStatus

WINDOW = 10
ALIKE = 8
#: Wait before the first, second, … half-open try; the last value repeats.
COOLDOWNS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=15),
)

Signature = tuple[str, int | None, str | None]


def signature(result: SendResult) -> Signature | None:
    """What makes two failures "alike"; None for what is not a relay's answer.

    Only refusals the relay *answered* count. A relay that cannot be reached at all
    (refused or dropped connections, time-outs) costs nothing per try, and each message
    already waits its own backoff step for it.
    """
    if result.status in (SendStatus.OK, SendStatus.UNSENDABLE) or result.code is None:
        return None
    return (result.status.value, result.code, result.enhanced)


def describe(failure: Signature) -> str:
    """A failure signature for people: "relay 554 5.3.0", "temporary (no code)"."""
    status, code, enhanced = failure
    parts = [str(part) for part in (code, enhanced) if part is not None]
    return f"{status} {' '.join(parts)}" if parts else f"{status} (no code)"


def cooldown(openings: int) -> timedelta:
    """How long the circuit stays open after its `openings`-th opening in a row."""
    return COOLDOWNS[min(max(openings, 1), len(COOLDOWNS)) - 1]


@dataclass
class Breaker:
    window: int = WINDOW
    alike: int = ALIKE

    def __post_init__(self) -> None:
        if not 1 <= self.alike <= self.window:
            raise ValueError("need 1 ≤ alike ≤ window")
        self._recent: deque[Signature | None] = deque(maxlen=self.window)
        self.observed = 0
        self.reason: Signature | None = None

    @property
    def is_open(self) -> bool:
        return self.reason is not None

    def observe(self, result: SendResult) -> bool:
        """Count one send's result; True when this one opens the circuit."""
        self.observed += 1
        if self.is_open:
            return False
        self._recent.append(signature(result))
        failures = Counter(item for item in self._recent if item is not None)
        if failures:
            common, count = failures.most_common(1)[0]
            if count >= self.alike:
                self.reason = common
                return True
        return False

    def settled(self, mark: int) -> bool:
        """Whether a send observed as number `mark` has had a full window after it."""
        return not self.is_open and self.observed - mark >= self.window

    def close(self) -> None:
        self._recent.clear()
        self.reason = None
