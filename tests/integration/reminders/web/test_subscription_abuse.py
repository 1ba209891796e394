"""Refusals on the subscription pages: each is a clear page, never a 500."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from reminders import subscriptions as subs
from reminders.db.models import OutboxMessage, Subscription
from reminders.service import Service
from reminders.states import MessageKind, SubscriptionState
from reminders.web.security import CONTENT_SECURITY_POLICY
from tests.integration.reminders.web.web_support import BASE_URL, NOW, SECRET, Clock

pytestmark = pytest.mark.anyio
CROSS_SITE = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}


def _h1(response: httpx.Response) -> str:
    return html.unescape(re.findall(r"<h1>([^<]*)</h1>", response.text)[0])


def _message(response: httpx.Response) -> str:
    return html.unescape(re.findall(r"</h1>\s*<p>([^<]*)</p>", response.text)[0])


async def _subscription(service: Service, email: str = "a@example.org") -> Subscription | None:
    async with service.sessions() as session:
        return await subs.by_email(session, email)


async def _count(service: Service, model: type[Subscription] | type[OutboxMessage]) -> int:
    async with service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _confirmed(client: httpx.AsyncClient, service: Service) -> str:
    await client.post("/subscribe", data={"email": "a@example.org"})
    found = await _subscription(service)
    assert found is not None
    token = subs.current_token(SECRET, found)
    await client.post(f"/confirm/{token}")
    return token


# -- rate limits ------------------------------------------------------------------------


async def test_per_address_limit_three_link_emails_a_day(
    client: httpx.AsyncClient, service: Service, clock: Clock
) -> None:
    answers = []
    for minute in range(4):
        clock.now = NOW + timedelta(minutes=minute)
        response = await client.post("/subscribe", data={"email": "a@example.org"})
        answers.append(response.status_code)
    assert answers == [200, 200, 200, 429]
    assert (_h1(response), _message(response)) == (
        "Too many emails to this address",
        "We have already sent several emails to this address today. Please look for them "
        "in your inbox and spam folder, or try again tomorrow.",
    )
    assert response.headers["retry-after"] == "86400"
    assert await _count(service, OutboxMessage) == 3
    clock.now = NOW + timedelta(days=1)
    assert (await client.post("/subscribe", data={"email": "a@example.org"})).status_code == 200
    assert await _count(service, OutboxMessage) == 4


async def test_per_address_limit_counts_link_requests_too(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)  # 1: the confirmation
    answers = [
        (await client.post("/link", data={"email": "a@example.org"})).status_code for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    assert await _count(service, OutboxMessage) == 3


async def test_new_link_refused_when_limited_keeps_old_link(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    for _ in range(3):  # the subscription's own budget of new links for the day
        assert (await client.post(f"/manage/{token}/new-link")).status_code == 200
        found = await _subscription(service)
        assert found is not None
        token = subs.current_token(SECRET, found)
    response = await client.post(f"/manage/{token}/new-link")
    assert (response.status_code, _h1(response)) == (429, "Too many emails to this address")
    assert (await client.get(f"/manage/{token}")).status_code == 200


async def test_per_client_limit_across_addresses(service: Service) -> None:
    app = service.asgi()
    one = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.1", 5000)), base_url=BASE_URL
    )
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.2", 5000)), base_url=BASE_URL
    )
    async with one, other:
        answers = [
            (await one.post("/subscribe", data={"email": f"p{n}@example.org"})).status_code
            for n in range(11)
        ]
        refused = await one.post("/link?lang=fr", data={"email": "x@example.org"})
        elsewhere = await other.post("/subscribe", data={"email": "q@example.org"})
    assert answers == [200] * 10 + [429]
    assert (refused.status_code, _h1(refused), _message(refused)) == (
        429,
        "Trop de requêtes",
        "Veuillez réessayer plus tard. Temps d'attente : 60 minutes.",
    )
    assert refused.headers["retry-after"] == "3600"
    assert elsewhere.status_code == 200
    assert await _count(service, Subscription) == 11


# -- origin check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/subscribe",
        "/link",
        "/confirm/{token}",
        "/manage/{token}",
        "/manage/{token}/pause",
        "/manage/{token}/new-link",
    ],
)
async def test_cross_site_post_refused(
    client: httpx.AsyncClient, service: Service, path: str
) -> None:
    await client.post("/subscribe", data={"email": "a@example.org"})
    found = await _subscription(service)
    assert found is not None
    token = subs.current_token(SECRET, found)
    before = await _count(service, OutboxMessage)
    response = await client.post(
        path.format(token=token),
        data={"email": "b@example.org", "leads": ["1d"], "language": "en"},
        headers=CROSS_SITE,
    )
    assert (response.status_code, _h1(response)) == (403, "Form sent from another website")
    after = await _subscription(service)
    assert after is not None
    assert (after.state, after.feed_generation) == (
        SubscriptionState.PENDING,
        found.feed_generation,
    )
    assert await _count(service, OutboxMessage) == before
    assert await _subscription(service, "b@example.org") is None


async def test_cross_site_one_click_unsubscribe_still_works(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    response = await client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded", **CROSS_SITE},
    )
    assert (response.status_code, _h1(response)) == (200, "You are unsubscribed")
    assert await _count(service, Subscription) == 0


async def test_same_origin_post_accepted(client: httpx.AsyncClient, service: Service) -> None:
    response = await client.post(
        "/subscribe",
        data={"email": "a@example.org"},
        headers={"origin": BASE_URL, "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 200
    assert await _count(service, Subscription) == 1


# -- malformed and oversized requests ------------------------------------------------------------


async def test_body_too_large_refused_with_page(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post(
        "/subscribe", data={"email": "a@example.org", "padding": "x" * 20_000}
    )
    assert (response.status_code, _h1(response)) == (413, "Request too large")
    assert await _count(service, Subscription) == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nnot a part\r\n"),
        ("multipart/form-data", b"whatever"),
        ("application/x-www-form-urlencoded", b"email=%FF%FE%00&leads=%"),
        ("application/json", b'{"email": "a@example.org"}'),
        ("text/plain", b"\xff\xfe\xfa"),
    ],
)
async def test_malformed_body_never_500(
    client: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    response = await client.post("/subscribe", content=body, headers={"content-type": content_type})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"


async def test_no_open_redirect_from_lang_parameter(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post(
        "/subscribe", data={"email": "a@example.org", "language": "es", "leads": ["1d"]}
    )
    found = await _subscription(service)
    assert found is not None
    token = subs.current_token(SECRET, found)
    response = await client.post(f"/confirm/{token}?lang=https://evil.example/")
    assert response.headers["location"] == f"/manage/{token}?lang=es&done=confirmed"


async def test_subscription_pages_carry_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/subscribe")
    assert {
        name: response.headers[name]
        for name in (
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
        )
    } == {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
    }


async def test_kinds_of_mail_queued_are_only_transactional(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)
    async with service.sessions() as session:
        kinds = (await session.scalars(select(OutboxMessage.kind))).all()
    assert kinds == [MessageKind.CONFIRM_SUBSCRIPTION]
