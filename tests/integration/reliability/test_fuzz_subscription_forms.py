"""Every form and query parameter of the subscription pages, fuzzed: arbitrary fields,
values and encodings, oversized bodies, header-injection attempts in addresses, foreign
origins, any client address.

Never a 500, never a traceback in the body, a body over the limit always 413; and after
every request each stored subscription is clean (a valid address by email-validator,
known regions, kinds, lead times, language, zone and hour), and no log line above DEBUG
holds an address or a token that was sent. On SQLite and on PostgreSQL (`db`).
"""

from __future__ import annotations

import logging
import string
import zoneinfo
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.types import ASGIApp

from feeds.publish import FeedSet
from feeds.vocabulary import LANGUAGES, Kind
from reminders import subscriptions as subs
from reminders import wiring
from reminders.leads import OFFERED
from reminders.service import Service
from reminders.settings import Settings
from reminders.states import MessageKind, SubscriptionState
from reminders.timeline_source import TimelineSource
from reminders.web.guards import MAX_BODY_BYTES
from reminders.wiring import feed_builder
from tests.support.db_backends import Database
from tests.support.reliability import BASE_URL, HOST, OUTBOX, SUBSCRIPTIONS, copy_timeline

pytestmark = pytest.mark.anyio

SECRET = "fuzz-test-secret"
NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
ACTIVE = "known@example.org"
PENDING = "pending@example.org"
CHOICES = subs.Choices((), (), ("3w", "1d"), "en", "Europe/Zurich", 9)
ZONES = zoneinfo.available_timezones()
LEAD_CODES = {lead.code for lead in OFFERED}
KIND_SLUGS = {kind.value for kind in Kind}
REGION_IDS = ["europe-north-america", "africa", "latin-america-caribbean", "arab-states"]
#: Loggers of the test's own HTTP client (it logs each request's URL at INFO).
TEST_CLIENT_LOGGERS = {"httpx", "httpcore"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    service: Service
    app: ASGIApp
    clock: Clock
    region_ids: frozenset[str]


@pytest.fixture
async def site(db: Database, tmp_path: Path) -> Site:
    """The service on the `db` engine itself, so that `db` checks the pages' connections."""
    settings = Settings(
        timeline=copy_timeline(tmp_path),
        database_url=db.url,
        base_url=BASE_URL,
        outbox=tmp_path / "outbox",
        secret_key=SECRET,
    )
    clock = Clock(NOW)
    database = wiring.Database.on(db.engine)
    source: TimelineSource[FeedSet] = TimelineSource(
        settings.timeline, database.sessions, feed_builder(BASE_URL), clock
    )
    service = Service(settings, database, source, clock)
    await service.open()  # (not closed here: the `db` fixture disposes of the engine)
    regions = frozenset(region.id for region in service.timeline().regions)
    return Site(service, service.asgi(), clock, regions)


async def links(site: Site) -> dict[str, str]:
    """Current tokens of an active and a pending subscription, made again when a request
    unsubscribed or changed them. The clock moves on an hour per request, so that the
    rate limits (per client per hour, per address per day) refuse only now and then."""
    site.clock.now += timedelta(hours=1)
    now = site.clock()
    async with site.service.sessions.begin() as session:
        for email in (ACTIVE, PENDING):
            if await subs.by_email(session, email) is None:
                await subs.sign_up(session, email, CHOICES, now - timedelta(hours=1), SECRET, HOST)
        active = await subs.by_email(session, ACTIVE)
        pending = await subs.by_email(session, PENDING)
        assert active is not None
        assert pending is not None
        if active.state == SubscriptionState.PENDING:
            await subs.confirm(session, active, now, SECRET)
        pending.expires_at = now + subs.PENDING_LIFETIME
        return {
            "active": subs.current_token(SECRET, active),
            "pending": subs.current_token(SECRET, pending),
            "feed": subs.feed_token(SECRET, active),
        }


# -- strategies -------------------------------------------------------------------------

_any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
_header_text = st.text(alphabet=string.printable.strip() + " ", max_size=80)
INJECTIONS = [
    "a@example.org\r\nBcc: victim@example.net",
    "a@example.org\nSubject: hi",
    "a@example.org%0d%0aBcc:%20victim@example.net",
    "a@example.org\x00b@example.net",
    "a@example.org, b@example.net",
    "A <a@example.org>",
    '"a\r\nb"@example.org',
    "a@example.org\u2028Bcc: x@example.net",
    "ü@exämple.org",
    "a@xn--exmple-cua.org",
    "a@[127.0.0.1]",
    "a@localhost",
    "a@example",
    " A@Example.ORG ",
    "<script>alert(1)</script>@example.org",
    "' OR 1=1 --@example.org",
    "a" * 70 + "@example.org",
    "a@" + "b" * 250 + ".org",
    "a@" + ".".join(["c" * 63] * 4) + ".org",
]
_emails = st.one_of(
    st.builds("person{}@example.org".format, st.integers(min_value=0, max_value=10**6)),
    st.sampled_from([ACTIVE, PENDING, *INJECTIONS]),
    st.emails(),
    _any_text,
    st.builds(lambda local, domain: f"{local}@{domain}", _any_text, _any_text),
)
_field_values = {
    "email": _emails,
    "regions": st.sampled_from([*REGION_IDS, "global", "all", ""]),
    "kinds": st.sampled_from([*sorted(KIND_SLUGS), "hearing"]),
    "leads": st.sampled_from([*sorted(LEAD_CODES), "2d", "0h", "-1d", "1w "]),
    "language": st.sampled_from([*LANGUAGES, "de", "EN", ""]),
    "tz": st.sampled_from(["Europe/Zurich", "UTC", "Etc/GMT-3", "Mars/Olympus", "", "utc"]),
    "delivery_hour": st.sampled_from(["0", "9", "23", "24", "-1", "٣", "9.5", "", "1e3"]),
}
_plausible_pairs = st.lists(
    st.sampled_from(sorted(_field_values)).flatmap(
        lambda name: st.tuples(
            st.just(name), st.one_of(_field_values[name], _field_values[name], _any_text)
        )
    ),
    max_size=10,
)
#: A form as the page sends it: every value from the lists offered.
_valid_pairs = st.builds(
    lambda *groups: [pair for group in groups for pair in group],
    st.lists(st.sampled_from(REGION_IDS), max_size=3).map(lambda v: [("regions", x) for x in v]),
    st.lists(st.sampled_from(sorted(KIND_SLUGS)), max_size=3).map(
        lambda v: [("kinds", x) for x in v]
    ),
    st.lists(st.sampled_from(sorted(LEAD_CODES)), min_size=1, max_size=3).map(
        lambda v: [("leads", x) for x in v]
    ),
    st.sampled_from(LANGUAGES).map(lambda v: [("language", v)]),
    st.sampled_from(["", "UTC", "Europe/Zurich", "America/Santiago"]).map(lambda v: [("tz", v)]),
    st.integers(min_value=0, max_value=23).map(lambda v: [("delivery_hour", str(v))]),
)
#: An address first (mostly), then a valid form or plausible fields, then anything at all.
_pairs = st.builds(
    lambda email, fields, junk: [
        *([("email", email)] if email is not None else []),
        *fields,
        *junk,
    ],
    st.one_of(_emails, _emails, st.none()),
    st.one_of(_valid_pairs, _plausible_pairs),
    st.one_of(st.just([]), st.lists(st.tuples(_any_text, _any_text), max_size=3)),
)
ROUTES = [
    ("GET", "/subscribe"),
    ("POST", "/subscribe"),
    ("GET", "/link"),
    ("POST", "/link"),
    ("GET", "/confirm/{token}"),
    ("POST", "/confirm/{token}"),
    ("GET", "/manage/{token}"),
    ("POST", "/manage/{token}"),
    ("POST", "/manage/{token}/pause"),
    ("POST", "/manage/{token}/resume"),
    ("POST", "/manage/{token}/new-link"),
    ("GET", "/manage/{token}/data.json"),
    ("GET", "/unsubscribe/{token}"),
    ("POST", "/unsubscribe/{token}"),
    ("GET", "/personal/{feed}"),
    ("HEAD", "/personal/{feed}"),
]
ENCODINGS = [
    "urlencoded",
    "multipart",
    "latin-1",
    "raw bytes",
    "json",
    "no content type",
    "broken multipart",
    "oversized",
    "oversized, no length",
]


@dataclass(frozen=True)
class Attempt:
    method: str
    path: str
    token: str  # "active", "pending", "feed" or the literal text put in the path
    query: dict[str, str]
    pairs: list[tuple[str, str]]
    encoding: str
    raw: bytes
    headers: dict[str, str]
    client: str


_headers = st.one_of(
    st.just({}),
    st.just({"origin": BASE_URL, "sec-fetch-site": "same-origin"}),
    st.fixed_dictionaries(
        {},
        optional={
            "origin": st.one_of(
                st.sampled_from([BASE_URL, "https://evil.example", "null"]), _header_text
            ),
            "sec-fetch-site": st.one_of(
                st.sampled_from(["same-origin", "cross-site", "none"]), _header_text
            ),
            "accept-language": st.one_of(
                st.sampled_from(["fr-CH, fr;q=0.9", "ar", "*", "zh-Hant-TW;q=0.5"]), _header_text
            ),
            "cookie": _header_text,
            "referer": _header_text,
        },
    ),
)
_attempts = st.builds(
    lambda route, token, query, pairs, encoding, raw, headers, client: Attempt(
        route[0], route[1], token, query, pairs, encoding, raw, headers, client
    ),
    st.sampled_from(ROUTES),
    st.one_of(*[st.sampled_from(["active", "pending", "feed"])] * 3, _any_text),
    st.dictionaries(st.sampled_from(["lang", "region", "done", "x"]), _any_text, max_size=3),
    _pairs,
    st.one_of(st.just("urlencoded"), st.just("multipart"), st.sampled_from(ENCODINGS)),
    st.binary(max_size=200),
    _headers,
    st.one_of(st.ip_addresses().map(str), st.just("testclient")),
)


def request_body(attempt: Attempt) -> tuple[dict[str, Any], int]:
    """httpx keyword arguments for the body, and its length in bytes."""
    pairs, encoding = attempt.pairs, attempt.encoding
    form = "application/x-www-form-urlencoded"
    body: bytes
    if encoding == "urlencoded":
        body = urlencode(pairs).encode()
        return {"content": body, "headers": {"content-type": form}}, len(body)
    if encoding == "multipart":
        request = httpx.Request(
            "POST",
            BASE_URL,
            data=dict(pairs),
            files={"attachment": ("a.txt", b"not a field", "text/plain")},
        )
        body = request.read()
        return {"content": body, "headers": {"content-type": request.headers["content-type"]}}, len(
            body
        )
    if encoding == "latin-1":
        body = urlencode(pairs, encoding="latin-1", errors="replace").encode()
        return {
            "content": body,
            "headers": {"content-type": form + "; charset=latin-1"},
        }, len(body)
    if encoding == "raw bytes":
        return {"content": attempt.raw, "headers": {"content-type": form}}, len(attempt.raw)
    if encoding == "json":
        body = httpx.Request("POST", BASE_URL, json=dict(pairs)).read()
        return {"content": body, "headers": {"content-type": "application/json"}}, len(body)
    if encoding == "no content type":
        body = urlencode(pairs).encode()
        return {"content": body}, len(body)
    if encoding == "broken multipart":
        body = b"--xyz\r\nContent-Disposition: form-data; name=email\r\n\r\n" + attempt.raw
        return {
            "content": body,
            "headers": {"content-type": "multipart/form-data; boundary=xyz"},
        }, len(body)
    size = MAX_BODY_BYTES + 1 + len(attempt.raw) * 200
    body = urlencode([("email", "a" * size)]).encode()
    if encoding == "oversized":
        return {"content": body, "headers": {"content-type": form}}, len(body)

    async def trickle() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    return {"content": trickle(), "headers": {"content-type": form}}, len(body)


async def send(site: Site, attempt: Attempt, tokens: dict[str, str]) -> httpx.Response:
    secret = tokens.get(attempt.token) or quote(attempt.token, safe="")
    if attempt.path.startswith("/personal/"):
        secret = (tokens["feed"] if attempt.token == "feed" else secret) + ".ics"
    path = attempt.path.format(token=secret, feed=secret)
    transport = httpx.ASGITransport(app=site.app, client=(attempt.client, 50000))
    arguments: dict[str, Any] = {"params": attempt.query}
    headers = dict(attempt.headers)
    if attempt.method == "POST":
        body, _ = request_body(attempt)
        headers.update(body.pop("headers", {}))
        arguments.update(body)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await client.request(attempt.method, path, headers=headers, **arguments)


async def stored_subscriptions(site: Site) -> list[Any]:
    async with site.service.engine.connect() as conn:
        return list((await conn.execute(select(SUBSCRIPTIONS))).all())


def clean(row: Any, region_ids: frozenset[str]) -> bool:
    valid = validate_email(row.email, check_deliverability=False, allow_smtputf8=False)
    return (
        row.email == (valid.ascii_email or valid.normalized).lower()
        and set(row.regions) <= region_ids
        and set(row.kinds) <= KIND_SLUGS
        and bool(row.leads)
        and set(row.leads) <= LEAD_CODES
        and row.language in LANGUAGES
        and row.tz in ZONES
        and 0 <= row.delivery_hour <= 23
        and row.state in {state.value for state in SubscriptionState}
    )


def secrets_sent(attempt: Attempt, tokens: dict[str, str]) -> set[str]:
    """Addresses and tokens of this request that no INFO log line may show."""
    found = {value for _, value in attempt.pairs if "@" in value and len(value.strip()) > 5}
    found |= {value.strip() for value in found}
    return found | set(tokens.values()) | {ACTIVE, PENDING}


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempt=_attempts)
async def test_subscription_pages_any_request_no_server_error_and_no_stored_garbage(
    site: Site, caplog: pytest.LogCaptureFixture, attempt: Attempt
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    tokens = await links(site)
    response = await send(site, attempt, tokens)

    shown = (attempt.method, attempt.path, attempt.encoding, response.status_code)
    assert response.status_code < 500, (shown, response.text[:500])
    assert "Traceback" not in response.text, shown
    assert "Internal Server Error" not in response.text, shown
    if attempt.method == "POST" and attempt.encoding.startswith("oversized"):
        assert response.status_code == 413, shown
    rows = await stored_subscriptions(site)
    assert [row.email for row in rows if not clean(row, site.region_ids)] == []
    async with site.service.engine.connect() as conn:
        kinds = set((await conn.execute(select(OUTBOX.c.kind).distinct())).scalars())
    assert kinds <= {MessageKind.CONFIRM_SUBSCRIPTION.value, MessageKind.MANAGE_LINK.value}
    logged = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO and record.name.split(".")[0] not in TEST_CLIENT_LOGGERS
    ]
    leaks = [(s, line) for s in secrets_sent(attempt, tokens) for line in logged if s in line]
    assert leaks == []
