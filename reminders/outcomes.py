"""What one send result does to the outbox rows that went out in that message (pure).

The rows of one message share its fate: all sent, all waiting for the same retry time,
or all failed. A permanent refusal of the address is a bounce and counts against the
subscription; a relay refusing for its own reasons (`SendStatus.RELAY`) is retried on
the temporary schedule and never counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reminders.backoff import Random, next_attempt
from reminders.mail.port import SendResult, SendStatus
from reminders.states import OutboxState

#: Send log outcomes (SendAttempt.outcome).
LOG_SENT = "sent"
LOG_RETRY = "retry"  # temporary failure, another attempt is planned
LOG_RELAY = "relay"  # refused for the relay's own reasons, another attempt is planned
LOG_GAVE_UP = "gave-up"  # temporary failure, no attempt left before not_after or 48 h
LOG_BOUNCE = "bounce"  # permanent refusal of the recipient or message
LOG_WITHDRAWN = "withdrawn"  # the message could not be built (nothing was sent)


@dataclass(frozen=True, slots=True)
class Transition:
    """The new state of every row of one message after one attempt."""

    state: OutboxState
    log_outcome: str
    next_due: datetime | None  # RETRY_WAIT only
    sent_at: datetime | None  # SENT only
    error: str | None
    bounce: bool


def transition(
    result: SendResult,
    *,
    at: datetime,
    failures_before: int,
    not_after: datetime | None,
    random: Random,
) -> Transition:
    """The rows' next state after `result` at `at`.

    `failures_before` is how many attempts already failed (the rows' `attempts`);
    `not_after` the earliest `not_after` of the rows.
    """
    match result.status:
        case SendStatus.OK:
            return Transition(OutboxState.SENT, LOG_SENT, None, at, None, bounce=False)
        case SendStatus.PERMANENT:
            error = _error(result)
            return Transition(OutboxState.FAILED, LOG_BOUNCE, None, None, error, bounce=True)
        case SendStatus.UNSENDABLE:
            error = _error(result)
            return Transition(OutboxState.WITHDRAWN, LOG_WITHDRAWN, None, None, error, bounce=False)
    due = next_attempt(failures_before + 1, at, not_after, random)
    error = _error(result)
    if due is None:
        gave_up = f"gave up after {failures_before + 1} attempts: {error}"
        return Transition(OutboxState.FAILED, LOG_GAVE_UP, None, None, gave_up, bounce=False)
    logged = LOG_RELAY if result.status is SendStatus.RELAY else LOG_RETRY
    return Transition(OutboxState.RETRY_WAIT, logged, due, None, error, bounce=False)


def _error(result: SendResult) -> str:
    code = f"{result.code} " if result.code is not None else ""
    return f"{code}{result.detail}".strip()[:1000]


def earliest(moments: Sequence[datetime | None]) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None
