"""The shapes a message is made from: its recipient, its envelope, what rendering gives.

`reminders.mail.compose` renders and assembles messages from these; the outbox's own
rows (`reminders.claims`) fit the protocols, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reminders.mail.content import MessageItem
from reminders.states import MessageKind

#: Stands for the subscriber's token in cached bodies; URL-safe, never in real content.
PLACEHOLDER = "GCMCALx0TOKENx0PLACEHOLDER"
#: Stands for the name of the subscriber's personal feed, likewise.
FEED_PLACEHOLDER = "GCMCALx0FEEDx0PLACEHOLDER"
#: Likewise for the unsubscribe-only token (List-Unsubscribe and the footer's link).
UNSUBSCRIBE_PLACEHOLDER = "GCMCALx0UNSUBSCRIBEx0PLACEHOLDER"


class MessageRecipient(Protocol):
    """The subscription a message goes to (`reminders.subscription_store.Recipient` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def tz(self) -> str: ...
    @property
    def feed_generation(self) -> int: ...
    @property
    def handle(self) -> str: ...


class Envelope(Protocol):
    """One message's rows and recipient (`reminders.claims.Envelope` fits)."""

    @property
    def message_id(self) -> str: ...
    @property
    def recipient(self) -> MessageRecipient: ...
    @property
    def items(self) -> Sequence[MessageItem]: ...


class NothingToSend(ValueError):
    """None of the items' events is in the timeline any more."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """Everything of a message that does not depend on the recipient."""

    kind: MessageKind  # the message's main kind (the first section's)
    subject: str
    subject_header: bytes  # folded, encoded "Subject: …\r\n"
    text: str  # with PLACEHOLDER where the token goes
    html: str
    attachments: tuple[bytes, ...]  # complete MIME parts
    language: str
    list_unsubscribe: bool


@dataclass(frozen=True, slots=True)
class SimpleItem:
    """An item built in code (for `Composer.confirmation` and `Composer.manage_link`)."""

    kind: str
    event_id: str | None = None
    lead: str | None = None
    revision: int = 0
    payload: Mapping[str, Any] = field(default_factory=dict)
