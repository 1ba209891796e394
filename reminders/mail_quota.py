"""Quotas on link emails, counted under keyed hashes (table ``mail_quota``).

* per address: `LINK_MAILS_PER_ADDRESS` sign-up or link requests per
  `LINK_MAIL_WINDOW`, for every address, known or not, under
  ``HMAC(secret, "quota:" + address)``: the quota tells nobody whether an address is
  subscribed, and the address is stored nowhere in clear for it;
* per subscription, for new links asked for with a valid manage link: the same number
  under ``HMAC(secret, "manage:" + id)``, a budget strangers cannot spend, so nobody who
  knows only the address can lock its owner out of revoking a leaked link.

One row per unit spent; the worker's purge forgets rows older than the window.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reminders.db.models import MailQuota

LINK_MAILS_PER_ADDRESS = 3
LINK_MAIL_WINDOW = timedelta(days=1)


def _keyed(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def address_key(secret: str, address: str) -> str:
    return _keyed(secret, "quota:" + address.strip().lower())


def manage_key(secret: str, subscription_id: int) -> str:
    return _keyed(secret, f"manage:{subscription_id}")


async def spend(session: AsyncSession, key: str, now: datetime) -> bool:
    """Spend one unit of the quota under `key`; False (nothing spent) when it is used up."""
    used = await session.scalar(
        select(func.count())
        .select_from(MailQuota)
        .where(MailQuota.key == key, MailQuota.at > now - LINK_MAIL_WINDOW)
    )
    if int(used or 0) >= LINK_MAILS_PER_ADDRESS:
        return False
    session.add(MailQuota(key=key, at=now))
    await session.flush()
    return True


async def purge(session: AsyncSession, now: datetime) -> int:
    """Forget units spent before the window."""
    result = await session.execute(delete(MailQuota).where(MailQuota.at <= now - LINK_MAIL_WINDOW))
    return int(getattr(result, "rowcount", 0) or 0)
