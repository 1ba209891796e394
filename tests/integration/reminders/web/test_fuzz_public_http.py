"""No request can produce a 500: any request to any route, with hostile paths, query
strings, bodies and headers, gets an answer, never a server error or a traceback."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from reminders.service import Service
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[4]


@dataclass
class Client:
    """Synchronous calls (for hypothesis) into the app running on a portal's event loop."""

    portal: BlockingPortal
    http: httpx.AsyncClient
    app: ASGIApp

    def request(self, method: str, path: str, params: dict[str, str]) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, path, params=params))

    def raw(
        self,
        method: str,
        path: bytes,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """One request straight into the ASGI app: bytes no HTTP client would send."""
        return self.portal.call(_asgi_call, self.app, method, path, query, headers, body)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    folder = tmp_path_factory.mktemp("fuzz")
    service = Service.create(
        Settings(
            timeline=ROOT / "config" / "timeline.toml",
            database_url=f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}",
            outbox=folder / "outbox",
        )
    )
    with start_blocking_portal() as portal:
        portal.call(service.open)
        app = service.asgi()
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
        )
        yield Client(portal, http, app)
        portal.call(http.aclose)
        portal.call(service.close)


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_paths = st.one_of(
    st.builds(lambda s: f"/feeds/{quote(s, safe='')}.ics", _text),
    st.builds(lambda s: f"/events/{quote(s, safe='')}.ics", _text),
    st.builds(lambda s: f"/events/{quote(s, safe='')}", _text),
    st.builds(lambda s: f"/regions/{quote(s, safe='')}", _text),
    st.sampled_from(["/", "/feeds/all.ics", "/feeds/africa.ics", "/regions/africa"]),
)
_params = st.dictionaries(st.sampled_from(["lang", "kinds", "x", "kinds[]"]), _text, max_size=3)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=_paths, params=_params, method=st.sampled_from(["GET", "HEAD", "POST", "PUT"]))
def test_public_urls_never_fail_with_a_server_error(
    client: Client, path: str, params: dict[str, str], method: str
) -> None:
    response = client.request(method, path, params=params)
    assert response.status_code < 500, (method, path, params, response.text[:300])
    assert "Traceback" not in response.text


# Every route, hostile headers ---------------------------------------------------------

#: Header values as a client may send them: any byte a header may carry (no CR or LF).
_header_value = st.binary(max_size=60).map(
    lambda raw: bytes(b for b in raw if b not in b"\r\n\x00").strip()
)
_hostile = st.one_of(
    _header_value,
    st.sampled_from(
        [
            b"[",
            b"http://[::1",
            b"a:b:c",
            b"evil.example",
            b"null",
            b"*",
            b'W/"x", "',
            b"Sun, 31 Feb 99999 25:61:61 GMT",
            b"multipart/form-data; boundary=",
            b"multipart/form-data",
            b"application/x-www-form-urlencoded; charset=utf-7",
            b"en;q=nan, *;q=-1, \xff",
            b"a=\x7f; b",
            b"cross-site",
        ]
    ),
)
HEADER_NAMES = [
    "host",
    "origin",
    "referer",
    "sec-fetch-site",
    "sec-fetch-mode",
    "sec-fetch-dest",
    "accept-language",
    "cookie",
    "content-type",
    "if-none-match",
    "if-modified-since",
    "x-request-id",
]
_headers = st.dictionaries(st.sampled_from(HEADER_NAMES), _hostile, max_size=5)
_segment = st.one_of(
    _text.map(lambda s: quote(s, safe="")),
    st.sampled_from(["africa", "all.ics", "x" * 43, "1-" + "x" * 43 + ".ics", "..", "%00"]),
)
_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda email, extra: f"email={quote(email)}&{extra}".encode(),
        _text,
        st.sampled_from(["", "regions=africa", "lang=zz", "delivery_hour=99", "tz=%00"]),
    ),
)


def _route_templates(app: object) -> list[str]:
    """Every path the pages answer (found in the app, so a new route is fuzzed too)."""
    while not isinstance(app, FastAPI):
        app = getattr(app, "app", None) or getattr(app, "fallback", None)
        assert app is not None, "no FastAPI app inside the service's ASGI app"
    return sorted(_route_paths(app.routes))


def _route_paths(routes: Iterable[object]) -> Iterator[str]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included routers
        if included is not None:
            yield from _route_paths(included.routes)
        elif isinstance(route, APIRoute | Route):
            yield route.path


@pytest.fixture(scope="module")
def templates(client: Client) -> list[str]:
    found = _route_templates(client.app)
    return [*found, "/feeds/{x}", "/events/{x}.ics", "/feeds/{x}.ics"]


_clients = itertools.count()


async def _asgi_call(
    app: ASGIApp,
    method: str,
    path: bytes,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote_to_bytes(path).decode("utf-8", "replace"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        # A client address per request: the per-client limit would answer 429 to the rest.
        "client": (f"10.0.{next(_clients) % 250}.{next(_clients) % 250}", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    answer: dict[str, Any] = {"status": 0, "headers": [], "body": b""}

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.data(),
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]),
    headers=_headers,
    query=st.binary(max_size=40),
    body=_bodies,
)
def test_no_request_gets_a_server_error_whatever_its_headers(
    client: Client,
    templates: list[str],
    data: st.DataObject,
    method: str,
    headers: dict[str, bytes],
    query: bytes,
    body: bytes,
) -> None:
    template = data.draw(st.sampled_from(templates))
    path = re.sub(r"\{[^}]+\}", lambda _: data.draw(_segment), template)
    raw_headers = [(name.encode(), value) for name, value in headers.items()]
    status, answer_headers, answer = client.raw(method, path.encode(), query, raw_headers, body)
    assert status < 500, (method, path, headers, answer[:300])
    assert b"Traceback" not in answer
    assert [v for n, v in answer_headers if n == b"location" and b"evil" in v] == []


def test_head_answers_wherever_get_does(client: Client, templates: list[str]) -> None:
    plain = [t for t in templates if "{" not in t] + ["/feeds/all.ics", "/static/site.css"]
    answers = {
        path: (client.request("GET", path, {}).status_code, client.request("HEAD", path, {}))
        for path in plain
    }
    assert {p: (get, head.status_code, head.content) for p, (get, head) in answers.items()} == {
        p: (get, get, b"") for p, (get, _) in answers.items()
    }
