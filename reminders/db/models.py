"""Tables: subscriptions, event revisions, the outbox and its sending log.

Durable state lives here and nowhere else (no pickled scheduler jobs). Times are stored
as aware UTC datetimes (`UtcDateTime`), so SQLite and PostgreSQL read back the same value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from reminders.states import MessageKind, OutboxState, SubscriptionState
from reminders.tokens import new_handle


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # The planner's (zone, hour) groups in use: read from the index alone.
        Index("ix_subscriptions_groups", "state", "tz", "delivery_hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    regions: Mapped[list[str]]  # region ids; empty = every region
    kinds: Mapped[list[str]]  # kind slugs; empty = every kind
    leads: Mapped[list[str]]  # lead codes, e.g. "3w", "1d", "1h"
    language: Mapped[str] = mapped_column(String(8))
    tz: Mapped[str] = mapped_column(String(64))
    delivery_hour: Mapped[int] = mapped_column(Integer, default=9)
    state: Mapped[SubscriptionState] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of manage token
    # Random public name in feed and unsubscribe links (`reminders.tokens.handle_token`).
    handle: Mapped[str] = mapped_column(String(32), unique=True, default=new_handle)
    feed_generation: Mapped[int] = mapped_column(Integer, default=0)  # bump to revoke feed URL
    hard_bounces: Mapped[int] = mapped_column(Integer, default=0)  # permanent failures, ever
    # Decays with time (`reminders.bounce_score`); pauses the subscription at a threshold.
    bounce_score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    bounce_scored_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # pending sign-ups are deleted after this


class MailRequest(Base):
    """A sign-up or link request waiting to be processed (`reminders.mail_requests`)."""

    __tablename__ = "mail_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(320))
    choices: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class MailQuota(Base):
    """One unit of a link-email quota spent; `key` is a keyed hash, never an address."""

    __tablename__ = "mail_quota"
    __table_args__ = (Index("ix_mail_quota_key", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class EventRevision(Base):
    """The last published content of each event; SEQUENCE in the feeds comes from here."""

    __tablename__ = "event_revisions"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sequence: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    modified: Mapped[datetime]
    published: Mapped[dict[str, Any]]  # Event.published() as the feeds show it now
    # What subscribers were last told by email; a change notice is owed while
    # `notified_sequence < sequence`, and survives a crash until it is queued.
    notified: Mapped[dict[str, Any]]
    notified_sequence: Mapped[int]
    # `feeds.Timeline.surroundings` as last recorded (the region's contact, the region
    # names of the feeds carrying it): editing those moves SEQUENCE or Last-Modified.
    contact_digest: Mapped[str | None] = mapped_column(String(64))
    names_digest: Mapped[str | None] = mapped_column(String(64))


class EventHistory(Base):
    """One row per new revision of an event (and per removal): its change history."""

    __tablename__ = "event_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), index=True)
    sequence: Mapped[int]
    at: Mapped[datetime]
    effect: Mapped[str] = mapped_column(String(16))  # feeds.history.Effect
    changes: Mapped[list[dict[str, Any]]]  # [{field, old, new}]
    published: Mapped[dict[str, Any]]  # the event after the change (before, if removed)


#: Rows waiting to be sent, as literals: PostgreSQL uses a partial index only for a query
#: whose condition it can see implies the index's, which bound parameters hide.
PENDING_SQL = "state IN ('queued', 'retry_wait')"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_due", "state", "due_at"),
        # The link lane (`reminders.worker`) looks for due link emails every second.
        Index("ix_outbox_kind_due", "kind", "state", "due_at"),
        # Claims take pending rows in (due_at, id) order: read in that order from here,
        # not sorted out of a million queued rows at every claim.
        Index(
            "ix_outbox_pending",
            "due_at",
            "id",
            postgresql_where=text(PENDING_SQL),
            sqlite_where=text(PENDING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # (subscription, event, message kind, lead, event revision): planning twice adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(400))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(200))
    lead: Mapped[str | None] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]]  # what the message needs beyond the timeline (changes)
    due_at: Mapped[datetime]
    not_after: Mapped[datetime | None]  # never send after this (the event's start)
    state: Mapped[OutboxState] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    message_id: Mapped[str] = mapped_column(String(200))  # kept across retries and crashes
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class SendAttempt(Base):
    """One SMTP conversation about one outbox message: the sending log."""

    __tablename__ = "send_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # sent, retry, bounce
    smtp_code: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")


class Unsubscribed(Base):
    """Keyed hashes of addresses that unsubscribed: all that is kept of them."""

    __tablename__ = "unsubscribed"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]
    # SHA-256 of the link that unsubscribed: the same link posted again (RFC 8058
    # one-click retried by a mail provider) is answered with success, not "unknown".
    link_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class SchedulerState(Base):
    """Small named facts shared by all instances (last tick, last timeline error)."""

    __tablename__ = "scheduler_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class BounceReport(Base):
    """One bounce, complaint or other reply about a message we sent: what the metrics count.

    Holds no address: `subscription_id` is cleared when the subscription is erased, so
    complaints keep counting after the unsubscribe they caused. One report per outbox
    row and kind, so a bounce read twice counts once.
    """

    __tablename__ = "bounce_reports"
    __table_args__ = (UniqueConstraint("outbox_id", "kind", name="uq_bounce_reports_outbox_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # `reminders.bounce_reading.ReportKind`
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    outbox_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(String(200), default="")
