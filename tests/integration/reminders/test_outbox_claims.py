"""The outbox on a real SQLite file: enqueue, claim with leases, record, withdraw, purge."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from reminders import claims, outbox_store, purge, send_records
from reminders.backoff import next_attempt
from reminders.bounce_score import BouncePolicy
from reminders.due_reminders import Planned
from reminders.mail.port import SendResult, SendStatus
from reminders.states import MessageKind, OutboxState, SubscriptionState
from tests.support.sending import (
    HOST,
    NOW,
    SUBSCRIPTIONS,
    add_subscriptions,
    backend,
    database,
    outbox_rows,
    planned,
    send_log,
)

LEASE = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with database(backend(request, tmp_path)) as engine:
        yield engine


async def _enqueue(engine: AsyncEngine, items: list[Planned], now: datetime = NOW) -> int:
    async with engine.begin() as conn:
        return await outbox_store.enqueue(conn, items, now, HOST)


@pytest.mark.anyio
async def test_enqueue_twice_adds_each_dedupe_key_once(engine: AsyncEngine) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    items = [planned(alice), planned(bob), planned(alice, lead="3w")]

    first = await _enqueue(engine, items)
    second = await _enqueue(engine, [*items, planned(bob, lead="3w")])

    rows = await outbox_rows(engine)
    assert (first, second) == (3, 1)
    assert [row.dedupe_key for row in rows] == [
        f"{alice}:africa-2024-consultation:reminder:1d:0",
        f"{bob}:africa-2024-consultation:reminder:1d:0",
        f"{alice}:africa-2024-consultation:reminder:3w:0",
        f"{bob}:africa-2024-consultation:reminder:3w:0",
    ]
    assert {row.state for row in rows} == {OutboxState.QUEUED}
    assert len({row.message_id for row in rows}) == 4
    assert all(row.message_id.endswith(f"@{HOST}>") for row in rows)


@pytest.mark.anyio
async def test_claim_merges_one_subscribers_rows_into_one_message(engine: AsyncEngine) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    await _enqueue(
        engine,
        [
            planned(alice),
            planned(bob),
            planned(alice, "global-2026-imrf", lead="8w"),
            planned(alice, kind=MessageKind.MANAGE_LINK, lead=""),
        ],
    )
    ids_before = {row.id: row.message_id for row in await outbox_rows(engine)}

    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)

    rows = await outbox_rows(engine)
    by_recipient = sorted(
        (envelope.recipient.email, envelope.item_ids, envelope.message_id)
        for envelope in claim.envelopes
    )
    assert by_recipient == [
        ("alice@example.org", (1, 3), ids_before[1]),
        ("alice@example.org", (4,), ids_before[4]),
        ("bob@example.org", (2,), ids_before[2]),
    ]
    assert [row.message_id for row in rows] == [
        ids_before[1],
        ids_before[2],
        ids_before[1],
        ids_before[4],
    ]
    assert {(row.state, row.lease_owner, row.lease_expires_at) for row in rows} == {
        (OutboxState.SENDING, "worker-a", NOW + LEASE)
    }


@pytest.mark.anyio
async def test_claim_takes_only_due_rows_and_leaves_leased_ones_alone(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    await _enqueue(
        engine, [planned(alice), planned(alice, lead="1h", due_at=NOW + timedelta(hours=1))]
    )

    first = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)
    second = await claims.claim(engine, "worker-b", NOW + timedelta(minutes=4), LEASE, limit=10)

    assert [envelope.item_ids for envelope in first.envelopes] == [(1,)]
    assert second.envelopes == ()


@pytest.mark.anyio
async def test_claim_after_lease_expiry_resends_with_the_same_message_id(
    engine: AsyncEngine,
) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    await _enqueue(engine, [planned(alice), planned(alice, lead="3w"), planned(bob)])
    first = await claims.claim(engine, "crashed", NOW, LEASE, limit=10)
    # A row of alice's planned after the crash must not join the old message.
    await _enqueue(engine, [planned(alice, lead="8w")], NOW + timedelta(minutes=1))

    later = NOW + LEASE
    again = await claims.claim(engine, "worker-b", later, LEASE, limit=10)

    def shape(claim: claims.Claim) -> list[tuple[str, tuple[int, ...]]]:
        return sorted((envelope.message_id, envelope.item_ids) for envelope in claim.envelopes)

    new_row = (await outbox_rows(engine))[3]
    assert shape(again) == sorted([*shape(first), (new_row.message_id, (4,))])
    assert {envelope.lease_expires_at for envelope in again.envelopes} == {later + LEASE}


@pytest.mark.anyio
async def test_claim_fails_rows_past_not_after_as_too_late(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    await _enqueue(engine, [planned(alice, not_after=NOW), planned(alice, lead="3w")])

    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)

    rows = await outbox_rows(engine)
    assert claim.too_late == (1,)
    assert [envelope.item_ids for envelope in claim.envelopes] == [(2,)]
    assert [(row.state, row.last_error, row.lease_owner) for row in rows] == [
        (OutboxState.FAILED, outbox_store.TOO_LATE, None),
        (OutboxState.SENDING, None, "worker-a"),
    ]


@pytest.mark.anyio
async def test_claim_withdraws_rows_of_paused_subscriptions_but_sends_their_manage_link(
    engine: AsyncEngine,
) -> None:
    (alice,) = await add_subscriptions(
        engine, ["alice@example.org"], NOW, state=SubscriptionState.PAUSED
    )
    await _enqueue(engine, [planned(alice), planned(alice, kind=MessageKind.MANAGE_LINK, lead="")])

    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)

    rows = await outbox_rows(engine)
    assert claim.withdrawn == (1,)
    assert [envelope.item_ids for envelope in claim.envelopes] == [(2,)]
    assert [row.state for row in rows] == [OutboxState.WITHDRAWN, OutboxState.SENDING]


@pytest.mark.anyio
async def test_claim_respects_the_limit_in_due_order(engine: AsyncEngine) -> None:
    subscribers = await add_subscriptions(engine, [f"p{n}@example.org" for n in range(5)], NOW)
    await _enqueue(
        engine,
        [planned(sid, due_at=NOW - timedelta(minutes=n)) for n, sid in enumerate(subscribers)],
    )

    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=2)

    assert sorted(envelope.item_ids for envelope in claim.envelopes) == [(4,), (5,)]


async def _claim_one(engine: AsyncEngine, subscription_id: int, **kwargs: Any) -> claims.Envelope:
    await _enqueue(engine, [planned(subscription_id, **kwargs)])
    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)
    (envelope,) = claim.envelopes
    return envelope


async def _record(
    engine: AsyncEngine, envelope: claims.Envelope, result: SendResult, seed: int = 3
) -> send_records.Recorded:
    return await send_records.record(
        engine,
        "worker-a",
        [send_records.SendOutcome(envelope, result, NOW)],
        bounces=BouncePolicy(threshold=2),
        random=random.Random(seed).random,
    )


@pytest.mark.anyio
async def test_record_sent_marks_rows_sent_and_logs_the_attempt(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    envelope = await _claim_one(engine, alice)

    recorded = await _record(engine, envelope, SendResult(SendStatus.OK, 250, ""))

    (row,) = await outbox_rows(engine)
    (entry,) = await send_log(engine)
    assert recorded == send_records.Recorded(sent=1)
    assert (row.state, row.sent_at, row.attempts, row.lease_owner) == (
        OutboxState.SENT,
        NOW,
        1,
        None,
    )
    assert (entry.outbox_id, entry.outcome, entry.smtp_code, entry.at) == (row.id, "sent", 250, NOW)


@pytest.mark.anyio
async def test_record_temporary_failure_waits_for_the_backoff(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    envelope = await _claim_one(engine, alice)

    recorded = await _record(
        engine, envelope, SendResult(SendStatus.TEMPORARY, 451, "try later"), seed=5
    )

    (row,) = await outbox_rows(engine)
    expected_due = next_attempt(1, NOW, NOW + timedelta(days=1), random.Random(5).random)
    assert recorded == send_records.Recorded(retrying=1)
    assert (row.state, row.due_at, row.attempts, row.last_error) == (
        OutboxState.RETRY_WAIT,
        expected_due,
        1,
        "451 try later",
    )
    assert [entry.outcome for entry in await send_log(engine)] == ["retry"]


@pytest.mark.anyio
async def test_record_temporary_failure_too_close_to_the_event_gives_up(
    engine: AsyncEngine,
) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    envelope = await _claim_one(engine, alice, not_after=NOW + timedelta(seconds=5))

    recorded = await _record(engine, envelope, SendResult(SendStatus.TEMPORARY, None, "timeout"))

    (row,) = await outbox_rows(engine)
    assert recorded == send_records.Recorded(failed=1)
    assert (row.state, row.last_error) == (OutboxState.FAILED, "gave up after 1 attempts: timeout")


@pytest.mark.anyio
async def test_record_bounces_count_and_pause_at_the_limit(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    refusal = SendResult(SendStatus.PERMANENT, 550, "rcpt: mailbox unavailable")

    first = await _record(engine, await _claim_one(engine, alice), refusal)
    second = await _record(engine, await _claim_one(engine, alice, lead="3w"), refusal)

    async with engine.connect() as conn:
        state, bounces = (
            await conn.execute(select(SUBSCRIPTIONS.c.state, SUBSCRIPTIONS.c.hard_bounces))
        ).one()
    assert (first, second) == (
        send_records.Recorded(failed=1, bounced=1),
        send_records.Recorded(failed=1, bounced=1, paused=1),
    )
    assert (state, bounces) == (SubscriptionState.PAUSED, 2)
    assert [entry.outcome for entry in await send_log(engine)] == ["bounce", "bounce"]


@pytest.mark.anyio
async def test_record_delivery_leaves_the_bounce_score_to_decay(engine: AsyncEngine) -> None:
    # A relay taking a message proves nothing about the mailbox behind it.
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    refusal = SendResult(SendStatus.PERMANENT, 550, "no")
    await _record(engine, await _claim_one(engine, alice), refusal)

    await _record(
        engine, await _claim_one(engine, alice, lead="3w"), SendResult(SendStatus.OK, 250)
    )

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    SUBSCRIPTIONS.c.state,
                    SUBSCRIPTIONS.c.hard_bounces,
                    SUBSCRIPTIONS.c.bounce_score,
                    SUBSCRIPTIONS.c.bounce_scored_at,
                )
            )
        ).one()
    assert tuple(row) == (SubscriptionState.ACTIVE, 1, 1.0, NOW)


@pytest.mark.anyio
async def test_record_by_a_dispatcher_that_lost_its_lease_changes_nothing_but_sent(
    engine: AsyncEngine,
) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    await _enqueue(engine, [planned(alice), planned(bob)])
    stale = await claims.claim(engine, "slow", NOW, LEASE, limit=10)
    await claims.claim(engine, "worker-b", NOW + LEASE, LEASE, limit=10)
    sent, failed = sorted(stale.envelopes, key=lambda envelope: envelope.item_ids)

    await send_records.record(
        engine,
        "slow",
        [
            send_records.SendOutcome(sent, SendResult(SendStatus.OK, 250), NOW),
            send_records.SendOutcome(failed, SendResult(SendStatus.TEMPORARY, 451, "later"), NOW),
        ],
        bounces=BouncePolicy(threshold=3),
        random=random.Random(1).random,
    )

    rows = await outbox_rows(engine)
    assert [(row.state, row.lease_owner) for row in rows] == [
        (OutboxState.SENT, None),
        (OutboxState.SENDING, "worker-b"),
    ]
    assert len(await send_log(engine)) == 2


@pytest.mark.anyio
async def test_withdraw_never_touches_sent_or_live_rows(engine: AsyncEngine) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    sent = await _claim_one(engine, alice, lead="8w")
    await _record(engine, sent, SendResult(SendStatus.OK, 250))
    await _claim_one(engine, alice, lead="3w")  # leased, lease still valid
    await _enqueue(engine, [planned(alice, lead="1d"), planned(alice, "other-event")])

    async with engine.begin() as conn:
        count = await outbox_store.withdraw_revisions(
            conn, [("africa-2024-consultation", 0)], NOW, "cancelled"
        )

    rows = await outbox_rows(engine)
    assert count == 1
    assert [(row.lead, row.event_id, row.state, row.last_error) for row in rows] == [
        ("8w", "africa-2024-consultation", OutboxState.SENT, None),
        ("3w", "africa-2024-consultation", OutboxState.SENDING, None),
        ("1d", "africa-2024-consultation", OutboxState.WITHDRAWN, "cancelled"),
        ("1d", "other-event", OutboxState.QUEUED, None),
    ]


@pytest.mark.anyio
async def test_withdraw_by_revision_and_subscription(engine: AsyncEngine) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    await _enqueue(
        engine,
        [
            planned(alice, revision=0),
            planned(alice, revision=1),
            planned(alice, revision=2),
            planned(bob, "other-event", revision=4),
            planned(bob, "third-event", revision=0),
        ],
    )

    async with engine.begin() as conn:
        older = await outbox_store.withdraw_revisions(
            conn, [("africa-2024-consultation", 0), ("africa-2024-consultation", 1)], NOW, "moved"
        )
        exact = await outbox_store.withdraw_revisions(conn, [("other-event", 4)], NOW, "changed")
        unsubscribed = await outbox_store.withdraw_subscriptions(conn, [bob], NOW, "unsubscribed")

    rows = await outbox_rows(engine)
    assert (older, exact, unsubscribed) == (2, 1, 1)
    assert [row.last_error for row in rows] == ["moved", "moved", None, "changed", "unsubscribed"]


@pytest.mark.anyio
async def test_purge_deletes_old_finished_rows_and_stale_pending_signups(
    engine: AsyncEngine,
) -> None:
    (alice,) = await add_subscriptions(engine, ["alice@example.org"], NOW)
    (pending_old,) = await add_subscriptions(
        engine, ["old@example.org"], NOW, state=SubscriptionState.PENDING
    )
    (pending_new,) = await add_subscriptions(
        engine, ["new@example.org"], NOW, state=SubscriptionState.PENDING
    )
    async with engine.begin() as conn:
        await conn.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == pending_old)
            .values(expires_at=NOW + timedelta(days=30, hours=23))
        )
        await conn.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == pending_new)
            .values(expires_at=NOW + timedelta(days=31, hours=1))
        )
    old = await _claim_one(engine, alice, lead="8w", not_after=NOW + timedelta(hours=1))
    await _record(engine, old, SendResult(SendStatus.OK, 250))
    await _enqueue(engine, [planned(alice, lead="1h", due_at=NOW + timedelta(days=40))])

    purged = await purge.purge(engine, NOW + timedelta(days=31))

    async with engine.connect() as conn:
        left = (
            (await conn.execute(select(SUBSCRIPTIONS.c.email).order_by(SUBSCRIPTIONS.c.id)))
            .scalars()
            .all()
        )
    assert purged == purge.Purged(outbox=1, send_log=1, pending_subscriptions=1)
    assert left == ["alice@example.org", "new@example.org"]
    assert [row.lead for row in await outbox_rows(engine)] == ["1h"]


@pytest.mark.anyio
async def test_record_after_the_subscriber_was_erased_mid_send_records_the_rest(
    engine: AsyncEngine,
) -> None:
    alice, bob = await add_subscriptions(engine, ["alice@example.org", "bob@example.org"], NOW)
    await _enqueue(engine, [planned(alice), planned(bob)])
    claim = await claims.claim(engine, "worker-a", NOW, LEASE, limit=10)
    async with engine.begin() as conn:  # alice unsubscribes while her message is out
        await conn.execute(SUBSCRIPTIONS.delete().where(SUBSCRIPTIONS.c.id == alice))

    recorded = await send_records.record(
        engine,
        "worker-a",
        [send_records.SendOutcome(e, SendResult(SendStatus.OK, 250), NOW) for e in claim.envelopes],
        bounces=BouncePolicy(threshold=3),
        random=random.Random(1).random,
    )

    rows = await outbox_rows(engine)
    assert recorded == send_records.Recorded(sent=2)
    assert [(row.subscription_id, row.state) for row in rows] == [(bob, OutboxState.SENT)]
    assert [entry.outbox_id for entry in await send_log(engine)] == [rows[0].id]
