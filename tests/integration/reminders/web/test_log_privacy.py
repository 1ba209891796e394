"""No email address or token reaches the logs above DEBUG, through a subscriber's whole life."""

from __future__ import annotations

import logging
import mailbox

import httpx
import pytest
from sqlalchemy import select

from reminders import subscriptions as subs
from reminders.db.models import Subscription
from reminders.service import Service, worker_in_service
from tests.integration.reminders.web.web_support import SECRET

ADDRESS = "Amina.Private@Example.org"
SIGNUP = {
    "email": ADDRESS,
    "regions": ["africa"],
    "kinds": [],
    "leads": ["3w", "1d"],
    "language": "ar",
    "tz": "",
    "delivery_hour": "9",
}


async def _send_everything_due(service: Service) -> None:
    worker = worker_in_service(service)
    await worker.plan_tick()
    await worker.dispatch_tick()
    await worker.mailer.close()


async def _token(service: Service) -> str:
    async with service.sessions() as session:
        subscription = await session.scalar(select(Subscription))
    assert subscription is not None
    return subs.current_token(SECRET, subscription)


@pytest.mark.anyio
async def test_a_subscribers_life_leaves_no_address_or_token_in_logs(
    client: httpx.AsyncClient, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await client.post("/subscribe", data=SIGNUP)).status_code == 200
    await _send_everything_due(service)
    token = await _token(service)
    assert (await client.post(f"/confirm/{token}")).status_code == 303
    assert (await client.get(f"/manage/{token}")).status_code == 200
    renewed = await client.post(f"/manage/{token}/new-link")
    assert renewed.status_code == 200
    await _send_everything_due(service)
    fresh = await _token(service)
    assert fresh != token
    assert (await client.post(f"/unsubscribe/{fresh}")).status_code == 200
    await client.post(f"/confirm/{token}")  # a revoked token

    delivered = len(mailbox.Maildir(service.settings.outbox, create=False))
    assert delivered >= 2  # the confirmation and the fresh link really went out
    secrets_seen = {ADDRESS.lower(), token, fresh}
    leaks = [
        (record.levelname, record.name, record.getMessage())
        for record in caplog.records
        if record.levelno > logging.DEBUG
        and record.name != "httpx"  # the test's own client, not the service
        and any(
            secret in (record.getMessage() + (record.exc_text or "")).lower()
            or secret in (record.getMessage() + (record.exc_text or ""))
            for secret in secrets_seen
        )
    ]
    assert leaks == []
