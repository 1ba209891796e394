"""Sign-up and link requests tell nobody whether an address is subscribed, nobody can
lock a subscriber out, and each link can do only what it is for."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from starlette.types import Message, Receive, Scope, Send

from reminders import subscriptions as subs
from reminders import tokens
from reminders.db.models import Base, OutboxMessage, Subscription
from reminders.service import Service
from reminders.states import MessageKind
from tests.integration.reminders.web.web_support import BASE_URL, SECRET, Clock

pytestmark = pytest.mark.anyio
SAME_SITE = {"origin": BASE_URL, "sec-fetch-site": "same-origin"}
KNOWN, UNKNOWN = "known@example.org", "unknown@example.org"


class Recorded:
    """The SQL each request ran before its answer started, and the answers."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.before_answer: list[list[str]] = []


@pytest.fixture
async def recorded(service: Service) -> AsyncIterator[tuple[httpx.AsyncClient, Recorded]]:
    seen = Recorded()
    engine = service.engine.sync_engine

    def statement(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        seen.statements.append(re.sub(r"\s+", " ", text))

    event.listen(engine, "before_cursor_execute", statement)
    inner = service.asgi()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start = len(seen.statements)

        async def marking(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen.before_answer.append(seen.statements[start:])
            await send(message)

        await inner(scope, receive, marking)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client, seen
    event.remove(engine, "before_cursor_execute", statement)


async def _subscribed(client: httpx.AsyncClient, service: Service, clock: Clock) -> str:
    """KNOWN signed up and confirmed, a day ago; its manage token."""
    assert (await client.post("/subscribe", data={"email": KNOWN})).status_code == 200
    async with service.sessions() as session:
        found = await subs.by_email(session, KNOWN)
    assert found is not None
    token = subs.current_token(SECRET, found)
    confirmed = await client.post(f"/confirm/{token}", headers=SAME_SITE)
    assert confirmed.status_code == 303
    clock.now += timedelta(days=1, minutes=1)
    return token


async def _link_mails(service: Service) -> int:
    async with service.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.MANAGE_LINK.value)
        )
    return int(count or 0)


def _answer(response: httpx.Response) -> tuple[int, dict[str, str], str]:
    headers = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, headers, response.text


async def test_no_enumeration_known_and_unknown_addresses_answer_alike(
    service: Service, recorded: tuple[httpx.AsyncClient, Recorded], clock: Clock
) -> None:
    client, seen = recorded
    await _subscribed(client, service, clock)
    answers: dict[str, list[tuple[int, dict[str, str], str]]] = {}
    work: dict[str, list[list[str]]] = {}
    for address in (KNOWN, UNKNOWN):
        first = len(seen.before_answer)
        answers[address] = [
            _answer(await client.post("/link", data={"email": address})) for _ in range(4)
        ]
        work[address] = seen.before_answer[first:]
    assert [status for status, _, _ in answers[KNOWN]] == [200, 200, 200, 429]
    assert answers[KNOWN] == answers[UNKNOWN]
    # The same statements ran before each answer: the time cannot tell them apart.
    assert work[KNOWN] == work[UNKNOWN]
    assert await _link_mails(service) == 3  # the known address got its links
    dump = []
    async with service.sessions() as session:
        for table in Base.metadata.sorted_tables:
            dump += [str(tuple(row)) for row in (await session.execute(select(table))).all()]
    assert [row for row in dump if UNKNOWN in row] == []


async def test_no_lock_out_a_manage_link_has_its_own_budget(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    token = await _subscribed(client, service, clock)
    strangers = [(await client.post("/link", data={"email": KNOWN})).status_code for _ in range(5)]
    before = await _link_mails(service)
    owner = await client.post(f"/manage/{token}/new-link", headers=SAME_SITE)
    assert (strangers, owner.status_code, await _link_mails(service)) == (
        [200, 200, 200, 429, 429],
        200,
        before + 1,
    )


async def test_least_privilege_unsubscribe_token_only_unsubscribes(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    token = await _subscribed(client, service, clock)
    async with service.sessions() as session:
        found = await subs.by_email(session, KNOWN)
        assert found is not None
        unsubscribe, feed = subs.unsubscribe_token(SECRET, found), subs.feed_token(SECRET, found)
        legacy = tokens.feed_token(SECRET, found.id, found.feed_generation)
    refused = [
        (await client.get(f"/manage/{unsubscribe}")).status_code,
        (await client.get(f"/manage/{unsubscribe}/data.json")).status_code,
        (await client.post(f"/manage/{unsubscribe}/new-link", headers=SAME_SITE)).status_code,
        (await client.get(f"/personal/{unsubscribe}.ics")).status_code,
    ]
    manage = (await client.get(f"/manage/{token}")).text
    # The personal feed URL names a random handle, not the sequential id.
    assert re.findall(r"/personal/([^\".]+)\.([^\".]+)\.ics", manage)[0] == tuple(feed.split("."))
    assert (refused, feed.split(".")[0]) == ([404, 404, 404, 404], found.handle)
    feeds = [(await client.get(f"/personal/{t}.ics")).status_code for t in (feed, legacy)]
    gone = await client.post(f"/unsubscribe/{unsubscribe}")
    # RFC 8058: a mail provider posting the same one-click link again gets success;
    # a made-up token of the same shape does not.
    again = await client.post(f"/unsubscribe/{unsubscribe}")
    forged = await client.post(f"/unsubscribe/{found.handle}.{'B' * 43}")
    async with service.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(Subscription))
    assert (feeds, gone.status_code, again.status_code, forged.status_code, left) == (
        [200, 200],
        200,
        200,
        404,
        0,
    )
