"""Requests for link emails, answered before the work that depends on the address.

Sign-up and "email me my link" must not tell whether an address is known, by any
channel: status, page, headers, quota or time. So the page answers after the same work
for every address — spend one unit of the address's quota (`reminders.mail_quota`) and
store the request — and the work that depends on the address (a pending subscription
and its confirmation, or the manage link) is done by `process` after the answer has
gone: in the background of the web request, and by every worker's link lane each
second (`reminders.worker`), which then sends the email at once.

A request row holds the address until it is processed (seconds) and is then deleted;
each is processed by the one process whose ``DELETE … RETURNING`` took it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reminders import subscriptions as subs
from reminders.db.models import MailRequest
from reminders.subscription_choices import Choices

log = logging.getLogger(__name__)

SIGN_UP = "signup"
LINK = "link"
#: Requests taken per pass; the rest wait for the next (a second later).
BATCH = 100


async def submit(
    session: AsyncSession, kind: str, email: str, choices: Choices | None, now: datetime
) -> None:
    data: dict[str, Any] = {} if choices is None else asdict(choices)
    session.add(MailRequest(kind=kind, email=email, choices=data, created_at=now))
    await session.flush()


def _choices(data: Mapping[str, Any]) -> Choices:
    return Choices(
        regions=tuple(data["regions"]),
        kinds=tuple(data["kinds"]),
        leads=tuple(data["leads"]),
        language=str(data["language"]),
        tz=str(data["tz"]),
        delivery_hour=int(data["delivery_hour"]),
    )


async def process(
    sessions: async_sessionmaker[AsyncSession],
    secret: str,
    host: str,
    clock: Callable[[], datetime],
) -> int:
    """Do the work of the stored requests (see the module docstring); return how many."""
    async with sessions() as session:
        ids = list(
            await session.scalars(select(MailRequest.id).order_by(MailRequest.id).limit(BATCH))
        )
    done = 0
    for request_id in ids:
        try:
            async with sessions.begin() as session:
                taken = (
                    await session.execute(
                        delete(MailRequest)
                        .where(MailRequest.id == request_id)
                        .returning(MailRequest.kind, MailRequest.email, MailRequest.choices)
                    )
                ).first()
                if taken is None:
                    continue  # another process took it
                now = clock()
                if taken.kind == SIGN_UP:
                    await subs.sign_up(
                        session, taken.email, _choices(taken.choices), now, secret, host
                    )
                else:
                    await subs.request_link(session, taken.email, now, host)
                done += 1
        except IntegrityError:
            # Two sign-ups of one new address at once: the row is back, the next pass
            # finds the subscription the other one made.
            log.info("concurrent sign-up of one address; the request waits for the next pass")
    return done
