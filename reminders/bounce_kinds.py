"""What a bounce, complaint or other reply to one of our messages turned out to be."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    #: The address is dead (RFC 3463 X.1.x, or a mailbox disabled, X.2.1), reported
    #: later in a DSN or refused during the SMTP conversation: adds to the bounce score.
    PERMANENT = "permanent"
    #: Full mailbox, delay warning, greylisting, a policy or content block: no score.
    TEMPORARY = "temporary"
    #: A feedback-loop complaint (ARF, RFC 5965): the subscription ends at once.
    COMPLAINT = "complaint"
    #: Vacation and out-of-office replies: ignored.
    AUTO_REPLY = "auto-reply"
    #: A report that names no message of ours (no valid return-path token).
    UNMATCHED = "unmatched"
    #: Anything else (ordinary mail, authentication-failure reports, garbage): ignored.
    OTHER = "other"
