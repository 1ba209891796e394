"""The outbox table: enqueue planned messages, withdraw stale ones, claim, record, purge.

Row life cycle (`OutboxState`):

    queued ──claim──► sending ──sent──► sent
       ▲                 │  ├──temporary──► retry_wait ──claim──► sending …
       │                 │  └──permanent / gave up / too late──► failed
       └─ (lease expired: claimed again, same Message-ID)
    queued / retry_wait / expired sending ──withdraw──► withdrawn

- `due_at` is when the row is next due: the planned time at first, then the time of
  the next attempt after a temporary failure (one index, `(state, due_at)`, serves
  every claim).
- Claiming is lease-based. One transaction picks due rows (`FOR UPDATE SKIP LOCKED`
  on PostgreSQL; SQLite has one writer at a time, `BEGIN IMMEDIATE`), marks them
  `sending` with an owner and an expiry (`UPDATE … RETURNING`), and commits *before*
  any SMTP traffic. A dispatcher that dies leaves its rows leased; once the lease
  expires anybody claims them again. Only those rows can go out twice, and they keep
  their Message-ID, so the recipient's mail program can tell.
- Rows of one subscriber claimed together for the first time are bound into one
  message: they all take the Message-ID of the first of them, in the claim
  transaction. From then on a message is "the rows sharing a Message-ID", across
  retries and crashes.
- Rows whose `not_after` has passed when they are claimed fail ("too late: the event
  has started") instead of going out.
- SENT rows are never touched again except by `purge`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Table, and_, bindparam, case, delete, or_, select, text, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from reminders import bounce_store
from reminders.backoff import Random
from reminders.bounce_kinds import ReportKind
from reminders.bounce_score import BouncePolicy
from reminders.db.models import PENDING_SQL, Base
from reminders.mail.port import SendResult
from reminders.outcomes import earliest, transition
from reminders.states import MessageKind, OutboxState, SubscriptionState

OUTBOX: Table = Base.metadata.tables["outbox"]
SUBSCRIPTIONS: Table = Base.metadata.tables["subscriptions"]
SEND_LOG: Table = Base.metadata.tables["send_log"]

#: Kinds that are about one person's own subscription: never merged with other mail,
#: and sent whatever the subscription's state (a confirmation goes to a pending one).
TRANSACTIONAL = frozenset({MessageKind.CONFIRM_SUBSCRIPTION, MessageKind.MANAGE_LINK})

PENDING_STATES = (OutboxState.QUEUED, OutboxState.RETRY_WAIT)
TOO_LATE = "too late: the event has started"
_CHUNK = 500  # ids per IN (...) list


class PlannedMessage(Protocol):
    """What the planner hands over (`reminders.planner.Planned` fits)."""

    @property
    def dedupe_key(self) -> str: ...
    @property
    def subscription_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def event_id(self) -> str | None: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def revision(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def not_after(self) -> datetime | None: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


def new_message_id(host: str) -> str:
    """A globally unique Message-ID, ``<hex@host>``."""
    return f"<{uuid.uuid4().hex}@{host}>"


def _insert(conn: AsyncConnection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support for {conn.dialect.name}")


async def enqueue(
    conn: AsyncConnection,
    planned: Iterable[PlannedMessage],
    now: datetime,
    host: str,
    chunk: int = 1000,
) -> int:
    """Insert planned messages, skipping any whose `dedupe_key` is already there.

    Runs in the caller's transaction. Returns how many rows were new.
    """
    statement = (
        _insert(conn, OUTBOX)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OUTBOX.c.id)
    )
    added = 0
    batch: list[dict[str, Any]] = []
    for item in planned:
        batch.append(
            {
                "dedupe_key": item.dedupe_key,
                "subscription_id": item.subscription_id,
                "kind": str(item.kind),
                "event_id": item.event_id,
                "lead": item.lead,
                "revision": item.revision,
                "payload": dict(item.payload),
                "due_at": item.due_at,
                "not_after": item.not_after,
                "state": OutboxState.QUEUED.value,
                "attempts": 0,
                "message_id": new_message_id(host),
                "created_at": now,
            }
        )
        if len(batch) >= chunk:
            added += len((await conn.execute(statement, batch)).all())
            batch = []
    if batch:
        added += len((await conn.execute(statement, batch)).all())
    return added


# -- withdrawing -----------------------------------------------------------------------


def _withdrawable(now: datetime) -> ColumnElement[bool]:
    """Rows not sent and not in the hands of a live dispatcher."""
    return or_(
        OUTBOX.c.state.in_([state.value for state in PENDING_STATES]),
        and_(OUTBOX.c.state == OutboxState.SENDING.value, OUTBOX.c.lease_expires_at <= now),
    )


async def _withdraw(
    conn: AsyncConnection, condition: ColumnElement[bool], now: datetime, reason: str
) -> int:
    result = await conn.execute(
        update(OUTBOX)
        .where(condition, _withdrawable(now))
        .values(
            state=OutboxState.WITHDRAWN.value,
            last_error=reason,
            lease_owner=None,
            lease_expires_at=None,
        )
        .returning(OUTBOX.c.id)
    )
    return len(result.all())


def _chunks(values: Collection[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def withdraw_events(
    conn: AsyncConnection, event_ids: Collection[str], now: datetime, reason: str
) -> int:
    """Withdraw every unsent row about these events (cancelled, removed)."""
    total = 0
    for part in _chunks(event_ids):
        total += await _withdraw(conn, OUTBOX.c.event_id.in_(part), now, reason)
    return total


async def withdraw_revisions(
    conn: AsyncConnection, pairs: Collection[tuple[str, int]], now: datetime, reason: str
) -> int:
    """Withdraw unsent rows planned for exactly these (event id, revision) pairs."""
    by_revision: dict[int, list[str]] = defaultdict(list)
    for event_id, revision in pairs:
        by_revision[revision].append(event_id)
    total = 0
    for revision, event_ids in by_revision.items():
        for part in _chunks(event_ids):
            condition = and_(OUTBOX.c.event_id.in_(part), OUTBOX.c.revision == revision)
            total += await _withdraw(conn, condition, now, reason)
    return total


async def withdraw_older_revisions(
    conn: AsyncConnection, current: Mapping[str, int], now: datetime, reason: str
) -> int:
    """Withdraw unsent rows of these events planned for a revision before the current one."""
    total = 0
    for event_id, revision in current.items():
        condition = and_(OUTBOX.c.event_id == event_id, OUTBOX.c.revision < revision)
        total += await _withdraw(conn, condition, now, reason)
    return total


async def withdraw_subscriptions(
    conn: AsyncConnection, subscription_ids: Collection[int], now: datetime, reason: str
) -> int:
    """Withdraw every unsent row for these subscriptions (unsubscribed, paused)."""
    total = 0
    for part in _chunks(subscription_ids):
        total += await _withdraw(conn, OUTBOX.c.subscription_id.in_(part), now, reason)
    return total


# -- claiming --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One claimed outbox row."""

    id: int
    subscription_id: int
    kind: MessageKind
    event_id: str | None
    lead: str | None
    revision: int
    payload: Mapping[str, Any]
    due_at: datetime
    not_after: datetime | None
    attempts: int
    message_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    """The subscription a message goes to, as it was at claim time."""

    id: int
    email: str
    language: str
    tz: str
    state: SubscriptionState
    hard_bounces: int
    feed_generation: int
    handle: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """One email to send: the rows sharing a Message-ID, and whom they go to."""

    message_id: str
    recipient: Recipient
    items: tuple[Item, ...]
    lease_expires_at: datetime

    @property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True, slots=True)
class Claim:
    owner: str
    envelopes: tuple[Envelope, ...]
    too_late: tuple[int, ...]  # row ids failed because not_after had passed
    withdrawn: tuple[int, ...]  # row ids whose subscription is no longer active

    @property
    def rows(self) -> int:
        return sum(len(envelope.items) for envelope in self.envelopes)


_ITEM_COLUMNS = (
    OUTBOX.c.id,
    OUTBOX.c.subscription_id,
    OUTBOX.c.kind,
    OUTBOX.c.event_id,
    OUTBOX.c.lead,
    OUTBOX.c.revision,
    OUTBOX.c.payload,
    OUTBOX.c.due_at,
    OUTBOX.c.not_after,
    OUTBOX.c.attempts,
    OUTBOX.c.message_id,
    OUTBOX.c.created_at,
    OUTBOX.c.state,
)


def _item(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        subscription_id=row.subscription_id,
        kind=MessageKind(row.kind),
        event_id=row.event_id,
        lead=row.lead,
        revision=row.revision,
        payload=row.payload or {},
        due_at=row.due_at,
        not_after=row.not_after,
        attempts=row.attempts,
        message_id=row.message_id,
        created_at=row.created_at,
    )


async def _lease(
    conn: AsyncConnection,
    due: ColumnElement[bool],
    order: Sequence[Any],
    limit: int,
    owner: str,
    now: datetime,
    expires: datetime,
) -> list[Row[Any]]:
    picked = (
        select(OUTBOX.c.id)
        .where(due)
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    too_late = and_(OUTBOX.c.not_after.is_not(None), OUTBOX.c.not_after <= now)
    statement = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(picked))
        .values(
            state=case((too_late, OutboxState.FAILED.value), else_=OutboxState.SENDING.value),
            lease_owner=case((too_late, None), else_=owner),
            lease_expires_at=case((too_late, None), else_=expires),
            last_error=case((too_late, TOO_LATE), else_=OUTBOX.c.last_error),
        )
        .returning(*_ITEM_COLUMNS)
    )
    return list((await conn.execute(statement)).all())


async def claim(
    engine: AsyncEngine,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    kinds: Collection[str] | None = None,
) -> Claim:
    """Lease up to `limit` due rows to `owner` and commit; return them as envelopes.

    Expired leases first (the oldest work), then queued and retry_wait rows in due
    order. Rows of subscriptions no longer active are withdrawn here (transactional
    kinds excepted), rows past `not_after` fail. `kinds`, when given, leases only rows
    of those kinds (the worker's link lane).
    """
    expires = now + lease
    of_kinds = true() if kinds is None else OUTBOX.c.kind.in_(list(kinds))
    async with engine.begin() as conn:
        expired = await _lease(
            conn,
            and_(
                OUTBOX.c.state == OutboxState.SENDING.value,
                OUTBOX.c.lease_expires_at <= now,
                of_kinds,
            ),
            (OUTBOX.c.lease_expires_at, OUTBOX.c.id),
            limit,
            owner,
            now,
            expires,
        )
        fresh: list[Row[Any]] = []
        if len(expired) < limit:
            fresh = await _lease(
                conn,
                # ix_outbox_pending: PENDING_SQL as written in the index.
                and_(text(PENDING_SQL), OUTBOX.c.due_at <= now, of_kinds),
                (OUTBOX.c.due_at, OUTBOX.c.id),
                limit - len(expired),
                owner,
                now,
                expires,
            )
        too_late = [row.id for row in (*expired, *fresh) if row.state == OutboxState.FAILED]
        leased = [row for row in (*expired, *fresh) if row.state == OutboxState.SENDING]
        recipients = await _recipients(conn, {row.subscription_id for row in leased})
        fresh_ids = {row.id for row in fresh}
        withdrawn: list[int] = []
        earlier: list[Item] = []  # sent before (retry, expired lease): keep their message
        first_time: list[Item] = []
        for row in leased:
            item = _item(row)
            if not _deliverable(item, recipients):
                withdrawn.append(item.id)
            elif item.id in fresh_ids and item.attempts == 0:
                first_time.append(item)
            else:
                earlier.append(item)
        if withdrawn:
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(withdrawn))
                .values(
                    state=OutboxState.WITHDRAWN.value,
                    last_error="withdrawn: subscription not active",
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
        rebound = _bind(first_time)
        if rebound:
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == bindparam("b_id"))
                .values(message_id=bindparam("b_message_id")),
                [{"b_id": row_id, "b_message_id": mid} for row_id, mid in rebound.items()],
            )
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in earlier:
        groups[item.message_id].append(item)
    for item in first_time:
        groups[rebound.get(item.id, item.message_id)].append(item)
    envelopes = tuple(
        Envelope(
            message_id,
            recipients[group[0].subscription_id],
            tuple(sorted(group, key=lambda item: (item.due_at, item.id))),
            expires,
        )
        for message_id, group in groups.items()
    )
    return Claim(owner, envelopes, tuple(too_late), tuple(withdrawn))


async def _recipients(conn: AsyncConnection, ids: Collection[int]) -> dict[int, Recipient]:
    found: dict[int, Recipient] = {}
    s = SUBSCRIPTIONS.c
    for part in _chunks(ids):
        rows = await conn.execute(
            select(
                s.id,
                s.email,
                s.language,
                s.tz,
                s.state,
                s.hard_bounces,
                s.feed_generation,
                s.handle,
            ).where(s.id.in_(part))
        )
        for row in rows:
            found[row.id] = Recipient(
                id=row.id,
                email=row.email,
                language=row.language,
                tz=row.tz,
                state=SubscriptionState(row.state),
                hard_bounces=row.hard_bounces,
                feed_generation=row.feed_generation,
                handle=row.handle,
            )
    return found


def _deliverable(item: Item, recipients: Mapping[int, Recipient]) -> bool:
    """The subscription still exists and is active (any state for transactional mail)."""
    recipient = recipients.get(item.subscription_id)
    return recipient is not None and (
        recipient.state == SubscriptionState.ACTIVE or item.kind in TRANSACTIONAL
    )


def _bind(items: Sequence[Item]) -> dict[int, str]:
    """New Message-IDs for first-time rows merged into one message per subscriber.

    Transactional kinds always go alone. Returns {row id: Message-ID} for the rows
    whose Message-ID changes (those joining the first row of their subscriber).
    """
    first: dict[int, Item] = {}
    rebound: dict[int, str] = {}
    for item in sorted(items, key=lambda item: item.id):
        if item.kind in TRANSACTIONAL:
            continue
        leader = first.setdefault(item.subscription_id, item)
        if leader is not item:
            rebound[item.id] = leader.message_id
    return rebound


async def release(engine: AsyncEngine, owner: str, item_ids: Collection[int]) -> int:
    """Give leased rows back to the queue untouched (the circuit opened before they went).

    They keep their due time and Message-ID; no attempt is counted.
    """
    o = OUTBOX.c
    released = 0
    async with engine.begin() as conn:
        for part in _chunks(item_ids):
            result = await conn.execute(
                update(OUTBOX)
                .where(
                    o.id.in_(part),
                    o.state == OutboxState.SENDING.value,
                    o.lease_owner == owner,
                )
                .values(
                    state=case(
                        (o.attempts == 0, OutboxState.QUEUED.value),
                        else_=OutboxState.RETRY_WAIT.value,
                    ),
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .returning(o.id)
            )
            released += len(result.all())
    return released


# -- recording -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendOutcome:
    envelope: Envelope
    result: SendResult
    at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    sent: int = 0  # rows
    retrying: int = 0
    failed: int = 0
    bounced: int = 0  # messages
    paused: int = 0  # subscriptions paused by this record
    withdrawn: int = 0  # rows whose message could not be built


async def record(
    engine: AsyncEngine,
    owner: str,
    outcomes: Sequence[SendOutcome],
    *,
    bounces: BouncePolicy,
    random: Random,
) -> Recorded:
    """Store what happened to sent messages, in one transaction.

    Every attempt goes to the send log. A row is updated only while `owner` still
    holds its lease, except that a delivered row becomes SENT whoever holds it (it did
    go out). A bounce (a permanent refusal during the SMTP conversation) is a
    `ReportKind.PERMANENT` report and adds to the subscription's decaying bounce score
    (`reminders.bounce_store`), which pauses it at `bounces.threshold`: the same score
    that bounces coming back later as mail feed. A relay taking a message says nothing
    about the mailbox behind it, so a delivery does not lower the score; time does.
    """
    if not outcomes:
        return Recorded()
    sent_rows: list[dict[str, Any]] = []
    other_rows: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    bounced: list[SendOutcome] = []
    counts = {"sent": 0, "retrying": 0, "failed": 0, "withdrawn": 0}
    for outcome in outcomes:
        envelope = outcome.envelope
        change = transition(
            outcome.result,
            at=outcome.at,
            failures_before=max(item.attempts for item in envelope.items),
            not_after=earliest([item.not_after for item in envelope.items]),
            random=random,
        )
        for item in envelope.items:
            values = {
                "b_id": item.id,
                "b_state": change.state.value,
                "b_due": change.next_due or item.due_at,
                "b_sent_at": change.sent_at,
                "b_error": change.error,
            }
            (sent_rows if change.state == OutboxState.SENT else other_rows).append(values)
            log_rows.append(
                {
                    "outbox_id": item.id,
                    "at": outcome.at,
                    "outcome": change.log_outcome,
                    "smtp_code": outcome.result.code,
                    "detail": change.error or "",
                }
            )
        if change.state == OutboxState.SENT:
            counts["sent"] += len(envelope.items)
        elif change.state == OutboxState.RETRY_WAIT:
            counts["retrying"] += len(envelope.items)
        elif change.state == OutboxState.WITHDRAWN:
            counts["withdrawn"] += len(envelope.items)
        else:
            counts["failed"] += len(envelope.items)
        if change.bounce:
            bounced.append(outcome)
    o = OUTBOX.c
    columns: dict[str, Any] = {
        "state": bindparam("b_state"),
        "attempts": o.attempts + 1,
        "due_at": bindparam("b_due", type_=o.due_at.type),
        "sent_at": bindparam("b_sent_at", type_=o.sent_at.type),
        "last_error": bindparam("b_error"),
        "lease_owner": None,
        "lease_expires_at": None,
    }
    paused = 0
    async with engine.begin() as conn:
        if sent_rows:
            await conn.execute(
                update(OUTBOX)
                .where(o.id == bindparam("b_id"), o.state != OutboxState.SENT.value)
                .values(columns),
                sent_rows,
            )
        if other_rows:
            await conn.execute(
                update(OUTBOX)
                .where(
                    o.id == bindparam("b_id"),
                    o.state == OutboxState.SENDING.value,
                    o.lease_owner == owner,
                )
                .values(columns),
                other_rows,
            )
        # Rows erased meanwhile (an unsubscribe deletes them) get no log line.
        existing: set[int] = set()
        for part in _chunks({entry["outbox_id"] for entry in log_rows}):
            existing.update((await conn.execute(select(o.id).where(o.id.in_(part)))).scalars())
        log_rows = [entry for entry in log_rows if entry["outbox_id"] in existing]
        if log_rows:
            await conn.execute(SEND_LOG.insert(), log_rows)
        if bounced:
            paused = await _count_bounces(conn, bounced, bounces)
    return Recorded(
        counts["sent"],
        counts["retrying"],
        counts["failed"],
        len(bounced),
        paused,
        counts["withdrawn"],
    )


async def _count_bounces(
    conn: AsyncConnection, bounced: Sequence[SendOutcome], policy: BouncePolicy
) -> int:
    counted: list[int] = []
    for outcome in bounced:
        envelope = outcome.envelope
        new = await bounce_store.add_report(
            conn,
            kind=ReportKind.PERMANENT,
            at=outcome.at,
            subscription_id=envelope.recipient.id,
            outbox_id=envelope.items[0].id,
            detail=f"smtp {outcome.result.code} {outcome.result.enhanced or ''}".strip(),
        )
        if new:
            counted.append(envelope.recipient.id)
    return await bounce_store.add_permanent(conn, counted, bounced[0].at, policy)


# -- purging ---------------------------------------------------------------------------


#: Finished rows (and their send log) are kept this long after the event started (or,
#: for rows without an event time, after they were created). After that nothing can
#: plan them again, and keeping who was mailed what serves nobody.
FINISHED_ROWS_KEPT = timedelta(days=30)
#: Sign-ups never confirmed are deleted this long after they expired (7 days after the
#: sign-up): at once, as promised on the sign-up page.
PENDING_GRACE = timedelta(0)

FINISHED_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class Purged:
    outbox: int
    send_log: int
    pending_subscriptions: int


async def purge(
    engine: AsyncEngine,
    now: datetime,
    retention: timedelta = FINISHED_ROWS_KEPT,
    pending_grace: timedelta = PENDING_GRACE,
) -> Purged:
    """Delete old finished outbox rows with their send log, and stale pending sign-ups."""
    cutoff = now - retention
    o = OUTBOX.c
    old = and_(
        o.state.in_([state.value for state in FINISHED_STATES]),
        or_(
            and_(o.not_after.is_not(None), o.not_after < cutoff),
            and_(o.not_after.is_(None), o.created_at < cutoff),
        ),
    )
    s = SUBSCRIPTIONS.c
    stale_pending = and_(
        s.state == SubscriptionState.PENDING.value,
        or_(
            and_(s.expires_at.is_not(None), s.expires_at < now - pending_grace),
            and_(s.expires_at.is_(None), s.created_at < now - pending_grace),
        ),
    )
    async with engine.begin() as conn:
        log_result = await conn.execute(
            delete(SEND_LOG).where(SEND_LOG.c.outbox_id.in_(select(o.id).where(old)))
        )
        outbox_result = await conn.execute(delete(OUTBOX).where(old))
        # Their outbox rows (confirmation mail) go with them: ON DELETE CASCADE.
        await conn.execute(
            delete(SEND_LOG).where(
                SEND_LOG.c.outbox_id.in_(
                    select(o.id).where(o.subscription_id.in_(select(s.id).where(stale_pending)))
                )
            )
        )
        await conn.execute(
            delete(OUTBOX).where(o.subscription_id.in_(select(s.id).where(stale_pending)))
        )
        pending_result = await conn.execute(delete(SUBSCRIPTIONS).where(stale_pending))
        await bounce_store.purge_reports(conn, now)
    return Purged(outbox_result.rowcount, log_result.rowcount, pending_result.rowcount)
