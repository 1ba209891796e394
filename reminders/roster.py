"""Subscriptions the operator manages from the command line (`gcmcal subscriptions …`).

`add_confirmed` creates an ACTIVE subscription at once, without the double opt-in: it is
for importing lists whose members already opted in elsewhere. It still refuses an
address that unsubscribed (only a keyed hash of it is kept), and an address that is
already subscribed.

`validate` checks every option against the timeline and the offered lists, and names
the option in its error. `*_command` are what the commands run, each with its own
database connection.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds import GLOBAL, LANGUAGES, Kind, Timeline
from reminders.db.engine import create_engine, prepare_schema, session_factory
from reminders.db.models import Subscription, SubscriptionState
from reminders.leads import DEFAULT, OFFERED, LeadError, parse_lead
from reminders.planning import load_subscribers
from reminders.preview import preview_lines
from reminders.revision_store import load_revisions
from reminders.settings import Settings
from reminders.subscriptions import Choices, current_token, is_unsubscribed
from reminders.tokens import token_hash

_GENERATION_SPAN = 2**30  # as reminders.subscriptions: a random first generation


class ChoiceError(ValueError):
    """A bad option value; `option` names it (``--region``, ``EMAIL``…)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


def normalized_email(address: str) -> str:
    """The address as stored: ASCII (xn-- domains) and lower case, like the sign-up form.

    Raise `ChoiceError` naming EMAIL otherwise (SMTPUTF8 local parts are refused, as on
    the form).
    """
    try:
        valid = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ChoiceError("EMAIL", f"{address!r} is not a valid address: {exc}") from None
    return (valid.ascii_email or valid.normalized).lower()


def _choose(option: str, values: Iterable[str], allowed: Sequence[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values:
        if value not in allowed:
            raise ChoiceError(option, f"{value!r} is not one of: {', '.join(allowed)}")
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def validate(
    timeline: Timeline,
    *,
    regions: Iterable[str] = (),
    kinds: Iterable[str] = (),
    language: str = "en",
    tz: str = "UTC",
    leads: Iterable[str] = (),
    hour: int = 9,
) -> Choices:
    """Checked choices (empty regions or kinds: all of them; no leads: the defaults)."""
    region_ids = [region.id for region in timeline.regions] + [GLOBAL]
    chosen_regions = _choose("--region", regions, region_ids)
    chosen_kinds = _choose("--kind", kinds, [kind.value for kind in Kind])
    _choose("--lang", [language], list(LANGUAGES))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ChoiceError("--tz", f"{tz!r} is not an IANA time zone (e.g. Europe/Zurich)") from None
    offered = [lead.code for lead in OFFERED]
    codes: list[str] = []
    for code in leads:
        try:
            lead = parse_lead(code)
        except LeadError as exc:
            raise ChoiceError("--lead", str(exc)) from None
        if lead not in OFFERED:
            raise ChoiceError(
                "--lead", f"{code!r} is not offered (choose from {', '.join(offered)})"
            )
        codes.append(lead.code)
    chosen_leads = tuple(c for c in offered if c in codes) or tuple(d.code for d in DEFAULT)
    if not 0 <= hour <= 23:
        raise ChoiceError("--hour", f"{hour} is not an hour from 0 to 23")
    return Choices(
        regions=chosen_regions,
        kinds=chosen_kinds,
        leads=chosen_leads,
        language=language,
        tz=tz,
        delivery_hour=hour,
    )


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
    existing = await session.scalar(select(Subscription).where(Subscription.email == email))
    if existing is not None:
        raise AlreadySubscribed(SubscriptionState(existing.state))
    if await is_unsubscribed(session, secret, email):
        raise Unsubscribed()
    subscription = Subscription(
        email=email,
        regions=list(choices.regions),
        kinds=list(choices.kinds),
        leads=list(choices.leads),
        language=choices.language,
        tz=choices.tz,
        delivery_hour=choices.delivery_hour,
        state=SubscriptionState.ACTIVE,
        token_hash=secrets.token_hex(32),  # placeholder until the id is known
        feed_generation=secrets.randbelow(_GENERATION_SPAN),
        hard_bounces=0,
        created_at=now,
        confirmed_at=now,
        expires_at=None,
    )
    session.add(subscription)
    await session.flush()
    subscription.token_hash = token_hash(current_token(secret, subscription))
    await session.flush()
    return subscription


@dataclass(frozen=True, slots=True)
class Listing:
    counts: dict[SubscriptionState, int]
    emails: tuple[tuple[str, SubscriptionState], ...]  # only when asked for


async def listing(session: AsyncSession, *, with_emails: bool = False) -> Listing:
    rows = await session.execute(
        select(Subscription.state, func.count()).group_by(Subscription.state)
    )
    found: Counter[SubscriptionState] = Counter()
    for state, count in rows:
        found[SubscriptionState(state)] = count
    counts = {state: found[state] for state in SubscriptionState}
    emails: tuple[tuple[str, SubscriptionState], ...] = ()
    if with_emails:
        result = await session.execute(
            select(Subscription.email, Subscription.state).order_by(Subscription.email)
        )
        emails = tuple((email, SubscriptionState(state)) for email, state in result)
    return Listing(counts, emails)


# -- what the commands run (each opens and closes its own engine) ---------------------------


@asynccontextmanager
async def _sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    try:
        await prepare_schema(engine)
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def add_command(settings: Settings, email: str, choices: Choices, now: datetime) -> int:
    """`gcmcal subscriptions add`: the new subscription's id."""
    async with _sessions(settings) as sessions, sessions.begin() as session:
        added = await add_confirmed(
            session, email, choices, now, settings.secret_key.get_secret_value()
        )
        return added.id


async def list_command(settings: Settings, *, with_emails: bool) -> Listing:
    """`gcmcal subscriptions list`."""
    async with _sessions(settings) as sessions, sessions() as session:
        return await listing(session, with_emails=with_emails)


async def preview_command(
    settings: Settings,
    timeline: Timeline,
    at: datetime,
    window: timedelta,
    email: str | None = None,
) -> list[str]:
    """`gcmcal preview`: the dry-run lines (`reminders.preview`); reads, never writes."""
    async with _sessions(settings) as sessions, sessions() as session:
        revisions = await load_revisions(session)
        addresses: dict[int, str] | None = None
        only: set[int] | None = None
        if email is not None:
            found = await session.scalar(select(Subscription).where(Subscription.email == email))
            if found is None:
                raise LookupError("no subscription has this address")
            addresses, only = {found.id: found.email}, {found.id}
        connection = await session.connection()
        subscribers = await load_subscribers(connection)
    return preview_lines(
        subscribers, timeline, revisions, at, window=window, addresses=addresses, only=only
    )


__all__ = [
    "AlreadySubscribed",
    "ChoiceError",
    "Listing",
    "Unsubscribed",
    "add_command",
    "add_confirmed",
    "list_command",
    "listing",
    "normalized_email",
    "preview_command",
    "validate",
]
