"""What sending a message means to the rest of the service: the `Mailer` port and its answer.

The dispatcher, the outbox and the circuit breaker depend on this module only, so that
none of them loads an SMTP library; `reminders.mail.transport` holds the adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class SendStatus(StrEnum):
    OK = "ok"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    RELAY = "relay"
    #: Not a relay's answer: the message could not be built and never will be (its
    #: events left the timeline). Only the dispatcher uses it; mailers never return it.
    UNSENDABLE = "unsendable"


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    code: int | None = None
    detail: str = ""
    #: RFC 3463 enhanced status code of the reply ("5.1.1"), when the relay sent one.
    enhanced: str | None = None


SENT = SendResult(SendStatus.OK, 250, "")


class Mailer(Protocol):
    async def send(self, sender: str, recipients: Sequence[str], message: bytes) -> SendResult:
        """Hand one message to the relay; never raises for a delivery problem."""
        ...

    async def close(self) -> None: ...
