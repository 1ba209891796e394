"""Subscriptions the operator manages from the command line (`gcmcal subscriptions …`).

`add_confirmed` creates an ACTIVE subscription at once, without the double opt-in: it is
for importing lists whose members already opted in elsewhere. It still refuses an
address that unsubscribed (only a keyed hash of it is kept), and an address that is
already subscribed.

`validate` checks the options by the sign-up form's rule
(`reminders.subscription_choices`) and names the option in its error. `details`,
`resume_paused` and `erase` are the operator's view of one subscription and what they
can do to it (`show`, `resume`, `remove`).
`*_command` are what the commands run, each with its own database connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import Timeline
from reminders import bounce_store, outbox_store, subscription_store
from reminders.db.models import Subscription
from reminders.leads import DEFAULT
from reminders.outcomes import LOG_SENT
from reminders.planning_tick import load_subscribers
from reminders.preview import preview_lines
from reminders.revision_store import load_revisions
from reminders.settings import Settings
from reminders.states import OutboxState, SubscriptionState
from reminders.subscription_choices import (
    CLI_OPTIONS,
    DEFAULT_DELIVERY_HOUR,
    DEFAULT_LANGUAGE,
    Choices,
    check_choices,
    read_address,
    with_zone,
)
from reminders.subscriptions import (
    add,
    choices_of,
    is_unsubscribed,
    new_subscription,
    resume,
    unsubscribe,
)
from reminders.wiring import opened_database


class ChoiceError(ValueError):
    """A bad option value; `option` names it (``--region``, ``EMAIL``…)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


def normalized_email(address: str) -> str:
    """The address as stored (`subscription_choices.read_address`, the form's rule).

    Raise `ChoiceError` naming EMAIL otherwise.
    """
    read = read_address(address)
    if read.problem is not None:
        raise ChoiceError("EMAIL", f"{address!r} is not a valid address: {read.reason}")
    return read.text


def validate(
    timeline: Timeline,
    *,
    regions: Iterable[str] = (),
    kinds: Iterable[str] = (),
    language: str = DEFAULT_LANGUAGE,
    tz: str = "",
    leads: Iterable[str] = (),
    hour: int | str = DEFAULT_DELIVERY_HOUR,
) -> Choices:
    """Checked choices by the form's rule (`subscription_choices.check_choices`).

    Empty regions or kinds: all of them; no leads: the defaults; no zone: the first
    region's, else UTC. Raise `ChoiceError` naming the option of the first problem.
    """
    chosen, problems = check_choices(
        timeline,
        regions=regions,
        kinds=kinds,
        leads=tuple(leads) or tuple(lead.code for lead in DEFAULT),
        language=language,
        tz=tz,
        hour=str(hour),
    )
    if problems:
        first = problems[0]
        raise ChoiceError(CLI_OPTIONS[first.field], first.explained())
    return with_zone(chosen, timeline)


class AlreadySubscribed(Exception):
    def __init__(self, state: SubscriptionState) -> None:
        super().__init__(f"the address is already subscribed ({state})")
        self.state = state


class Unsubscribed(Exception):
    def __init__(self) -> None:
        super().__init__("the address unsubscribed; only the person can sign up again")


async def add_confirmed(
    session: AsyncSession, email: str, choices: Choices, now: datetime, secret: str
) -> Subscription:
    """An ACTIVE subscription for an address that opted in elsewhere (caller commits)."""
    existing = await subscription_store.by_email(session, email)
    if existing is not None:
        raise AlreadySubscribed(SubscriptionState(existing.state))
    if await is_unsubscribed(session, secret, email):
        raise Unsubscribed()
    subscription = new_subscription(email, choices, now, SubscriptionState.ACTIVE)
    await add(session, [subscription], secret)
    return subscription


@dataclass(frozen=True, slots=True)
class Listing:
    counts: dict[SubscriptionState, int]
    emails: tuple[tuple[str, SubscriptionState], ...]  # only when asked for


async def listing(session: AsyncSession, *, with_emails: bool = False) -> Listing:
    counts = await subscription_store.count_by_state(session)
    emails: tuple[tuple[str, SubscriptionState], ...] = ()
    if with_emails:
        emails = tuple(await subscription_store.emails_by_address(session))
    return Listing(counts, emails)


# -- what the commands run (each opens and closes its own engine) ---------------------------


@asynccontextmanager
async def open_sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with opened_database(settings) as db:
        yield db.sessions


async def add_command(settings: Settings, email: str, choices: Choices, now: datetime) -> int:
    """`gcmcal subscriptions add`: the new subscription's id."""
    async with open_sessions(settings) as sessions, sessions.begin() as session:
        added = await add_confirmed(
            session, email, choices, now, settings.secret_key.get_secret_value()
        )
        return added.id


async def list_command(settings: Settings, *, with_emails: bool) -> Listing:
    """`gcmcal subscriptions list`."""
    async with open_sessions(settings) as sessions, sessions() as session:
        return await listing(session, with_emails=with_emails)


async def preview_command(
    settings: Settings,
    timeline: Timeline,
    at: datetime,
    window: timedelta,
    email: str | None = None,
) -> list[str]:
    """`gcmcal preview`: the dry-run lines (`reminders.preview`); reads, never writes."""
    async with open_sessions(settings) as sessions, sessions() as session:
        revisions = await load_revisions(session)
        addresses: dict[int, str] | None = None
        only: set[int] | None = None
        if email is not None:
            found = await subscription_store.by_email(session, email)
            if found is None:
                raise LookupError("no subscription has this address")
            addresses, only = {found.id: found.email}, {found.id}
        connection = await session.connection()
        subscribers = await load_subscribers(connection)
    return preview_lines(
        subscribers, timeline, revisions, at, window=window, addresses=addresses, only=only
    )


# -- the operator's view of one subscription, and what they can do to it ---------------------


class NotFound(LookupError):
    def __init__(self) -> None:
        super().__init__("no subscription has this address")


@dataclass(frozen=True, slots=True)
class Failure:
    """One refused or failed send, from the send log."""

    at: datetime
    outcome: str  # a send log outcome (bounce, relay, retry, gave-up) or "reported <kind>"
    smtp_code: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Details:
    """What `gcmcal subscriptions show` prints."""

    id: int
    email: str
    state: SubscriptionState
    choices: Choices
    created_at: datetime
    confirmed_at: datetime | None
    hard_bounces: int  # permanent failures, ever
    bounce_score: float  # as of the last bounce (it decays with time)
    waiting: int  # emails queued or waiting for a retry
    sent: int
    failures: tuple[Failure, ...]  # newest first, at most FAILURES_SHOWN


FAILURES_SHOWN = 20


async def details(session: AsyncSession, email: str) -> Details:
    found = await subscription_store.by_email(session, email)
    if found is None:
        raise NotFound()
    conn = await session.connection()
    states = await outbox_store.count_by_state(conn, found.id)
    rows = await outbox_store.failed_attempts(conn, found.id, LOG_SENT, FAILURES_SHOWN)
    reports = await bounce_store.reports_of(conn, found.id, FAILURES_SHOWN)
    failures = [Failure(row.at, row.outcome, row.smtp_code, row.detail) for row in rows]
    failures += [Failure(row.at, f"reported {row.kind}", None, row.detail) for row in reports]
    failures.sort(key=lambda failure: failure.at, reverse=True)
    return Details(
        id=found.id,
        email=found.email,
        state=SubscriptionState(found.state),
        choices=choices_of(found),
        created_at=found.created_at,
        confirmed_at=found.confirmed_at,
        hard_bounces=found.hard_bounces,
        bounce_score=found.bounce_score,
        waiting=sum(states.get(state, 0) for state in outbox_store.WAITING_STATES),
        sent=states.get(OutboxState.SENT, 0),
        failures=tuple(failures[:FAILURES_SHOWN]),
    )


def details_lines(found: Details) -> list[str]:
    """`Details` as the command prints them (times in UTC)."""

    def moment(value: datetime | None) -> str:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"

    chosen = found.choices
    lines = [
        f"email          {found.email}",
        f"id             {found.id}",
        f"state          {found.state}",
        f"signed up      {moment(found.created_at)}",
        f"confirmed      {moment(found.confirmed_at)}",
        f"regions        {' '.join(chosen.regions) or 'all'}",
        f"kinds          {' '.join(chosen.kinds) or 'all'}",
        f"leads          {' '.join(chosen.leads)}",
        f"language       {chosen.language}",
        f"time zone      {chosen.tz}",
        f"delivery hour  {chosen.delivery_hour:02d}:00",
        f"emails         {found.sent} sent, {found.waiting} waiting",
        f"bounces        {found.hard_bounces} permanent failures, score {found.bounce_score:.2f}",
    ]
    if found.failures:
        lines.append("failed sends (newest first):")
        for failure in found.failures:
            code = f" {failure.smtp_code}" if failure.smtp_code is not None else ""
            lines.append(f"  {moment(failure.at)}  {failure.outcome}{code}  {failure.detail}")
    else:
        lines.append("failed sends   none")
    return lines


async def resume_paused(session: AsyncSession, email: str) -> SubscriptionState:
    """Resume a paused subscription (bounce score cleared); return its state before."""
    found = await subscription_store.by_email(session, email)
    if found is None:
        raise NotFound()
    before = SubscriptionState(found.state)
    if before is SubscriptionState.PENDING:
        raise ChoiceError("EMAIL", "the address has not confirmed its sign-up yet")
    await resume(session, found)
    return before


async def erase(session: AsyncSession, email: str, now: datetime, secret: str) -> None:
    """Erase the subscription as an unsubscribe does (only a keyed hash is kept)."""
    found = await subscription_store.by_email(session, email)
    if found is None:
        raise NotFound()
    await unsubscribe(session, found, now, secret)


async def show_command(settings: Settings, email: str) -> Details:
    """`gcmcal subscriptions show`."""
    async with open_sessions(settings) as sessions, sessions() as session:
        return await details(session, email)


async def resume_command(settings: Settings, email: str) -> SubscriptionState:
    """`gcmcal subscriptions resume`: the state before."""
    async with open_sessions(settings) as sessions, sessions.begin() as session:
        return await resume_paused(session, email)


async def remove_command(settings: Settings, email: str, now: datetime) -> None:
    """`gcmcal subscriptions remove`."""
    async with open_sessions(settings) as sessions, sessions.begin() as session:
        await erase(session, email, now, settings.secret_key.get_secret_value())


__all__ = [
    "AlreadySubscribed",
    "ChoiceError",
    "Details",
    "Failure",
    "Listing",
    "NotFound",
    "Unsubscribed",
    "add_command",
    "add_confirmed",
    "details",
    "details_lines",
    "erase",
    "list_command",
    "listing",
    "normalized_email",
    "preview_command",
    "remove_command",
    "resume_command",
    "resume_paused",
    "show_command",
    "validate",
]
