"""Subscriptions in the database: sign up, confirm, manage, unsubscribe and erase.

Each function runs in the caller's session and transaction; the clock (`now`) and the
secret key are passed in. Emails about a subscription (confirmation, manage link) are
outbox rows due at once, so they go through the dispatcher with its retries like every
other email; the composer derives the link's token from the subscription id and its
generation (`reminders.tokens`).

Rules
-----
* Sign-up never says whether an address is known. A new address gets a pending
  subscription and a confirmation email; a pending one gets the confirmation again
  (with the newest choices); a confirmed one (active or paused) gets its manage link
  and keeps its choices, so nobody can change another person's subscription by
  signing their address up.
* At most `LINK_MAILS_PER_ADDRESS` sign-up and link requests are taken per address
  and `LINK_MAIL_WINDOW`, known address or not, and as many new links per subscription
  asked for with its manage link (`reminders.mail_quota`: quotas under keyed hashes,
  in the database so every instance agrees).
* A pending subscription expires `PENDING_LIFETIME` after the last sign-up; its link
  then works no more, and the purge deletes it.
* Unsubscribing deletes the subscription and every outbox row and log line about it.
  Only a keyed hash of the address is kept (`Unsubscribed`), so that an operator's
  import (`gcmcal subscriptions add`) does not add the address again. Signing up again
  on the web is allowed, because the confirmation proves the person wants it; the hash
  is removed when that new subscription is confirmed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reminders import mail_quota, outbox_store, subscription_store, tokens
from reminders.db.models import Subscription
from reminders.states import MessageKind, SubscriptionState
from reminders.subscription_choices import Choices
from reminders.tokens import handle_of, handle_token, manage_token, matches, same, token_hash

PENDING_LIFETIME = timedelta(days=7)
LINK_MAILS_PER_ADDRESS = mail_quota.LINK_MAILS_PER_ADDRESS
LINK_MAIL_WINDOW = mail_quota.LINK_MAIL_WINDOW
LINK_KINDS = (MessageKind.CONFIRM_SUBSCRIPTION, MessageKind.MANAGE_LINK)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_FEED_TOKEN = re.compile(r"(?P<id>[1-9][0-9]{0,9})-(?P<mac>[A-Za-z0-9_-]{43})")
_MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class LinkRequest(StrEnum):
    SENT = "sent"  # a confirmation or manage link is on its way (or nothing, unknown address)
    LIMITED = "limited"  # too many emails to this address today: none sent


@dataclass(frozen=True, slots=True)
class LinkMail:
    """An outbox row for a confirmation or manage-link email (`outbox_store.PlannedMessage`)."""

    dedupe_key: str
    subscription_id: int
    kind: MessageKind
    due_at: datetime
    event_id: str | None = None
    lead: str | None = None
    revision: int = 0
    not_after: datetime | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


# -- keys and tokens ---------------------------------------------------------------------


def address_hash(secret: str, address: str) -> str:
    """The keyed hash kept of an unsubscribed address (HMAC-SHA256, hex)."""
    message = b"unsubscribed:" + address.strip().lower().encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def feed_token(secret: str, subscription: Subscription) -> str:
    """``<handle>.<HMAC>``: the personal feed's secret; a new generation revokes it."""
    return handle_token(
        secret, "feed", subscription.handle, subscription.id, subscription.feed_generation
    )


def unsubscribe_token(secret: str, subscription: Subscription) -> str:
    """The token of the List-Unsubscribe URL: it can unsubscribe, nothing else."""
    return handle_token(
        secret, "unsubscribe", subscription.handle, subscription.id, subscription.feed_generation
    )


def _usable(subscription: Subscription, now: datetime) -> bool:
    if subscription.state != SubscriptionState.PENDING:
        return True
    return subscription.expires_at is not None and subscription.expires_at > now


async def by_token(session: AsyncSession, token: str, now: datetime) -> Subscription | None:
    """The subscription a manage link's token belongs to; None if unknown, revoked, expired."""
    if not _TOKEN.fullmatch(token):
        return None
    found = await subscription_store.by_token_hash(session, token_hash(token))
    if found is None or not matches(token, found.token_hash) or not _usable(found, now):
        return None
    return found


async def _by_handle(
    session: AsyncSession, token: str, secret: str, purpose: str
) -> Subscription | None:
    handle = handle_of(token)
    if handle is None:
        return None
    found = await subscription_store.by_handle(session, handle)
    if found is None:
        return None
    expected = handle_token(secret, purpose, found.handle, found.id, found.feed_generation)
    return found if same(token, expected) else None


async def by_feed_token(session: AsyncSession, token: str, secret: str) -> Subscription | None:
    """The confirmed subscription a personal feed token belongs to.

    Feed URLs made before handles (``<id>-<HMAC>``) still work: calendars poll them and
    would silently stop; a new link retires them.
    """
    found = await _by_handle(session, token, secret, "feed")
    if found is None:
        match = _FEED_TOKEN.fullmatch(token)
        if match is None or int(match["id"]) > _MAX_ID:
            return None
        found = await subscription_store.by_id(session, int(match["id"]))
        if found is None:
            return None
        expected = tokens.feed_token(secret, found.id, found.feed_generation)
        if not same(token, expected):
            return None
    return None if found.state == SubscriptionState.PENDING else found


async def by_unsubscribe_token(
    session: AsyncSession, token: str, secret: str, now: datetime
) -> Subscription | None:
    """The subscription an unsubscribe link names: its unsubscribe-only token, or the
    manage token (the manage page, and emails sent before unsubscribe tokens)."""
    return await _by_handle(session, token, secret, "unsubscribe") or await by_token(
        session, token, now
    )


async def by_email(session: AsyncSession, email: str) -> Subscription | None:
    return await subscription_store.by_email(session, email)


def current_token(secret: str, subscription: Subscription) -> str:
    return manage_token(secret, subscription.id, subscription.feed_generation)


def _set_token(secret: str, subscription: Subscription) -> None:
    subscription.token_hash = token_hash(current_token(secret, subscription))


# -- emails about the subscription ---------------------------------------------------------


async def _queue(
    session: AsyncSession, subscription: Subscription, kind: MessageKind, now: datetime, host: str
) -> None:
    expires = subscription.expires_at if kind is MessageKind.CONFIRM_SUBSCRIPTION else None
    mail = LinkMail(
        # One email per request, even two in the same instant.
        dedupe_key=f"{kind.value}:{subscription.id}:{now.isoformat()}:{secrets.token_hex(8)}",
        subscription_id=subscription.id,
        kind=kind,
        due_at=now,
        # The confirmation says until when its link works.
        payload={"expires_at": expires.isoformat()} if expires else {},
    )
    connection = await session.connection()
    await outbox_store.enqueue(connection, [mail], now, host)


# -- sign-up and confirmation -------------------------------------------------------------


def choices_of(subscription: Subscription) -> Choices:
    """What the subscriber chose, as stored."""
    return Choices(
        regions=tuple(subscription.regions),
        kinds=tuple(subscription.kinds),
        leads=tuple(subscription.leads),
        language=subscription.language,
        tz=subscription.tz,
        delivery_hour=subscription.delivery_hour,
    )


def new_subscription(
    email: str, choices: Choices, now: datetime, state: SubscriptionState
) -> Subscription:
    """A new subscription row, PENDING (a web sign-up, until confirmed) or ACTIVE (an
    operator's import of people who opted in elsewhere); `add` stores it."""
    pending = state is SubscriptionState.PENDING
    return subscription_store.new_row(
        email,
        choices,
        state,
        now,
        confirmed_at=None if pending else now,
        expires_at=now + PENDING_LIFETIME if pending else None,
    )


async def add(session: AsyncSession, added: Sequence[Subscription], secret: str) -> None:
    """Store new subscriptions with their link hashes (the token needs the id)."""
    await subscription_store.add(session, added)
    for subscription in added:
        _set_token(secret, subscription)
    await session.flush()


async def sign_up(
    session: AsyncSession, email: str, choices: Choices, now: datetime, secret: str, host: str
) -> LinkRequest:
    """Start a subscription, or remind the address of the one it has (see module rules)."""
    existing = await by_email(session, email)
    if existing is None:
        subscription = new_subscription(email, choices, now, SubscriptionState.PENDING)
        await add(session, [subscription], secret)
        await _queue(session, subscription, MessageKind.CONFIRM_SUBSCRIPTION, now, host)
        return LinkRequest.SENT
    if existing.state == SubscriptionState.PENDING:
        subscription_store.apply_choices(existing, choices)
        existing.expires_at = now + PENDING_LIFETIME
        await session.flush()
        await _queue(session, existing, MessageKind.CONFIRM_SUBSCRIPTION, now, host)
    else:
        await _queue(session, existing, MessageKind.MANAGE_LINK, now, host)
    return LinkRequest.SENT


async def request_link(session: AsyncSession, email: str, now: datetime, host: str) -> LinkRequest:
    """Answer "email me a link": the manage link (or the confirmation) if the address is known."""
    existing = await by_email(session, email)
    if existing is None or not _usable(existing, now):
        return LinkRequest.SENT
    kind = (
        MessageKind.CONFIRM_SUBSCRIPTION
        if existing.state == SubscriptionState.PENDING
        else MessageKind.MANAGE_LINK
    )
    await _queue(session, existing, kind, now, host)
    return LinkRequest.SENT


async def confirm(
    session: AsyncSession, subscription: Subscription, now: datetime, secret: str
) -> None:
    """Pending → active (the double opt-in's second step); confirmed ones stay as they are."""
    if subscription.state != SubscriptionState.PENDING:
        return
    subscription.state = SubscriptionState.ACTIVE
    subscription.confirmed_at = now
    subscription.expires_at = None
    await subscription_store.forget_unsubscribed(session, address_hash(secret, subscription.email))
    await session.flush()


# -- managing -----------------------------------------------------------------------------


async def update(session: AsyncSession, subscription: Subscription, choices: Choices) -> None:
    subscription_store.apply_choices(subscription, choices)
    await session.flush()


async def pause(session: AsyncSession, subscription: Subscription) -> None:
    """Stop reminders; rows already queued are withdrawn when the dispatcher claims them."""
    if subscription.state == SubscriptionState.ACTIVE:
        subscription.state = SubscriptionState.PAUSED
        await session.flush()


async def resume(session: AsyncSession, subscription: Subscription) -> None:
    if subscription.state == SubscriptionState.PAUSED:
        subscription.state = SubscriptionState.ACTIVE
        # The subscriber says the address works again: bounces start from nothing.
        subscription.bounce_score = 0.0
        subscription.bounce_scored_at = None
        await session.flush()


async def rotate(
    session: AsyncSession, subscription: Subscription, now: datetime, secret: str, host: str
) -> LinkRequest:
    """Answer "send me a new link": revoke the old links (manage and feed), email the new one.

    Refused (nothing changes) when this subscription's own budget of new links for today
    is spent, so a rotation never leaves somebody without a working link. The budget is
    its own (`mail_quota.manage_key`): requests by strangers who know only the
    address never spend it.
    """
    if not await mail_quota.spend(session, mail_quota.manage_key(secret, subscription.id), now):
        return LinkRequest.LIMITED
    subscription.feed_generation += 1
    _set_token(secret, subscription)
    await session.flush()
    await _queue(session, subscription, MessageKind.MANAGE_LINK, now, host)
    return LinkRequest.SENT


async def export(session: AsyncSession, subscription: Subscription) -> dict[str, Any]:
    """Everything stored about a subscriber, as JSON-ready data."""
    messages = await outbox_store.messages_of(await session.connection(), subscription.id)
    return {
        "email": subscription.email,
        "state": str(subscription.state),
        "regions": list(subscription.regions),
        "kinds": list(subscription.kinds),
        "leads": list(subscription.leads),
        "language": subscription.language,
        "time_zone": subscription.tz,
        "delivery_hour": subscription.delivery_hour,
        "created_at": _iso(subscription.created_at),
        "confirmed_at": _iso(subscription.confirmed_at),
        "hard_bounces": subscription.hard_bounces,
        "bounce_score": round(subscription.bounce_score, 3),
        "messages": messages,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def unsubscribe(
    session: AsyncSession,
    subscription: Subscription,
    now: datetime,
    secret: str,
    link: str | None = None,
) -> None:
    """Stop every pending email and erase the subscriber, keeping only a keyed hash.

    `link` is the token that asked (the unsubscribe-only token or the manage token);
    its hash is kept so that the same link posted again answers success. Without one
    (an operator, a complaint) the kept hash is the unsubscribe-only token's: the
    List-Unsubscribe link a mail provider may still post.
    """
    connection = await session.connection()
    await outbox_store.withdraw_subscriptions(connection, [subscription.id], now, "unsubscribed")
    await outbox_store.delete_for_subscriptions(connection, [subscription.id])
    kept = address_hash(secret, subscription.email)
    link_hash = token_hash(link or unsubscribe_token(secret, subscription))
    await subscription_store.delete_one(session, subscription)
    await subscription_store.keep_unsubscribed(session, kept, link_hash, now)
    if subscription in session:
        session.expunge(subscription)


async def unsubscribed_by_link(session: AsyncSession, token: str) -> bool:
    """Whether this link's subscription was already erased by unsubscribing."""
    if not _TOKEN.fullmatch(token) and handle_of(token) is None:
        return False
    found = await subscription_store.unsubscribing_link(session, token_hash(token))
    return found is not None and matches(token, found)


async def is_unsubscribed(session: AsyncSession, secret: str, email: str) -> bool:
    """Whether this address unsubscribed (and has not confirmed a new sign-up since)."""
    return await subscription_store.is_unsubscribed(session, address_hash(secret, email))
