"""The states a subscription and an outbox message go through, and the kinds of message.

Kept apart from the ORM so that the planner, the composer and the other pure modules
can name them without loading SQLAlchemy; `reminders.db.models` stores them.
"""

from __future__ import annotations

from enum import StrEnum


class SubscriptionState(StrEnum):
    PENDING = "pending"  # signed up, not yet confirmed
    ACTIVE = "active"
    PAUSED = "paused"  # by the subscriber, or after too many hard bounces


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # leased by a dispatcher (lease_owner, lease_expires_at)
    SENT = "sent"
    RETRY_WAIT = "retry_wait"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # no longer wanted (event cancelled, moved, unsubscribed)


class MessageKind(StrEnum):
    REMINDER = "reminder"  # N days/hours before a dated event
    EXPECTED = "expected"  # "expected in March 2024 — date not yet confirmed"
    CONFIRMED = "confirmed"  # the day is now known
    CHANGE = "change"  # date, time, place, status or link changed
    CANCELLED = "cancelled"
    CONFIRM_SUBSCRIPTION = "confirm-subscription"
    MANAGE_LINK = "manage-link"
