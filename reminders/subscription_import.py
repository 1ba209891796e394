"""`gcmcal subscriptions import FILE.csv`: add a list of people who opted in elsewhere.

The rows come from `reminders.csv_import` (checked like `gcmcal subscriptions add`);
this adds them with one engine for the whole file, a few hundred rows per transaction,
checking which addresses are taken or unsubscribed once per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders import subscription_store
from reminders.csv_import import Person, Refusal
from reminders.settings import Settings
from reminders.states import SubscriptionState
from reminders.subscription_admin import AlreadySubscribed, open_sessions
from reminders.subscription_admin import Unsubscribed as UnsubscribedError
from reminders.subscriptions import add, address_hash, new_subscription


@dataclass
class ImportReport:
    added: int = 0
    refused: list[Refusal] = field(default_factory=list)


async def import_people(
    sessions: async_sessionmaker[AsyncSession],
    rows: Iterable[Person | Refusal],
    now: datetime,
    secret: str,
    *,
    batch: int = 500,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """Add every `Person` as an active subscription, `batch` rows per transaction.

    A person already subscribed or unsubscribed is refused (column email), like
    `gcmcal subscriptions add`; the rest of the batch is added.
    """
    report = ImportReport()
    chunk: list[Person] = []

    async def flush() -> None:
        emails = [person.email for person in chunk]
        async with sessions.begin() as session:
            taken = await subscription_store.states_of(session, emails)
            hashes = {email: address_hash(secret, email) for email in emails}
            gone = await subscription_store.unsubscribed_among(session, hashes.values())
            fresh = []
            for person in chunk:
                if person.email in taken:
                    state = SubscriptionState(taken[person.email])
                    report.refused.append(
                        Refusal(person.row, "email", str(AlreadySubscribed(state)))
                    )
                elif hashes[person.email] in gone:
                    report.refused.append(Refusal(person.row, "email", str(UnsubscribedError())))
                else:
                    active = SubscriptionState.ACTIVE
                    fresh.append(new_subscription(person.email, person.choices, now, active))
            await add(session, fresh, secret)
            report.added += len(fresh)
        chunk.clear()

    for row in rows:
        progress(1)
        if isinstance(row, Refusal):
            report.refused.append(row)
            continue
        chunk.append(row)
        if len(chunk) >= batch:
            await flush()
    if chunk:
        await flush()
    report.refused.sort(key=lambda refusal: refusal.row)
    return report


async def import_command(
    settings: Settings,
    rows: Iterable[Person | Refusal],
    now: datetime,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """`gcmcal subscriptions import`: one engine for the whole file."""
    async with open_sessions(settings) as sessions:
        return await import_people(
            sessions, rows, now, settings.secret_key.get_secret_value(), progress=progress
        )
