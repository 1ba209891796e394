"""Recording what happened to sent messages: the outbox rows, the send log, bounces.

Outcomes are turned into row changes by `reminders.outcomes` (pure); the statements are
`reminders.outbox_store`'s, bounce reports and scores `reminders.bounce_store`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reminders import bounce_store, outbox_store
from reminders.backoff import Random
from reminders.bounce_kinds import ReportKind
from reminders.bounce_score import BouncePolicy
from reminders.claims import Envelope
from reminders.mail.port import SendResult
from reminders.outcomes import earliest, transition
from reminders.states import OutboxState


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
    paused = 0
    async with engine.begin() as conn:
        await outbox_store.finish_attempts(conn, owner, sent_rows, other_rows)
        await outbox_store.log_attempts(conn, log_rows)
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
